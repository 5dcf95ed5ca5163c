package dev.asg.common.kmeans;

import java.util.SplittableRandom;

/**
 * The driver-side half of a Lloyd iteration: new centroid = mean of its points, and empty clusters repaired.
 *
 * <p>Empty clusters follow faiss {@code Clustering.cpp} ({@code split_clusters}): an empty centroid takes a copy
 * of a populated one and the two are pushed apart by a tiny symmetric perturbation, and the donor's count is
 * split between them. faiss picks the donor at random weighted by size; we take the LARGEST cluster (ties to the
 * lowest index) because splitting the biggest cluster lowers the objective most and keeps the choice independent
 * of any random stream. The perturbation's sign per dimension is drawn from a generator seeded by (seed,
 * iteration, codebook, centroid), so the update is a pure function of its inputs.
 */
public final class CentroidUpdate {
  /** faiss's EPS (1/1024): big enough to break the tie between the two copies, small enough not to move them. */
  public static final double SPLIT_EPS = 1.0 / 1024;
  /** Floor for the perturbation of a zero coordinate, where a relative EPS would leave the copies identical. */
  private static final double SPLIT_ABS_FLOOR = 1e-6;

  private CentroidUpdate() {}

  /** New centroids (per codebook, k x dsub row-major) and the number of empty clusters split. */
  public static final class Result {
    private final float[][] centroids;
    private final int splits;

    Result(float[][] centroids, int splits) {
      this.centroids = centroids;
      this.splits = splits;
    }

    public float[][] centroids() {
      return centroids;
    }

    public int splits() {
      return splits;
    }
  }

  public static Result apply(float[][] previous, LloydStats stats, FixedPoint valueFp, long seed, int iteration) {
    int k = stats.k();
    int dsub = stats.dsub();
    float[][] next = new float[stats.codebooks()][];
    int splits = 0;
    for (int c = 0; c < stats.codebooks(); c++) {
      float[] cent = new float[k * dsub];
      double[] counts = new double[k];
      for (int j = 0; j < k; j++) {
        long n = stats.count(c, j);
        counts[j] = n;
        if (n == 0) {
          // Keep the old centroid for now; the split below replaces it.
          System.arraycopy(previous[c], j * dsub, cent, j * dsub, dsub);
          continue;
        }
        for (int d = 0; d < dsub; d++) {
          cent[j * dsub + d] = (float) (valueFp.toDouble(stats.sum(c, j, d)) / n);
        }
      }
      splits += splitEmpty(cent, counts, k, dsub, seed, iteration, c);
      next[c] = cent;
    }
    return new Result(next, splits);
  }

  /** Repairs empty clusters in place. Counts are updated as clusters are split, as faiss does. */
  static int splitEmpty(float[] cent, double[] counts, int k, int dsub, long seed, int iteration, int codebook) {
    int splits = 0;
    for (int ci = 0; ci < k; ci++) {
      if (counts[ci] != 0) {
        continue;
      }
      int cj = 0;
      for (int j = 1; j < k; j++) {
        if (counts[j] > counts[cj]) {
          cj = j;
        }
      }
      if (counts[cj] <= 1) {
        // Nothing left to split (fewer populated points than clusters); leave it, it stays empty.
        continue;
      }
      SplittableRandom rnd = new SplittableRandom(TokenSampler.mix64(
          seed ^ TokenSampler.mix64(((long) iteration << 40) ^ ((long) codebook << 20) ^ ci)));
      for (int d = 0; d < dsub; d++) {
        double v = cent[cj * dsub + d];
        double delta = SPLIT_EPS * Math.max(Math.abs(v), SPLIT_ABS_FLOOR);
        double sign = rnd.nextBoolean() ? 1.0 : -1.0;
        cent[ci * dsub + d] = (float) (v + sign * delta);
        cent[cj * dsub + d] = (float) (v - sign * delta);
      }
      counts[ci] = Math.floor(counts[cj] / 2);
      counts[cj] -= counts[ci];
      splits++;
    }
    return splits;
  }
}
