package dev.asg.common.kmeans;

import java.util.SplittableRandom;

/**
 * Random initialization: k distinct points chosen uniformly without replacement, by a partial Fisher-Yates shuffle
 * of the point indices driven by one {@link SplittableRandom}. The output is a pure function of
 * (points, n, dsub, k, seed). O(n) memory for the index permutation, O(k * dsub) time beyond it.
 */
public final class RandomInit {

  private RandomInit() {}

  /**
   * @param points n x dsub row-major (at least n * dsub values; later values are ignored)
   * @return k x dsub row-major centroids: copies of k distinct points, in the order they were drawn
   * @throws IllegalArgumentException if n &lt; 1, dsub &lt; 1, k is outside [1, n], or points is too short
   */
  public static float[] init(float[] points, int n, int dsub, int k, long seed) {
    InitArgs.check("random init", points, n, dsub, k);
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    float[] centroids = new float[k * dsub];
    for (int c = 0; c < k; c++) {
      int swap = c + rnd.nextInt(n - c);
      int chosen = perm[swap];
      perm[swap] = perm[c];
      perm[c] = chosen;
      System.arraycopy(points, chosen * dsub, centroids, c * dsub, dsub);
    }
    return centroids;
  }
}
