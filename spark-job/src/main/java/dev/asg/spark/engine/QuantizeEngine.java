package dev.asg.spark.engine;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.CentroidDrift;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.FixedPoint;
import dev.asg.common.kmeans.KMeansParams;
import dev.asg.common.kmeans.KMeansPlusPlus;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.common.kmeans.TokenSampler;
import dev.asg.common.kmeans.ValueRange;
import dev.asg.spark.io.TableResolver;
import dev.asg.spark.source.TableBlock;
import dev.asg.spark.source.TableSource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training engine: a thin coordinator over the pure kernels in {@code common}.
 *
 * <ol>
 *   <li>The driver reads only the file's header ({@link TableResolver}).</li>
 *   <li>Tasks read fixed row ranges with positioned reads into one float[] per partition, cached.</li>
 *   <li>If a codebook has more than k * max-points-per-centroid points, iterations run on a hash sample of
 *       tokens (independent of partitioning).</li>
 *   <li>Initial centroids: k-means++ (or random) on the driver over a small hash sample.</li>
 *   <li>Each Lloyd iteration is ONE Spark job that advances ALL codebooks: centroids are broadcast, each task
 *       assigns its rows' m sub-vectors and returns fixed-point sums, counts and the objective, which merge
 *       exactly; the driver computes the new centroids and splits empty clusters.</li>
 *   <li>A final pass assigns every token, giving the mapping and the reconstruction quality.</li>
 * </ol>
 */
public final class QuantizeEngine {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");
  /** Job descriptions the tests count: exactly one job per Lloyd iteration carries this prefix. */
  public static final String LLOYD_JOB_PREFIX = "asg lloyd iteration ";
  private final SparkSession spark;
  private final JavaSparkContext jsc;
  private final QuantizeListener listener;

  public QuantizeEngine(SparkSession spark, QuantizeListener listener) {
    this.spark = spark;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.listener = listener;
  }

  /**
   * Trains on any {@link TableSource}; with a vocabulary (already cut to the table's rows, see
   * {@link RunVocabulary#forRows}) mapping/ gets a token column.
   */
  public QuantizeResult run(QuantizeRequest p, TableSource table, RunVocabulary vocab) {
    return run(p, table, vocab, null);
  }

  /**
   * As {@link #run(QuantizeRequest, TableSource, RunVocabulary)}; {@code section} names a decoder run's section
   * ("input" or "output"), whose checkpoint lives in {@code <output>._ckpt/<section>/}; null for a single run.
   */
  public QuantizeResult run(QuantizeRequest p, TableSource table, RunVocabulary vocab, String section) {
    Timer timer = new Timer();
    Manifest manifest = new Manifest();
    manifest.created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    manifest.sparkVersion = spark.version();
    manifest.toolVersion = ToolVersion.get();
    manifest.params.putAll(p.asMap());
    manifest.source = table.manifestSource();
    if (vocab != null) {
      if (vocab.tokens().length != table.rows()) {
        throw new IllegalArgumentException("vocabulary has " + vocab.tokens().length + " tokens for "
            + table.rows() + " rows; cut it with RunVocabulary.forRows");
      }
      manifest.source.vocab = vocab.manifestEntry();
    }

    Configuration conf = hadoopConf();

    final int m = p.algorithm().m();
    final int k = p.algorithm().k();
    final int dim = table.dim();
    final int dsub = dim / m;
    final CodebookMode mode = p.algorithm().codebook();
    final long rows = table.rows();
    final long pointsPerCodebook = mode == CodebookMode.SEPARATE ? rows : rows * m;

    warmUp(p.run().kernel().flagValue(), k, dsub,
        InitialCentroids.seeds(p) && p.algorithm().init() == KMeansParams.Init.KMEANS_PLUS_PLUS);
    listener.onPhase(section, QuantizeListener.READ);
    // 1. Distributed read + scan (one job): materialises the cache, rejects NaN/Inf, finds max |x|, and takes the
    // seeding's sample (when the run seeds), sparing the init a job.
    int partitions = partitionCount(p, table.rows(), dim);
    JavaRDD<TableBlock> blocks = table.blocks(jsc, partitions).persist(StorageLevel.MEMORY_ONLY());
    jsc.setJobDescription("asg read " + manifest.source.tensor);
    ReadScan scan = ReadScan.run(blocks, p, pointsPerCodebook);
    ValueRange range = scan.range();
    float maxAbs = range.maxAbs();
    LOG.info("read {} ({} x {}) in {} partitions: max |x| = {} ({} s)", table.describe(), rows, dim,
        blocks.getNumPartitions(), maxAbs, timer.lap("read"));
    CompletableFuture<String> sourceSha = table.sha256(blocks, conf);

    // Fixed-point scales from bounds that hold for every partitioning (see FixedPoint).
    FixedPoint valueFp = FixedPoint.forSum(maxAbs, pointsPerCodebook);
    checkPrecision(range, valueFp, blocks, table);
    double maxDist = dsub * 4.0 * (double) maxAbs * maxAbs;
    FixedPoint objectiveFp = FixedPoint.forSum(maxDist, rows * m);
    BlockTasks.AssignSetup setup = new BlockTasks.AssignSetup(mode, m, k, p.run().kernel().flagValue(), valueFp,
        objectiveFp, p.run().pruning());

    // 2. Training sample, if the table has more than k * cap points per codebook (faiss's max_points_per_centroid).
    long cap = (long) k * p.algorithm().maxPointsPerCentroid();
    JavaRDD<TableBlock> training = blocks;
    long trainingPoints = pointsPerCodebook;
    if (pointsPerCodebook > cap) {
      double fraction = (double) cap / pointsPerCodebook;
      final long seed = p.algorithm().seed();
      training = blocks.map(b -> b.sample(seed, TokenSampler.SALT_TRAINING, fraction))
          .persist(StorageLevel.MEMORY_ONLY());
      listener.onPhase(section, QuantizeListener.SAMPLE);
      jsc.setJobDescription("asg training sample");
      long sampledRows = training.map(b -> (long) b.rows()).reduce(Long::sum);
      trainingPoints = mode == CodebookMode.SEPARATE ? sampledRows : sampledRows * m;
      LOG.info("training on a deterministic sample of {} of {} points per codebook (--{} {} x --{} {})",
          trainingPoints, pointsPerCodebook, KMeansParams.MAX_POINTS_PER_CENTROID,
          p.algorithm().maxPointsPerCentroid(), KMeansParams.K, k);
      if (trainingPoints < k) {
        throw new InvalidInputException("--" + KMeansParams.MAX_POINTS_PER_CENTROID + " "
            + p.algorithm().maxPointsPerCentroid() + " leaves " + trainingPoints + " training points for --k "
            + k + "; raise --" + KMeansParams.MAX_POINTS_PER_CENTROID);
      }
    }

    // 3-4. Initial centroids (or a checkpoint's state) and the Lloyd iterations.
    Manifest.Result result = new Manifest.Result();
    result.trainingPoints = trainingPoints;
    result.kernel = AssignKernels.byName(p.run().kernel().flagValue()).name();
    result.stoppedBy = "iterations";
    LloydLoop lloyd = new LloydLoop(jsc, p, section, listener, setup);
    float[][] centroids = lloyd.train(blocks, training, dim, pointsPerCodebook, scan.initSample(), manifest.source,
        conf, timer, result);
    // Blocks trained on (the whole table, not a sample) still hold bounds for the last iteration's codebooks.
    CentroidDrift finalDrift = training == blocks ? lloyd.lastDrift() : null;
    if (training != blocks) {
      training.unpersist(false);
    }

    // 5. Final pass over every token.
    listener.onPhase(section, QuantizeListener.FINAL_ASSIGNMENT);
    final float[][] finalCentroids = centroids;
    FinalPass.Pass pass = FinalPass.run(jsc, blocks, finalCentroids, k, dsub, m, rows, maxDist, finalDrift,
        result.iterationsRun, setup);
    JavaRDD<MappedBlock> mapped = pass.mapped();
    result.finalSkippedDistances = Math.round(pass.skippedDistances() * 10000) / 10000.0;
    blocks.unpersist(false);
    FinalPass.fillResult(manifest, result, pass.summary(), pass.energyFp(), pass.cosineFp(), rows, dim, m, k, mode,
        finalCentroids);
    LOG.info(String.format(Locale.ROOT, "final assignment: relative MSE %.6f, mean cosine %.6f (%.2f s)",
        result.relativeMse, result.meanCosine, timer.lap("final_assignment")));
    manifest.source.sha256 = sourceSha.join();
    manifest.timingsSeconds.putAll(timer.laps());

    return new QuantizeResult(finalCentroids, mode, k,
        new QuantizeResult.Distributed(mapped, vocab == null ? null : vocab.tokens()), manifest, pass.release());
  }

  /**
   * Refuses a table whose largest |value| is so far above its typical one that the exact fixed-point sums would
   * keep fewer than {@link ValueRange#MIN_BITS} bits of the median value: its codebooks would be noise. Names the
   * first row holding that value (one extra job, only on failure).
   */
  private void checkPrecision(ValueRange range, FixedPoint fp, JavaRDD<TableBlock> blocks, TableSource table) {
    int bits = range.precisionBits(fp);
    if (bits >= ValueRange.MIN_BITS) {
      return;
    }
    float maxAbs = range.maxAbs();
    jsc.setJobDescription("asg find outlier");
    int[] at = blocks.map(b -> {
      int[] f = b.find(maxAbs);
      return f == null ? new int[] {Integer.MAX_VALUE, 0} : f;
    }).reduce((a, b) -> a[0] <= b[0] ? a : b);
    throw new InvalidInputException(table.describe() + ": row " + at[0] + " column " + at[1] + " holds |value| "
        + maxAbs + ", while half the table's values are below " + Math.scalb(1.0f, range.medianExponent() + 1)
        + "; exact sums over that range would keep " + Math.max(0, bits) + " bits of a typical value (at least "
        + ValueRange.MIN_BITS + " needed) and the codebooks would be noise; fix or drop that row (a corrupt or "
        + "unscaled value)");
  }

  static PreparedCodebook[] prepare(float[][] centroids, int k, int dsub) {
    PreparedCodebook[] out = new PreparedCodebook[centroids.length];
    for (int c = 0; c < centroids.length; c++) {
      out[c] = PreparedCodebook.of(centroids[c], k, dsub);
    }
    return out;
  }

  private int partitionCount(QuantizeRequest p, int tableRows, int dim) {
    if (p.run().partitions() > 0) {
      return Math.min(p.run().partitions(), tableRows);
    }
    return partitionsBySize(tableRows, dim, p.run().partitionMb(), Math.max(1, jsc.defaultParallelism()));
  }

  /** Partitions without --partitions: one per partitionMb of float32 rows (public: the bench's arithmetic). */
  public static int partitionsBySize(int tableRows, int dim, int partitionMb, int cores) {
    long floatBytes = (long) tableRows * dim * Float.BYTES;
    long bySize = (floatBytes + ((long) partitionMb << 20) - 1) / ((long) partitionMb << 20);
    // At least one task per core, and a multiple of the cores so the last wave of tasks is not half idle.
    long n = Math.max(bySize, cores);
    n = (n + cores - 1) / cores * cores;
    return (int) Math.min(n, tableRows);
  }

  private Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  static double round(double secs) {
    return Math.round(secs * 1000) / 1000.0;
  }

  /**
   * Compiles the assignment kernel, and then the k-means++ seeding when the run seeds with it, in one background
   * thread while the table is read: otherwise the seeding and the first Lloyd iteration run their vector loops in
   * the interpreter and C1 until C2 has compiled them (see {@link AssignKernels#warmUp} and {@link
   * KMeansPlusPlus#warmUpOnce}). This JVM only: with local masters it is also the executor (a cluster's executors
   * warm the kernel up in their first task). A kernel this JVM cannot run is reported where it was before.
   */
  private static void warmUp(String kernel, int k, int dsub, boolean seedsPlusPlus) {
    try {
      // The kernel first: HotSpot profiles the Vector API's shared methods for the first vector shapes it sees;
      // with the seeding warmed up first, the 512-bit kernel's first mBERT-shaped Lloyd iteration took 21-27 s,
      // not 2.
      AssignKernels.warmUpInBackground(AssignKernels.byName(kernel), k, dsub,
          seedsPlusPlus ? () -> KMeansPlusPlus.warmUpOnce(dsub) : null);
    } catch (IllegalArgumentException e) {
      // reported by the run itself, before it seeds
    }
  }
}
