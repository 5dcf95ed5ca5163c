package dev.asg.spark.eval;

import dev.asg.common.InvalidInputException;
import dev.asg.common.artifact.Compression;
import dev.asg.common.eval.ClusterSizes;
import dev.asg.common.eval.CosineScan;
import dev.asg.common.eval.Quantiles;
import dev.asg.common.eval.QuerySample;
import dev.asg.common.eval.TopNeighbours;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.tensor.TableSpec;
import dev.asg.spark.artifact.ArtifactDir;
import dev.asg.spark.artifact.LoadedArtifact;
import dev.asg.spark.source.ByteRangeTableSource;
import dev.asg.spark.source.TableBlock;
import dev.asg.spark.source.TableSource;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The paper-style evaluation of an artifact against the table it was made from. Two Spark jobs over the table,
 * read once and cached: (1) reconstruction quality of every token and the kNN queries' original rows, (2) an
 * exact brute-force cosine kNN of the queries over all V tokens, in the original and the reconstructed table at
 * once. The mapping and codebook are broadcast; everything per token stays on the executors except one cosine
 * per token (V doubles) for the exact percentile.
 */
public final class Evaluator {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");
  /** Neighbours compared per query: recall@10, the usual cut-off for embedding-neighbourhood preservation. */
  public static final int RECALL_AT = 10;
  /** The reported low percentile of per-token cosine: the worst-served 5% of tokens. */
  public static final double LOW_PERCENTILE = 0.05;
  /** Target float32 bytes per task, as quantize's --partition-mb default. */
  private static final long PARTITION_BYTES = 64L << 20;

  private final SparkSession spark;
  private final JavaSparkContext jsc;

  public Evaluator(SparkSession spark) {
    this.spark = spark;
    this.jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  /** Fails with exit 2 unless the table has the shape the artifact was made from. */
  public static void checkMatches(ArtifactDir a, TableSpec spec, String inputFlag) {
    checkMatches(a, spec.rows(), spec.dim(), inputFlag + " tensor '" + spec.tensor() + "'");
  }

  /** As above for a table described as {@code what} (the flag value and tensor or column). */
  static void checkMatches(ArtifactDir a, int rows, int dim, String what) {
    if (rows != a.rows() || dim != a.dim()) {
      throw new InvalidInputException("--input " + what + " is " + rows + " x " + dim + " but the artifact in " + a.path() + " was made from a " + a.rows() + " x "
          + a.dim() + " table (" + a.manifest().source.uri + "); pass the table it was quantized from");
    }
  }

  /**
   * @param sample kNN query tokens (all tokens if the table has fewer)
   * @param seed seed of the query sample
   */
  public Evaluation run(ArtifactDir a, TableSpec spec, int sample, long seed) {
    checkMatches(a, spec, spec.uri());
    return run(a, new ByteRangeTableSource(spec), sample, seed);
  }

  /** As above for any table the engine reads (byte ranges or a Parquet table), already checked against the artifact. */
  public Evaluation run(ArtifactDir a, TableSource source, int sample, long seed) {
    long t0 = System.nanoTime();
    final int m = a.m();
    final int dim = a.dim();
    final int rows = a.rows();
    LoadedArtifact loaded = LoadedArtifact.load(spark, a);
    int[] mapping = loaded.mapping();
    float[] codebook = loaded.codebook();
    Evaluation ev = new Evaluation();
    ev.rows = rows;
    ev.dim = dim;
    ev.m = m;
    ev.k = a.k();
    ev.shared = a.shared();
    ev.clusterSizes = clusterSizes(mapping, a);
    ev.compression = Compression.of(rows, dim, m, a.k(), a.shared() ? CodebookMode.SHARED : CodebookMode.SEPARATE);
    ev.manifestCompression = a.manifest().compression;

    Broadcast<int[]> bcMapping = jsc.broadcast(mapping);
    Broadcast<float[]> bcCodebook = jsc.broadcast(codebook);
    JavaRDD<TableBlock> blocks = source.blocks(jsc, partitions(rows, dim)).persist(StorageLevel.MEMORY_ONLY());
    try {
      // 1. Reconstruction quality (collected in partition order, so the sums are the same on every run).
      final int[] queries = QuerySample.select(rows, sample, seed);
      jsc.setJobDescription("asg evaluate: reconstruction quality");
      List<EvalTasks.BlockQuality> parts = blocks
          .map(b -> EvalTasks.quality(b, m, bcMapping.value(), bcCodebook.value(), queries)).collect();
      double[] residual = new double[m];
      double[] norm = new double[m];
      double[] cosines = new double[rows];
      float[] qOrig = new float[queries.length * dim];
      for (EvalTasks.BlockQuality p : parts) {
        for (int i = 0; i < m; i++) {
          residual[i] += p.residual[i];
          norm[i] += p.norm[i];
        }
        System.arraycopy(p.cosines, 0, cosines, p.firstRow, p.cosines.length);
        for (int j = 0; j < p.queryIds.length; j++) {
          int qi = Arrays.binarySearch(queries, p.queryIds[j]);
          System.arraycopy(p.queryRows, j * dim, qOrig, qi * dim, dim);
        }
      }
      double res = 0;
      double nrm = 0;
      ev.relativeMsePerSegment = new double[m];
      for (int i = 0; i < m; i++) {
        res += residual[i];
        nrm += norm[i];
        ev.relativeMsePerSegment[i] = norm[i] == 0 ? 0 : residual[i] / norm[i];
      }
      ev.relativeMse = nrm == 0 ? 0 : res / nrm;
      double cosSum = 0;
      for (double c : cosines) {
        cosSum += c;
      }
      ev.meanCosine = cosSum / rows;
      double[] sorted = cosines.clone();
      Arrays.sort(sorted);
      ev.p5Cosine = Quantiles.nearestRank(sorted, LOW_PERCENTILE);
      ev.minCosine = sorted[0];
      ev.qualitySeconds = secs(t0);
      LOG.info(String.format(java.util.Locale.ROOT, "evaluate: relative MSE %.6f, mean cosine %.6f, p5 cosine %.6f"
          + " (%.2f s)", ev.relativeMse, ev.meanCosine, ev.p5Cosine, ev.qualitySeconds));

      // 2. kNN recall of the queries, over all tokens.
      long t1 = System.nanoTime();
      int kk = Math.min(RECALL_AT, rows - 1);
      ev.queries = queries.length;
      ev.queryIds = queries;
      ev.recallAt = RECALL_AT;
      ev.seed = seed;
      if (kk >= 1 && queries.length > 0) {
        float[] qRec = new float[queries.length * dim];
        for (int j = 0; j < queries.length; j++) {
          float[] one = EvalTasks.reconstruct(queries[j], 1, m, dim / m, mapping, codebook);
          System.arraycopy(one, 0, qRec, j * dim, dim);
        }
        CosineScan.normalize(qOrig, queries.length, dim);
        CosineScan.normalize(qRec, queries.length, dim);
        Broadcast<EvalTasks.KnnQueries> bcQ = jsc.broadcast(new EvalTasks.KnnQueries(queries, qOrig, qRec, kk));
        jsc.setJobDescription("asg evaluate: kNN recall@" + RECALL_AT + " of " + queries.length + " tokens");
        TopNeighbours[] top = blocks
            .map(b -> EvalTasks.knn(b, m, bcMapping.value(), bcCodebook.value(), bcQ.value()))
            .reduce((x, y) -> new TopNeighbours[] {x[0].merge(y[0]), x[1].merge(y[1])});
        bcQ.destroy();
        ev.recall = top[0].recallOf(top[1]);
        ev.recallK = kk;
        ev.knnOriginal = top[0];
        ev.knnReconstructed = top[1];
      } else {
        ev.recall = Double.NaN;
      }
      ev.knnSeconds = secs(t1);
      ev.totalSeconds = secs(t0);
      LOG.info(String.format(java.util.Locale.ROOT, "evaluate: recall@%d %.4f over %d queries (%.2f s)",
          RECALL_AT, ev.recall, ev.queries, ev.knnSeconds));
      return ev;
    } finally {
      blocks.unpersist(false);
      bcMapping.destroy();
      bcCodebook.destroy();
    }
  }

  private static ClusterSizes[] clusterSizes(int[] mapping, ArtifactDir a) {
    long[][] counts = ClusterSizes.counts(mapping, a.rows(), a.m(), a.k(), a.shared());
    ClusterSizes[] out = new ClusterSizes[counts.length];
    for (int c = 0; c < counts.length; c++) {
      out[c] = ClusterSizes.of(counts[c]);
    }
    return out;
  }

  /** One task per ~64 MB of float32 rows, at least two per core so the kNN scan balances across cores. */
  private int partitions(int rows, int dim) {
    long bytes = (long) rows * dim * Float.BYTES;
    int cores = Math.max(1, jsc.defaultParallelism());
    long n = Math.max((bytes + PARTITION_BYTES - 1) / PARTITION_BYTES, 2L * cores);
    n = (n + cores - 1) / cores * cores;
    return (int) Math.max(1, Math.min(n, rows));
  }

  private static double secs(long t0) {
    return Math.round((System.nanoTime() - t0) / 1e6) / 1000.0;
  }
}
