package dev.asg.spark.engine;

import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.KMeansParams;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One quantize run: the k-means problem, what it reads and how it runs, each validated by its own record. The CLI,
 * notebooks and tests build one with {@link #builder()} (flag values as strings, parsed with the CLI's messages);
 * {@link QuantizeJob#run} runs it.
 *
 * @param initFrom an artifact whose centroids start Lloyd instead of seeding ({@code --init-from}, see
 *     {@link WarmStart}), so a retrain on a slightly changed table keeps its ConceptIDs; null to seed
 */
public record QuantizeRequest(KMeansParams algorithm, InputSpec input, RunOptions run, String initFrom)
    implements Serializable {
  public static final String INIT_FROM = "init-from";

  public QuantizeRequest {
    java.util.Objects.requireNonNull(algorithm, "algorithm");
    java.util.Objects.requireNonNull(input, "input");
    java.util.Objects.requireNonNull(run, "run");
    dev.asg.common.FlagChecks.require(initFrom == null || !initFrom.isBlank(), "--" + INIT_FROM
        + " must name the artifact directory of an earlier 'asg quantize' run");
  }

  /** A run that seeds its centroids (no {@code --init-from}). */
  public QuantizeRequest(KMeansParams algorithm, InputSpec input, RunOptions run) {
    this(algorithm, input, run, null);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The same request reading {@code tensor} instead (a decoder run's output section). */
  public QuantizeRequest withTensor(String tensor) {
    return new QuantizeRequest(algorithm, input.withTensor(tensor), run, initFrom);
  }

  /** Every parameter by its key, for manifest.params; the order and value strings are part of the artifact. */
  public Map<String, Object> asMap() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put(InputSpec.INPUT, input.uri());
    p.put(InputSpec.INPUT_FORMAT, input.format().flagValue());
    p.put(InputSpec.TENSOR, input.tensor());
    p.put(InputSpec.OUTPUT_TENSOR, input.outputTensor());
    p.put(InputSpec.ID_COL, input.idCol());
    p.put(InputSpec.VECTOR_COL, input.vectorCol());
    p.put(InputSpec.VOCAB, input.vocab());
    p.put(KMeansParams.M, algorithm.m());
    p.put(KMeansParams.K, algorithm.k());
    p.put(KMeansParams.CODEBOOK, algorithm.codebook().flagValue());
    p.put(KMeansParams.INIT, algorithm.init().flagValue());
    p.put(KMeansParams.INIT_POINTS_PER_CENTROID, algorithm.initPointsPerCentroid());
    p.put(KMeansParams.ITERATIONS, algorithm.iterations());
    p.put(KMeansParams.TOL, algorithm.tol());
    p.put(KMeansParams.MAX_POINTS_PER_CENTROID, algorithm.maxPointsPerCentroid());
    p.put(KMeansParams.SEED, algorithm.seed());
    if (initFrom != null) {
      // Only when set, so the params of every seeded run (and their comparison by schedulers) stay as they were.
      p.put(INIT_FROM, initFrom);
    }
    p.put(RunOptions.PARTITIONS, run.partitions());
    p.put(RunOptions.PARTITION_MB, run.partitionMb());
    p.put(RunOptions.KERNEL, run.kernel().flagValue());
    p.put(RunOptions.PRUNING, run.pruning().flagValue());
    p.put(RunOptions.CHECKPOINT_EVERY, run.checkpointEvery());
    p.put(RunOptions.RESUME, run.resume());
    p.put(RunOptions.OUTPUT, run.output());
    p.put(RunOptions.OVERWRITE, run.overwrite());
    return p;
  }

  /**
   * Flag values by name, starting from the defaults; {@link #build()} validates them record by record. Enum flags
   * are kept as given and parsed in build(), so their error names the flag and the value typed.
   */
  public static final class Builder {
    private static final KMeansParams D = KMeansParams.DEFAULTS;
    private String input;
    private String inputFormat = InputSpec.INPUT_FORMAT_DEFAULT.flagValue();
    private String tensor;
    private String outputTensor;
    private String idCol = InputSpec.ID_COL_DEFAULT;
    private String vectorCol = InputSpec.VECTOR_COL_DEFAULT;
    private String vocab = InputSpec.VOCAB_DEFAULT;
    private String output;
    private boolean overwrite;
    private int m = D.m();
    private int k = D.k();
    private CodebookMode codebook = D.codebook();
    private String init = D.init().flagValue();
    private int initPointsPerCentroid = D.initPointsPerCentroid();
    private int iterations = D.iterations();
    private double tol = D.tol();
    private int maxPointsPerCentroid = D.maxPointsPerCentroid();
    private long seed = D.seed();
    private int partitions = RunOptions.PARTITIONS_DEFAULT;
    private int partitionMb = RunOptions.PARTITION_MB_DEFAULT;
    private String kernel = RunOptions.KERNEL_DEFAULT.flagValue();
    private String pruning = RunOptions.PRUNING_DEFAULT.flagValue();
    private int checkpointEvery = RunOptions.CHECKPOINT_EVERY_DEFAULT;
    private boolean resume;
    private String initFrom;

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
      idCol = v == null ? InputSpec.ID_COL_DEFAULT : v;
      return this;
    }

    /** null restores the default (a CLI without the defaults file passes null). */
    public Builder vectorCol(String v) {
      vectorCol = v == null ? InputSpec.VECTOR_COL_DEFAULT : v;
      return this;
    }

    /** null restores the default (a CLI without the defaults file passes null). */
    public Builder vocab(String v) {
      vocab = v == null ? InputSpec.VOCAB_DEFAULT : v;
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
      codebook = KMeansParams.parseCodebook(v);
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

    public Builder kernel(String v) {
      kernel = v;
      return this;
    }

    public Builder pruning(String v) {
      pruning = v;
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

    /** {@code --init-from}: an artifact to start Lloyd from, or null to seed. */
    public Builder initFrom(String v) {
      initFrom = v;
      return this;
    }

    /** Validates everything that does not need the table; the first bad flag fails with a one-line message. */
    public QuantizeRequest build() {
      // The two required flags first, as the CLI's usage line lists them.
      dev.asg.common.FlagChecks.require(input != null && !input.isBlank(),
          "--" + InputSpec.INPUT + " is required: the model file or URI to read");
      dev.asg.common.FlagChecks.require(output != null && !output.isBlank(),
          "--" + RunOptions.OUTPUT + " is required: the artifact directory to write");
      KMeansParams algorithm = new KMeansParams(m, k, codebook, KMeansParams.Init.parse(init),
          initPointsPerCentroid, iterations, tol, maxPointsPerCentroid, seed);
      RunOptions run = new RunOptions(output, overwrite, partitions, partitionMb, RunOptions.Kernel.parse(kernel),
          dev.asg.common.kmeans.Pruning.parse(pruning), checkpointEvery, resume);
      InputSpec in = new InputSpec(input, InputSpec.InputFormat.parse(inputFormat), tensor, outputTensor, idCol,
          vectorCol, vocab);
      return new QuantizeRequest(algorithm, in, run, initFrom);
    }
  }
}
