package dev.asg.common.kmeans;

import java.util.SplittableRandom;

/**
 * Random seeding, as faiss does by default: k distinct points chosen by a seeded partial Fisher-Yates shuffle of
 * the indices. Cheap, and what the paper's nanopq/faiss pipeline used.
 */
public final class RandomInit {
  private RandomInit() {}

  public static float[] init(float[] points, int n, int dsub, int k, long seed) {
    KMeansPlusPlus.check(points, n, dsub, k);
    SplittableRandom rnd = new SplittableRandom(seed);
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    float[] out = new float[k * dsub];
    for (int c = 0; c < k; c++) {
      int j = c + rnd.nextInt(n - c);
      int t = idx[c];
      idx[c] = idx[j];
      idx[j] = t;
      System.arraycopy(points, idx[c] * dsub, out, c * dsub, dsub);
    }
    return out;
  }
}
