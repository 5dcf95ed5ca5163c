package dev.asg.spark.engine;

import dev.asg.common.InvalidInputException;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.Pruning;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a quantize run needs, validated. Each option has a key (its command-line flag without dashes, also
 * its key in conf/asg-defaults.properties and in manifest.params) and a {@code _DEFAULT} constant; the reason for
 * each default is written beside it and in conf/asg-defaults.properties. The CLI, notebooks and tests all build
 * one of these; nothing here parses a command line.
 */
public final class QuantizeParams implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String INPUT = "input";
  public static final String INPUT_FORMAT = "input-format";
  /** "auto": by extension, then by magic bytes. */
  public static final String INPUT_FORMAT_DEFAULT = "auto";
  public static final String TENSOR = "tensor";
  /**
   * A decoder's separate output projection (e.g. mT5's lm_head.weight) to quantize as a second, independent ASG
   * structure in the same run (paper section 2.4). No default: most models tie it to the input embedding.
   */
  public static final String OUTPUT_TENSOR = "output-tensor";
  public static final String ID_COL = "id-col";
  /** The column name Hugging Face datasets and our own mapping/ use for the row's token id. */
  public static final String ID_COL_DEFAULT = "token_id";
  public static final String VECTOR_COL = "vector-col";
  /** The column name sentence-transformers and most embedding dumps use for the vector. */
  public static final String VECTOR_COL_DEFAULT = "embedding";
  public static final String VOCAB = "vocab";
  /**
   * "auto": use a tokenizer.json, {@code <model>-tokenizer.json} or vocab.txt found next to the model if there is
   * one, so mapping/ is readable without extra flags; "none" never adds tokens; anything else is a file.
   */
  public static final String VOCAB_DEFAULT = "auto";
  public static final String VOCAB_AUTO = "auto";
  public static final String VOCAB_NONE = "none";
  public static final String OUTPUT = "output";
  public static final String OVERWRITE = "overwrite";
  /** Refuse to replace an existing artifact unless asked: nightly jobs must not silently clobber yesterday's. */
  public static final boolean OVERWRITE_DEFAULT = false;

  public static final String M = "m";
  /** The paper's main setting (Table 5): 48 segments of 16 dims for D=768 models. */
  public static final int M_DEFAULT = 48;
  public static final String K = "k";
  /** The paper's main setting for mBERT: 512 concepts per codebook (0.4% of the embedding parameters). */
  public static final int K_DEFAULT = 512;
  public static final String CODEBOOK = "codebook";
  /** Separate codebooks per segment position, as in the paper (section 2.1). */
  public static final CodebookMode CODEBOOK_DEFAULT = CodebookMode.SEPARATE;
  public static final String INIT = "init";
  /** k-means++ seeding: fewer iterations to a good optimum than random picks, at a small driver-side cost. */
  public static final String INIT_DEFAULT = "kmeans++";
  public static final String INIT_POINTS_PER_CENTROID = "init-points-per-centroid";
  /**
   * k-means++ runs on the driver on a deterministic sample of this many points per centroid. Its cost is
   * O(sample * k * dsub) per codebook; 16 points per centroid seeds as well as the full table in practice and
   * keeps seeding to seconds for k = 4096.
   */
  public static final int INIT_POINTS_PER_CENTROID_DEFAULT = 16;
  public static final String ITERATIONS = "iterations";
  /** faiss's and nanopq's default number of Lloyd iterations (what the paper used). */
  public static final int ITERATIONS_DEFAULT = 25;
  public static final String TOL = "tol";
  /** 0: always run all iterations, as faiss does; set e.g. 1e-4 to stop early on converged tables. */
  public static final double TOL_DEFAULT = 0.0;
  public static final String MAX_POINTS_PER_CENTROID = "max-points-per-centroid";
  /** faiss's default: beyond 256 points per centroid, more training data hardly moves the centroids. */
  public static final int MAX_POINTS_PER_CENTROID_DEFAULT = 256;
  public static final String SEED = "seed";
  /** faiss's default seed. */
  public static final long SEED_DEFAULT = 1234L;
  public static final String PARTITIONS = "partitions";
  /** 0: derive from the table's size (see PARTITION_BYTES). */
  public static final int PARTITIONS_DEFAULT = 0;
  public static final String PARTITION_MB = "partition-mb";
  /** ~64 MB of float32 rows per partition: HDFS-block sized reads, and enough tasks to spread 250k x 768. */
  public static final int PARTITION_MB_DEFAULT = 64;
  public static final String KERNEL = "kernel";
  /** "auto": the Vector API kernel when the executor JVM has jdk.incubator.vector, else the scalar one. */
  public static final String KERNEL_DEFAULT = "auto";
  public static final String PRUNING = "pruning";
  /** "exact": bound-based skipping, bit-identical to brute force ("off"), and several times less work. */
  public static final String PRUNING_DEFAULT = "exact";
  public static final String CHECKPOINT_EVERY = "checkpoint-every";
  /**
   * 0: no checkpoints. A run is minutes on a cluster and each checkpoint writes the codebooks through the
   * filesystem, so only long runs that may be killed (preemptible executors, time-limited queues) should pay it.
   */
  public static final int CHECKPOINT_EVERY_DEFAULT = 0;
  public static final String RESUME = "resume";
  /** Never continue from an old checkpoint unless asked: a fresh run must not depend on leftovers. */
  public static final boolean RESUME_DEFAULT = false;

  /** Highest m and k we accept: a ConceptID must fit in an int and the codebook in one driver array. */
  public static final int MAX_M = 65536;
  public static final int MAX_K = 1 << 20;
  public static final int MAX_ITERATIONS = 100000;
  public static final int MAX_PARTITIONS = 1000000;

  private final String input;
  private final String inputFormat;
  private final String tensor;
  private final String outputTensor;
  private final String idCol;
  private final String vectorCol;
  private final String vocab;
  private final String output;
  private final boolean overwrite;
  private final int m;
  private final int k;
  private final CodebookMode codebook;
  private final String init;
  private final int initPointsPerCentroid;
  private final int iterations;
  private final double tol;
  private final int maxPointsPerCentroid;
  private final long seed;
  private final int partitions;
  private final int partitionMb;
  private final String kernel;
  private final Pruning pruning;
  private final int checkpointEvery;
  private final boolean resume;

  private QuantizeParams(Builder b) {
    this.input = b.input;
    this.inputFormat = b.inputFormat;
    this.tensor = b.tensor;
    this.outputTensor = b.outputTensor;
    this.idCol = b.idCol;
    this.vectorCol = b.vectorCol;
    this.vocab = b.vocab;
    this.output = b.output;
    this.overwrite = b.overwrite;
    this.m = b.m;
    this.k = b.k;
    this.codebook = b.codebook;
    this.init = b.init;
    this.initPointsPerCentroid = b.initPointsPerCentroid;
    this.iterations = b.iterations;
    this.tol = b.tol;
    this.maxPointsPerCentroid = b.maxPointsPerCentroid;
    this.seed = b.seed;
    this.partitions = b.partitions;
    this.partitionMb = b.partitionMb;
    this.kernel = b.kernel;
    this.pruning = Pruning.parse(b.pruning);
    this.checkpointEvery = b.checkpointEvery;
    this.resume = b.resume;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the parameters that depend on the table (rows x dim). Throws InvalidInputException naming the flag,
   * the value and the allowed range.
   */
  public void validateAgainst(long rows, int dim, String tableName) {
    if (dim % m != 0) {
      throw new InvalidInputException("--" + M + " " + m + " does not divide the embedding dimension D=" + dim
          + " of " + tableName + "; --" + M + " must be a divisor of " + dim + " (" + divisors(dim) + ")");
    }
    long points = codebook == CodebookMode.SEPARATE ? rows : rows * m;
    if (k > points) {
      throw new InvalidInputException("--" + K + " " + k + " exceeds the " + points + " training points of "
          + tableName + " (" + rows + " rows, " + codebook.flagValue() + " codebook" + (codebook
          == CodebookMode.SHARED ? " pools " + m + " segments per row" : "") + "); --" + K + " must be in [2, "
          + points + "]");
    }
  }

  private static String divisors(int n) {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (int d = 1; d <= n && shown < 16; d++) {
      if (n % d == 0) {
        sb.append(shown++ == 0 ? "" : ", ").append(d);
      }
    }
    return shown < 16 ? sb.toString() : sb.append(", ...").toString();
  }

  /** All parameters by key, for manifest.params. */
  public Map<String, Object> asMap() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(INPUT, input);
    p.put(INPUT_FORMAT, inputFormat);
    p.put(TENSOR, tensor);
    p.put(OUTPUT_TENSOR, outputTensor);
    p.put(ID_COL, idCol);
    p.put(VECTOR_COL, vectorCol);
    p.put(VOCAB, vocab);
    p.put(M, m);
    p.put(K, k);
    p.put(CODEBOOK, codebook.flagValue());
    p.put(INIT, init);
    p.put(INIT_POINTS_PER_CENTROID, initPointsPerCentroid);
    p.put(ITERATIONS, iterations);
    p.put(TOL, tol);
    p.put(MAX_POINTS_PER_CENTROID, maxPointsPerCentroid);
    p.put(SEED, seed);
    p.put(PARTITIONS, partitions);
    p.put(PARTITION_MB, partitionMb);
    p.put(KERNEL, kernel);
    p.put(PRUNING, pruning.flagValue());
    p.put(CHECKPOINT_EVERY, checkpointEvery);
    p.put(RESUME, resume);
    p.put(OUTPUT, output);
    p.put(OVERWRITE, overwrite);
    return p;
  }

  public String input() {
    return input;
  }

  public String inputFormat() {
    return inputFormat;
  }

  public String tensor() {
    return tensor;
  }

  /** The decoder output projection to quantize too, or null. */
  public String outputTensor() {
    return outputTensor;
  }

  public String idCol() {
    return idCol;
  }

  public String vectorCol() {
    return vectorCol;
  }

  /** "auto", "none" or a vocabulary file. */
  public String vocab() {
    return vocab;
  }

  public String output() {
    return output;
  }

  public boolean overwrite() {
    return overwrite;
  }

  public int m() {
    return m;
  }

  public int k() {
    return k;
  }

  public CodebookMode codebook() {
    return codebook;
  }

  public String init() {
    return init;
  }

  public int initPointsPerCentroid() {
    return initPointsPerCentroid;
  }

  public int iterations() {
    return iterations;
  }

  public double tol() {
    return tol;
  }

  public int maxPointsPerCentroid() {
    return maxPointsPerCentroid;
  }

  public long seed() {
    return seed;
  }

  public int partitions() {
    return partitions;
  }

  public int partitionMb() {
    return partitionMb;
  }

  public String kernel() {
    return kernel;
  }

  public Pruning pruning() {
    return pruning;
  }

  /** Write a checkpoint after every N-th Lloyd iteration; 0 = never. */
  public int checkpointEvery() {
    return checkpointEvery;
  }

  /** Continue from a matching checkpoint under {@code <output>._ckpt} if there is one. */
  public boolean resume() {
    return resume;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.input = input;
    b.inputFormat = inputFormat;
    b.tensor = tensor;
    b.outputTensor = outputTensor;
    b.idCol = idCol;
    b.vectorCol = vectorCol;
    b.vocab = vocab;
    b.output = output;
    b.overwrite = overwrite;
    b.m = m;
    b.k = k;
    b.codebook = codebook;
    b.init = init;
    b.initPointsPerCentroid = initPointsPerCentroid;
    b.iterations = iterations;
    b.tol = tol;
    b.maxPointsPerCentroid = maxPointsPerCentroid;
    b.seed = seed;
    b.partitions = partitions;
    b.partitionMb = partitionMb;
    b.kernel = kernel;
    b.pruning = pruning.flagValue();
    b.checkpointEvery = checkpointEvery;
    b.resume = resume;
    return b;
  }

  /** Mutable builder; {@link #build()} validates everything that does not need the table. */
  public static final class Builder {
    private String input;
    private String inputFormat = INPUT_FORMAT_DEFAULT;
    private String tensor;
    private String outputTensor;
    private String idCol = ID_COL_DEFAULT;
    private String vectorCol = VECTOR_COL_DEFAULT;
    private String vocab = VOCAB_DEFAULT;
    private String output;
    private boolean overwrite = OVERWRITE_DEFAULT;
    private int m = M_DEFAULT;
    private int k = K_DEFAULT;
    private CodebookMode codebook = CODEBOOK_DEFAULT;
    private String init = INIT_DEFAULT;
    private int initPointsPerCentroid = INIT_POINTS_PER_CENTROID_DEFAULT;
    private int iterations = ITERATIONS_DEFAULT;
    private double tol = TOL_DEFAULT;
    private int maxPointsPerCentroid = MAX_POINTS_PER_CENTROID_DEFAULT;
    private long seed = SEED_DEFAULT;
    private int partitions = PARTITIONS_DEFAULT;
    private int partitionMb = PARTITION_MB_DEFAULT;
    private String kernel = KERNEL_DEFAULT;
    private String pruning = PRUNING_DEFAULT;
    private int checkpointEvery = CHECKPOINT_EVERY_DEFAULT;
    private boolean resume = RESUME_DEFAULT;

    public Builder input(String v) {
      input = v;
      return this;
    }

    public Builder inputFormat(String v) {
      inputFormat = v;
      return this;
    }

    public Builder tensor(String v) {
      tensor = v;
      return this;
    }

    public Builder outputTensor(String v) {
      outputTensor = v;
      return this;
    }

    /** null restores the default (a CLI without the defaults file passes null). */
    public Builder idCol(String v) {
      idCol = v == null ? ID_COL_DEFAULT : v;
      return this;
    }

    /** null restores the default (a CLI without the defaults file passes null). */
    public Builder vectorCol(String v) {
      vectorCol = v == null ? VECTOR_COL_DEFAULT : v;
      return this;
    }

    /** null restores the default (a CLI without the defaults file passes null). */
    public Builder vocab(String v) {
      vocab = v == null ? VOCAB_DEFAULT : v;
      return this;
    }

    public Builder output(String v) {
      output = v;
      return this;
    }

    public Builder overwrite(boolean v) {
      overwrite = v;
      return this;
    }

    public Builder m(int v) {
      m = v;
      return this;
    }

    public Builder k(int v) {
      k = v;
      return this;
    }

    public Builder codebook(CodebookMode v) {
      codebook = v;
      return this;
    }

    public Builder codebook(String v) {
      codebook = parseCodebook(v);
      return this;
    }

    public Builder init(String v) {
      init = v;
      return this;
    }

    public Builder initPointsPerCentroid(int v) {
      initPointsPerCentroid = v;
      return this;
    }

    public Builder iterations(int v) {
      iterations = v;
      return this;
    }

    public Builder tol(double v) {
      tol = v;
      return this;
    }

    public Builder maxPointsPerCentroid(int v) {
      maxPointsPerCentroid = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder partitions(int v) {
      partitions = v;
      return this;
    }

    public Builder partitionMb(int v) {
      partitionMb = v;
      return this;
    }

    public Builder pruning(String v) {
      pruning = v;
      return this;
    }

    public Builder kernel(String v) {
      kernel = v;
      return this;
    }

    public Builder checkpointEvery(int v) {
      checkpointEvery = v;
      return this;
    }

    public Builder resume(boolean v) {
      resume = v;
      return this;
    }

    public QuantizeParams build() {
      require(input != null && !input.isBlank(), "--" + INPUT + " is required: the model file or URI to read");
      require(output != null && !output.isBlank(), "--" + OUTPUT + " is required: the artifact directory to write");
      checkRange(M, m, 1, MAX_M, "the number of segments per row");
      checkRange(K, k, 2, MAX_K, "centroids per codebook");
      checkRange(ITERATIONS, iterations, 1, MAX_ITERATIONS, "Lloyd iterations");
      checkRange(MAX_POINTS_PER_CENTROID, maxPointsPerCentroid, 1, Integer.MAX_VALUE,
          "training points per centroid before sampling");
      checkRange(INIT_POINTS_PER_CENTROID, initPointsPerCentroid, 1, 1 << 16, "k-means++ sample per centroid");
      checkRange(PARTITIONS, partitions, 0, MAX_PARTITIONS, "row-range partitions (0 = from table size)");
      checkRange(CHECKPOINT_EVERY, checkpointEvery, 0, MAX_ITERATIONS, "Lloyd iterations between checkpoints "
          + "(0 = none)");
      checkRange(PARTITION_MB, partitionMb, 1, 1 << 16, "MB of float32 rows per partition");
      require(tol >= 0 && tol < 1, "--" + TOL + " " + tol + " is not allowed; --" + TOL
          + " must be in [0, 1) (0 = run every iteration)");
      require(init.equals("kmeans++") || init.equals("random"), "--" + INIT + " " + init
          + " is not allowed; --" + INIT + " must be one of: kmeans++, random");
      require(kernel.equals("auto") || kernel.equals("vector") || kernel.equals("vector-256")
          || kernel.equals("vector-512") || kernel.equals("scalar"), "--" + KERNEL + " " + kernel
          + " is not allowed; --" + KERNEL + " must be one of: auto, vector, vector-256, vector-512, scalar");
      require(pruning != null && (pruning.equals("exact") || pruning.equals("off")), "--" + PRUNING + " "
          + pruning + " is not allowed; --" + PRUNING + " must be one of: exact, off");
      require(inputFormat.equals("auto") || inputFormat.equals("safetensors") || inputFormat.equals("onnx")
              || inputFormat.equals("npy") || inputFormat.equals("parquet"),
          "--" + INPUT_FORMAT + " " + inputFormat + " is not allowed; --" + INPUT_FORMAT
              + " must be one of: auto, safetensors, onnx, npy, parquet");
      require(idCol != null && !idCol.isBlank(), "--" + ID_COL + " must name the id column of the Parquet table");
      require(vectorCol != null && !vectorCol.isBlank(), "--" + VECTOR_COL
          + " must name the vector column of the Parquet table");
      require(!idCol.equals(vectorCol), "--" + ID_COL + " and --" + VECTOR_COL + " are both '" + idCol
          + "'; they must name two different columns");
      require(vocab != null && !vocab.isBlank(), "--" + VOCAB + " must be auto, none or a vocabulary file");
      if (outputTensor != null) {
        require(!outputTensor.isBlank(), "--" + OUTPUT_TENSOR + " must name a 2-D tensor, e.g. lm_head.weight");
        require(!inputFormat.equals("parquet") && !inputFormat.equals("npy"), "--" + OUTPUT_TENSOR
            + " needs a model file with named tensors (safetensors or onnx), not --" + INPUT_FORMAT + " "
            + inputFormat);
      }
      return new QuantizeParams(this);
    }

    private static void checkRange(String key, long v, long min, long max, String what) {
      if (v < min || v > max) {
        throw new InvalidInputException("--" + key + " " + v + " is out of range; --" + key + " (" + what
            + ") must be in [" + min + ", " + max + "]");
      }
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new InvalidInputException(message);
      }
    }

    static CodebookMode parseCodebook(String v) {
      try {
        return CodebookMode.valueOf(v.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException("--" + CODEBOOK + " " + v + " is not allowed; --" + CODEBOOK
            + " must be one of: separate, shared");
      }
    }
  }
}
