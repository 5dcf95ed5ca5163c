package dev.asg.spark.baseline;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Manifest;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.FixedPoint;
import dev.asg.common.kmeans.TokenSampler;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.engine.FinalPass;
import dev.asg.spark.engine.MappedBlock;
import dev.asg.spark.engine.QuantizeJob;
import dev.asg.spark.engine.QuantizeListener;
import dev.asg.spark.engine.QuantizePlan;
import dev.asg.spark.engine.QuantizeRequest;
import dev.asg.spark.engine.QuantizeResult;
import dev.asg.spark.io.HadoopConfSnapshot;
import dev.asg.spark.source.ByteRangeTableSource;
import dev.asg.spark.source.RowRange;
import dev.asg.spark.source.TableBlock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The naive Spark baseline ({@code asg quantize --engine mllib}): one {@code org.apache.spark.ml.clustering.KMeans}
 * fit per codebook, on a DataFrame of that segment's sub-vectors, with the same k, iterations (tol 0), seed and
 * training sample as our engine, and random init so seeding cost does not dominate. It exists only so the
 * benchmark can compare against what a Spark user would write first; the artifact (codebook/, mapping/,
 * manifest.json with relative_mse and digests) has the same layout so the numbers are comparable.
 *
 * <p>A full separate run is m sequential fits, which is slow; {@code --mllib-segments N} trains only the first N
 * segments (the manifest says so in params, and codebook/, mapping/ and relative_mse then cover those N) so a
 * benchmark can time N fits and extrapolate.
 */
public final class MllibBaseline {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

  public static final String ENGINE = "engine";
  /** Our engine; mllib is only a benchmark baseline. */
  public static final String ENGINE_DEFAULT = "asg";
  public static final String ENGINE_MLLIB = "mllib";
  public static final String MLLIB_SEGMENTS = "mllib-segments";
  /** 0: train every segment, so the default artifact is complete. */
  public static final int MLLIB_SEGMENTS_DEFAULT = 0;
  /** Manifest params key recording how many codebooks were trained, e.g. "2 of 48". */
  public static final String TRAINED_KEY = "mllib-codebooks-trained";

  private MllibBaseline() {}

  /** Checks --engine and --mllib-segments; returns the number of codebooks to train. */
  public static int codebooksToTrain(String engine, int mllibSegments, QuantizeRequest p) {
    if (!engine.equals("asg") && !engine.equals("mllib")) {
      throw new InvalidInputException("--" + ENGINE + " " + engine + " is not allowed; --" + ENGINE
          + " must be one of: asg, mllib");
    }
    int all = p.algorithm().codebook().codebooks(p.algorithm().m());
    if (mllibSegments < 0 || mllibSegments > all) {
      throw new InvalidInputException("--" + MLLIB_SEGMENTS + " " + mllibSegments + " is out of range; --"
          + MLLIB_SEGMENTS + " must be in [0, " + all + "] (0 = all " + all + " codebooks of this run)");
    }
    return mllibSegments == 0 ? all : mllibSegments;
  }

  /**
   * Trains the first section of the preflight plan with Spark ML KMeans and writes it; the baseline reads
   * model files only (no Parquet input, no decoder output section). Returns the manifest written.
   */
  public static Manifest run(SparkSession spark, QuantizeJob.Preflight preflight, int trainCodebooks)
      throws Exception {
    QuantizePlan plan = preflight.plan();
    if (!(plan.sections().get(0).table() instanceof ByteRangeTableSource table)) {
      throw new InvalidInputException("--" + ENGINE + " " + ENGINE_MLLIB + " reads model files only, not the "
          + "Parquet table " + plan.params().input().uri() + "; use --" + ENGINE + " " + ENGINE_DEFAULT);
    }
    QuantizeResult result = run(spark, plan.params(), table.spec(), trainCodebooks);
    return QuantizeJob.write(preflight.writer(), result, QuantizeListener.NONE);
  }

  /** Trains with Spark ML KMeans and returns a result for {@code ArtifactWriter.write}. */
  public static QuantizeResult run(SparkSession spark, QuantizeRequest p, TableSpec spec, int trainCodebooks) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    long t0 = System.nanoTime();
    Manifest manifest = new Manifest();
    manifest.created = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    manifest.sparkVersion = spark.version();
    manifest.params.putAll(p.asMap());
    manifest.params.put(ENGINE, ENGINE_MLLIB);
    manifest.params.put(MLLIB_SEGMENTS, trainCodebooks);
    int all = p.algorithm().codebook().codebooks(p.algorithm().m());
    manifest.params.put(TRAINED_KEY, trainCodebooks + " of " + all);
    manifest.source = new Manifest.Source();
    manifest.source.uri = spec.uri();
    manifest.source.format = spec.format();
    manifest.source.tensor = spec.tensor();
    manifest.source.dtype = spec.dtype().name();
    manifest.source.shape = new long[] {spec.rows(), spec.dim()};

    final int m = p.algorithm().m();
    final int k = p.algorithm().k();
    final int dim = spec.dim();
    final int dsub = dim / m;
    final CodebookMode mode = p.algorithm().codebook();
    final long rows = spec.rows();
    final long pointsPerCodebook = mode == CodebookMode.SEPARATE ? rows : rows * m;

    HadoopConfSnapshot confSnap = new HadoopConfSnapshot(spark.sparkContext().hadoopConfiguration());
    int partitions = Math.max(1, Math.min(jsc.defaultParallelism(), spec.rows()));
    List<RowRange> ranges = RowRange.split(spec.rows(), partitions);
    JavaRDD<TableBlock> blocks = jsc.parallelize(ranges, ranges.size())
        .map(r -> ByteRangeTableSource.read(spec, confSnap, r)).persist(StorageLevel.MEMORY_ONLY());
    float maxAbs = blocks.map(TableBlock::maxAbs).reduce(Math::max);
    manifest.timingsSeconds.put("read", secs(t0));

    // The same deterministic training sample as our engine (faiss's max_points_per_centroid), so both train on
    // the same points.
    long cap = (long) k * p.algorithm().maxPointsPerCentroid();
    JavaRDD<TableBlock> training = blocks;
    if (pointsPerCodebook > cap) {
      double fraction = (double) cap / pointsPerCodebook;
      long seed = p.algorithm().seed();
      training = blocks.map(b -> b.sample(seed, TokenSampler.SALT_TRAINING, fraction))
          .persist(StorageLevel.MEMORY_ONLY());
    }

    Manifest.Result result = new Manifest.Result();
    result.kernel = "spark-ml KMeans (initMode random)";
    result.stoppedBy = "iterations";
    float[][] centroids = new float[trainCodebooks][];
    StructType schema = new StructType().add("features", SQLDataTypes.VectorType(), false);
    double fitSeconds = 0;
    long trainingPoints = 0;
    for (int c = 0; c < trainCodebooks; c++) {
      final int codebook = c;
      final int[] segments = mode == CodebookMode.SEPARATE ? new int[] {c} : range(m);
      JavaRDD<Row> points = training.flatMap(b -> MllibTasks.subVectors(b, segments, dsub).iterator());
      Dataset<Row> df = spark.createDataFrame(points, schema).persist(StorageLevel.MEMORY_ONLY());
      trainingPoints = df.count();
      long f0 = System.nanoTime();
      jsc.setJobDescription("mllib kmeans codebook " + codebook);
      KMeansModel model = new KMeans().setK(k).setMaxIter(p.algorithm().iterations()).setTol(0.0)
          .setSeed(p.algorithm().seed())
          .setInitMode("random").setFeaturesCol("features").fit(df);
      double s = secs(f0);
      fitSeconds += s;
      if (c == 0) {
        // The first fit also pays Spark ML's and the JIT's warm-up; kept apart so extrapolating from a
        // partial run (--mllib-segments) can use the steady-state fits.
        manifest.timingsSeconds.put("lloyd_first_codebook", s);
      }
      Vector[] centers = model.clusterCenters();
      if (centers.length != k) {
        throw new IllegalStateException("Spark ML KMeans returned " + centers.length + " centers for k=" + k
            + " on codebook " + codebook + " (fewer distinct points than k)");
      }
      centroids[c] = new float[k * dsub];
      for (int j = 0; j < k; j++) {
        double[] v = centers[j].toArray();
        for (int d = 0; d < dsub; d++) {
          centroids[c][j * dsub + d] = (float) v[d];
        }
      }
      result.iterationsRun = Math.max(result.iterationsRun, model.summary().numIter());
      result.objective.add(model.summary().trainingCost());
      df.unpersist(false);
      LOG.info(String.format(Locale.ROOT, "mllib codebook %d/%d: %d iterations, cost %.6e, %.2f s", c + 1,
          trainCodebooks, model.summary().numIter(), model.summary().trainingCost(), s));
    }
    // objective holds one final training cost per codebook here (Spark ML reports no per-iteration cost).
    result.trainingPoints = trainingPoints;
    manifest.timingsSeconds.put("lloyd", round(fitSeconds));
    if (training != blocks) {
      training.unpersist(false);
    }

    // Final assignment with the project's kernel, over the trained segments only, so relative_mse is computed
    // exactly as our engine computes it.
    long a0 = System.nanoTime();
    int mOut = mode == CodebookMode.SEPARATE ? trainCodebooks : m;
    FixedPoint energyFp = FixedPoint.forSum(dsub * 4.0 * (double) maxAbs * maxAbs, rows * m);
    FixedPoint cosineFp = FixedPoint.forSum(1.0, rows);
    MllibTasks.MapSetup setup = new MllibTasks.MapSetup(mode, m, mOut, k, dsub, energyFp, cosineFp);
    Broadcast<float[][]> bc = jsc.broadcast(centroids);
    JavaRDD<MappedBlock> mapped = blocks.map(b -> MllibTasks.map(b, bc.value(), setup))
        .persist(StorageLevel.MEMORY_ONLY());
    FinalPass.Summary summary = FinalPass.summarize(jsc, mapped, mOut, rows);
    blocks.unpersist(false);
    FinalPass.fillResult(manifest, result, summary, energyFp, cosineFp, rows, dim, m, k, mode, centroids);
    manifest.timingsSeconds.put("final_assignment", secs(a0));
    LOG.info(String.format(Locale.ROOT, "mllib: relative MSE %.6f over %d of %d codebooks, fit %.2f s",
        result.relativeMse, trainCodebooks, all, fitSeconds));

    return new QuantizeResult(centroids, mode, k, new QuantizeResult.Distributed(mapped, null), manifest, () -> {
      mapped.unpersist(false);
      bc.destroy();
    });
  }

  private static int[] range(int n) {
    int[] r = new int[n];
    for (int i = 0; i < n; i++) {
      r[i] = i;
    }
    return r;
  }

  private static double secs(long t0) {
    return round((System.nanoTime() - t0) / 1e9);
  }

  private static double round(double s) {
    return Math.round(s * 1000) / 1000.0;
  }
}
