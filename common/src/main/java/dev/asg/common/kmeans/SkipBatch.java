package dev.asg.common.kmeans;

/**
 * Scratch of {@link PrunedAssigner}'s skip test for one chunk of points: the candidates whose assigned centroid
 * moved (their score must be computed anew), and for each that score.
 *
 * <p>Why a batch: each score is a dependent chain of dsub fma steps ({@link PrunedAssigner#ownScore}); run one
 * point at a time, the core waits on each step's latency. Here four points' chains advance side by side: every
 * chain performs exactly the same operations in the same order as the one-point code, so each score is the same
 * float, bit for bit; only the interleaving differs. One per task (not thread-safe); CHUNK points at a time, so
 * it stays a few KB.
 */
final class SkipBatch {
  static final int CHUNK = 256;

  final int[] point = new int[CHUNK];
  final int[] centroid = new int[CHUNK];
  final float[] lo2 = new float[CHUNK];
  final float[] score = new float[CHUNK];
  /** Per point of the chunk (index p - p0): whether the test settled it. */
  final boolean[] settled = new boolean[CHUNK];
  private final int dsub;

  SkipBatch(int dsub) {
    this.dsub = dsub;
  }

  /**
   * Fills {@code score} for candidates [0, n): point p's sub-vector lies at {@code p * dsub} of
   * {@code x}, its codebook is 0 ({@code shared}) or {@code p % m}.
   */
  void scores(float[] x, int n, PreparedCodebook[] codebooks, boolean shared, int m) {
    int t = 0;
    for (; t + 4 <= n; t += 4) {
      four(x, t, codebooks, shared, m);
    }
    for (; t < n; t++) {
      int p = point[t];
      PreparedCodebook cb = codebooks[shared ? 0 : p % m];
      score[t] = PrunedAssigner.ownScore(x, p * dsub, cb, centroid[t]);
    }
  }

  /** Candidates t..t+3, their chains interleaved (see the class comment). */
  private void four(float[] x, int t, PreparedCodebook[] codebooks, boolean shared, int m) {
    int p0 = point[t];
    int p1 = point[t + 1];
    int p2 = point[t + 2];
    int p3 = point[t + 3];
    PreparedCodebook k0 = codebooks[shared ? 0 : p0 % m];
    PreparedCodebook k1 = codebooks[shared ? 0 : p1 % m];
    PreparedCodebook k2 = codebooks[shared ? 0 : p2 % m];
    PreparedCodebook k3 = codebooks[shared ? 0 : p3 % m];
    float[] c0 = k0.centroids();
    float[] c1 = k1.centroids();
    float[] c2 = k2.centroids();
    float[] c3 = k3.centroids();
    int o0 = centroid[t] * dsub;
    int o1 = centroid[t + 1] * dsub;
    int o2 = centroid[t + 2] * dsub;
    int o3 = centroid[t + 3] * dsub;
    int b0 = p0 * dsub;
    int b1 = p1 * dsub;
    int b2 = p2 * dsub;
    int b3 = p3 * dsub;
    // The kernel's chain: start at -||c||^2/2, one fma per dimension in order (PrunedAssigner.ownScore).
    float a0 = k0.negHalfNorms()[centroid[t]];
    float a1 = k1.negHalfNorms()[centroid[t + 1]];
    float a2 = k2.negHalfNorms()[centroid[t + 2]];
    float a3 = k3.negHalfNorms()[centroid[t + 3]];
    for (int d = 0; d < dsub; d++) {
      a0 = Math.fma(x[b0 + d], c0[o0 + d], a0);
      a1 = Math.fma(x[b1 + d], c1[o1 + d], a1);
      a2 = Math.fma(x[b2 + d], c2[o2 + d], a2);
      a3 = Math.fma(x[b3 + d], c3[o3 + d], a3);
    }
    score[t] = -2f * a0;
    score[t + 1] = -2f * a1;
    score[t + 2] = -2f * a2;
    score[t + 3] = -2f * a3;
  }
}
