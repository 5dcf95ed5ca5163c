package dev.asg.spark.engine;

import dev.asg.common.InvalidInputException;
import dev.asg.common.kmeans.CodebookMode;
import dev.asg.common.kmeans.KMeansParams;
import dev.asg.common.kmeans.KMeansPlusPlus;
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
 * driver's cores, each from its own seed (a shared codebook's one seeding splits its distance passes across them).
 */
final class InitialCentroids {
  private static final Logger LOG = LoggerFactory.getLogger("dev.asg.progress");

  private InitialCentroids() {}

  static float[][] compute(JavaRDD<TableBlock> blocks, KMeansParams p, int dim, long pointsPerCodebook) {
    int m = p.m();
    int k = p.k();
    int dsub = dim / m;
    CodebookMode mode = p.codebook();
    long wanted = (long) k * p.initPointsPerCentroid();
    // Token-level sampling: in SHARED mode each sampled token contributes its m sub-vectors.
    long rows = mode == CodebookMode.SEPARATE ? pointsPerCodebook : pointsPerCodebook / m;
    long wantedRows = mode == CodebookMode.SEPARATE ? wanted : (wanted + m - 1) / m;
    double fraction = Math.min(1.0, (double) wantedRows / rows);
    long seed = p.seed();
    long start = System.nanoTime();
    blocks.context().setJobDescription("asg init sample");
    List<TableBlock> sample = blocks.map(b -> b.sample(seed, TokenSampler.SALT_INIT, fraction)).collect();
    int n = sample.stream().mapToInt(TableBlock::rows).sum();
    int pointsEach = mode == CodebookMode.SEPARATE ? n : n * m;
    if (pointsEach < k) {
      throw new InvalidInputException("--" + KMeansParams.INIT_POINTS_PER_CENTROID + " "
          + p.initPointsPerCentroid() + " sampled only " + pointsEach + " points for --k " + k
          + "; raise --" + KMeansParams.INIT_POINTS_PER_CENTROID);
    }
    float[] all = new float[n * dim];
    int off = 0;
    for (TableBlock b : sample) {
      System.arraycopy(b.data(), 0, all, off, b.rows() * dim);
      off += b.rows() * dim;
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
      out[c] = plusPlus ? KMeansPlusPlus.init(pts, pointsEach, dsub, k, cbSeed)
          : RandomInit.init(pts, pointsEach, dsub, k, cbSeed);
    });
    // Split so a slow init says which half to look at: the sample job (cluster) or the seeding (driver cores).
    LOG.info("init: sampled {} points per codebook in {} s, seeded on the driver in {} s", pointsEach,
        seconds(sampled - start), seconds(System.nanoTime() - sampled));
    return out;
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.3f", nanos / 1e9);
  }
}
