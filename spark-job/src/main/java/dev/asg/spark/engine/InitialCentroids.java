package dev.asg.spark.engine;

import dev.asg.common.InvalidInputException;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.GroupedSeeding;
import dev.asg.common.kmeans.KMeansParams;
import dev.asg.common.kmeans.RandomInit;
import dev.asg.common.kmeans.TokenSampler;
import dev.asg.spark.source.TableBlock;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Initial centroids for every codebook, computed on the driver from a deterministic hash sample of about
 * {@code init-points-per-centroid * k} points per codebook. The sample is collected in token order, so the seeding
 * is a pure function of (table, params) whatever the partitioning; codebooks are seeded in parallel on the
 * driver's cores, each from its own seed (a shared codebook's one seeding splits its distance passes across them,
 * and above {@link GroupedSeeding#GROUP_CENTROIDS} centroids seeds in independent groups across them).
 */
final class InitialCentroids {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

  private InitialCentroids() {}

  /**
   * Whether a run seeds (k-means++ or random) rather than starting from {@code --init-from} or a checkpoint, so
   * the read job should take the seeding sample. A {@code --resume} that finds no checkpoint seeds anyway, with
   * its own sample job.
   */
  static boolean seeds(QuantizeRequest p) {
    return p.initFrom() == null && !p.run().resume();
  }

  /** Share of the table's tokens the seeding samples: about init-points-per-centroid * k points per codebook. */
  static double fraction(KMeansParams p, long pointsPerCodebook) {
    int m = p.m();
    long wanted = (long) p.k() * p.initPointsPerCentroid();
    // Token-level sampling: in SHARED mode each sampled token contributes its m sub-vectors.
    boolean separate = p.codebook() == CodebookMode.SEPARATE;
    long rows = separate ? pointsPerCodebook : pointsPerCodebook / m;
    long wantedRows = separate ? wanted : (wanted + m - 1) / m;
    return Math.min(1.0, (double) wantedRows / rows);
  }

  /**
   * A block's seeding rows (row-major floats, token order), taken inside a job that already scans every block so
   * the seeding needs no job of its own. Only the floats travel: the seeding needs no token ids.
   */
  static float[] sampleRows(TableBlock b, long seed, double fraction) {
    return b.sample(seed, TokenSampler.SALT_INIT, fraction).data();
  }

  /** The blocks' seeding rows in block (= token) order, as one row-major array. */
  static float[] concat(List<float[]> perBlock) {
    int total = 0;
    for (float[] f : perBlock) {
      total += f.length;
    }
    float[] all = new float[total];
    int off = 0;
    for (float[] f : perBlock) {
      System.arraycopy(f, 0, all, off, f.length);
      off += f.length;
    }
    return all;
  }

  /**
   * Seeds every codebook. {@code presampled} is the sample the read job took ({@link #sampleRows} per block,
   * {@link #concat}), or null to take it here in a job of its own; both give the same rows in the same order.
   */
  static float[][] compute(JavaRDD<TableBlock> blocks, KMeansParams p, int dim, long pointsPerCodebook,
      float[] presampled) {
    int m = p.m();
    int k = p.k();
    int dsub = dim / m;
    CodebookMode mode = p.codebook();
    double fraction = fraction(p, pointsPerCodebook);
    long seed = p.seed();
    long start = System.nanoTime();
    float[] all;
    if (presampled != null) {
      all = presampled;
    } else {
      blocks.context().setJobDescription("asg init sample");
      all = concat(blocks.map(b -> sampleRows(b, seed, fraction)).collect());
    }
    int n = all.length / dim;
    int pointsEach = mode == CodebookMode.SEPARATE ? n : n * m;
    if (pointsEach < k) {
      throw new InvalidInputException("--" + KMeansParams.INIT_POINTS_PER_CENTROID + " "
          + p.initPointsPerCentroid() + " sampled only " + pointsEach + " points for --k " + k
          + "; raise --" + KMeansParams.INIT_POINTS_PER_CENTROID);
    }
    long sampled = System.nanoTime();
    int codebooks = mode.codebooks(m);
    float[][] out = new float[codebooks][];
    boolean plusPlus = p.init() == KMeansParams.Init.KMEANS_PLUS_PLUS;
    IntStream.range(0, codebooks).parallel().forEach(c -> {
      float[] pts;
      if (mode == CodebookMode.SHARED) {
        pts = all; // n*m sub-vectors of dsub, in (token, segment) order
      } else {
        pts = new float[n * dsub];
        for (int r = 0; r < n; r++) {
          System.arraycopy(all, r * dim + c * dsub, pts, r * dsub, dsub);
        }
      }
      long cbSeed = TokenSampler.mix64(seed + 0x9E3779B97F4A7C15L * (c + 1));
      out[c] = plusPlus ? GroupedSeeding.init(pts, pointsEach, dsub, k, cbSeed)
          : RandomInit.init(pts, pointsEach, dsub, k, cbSeed);
    });
    // Split so a slow init says which half to look at: the sample job (cluster) or the seeding (driver cores).
    LOG.info("init: sampled {} points per codebook {} in {} s, seeded on the driver in {} s", pointsEach,
        presampled != null ? "during the read" : "in a job of its own", seconds(sampled - start),
        seconds(System.nanoTime() - sampled));
    return out;
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9);
  }
}
