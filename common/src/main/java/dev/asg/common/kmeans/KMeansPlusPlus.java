package dev.asg.common.kmeans;

import java.util.SplittableRandom;

/**
 * k-means++ seeding (Arthur and Vassilvitskii, "k-means++: The Advantages of Careful Seeding", SODA 2007): the
 * first centroid is a uniformly random point, each further one a point drawn with probability proportional to its
 * squared distance D^2 to the nearest centroid chosen so far.
 *
 * <p>Determinism: the output is a pure function of (points, n, dsub, k, seed). All randomness comes from one
 * {@link SplittableRandom}, and distances, their running minimum and the cumulative sum are computed in double in
 * a fixed sequential order, so the same call gives the same centroids on any JVM and any machine.
 *
 * <p>Cost: O(n * dsub) per added centroid (each point's D^2 is updated against the newest centroid only), so
 * O(n * dsub * k) in total, plus n doubles of memory.
 */
public final class KMeansPlusPlus {

  private KMeansPlusPlus() {}

  /**
   * Chooses k initial centroids among the points.
   *
   * <p>If every not-yet-chosen point has D^2 = 0 (the data has fewer distinct points than k), the next centroid
   * is a uniformly random not-yet-chosen point, so the result always has k rows; they then duplicate an existing
   * centroid, which Lloyd's empty-cluster split replaces later (a duplicate centroid never wins a point: ties go
   * to the lower index).
   *
   * @param points n x dsub row-major (at least n * dsub values; later values are ignored)
   * @param seed seed of the {@link SplittableRandom} that drives every choice
   * @return k x dsub row-major centroids, each a copy of one input point
   * @throws IllegalArgumentException if n &lt; 1, dsub &lt; 1, k is outside [1, n], or points is too short
   */
  public static float[] init(float[] points, int n, int dsub, int k, long seed) {
    InitArgs.check("k-means++", points, n, dsub, k);
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] centroids = new float[k * dsub];
    boolean[] chosen = new boolean[n];
    double[] minD2 = new double[n];

    int first = rnd.nextInt(n);
    take(points, dsub, first, centroids, 0, chosen);
    for (int i = 0; i < n; i++) {
      minD2[i] = dist2(points, i, first, dsub);
    }

    for (int c = 1; c < k; c++) {
      double total = 0;
      for (int i = 0; i < n; i++) {
        total += minD2[i];
      }
      int next;
      // !(total > 0) also covers NaN, which only non-finite input produces: fall back to a uniform pick rather
      // than walk a cumulative sum that can never exceed the target.
      if (total > 0 && total < Double.POSITIVE_INFINITY) {
        next = sampleD2(minD2, total, rnd.nextDouble() * total);
      } else {
        next = uniformUnchosen(chosen, n - c, rnd);
      }
      take(points, dsub, next, centroids, c, chosen);
      if (c + 1 < k) {
        for (int i = 0; i < n; i++) {
          double d = dist2(points, i, next, dsub);
          if (d < minD2[i]) {
            minD2[i] = d;
          }
        }
      }
    }
    return centroids;
  }

  /**
   * The first index whose cumulative D^2 exceeds target. Chosen points have D^2 = 0 so they can never be the
   * first to exceed it; if rounding leaves target at the very end (cumulative never exceeds it), the last point
   * with positive D^2 is taken.
   */
  private static int sampleD2(double[] minD2, double total, double target) {
    double cum = 0;
    int lastPositive = -1;
    for (int i = 0; i < minD2.length; i++) {
      double d = minD2[i];
      if (d > 0) {
        cum += d;
        lastPositive = i;
        if (cum > target) {
          return i;
        }
      }
    }
    return lastPositive;
  }

  /** A uniformly random index among the {@code unchosen} points not yet taken. */
  private static int uniformUnchosen(boolean[] chosen, int unchosen, SplittableRandom rnd) {
    int t = rnd.nextInt(unchosen);
    for (int i = 0; i < chosen.length; i++) {
      if (!chosen[i]) {
        if (t == 0) {
          return i;
        }
        t--;
      }
    }
    throw new IllegalStateException("no unchosen point left; k > n should have been rejected");
  }

  private static void take(float[] points, int dsub, int i, float[] centroids, int c, boolean[] chosen) {
    System.arraycopy(points, i * dsub, centroids, c * dsub, dsub);
    chosen[i] = true;
  }

  /** Squared Euclidean distance between points a and b, in double, dimensions in order. */
  static double dist2(float[] points, int a, int b, int dsub) {
    int pa = a * dsub;
    int pb = b * dsub;
    double s = 0;
    for (int d = 0; d < dsub; d++) {
      double diff = (double) points[pa + d] - points[pb + d];
      s += diff * diff;
    }
    return s;
  }
}
