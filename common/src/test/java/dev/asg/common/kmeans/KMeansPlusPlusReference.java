package dev.asg.common.kmeans;

import java.util.SplittableRandom;

/**
 * Tests only: the point-by-point k-means++ as it was before {@link KMeansPlusPlus} laid the points out
 * dimension-major and reused the winning candidate's distances. The speed-up must not change a single centroid
 * (the digests of existing runs), which {@code KMeansPlusPlusTest} checks against this copy.
 */
final class KMeansPlusPlusReference {
  private KMeansPlusPlusReference() {}

  /**
   * @param points n x dsub, row-major
   * @return k x dsub centroids, row-major
   */
  public static float[] init(float[] points, int n, int dsub, int k, long seed) {
    InitArgs.check("k-means++", points, n, dsub, k);
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] out = new float[k * dsub];
    boolean[] chosen = new boolean[n];
    double[] minDist = new double[n];
    int first = rnd.nextInt(n);
    take(points, first, dsub, out, 0, chosen);
    for (int i = 0; i < n; i++) {
      minDist[i] = dist(points, i, out, 0, dsub);
    }
    int trials = localTrials(k);
    int[] cand = new int[trials];
    double[] potential = new double[trials];
    for (int c = 1; c < k; c++) {
      double total = 0;
      for (int i = 0; i < n; i++) {
        total += minDist[i];
      }
      int pick;
      if (total > 0) {
        for (int t = 0; t < trials; t++) {
          cand[t] = sample(minDist, n, rnd.nextDouble() * total);
        }
        // Potential after adding each candidate: one pass over the points for all candidates.
        java.util.Arrays.fill(potential, 0);
        for (int i = 0; i < n; i++) {
          for (int t = 0; t < trials; t++) {
            potential[t] += Math.min(minDist[i], dist(points, i, points, cand[t], dsub));
          }
        }
        int best = 0;
        for (int t = 1; t < trials; t++) {
          if (potential[t] < potential[best]) {
            best = t;
          }
        }
        pick = cand[best];
      } else {
        pick = randomUnchosen(rnd, chosen, n);
      }
      take(points, pick, dsub, out, c, chosen);
      for (int i = 0; i < n; i++) {
        double d = dist(points, i, out, c, dsub);
        if (d < minDist[i]) {
          minDist[i] = d;
        }
      }
    }
    return out;
  }

  /**
   * Candidates per step. scikit-learn takes 2 + ln k (8 for k = 512), which made seeding 8x the cost of plain
   * k-means++ and dominated short runs. A step goes wrong only if EVERY candidate falls in a covered cluster;
   * with a per-candidate miss rate of a few percent, 3 candidates bring that to ~1e-5 per step, which the planted
   * tests cannot tell apart from 8.
   */
  public static final int LOCAL_TRIALS = 3;

  static int localTrials(int k) {
    return Math.min(LOCAL_TRIALS, k);
  }

  /** The point where the running sum of minDist first exceeds target (skipping points already at distance 0). */
  private static int sample(double[] minDist, int n, double target) {
    double acc = 0;
    int pick = -1;
    for (int i = 0; i < n; i++) {
      if (minDist[i] > 0) {
        acc += minDist[i];
        pick = i;
        if (acc > target) {
          break;
        }
      }
    }
    return pick;
  }

  private static int randomUnchosen(SplittableRandom rnd, boolean[] chosen, int n) {
    int free = 0;
    for (boolean b : chosen) {
      free += b ? 0 : 1;
    }
    int skip = rnd.nextInt(free);
    for (int i = 0; i < n; i++) {
      if (!chosen[i] && skip-- == 0) {
        return i;
      }
    }
    throw new IllegalStateException("unreachable: " + free + " unchosen points");
  }

  private static void take(float[] points, int i, int dsub, float[] out, int c, boolean[] chosen) {
    System.arraycopy(points, i * dsub, out, c * dsub, dsub);
    chosen[i] = true;
  }

  private static double dist(float[] points, int i, float[] cents, int c, int dsub) {
    double s = 0;
    int p = i * dsub;
    int q = c * dsub;
    for (int d = 0; d < dsub; d++) {
      double e = (double) points[p + d] - cents[q + d];
      s += e * e;
    }
    return s;
  }

}
