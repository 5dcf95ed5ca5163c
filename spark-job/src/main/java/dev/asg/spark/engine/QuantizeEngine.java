package dev.asg.spark.engine;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Compression;
import dev.asg.common.artifact.Digests;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.AssignKernels;
import dev.asg.common.kmeans.CentroidDrift;
import dev.asg.common.kmeans.CentroidUpdate;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.FixedPoint;
import dev.asg.common.kmeans.LloydStats;
import dev.asg.common.kmeans.PreparedCodebook;
import dev.asg.common.kmeans.Pruning;
import dev.asg.common.kmeans.ReconstructionStats;
import dev.asg.common.kmeans.TokenSampler;
import dev.asg.common.kmeans.ValueRange;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.io.TableResolver;
import dev.asg.spark.source.ByteRangeTableSource;
import dev.asg.spark.source.TableBlock;
import dev.asg.spark.source.TableSource;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
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
  /**
   * Tests only: called on the driver with the (1-based, absolute) iteration number after each checkpoint is
   * written, so a test can kill a run at a known point. Null in production.
   */
  static volatile IntConsumer afterCheckpointHook;

  private final SparkSession spark;
  private final JavaSparkContext jsc;

  public QuantizeEngine(SparkSession spark) {
    this.spark = spark;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  /**
   * Resolves the input table from its header only and checks the parameters against its shape. Needs no
   * SparkSession, so bad input fails in well under a second, before Spark starts.
   */
  public static TableSpec resolve(QuantizeParams p, Configuration conf) {
    TableSpec spec = TableResolver.resolve(p.input(), p.inputFormat(), p.tensor(), conf);
    p.validateAgainst(spec.rows(), spec.dim(), spec.uri() + " tensor '" + spec.tensor() + "'");
    return spec;
  }

  public QuantizeResult run(QuantizeParams p) {
    return run(p, resolve(p, hadoopConf()));
  }

  public QuantizeResult run(QuantizeParams p, TableSpec spec) {
    return run(p, new ByteRangeTableSource(spec), null);
  }

  /**
   * Trains on any {@link TableSource}; with a vocabulary (already cut to the table's rows, see
   * {@link RunVocabulary#forRows}) mapping/ gets a token column.
   */
  public QuantizeResult run(QuantizeParams p, TableSource table, RunVocabulary vocab) {
    return run(p, table, vocab, null);
  }

  /**
   * As {@link #run(QuantizeParams, TableSource, RunVocabulary)}; {@code section} names a decoder run's section
   * ("input" or "output"), whose checkpoint lives in {@code <output>._ckpt/<section>/}; null for a single run.
   */
  public QuantizeResult run(QuantizeParams p, TableSource table, RunVocabulary vocab, String section) {
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

    final int m = p.m();
    final int k = p.k();
    final int dim = table.dim();
    final int dsub = dim / m;
    final CodebookMode mode = p.codebook();
    final int nCodebooks = mode.codebooks(m);
    final long rows = table.rows();
    final long pointsPerCodebook = mode == CodebookMode.SEPARATE ? rows : rows * m;

    // 1. Distributed read + scan (one job): materialises the cache, rejects NaN/Inf, finds max |x|.
    int partitions = partitionCount(p, table.rows(), dim);
    JavaRDD<TableBlock> blocks = table.blocks(jsc, partitions).persist(StorageLevel.MEMORY_ONLY());
    jsc.setJobDescription("asg read " + manifest.source.tensor);
    ValueRange range = blocks.map(TableBlock::valueRange).reduce(ValueRange::merge);
    float maxAbs = range.maxAbs();
    LOG.info("read {} ({} x {}) in {} partitions: max |x| = {} ({} s)", table.describe(), rows, dim,
        blocks.getNumPartitions(), maxAbs, timer.lap("read"));
    CompletableFuture<String> sourceSha = table.sha256(blocks, conf);

    // Fixed-point scales from bounds that hold for every partitioning (see FixedPoint).
    FixedPoint valueFp = FixedPoint.forSum(maxAbs, pointsPerCodebook);
    checkPrecision(range, valueFp, blocks, table);
    double maxDist = dsub * 4.0 * (double) maxAbs * maxAbs;
    FixedPoint objectiveFp = FixedPoint.forSum(maxDist, rows * m);
    BlockTasks.AssignSetup setup = new BlockTasks.AssignSetup(mode, m, k, p.kernel(), valueFp, objectiveFp,
        p.pruning());

    // 2. Training sample, if the table has more than k * cap points per codebook (faiss's max_points_per_centroid).
    long cap = (long) k * p.maxPointsPerCentroid();
    JavaRDD<TableBlock> training = blocks;
    long trainingPoints = pointsPerCodebook;
    if (pointsPerCodebook > cap) {
      double fraction = (double) cap / pointsPerCodebook;
      final long seed = p.seed();
      training = blocks.map(b -> b.sample(seed, TokenSampler.SALT_TRAINING, fraction))
          .persist(StorageLevel.MEMORY_ONLY());
      jsc.setJobDescription("asg training sample");
      long sampledRows = training.map(b -> (long) b.rows()).reduce(Long::sum);
      trainingPoints = mode == CodebookMode.SEPARATE ? sampledRows : sampledRows * m;
      LOG.info("training on a deterministic sample of {} of {} points per codebook (--{} {} x --{} {})",
          trainingPoints, pointsPerCodebook, QuantizeParams.MAX_POINTS_PER_CENTROID, p.maxPointsPerCentroid(),
          QuantizeParams.K, k);
      if (trainingPoints < k) {
        throw new InvalidInputException("--" + QuantizeParams.MAX_POINTS_PER_CENTROID + " "
            + p.maxPointsPerCentroid() + " leaves " + trainingPoints + " training points for --k " + k
            + "; raise --" + QuantizeParams.MAX_POINTS_PER_CENTROID);
      }
    }

    // 3. Initial centroids on the driver from a small hash sample, or the state of a checkpoint.
    LloydCheckpoint checkpoint = p.checkpointEvery() > 0 || p.resume()
        ? LloydCheckpoint.open(p, manifest.source, section, conf) : null;
    LloydCheckpoint.State resumed = null;
    if (p.resume()) {
      resumed = checkpoint.load(nCodebooks, k * dsub);
    } else if (checkpoint != null) {
      checkpoint.clear();
    }
    Manifest.Result result = new Manifest.Result();
    result.trainingPoints = trainingPoints;
    result.kernel = AssignKernels.byName(p.kernel()).name();
    result.stoppedBy = "iterations";
    double previousObjective = Double.NaN;
    float[][] centroids;
    int firstIteration = 0;
    if (resumed != null) {
      centroids = resumed.decodeCentroids();
      firstIteration = resumed.iterationsDone;
      previousObjective = resumed.previousObjective();
      result.objective.addAll(resumed.objective);
      result.emptySplits.addAll(resumed.emptySplits);
      result.iterationsRun = resumed.iterationsDone;
      if (resumed.converged) {
        result.stoppedBy = "tol";
        firstIteration = p.iterations();
      }
      timer.lap("init");
    } else {
      centroids = InitialCentroids.compute(blocks, p, dim, pointsPerCodebook);
      LOG.info("initialised {} codebook(s) of {} centroids with {} ({} s)", nCodebooks, k, p.init(),
          timer.lap("init"));
    }

    // 4. Lloyd iterations: one job each, all codebooks together. The iteration index stays the absolute one
    // after a resume: CentroidUpdate seeds its splits with it.
    long normSum = 0;
    if (firstIteration < p.iterations()) {
      jsc.setJobDescription("asg training norms");
      normSum = training.map(b -> BlockTasks.squaredNormSum(b, setup)).reduce(Long::sum);
    }
    Manifest.IterationTimings timings = new Manifest.IterationTimings();
    timings.slots = Math.max(1, jsc.defaultParallelism());
    timings.firstIteration = firstIteration + 1;
    // Embedded (local[N]) only: one task per slot, each folding several cached blocks into one partial. Every
    // task's result is the full m * k * dsub sums (3.3 MB at mBERT shape) whatever its share of rows, so more
    // tasks than slots only add result traffic and scheduling (measured: 6 tasks on 2 cores spent ~4 points more
    // of each iteration outside our code than 2). In one JVM all cached blocks are local, so coalesce moves no
    // data. With several executors it would: Spark's coalescer groups by host, not executor, and a task would
    // fetch other executors' cached blocks every iteration, so there each cached partition stays one task.
    JavaRDD<TableBlock> lloydInput = jsc.sc().isLocal() && training.getNumPartitions() > timings.slots
        ? training.coalesce(timings.slots) : training;
    result.iterationTimings = timings;
    // Exact pruning: how far each centroid moved since the codebooks the blocks' bounds describe (null: none yet,
    // e.g. the first iteration or after a resume, so brute force). A few KB per iteration.
    CentroidDrift drift = null;
    for (int it = firstIteration; it < p.iterations(); it++) {
      long t0 = System.nanoTime();
      Broadcast<PreparedCodebook[]> bc = jsc.broadcast(prepare(centroids, k, dsub));
      Broadcast<CentroidDrift> bcDrift = jsc.broadcast(drift);
      final int iteration = it;
      jsc.setJobDescription(LLOYD_JOB_PREFIX + (it + 1));
      LloydStats stats = lloydInput.mapPartitions(blocksOfTask -> BlockTasks.lloyd(blocksOfTask, bc.value(),
          bcDrift.value(), iteration, setup)).reduce(LloydStats::merge);
      bc.destroy();
      bcDrift.destroy();
      CentroidUpdate.Result upd = CentroidUpdate.apply(centroids, stats, valueFp, p.seed(), it);
      drift = p.pruning() == Pruning.OFF ? null : CentroidDrift.between(centroids, upd.centroids(), k, dsub, it);
      centroids = upd.centroids();
      // Per-term rounding can leave an (almost) perfect fit a few ulps below zero; a distance sum is not negative.
      double objective = Math.max(0.0, objectiveFp.toDouble(stats.objective() + normSum));
      double relChange = Double.isNaN(previousObjective) ? Double.NaN
          : Math.abs(previousObjective - objective) / Math.max(previousObjective, Double.MIN_NORMAL);
      result.objective.add(objective);
      result.emptySplits.add(upd.splits());
      result.iterationsRun = it + 1;
      double secs = (System.nanoTime() - t0) / 1e9;
      double overhead = timings.add(secs, stats.computeNanos() / 1e9);
      double skipped = (double) stats.skipped() / Math.max(1, stats.points());
      timings.addSkipped(skipped);
      LOG.info(String.format(Locale.ROOT,
          "iteration %d/%d objective %.6e rel-change %s changed %.2f%% empty-splits %d skipped %.1f%% %.2f s"
              + " (spark overhead %.1f%%)",
          it + 1, p.iterations(), objective,
          Double.isNaN(relChange) ? "-" : String.format(Locale.ROOT, "%.3e", relChange),
          100.0 * stats.changed() / Math.max(1, stats.points()), upd.splits(), 100 * skipped, secs,
          100 * overhead));
      previousObjective = objective;
      boolean converged = p.tol() > 0 && !Double.isNaN(relChange) && relChange < p.tol();
      if (p.checkpointEvery() > 0 && (it + 1) % p.checkpointEvery() == 0) {
        LloydCheckpoint.State st = new LloydCheckpoint.State();
        st.iterationsDone = it + 1;
        st.converged = converged;
        st.objective.addAll(result.objective);
        st.emptySplits.addAll(result.emptySplits);
        st.previousObjectiveBits = Double.doubleToRawLongBits(previousObjective);
        st.storeCentroids(centroids);
        checkpoint.save(st);
        IntConsumer hook = afterCheckpointHook;
        if (hook != null) {
          hook.accept(it + 1);
        }
      }
      if (converged) {
        result.stoppedBy = "tol";
        LOG.info("stopping: relative objective change {} < --tol {}", relChange, p.tol());
        break;
      }
    }
    timer.lap("lloyd");
    if (training != blocks) {
      training.unpersist(false);
    }

    // 5. Final pass over every token.
    final float[][] finalCentroids = centroids;
    Broadcast<PreparedCodebook[]> bcFinal = jsc.broadcast(prepare(finalCentroids, k, dsub));
    Broadcast<float[][]> bcCentroids = jsc.broadcast(finalCentroids);
    // Blocks trained on (the whole table, not a sample) still hold bounds for the last iteration's codebooks.
    Broadcast<CentroidDrift> bcFinalDrift = jsc.broadcast(training == blocks ? drift : null);
    final int finalIteration = result.iterationsRun;
    FixedPoint energyFp = FixedPoint.forSum(maxDist, rows * m);
    FixedPoint cosineFp = FixedPoint.forSum(1.0, rows);
    JavaRDD<MappedBlock> mapped = blocks
        .map(b -> BlockTasks.map(b, bcFinal.value(), bcCentroids.value(), bcFinalDrift.value(), finalIteration,
            setup, energyFp, cosineFp))
        .persist(StorageLevel.MEMORY_ONLY());
    // One parallel job computes (and caches) every block's mapping; the reconstruction stats merge exactly.
    jsc.setJobDescription("asg final assignment");
    // Fresh copies: merge accumulates into its receiver, which must not be a cached block's stats.
    ReconstructionStats recon = mapped.map(mb -> new ReconstructionStats(m).merge(mb.stats))
        .reduce(ReconstructionStats::merge);
    // Partition order = token order: stream the cached mapping through the digest one partition at a time
    // (toLocalIterator runs one job per partition, so it must not be what computes them: it would use one core).
    jsc.setJobDescription("asg mapping digest");
    MessageDigest mappingDigest = Digests.sha256();
    for (Iterator<MappedBlock> itr = mapped.toLocalIterator(); itr.hasNext(); ) {
      MappedBlock mb = itr.next();
      Digests.updateInts(mappingDigest, mb.conceptIds, 0, mb.conceptIds.length);
    }
    blocks.unpersist(false);
    result.relativeMse = recon.relativeMse(energyFp);
    result.relativeMsePerSegment = recon.relativeMsePerSegment(energyFp);
    result.meanCosine = recon.meanCosine(cosineFp);
    manifest.result = result;
    manifest.compression = Compression.of(rows, dim, m, k, mode);
    manifest.digests.put("codebook", Digests.ofFloatArrays(finalCentroids));
    manifest.digests.put("mapping", Digests.hex(mappingDigest));
    LOG.info(String.format(Locale.ROOT, "final assignment: relative MSE %.6f, mean cosine %.6f (%.2f s)",
        result.relativeMse, result.meanCosine, timer.lap("final_assignment")));
    manifest.source.sha256 = sourceSha.join();
    manifest.timingsSeconds.putAll(timer.laps());

    Dataset<Row> codebookDf = ArtifactSchemas.codebookFrame(spark, finalCentroids, mode, k, dsub);
    Broadcast<String[]> bcTokens = vocab == null ? null : jsc.broadcast(vocab.tokens());
    Dataset<Row> mappingDf = spark.createDataFrame(mapped.flatMap(mb -> mappingRows(mb, bcTokens).iterator()),
        bcTokens == null ? ArtifactSchemas.MAPPING : ArtifactSchemas.MAPPING_WITH_TOKEN);
    return new QuantizeResult(codebookDf, mappingDf, manifest, () -> {
      mapped.unpersist(false);
      bcFinal.destroy();
      bcCentroids.destroy();
      bcFinalDrift.destroy();
      if (bcTokens != null) {
        bcTokens.destroy();
      }
    });
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

  private static List<Row> mappingRows(MappedBlock mb, Broadcast<String[]> tokens) {
    List<Row> out = new ArrayList<>(mb.rows);
    String[] names = tokens == null ? null : tokens.value();
    for (int r = 0; r < mb.rows; r++) {
      Integer[] ids = new Integer[mb.m];
      for (int i = 0; i < mb.m; i++) {
        ids[i] = mb.conceptIds[r * mb.m + i];
      }
      int t = mb.firstRow + r;
      out.add(names == null ? RowFactory.create(t, ids) : RowFactory.create(t, ids, names[t]));
    }
    return out;
  }

  static PreparedCodebook[] prepare(float[][] centroids, int k, int dsub) {
    PreparedCodebook[] out = new PreparedCodebook[centroids.length];
    for (int c = 0; c < centroids.length; c++) {
      out[c] = PreparedCodebook.of(centroids[c], k, dsub);
    }
    return out;
  }

  private int partitionCount(QuantizeParams p, int tableRows, int dim) {
    if (p.partitions() > 0) {
      return Math.min(p.partitions(), tableRows);
    }
    long floatBytes = (long) tableRows * dim * Float.BYTES;
    long bySize = (floatBytes + ((long) p.partitionMb() << 20) - 1) / ((long) p.partitionMb() << 20);
    int cores = Math.max(1, jsc.defaultParallelism());
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
}
