package dev.asg.common.kmeans;

import dev.asg.common.simd.VectorApi;

/**
 * The distance pass of {@link KMeansPlusPlus}: squared distances from up to three candidate points to every point,
 * each in double by the chain {@code s = 0; s += e * e} over d = 0..dsub-1 with {@code e = x[d] - c[d]} (the
 * point-by-point loop's chain; no fused multiply-add), lowered to the point's current minimum distance with
 * {@link Math#min} (lane-wise MIN in the twin, the same semantics): done here, on whole vectors, the scalar
 * potentials loop after it only adds (16 to 9 microseconds a step at 8,245 points). The points are laid out in
 * blocks of {@link #BLOCK}, dimension-major inside a block ({@link #layout}), so lanes run across points and each
 * lane's chain is the same whatever the lane count: the scalar class and its vector twin give the same bits.
 */
class SeedDistances {
  /** Points per block: one 512-bit vector of doubles, two 256-bit ones. */
  static final int BLOCK = 8;

  static final SeedDistances SCALAR = new SeedDistances();

  SeedDistances() {}

  /** The vector twin when {@code jdk.incubator.vector} is loaded and the CPU has 4 or 8 double lanes, else scalar. */
  static SeedDistances best() {
    return VectorApi.load(() -> VectorHolder.VECTOR, SCALAR);
  }

  /**
   * The points in blocks of {@link #BLOCK}: point i's coordinate d at {@code [(i / 8 * dsub + d) * 8 + i % 8]}; the
   * last block is padded with zeros, whose distances are computed and never read. Kept as float (widened to double
   * exactly when read): a shared codebook's points are streamed from memory once per step, so half the bytes is
   * nearly half the time there.
   */
  static float[] layout(float[] points, int n, int dsub) {
    int blocks = (n + BLOCK - 1) / BLOCK;
    float[] out = new float[blocks * dsub * BLOCK];
    for (int i = 0; i < n; i++) {
      int base = i / BLOCK * dsub * BLOCK + i % BLOCK;
      for (int d = 0; d < dsub; d++) {
        out[base + d * BLOCK] = points[i * dsub + d];
      }
    }
    return out;
  }

  /**
   * For blocks [from, to): {@code out0[i]}, {@code out1[i]}, {@code out2[i]} = {@code Math.min(minDist[i], squared
   * distance of point i to the candidate coordinates c0, c1, c2)} (each dsub doubles).
   */
  void distances(float[] blocked, int dsub, int from, int to, double[] c0, double[] c1, double[] c2,
      double[] minDist, double[] out0, double[] out1, double[] out2) {
    for (int b = from; b < to; b++) {
      int base = b * dsub * BLOCK;
      for (int l = 0; l < BLOCK; l++) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        for (int d = 0; d < dsub; d++) {
          double v = blocked[base + d * BLOCK + l]; // exact widening
          double e0 = v - c0[d];
          double e1 = v - c1[d];
          double e2 = v - c2[d];
          s0 += e0 * e0;
          s1 += e1 * e1;
          s2 += e2 * e2;
        }
        double md = minDist[b * BLOCK + l];
        out0[b * BLOCK + l] = Math.min(md, s0);
        out1[b * BLOCK + l] = Math.min(md, s1);
        out2[b * BLOCK + l] = Math.min(md, s2);
      }
    }
  }

  /** Lazy holder: loads the Vector API classes only after {@link VectorApi#load} checked the module. */
  private static final class VectorHolder {
    static final SeedDistances VECTOR = VectorSeedDistances.supported() ? new VectorSeedDistances() : null;
  }
}
