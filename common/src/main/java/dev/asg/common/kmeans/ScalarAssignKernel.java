package dev.asg.common.kmeans;

/**
 * The reference {@link AssignKernel} in plain Java, and the production fallback when the incubating Vector API
 * module is not available (an executor JVM started without {@code --add-modules jdk.incubator.vector}).
 *
 * <p>Per row it accumulates all k chains in a scratch array with the dimension loop outermost. Each
 * {@code acc[j]} still sees exactly the contract's fma chain (d = 0, 1, ..., dsub-1 starting at -norm_j/2), but the
 * inner loop over j is a plain array loop that C2 can auto-vectorize, which makes this fallback several times
 * faster than a dot product per centroid. The scratch is one row of k floats, never an n x k matrix.
 *
 * <p>Selection: {@code best} starts at -Infinity and is replaced only on a strict {@code >}, scanning j upwards, so
 * the lowest j among equal maxima wins and NaN never wins. If no chain ends above -Infinity (every one is
 * -Infinity or NaN, which needs overflowing or non-finite input), the row goes to {@link #degenerate}: the first
 * j whose chain is not NaN, else j = 0. The vector kernel defers to this class for such rows, so both agree.
 */
public final class ScalarAssignKernel implements AssignKernel {

  /** Shared instance; the kernel is stateless. */
  public static final ScalarAssignKernel INSTANCE = new ScalarAssignKernel();

  private ScalarAssignKernel() {}

  @Override
  public void assign(float[] x, int xOff, int xStride, int n, PreparedCodebook cb,
      int[] idx, int idxOff, int idxStride, float[] score, int scoreOff, int scoreStride) {
    if (n < 0) {
      throw new IllegalArgumentException("n=" + n + " must be >= 0");
    }
    float[] acc = new float[cb.k()];
    for (int r = 0; r < n; r++) {
      assignRow(x, xOff + r * xStride, cb, acc, idx, idxOff + r * idxStride, score, scoreOff + r * scoreStride,
          null, 0);
    }
  }

  @Override
  public void assignRows(float[] x, int xOff, int xStride, int[] rows, int n, PreparedCodebook cb,
      int[] idx, float[] score, float[] second, int outOff, int outStride) {
    if (n < 0) {
      throw new IllegalArgumentException("n=" + n + " must be >= 0");
    }
    float[] acc = new float[cb.k()];
    for (int i = 0; i < n; i++) {
      int r = rows[i];
      int out = outOff + r * outStride;
      assignRow(x, xOff + r * xStride, cb, acc, idx, out, score, out, second, out);
    }
  }

  /**
   * Assigns the single row starting at {@code x[base]}.
   *
   * @param acc scratch of at least k floats
   * @param second receives the runner-up's score at {@code secondPos} (see {@link AssignKernel#assignRows}); null
   *     when not wanted
   */
  static void assignRow(float[] x, int base, PreparedCodebook cb, float[] acc,
      int[] idx, int idxPos, float[] score, int scorePos, float[] second, int secondPos) {
    int k = cb.k();
    int dsub = cb.dsub();
    int kPad = cb.kPad();
    float[] t = cb.transposed();
    float[] h = cb.negHalfNorms();
    System.arraycopy(h, 0, acc, 0, k);
    for (int d = 0; d < dsub; d++) {
      float xd = x[base + d];
      int off = d * kPad;
      for (int j = 0; j < k; j++) {
        acc[j] = Math.fma(xd, t[off + j], acc[j]);
      }
    }
    float best = Float.NEGATIVE_INFINITY;
    int bestJ = -1;
    // The runner-up as the vector kernel's lanes keep it: each chain's loser against the running best competes
    // for second place with a strict >, so NaN never counts and the value is the max over all other chains.
    float runnerUp = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < k; j++) {
      float a = acc[j];
      boolean wins = a > best;
      float loser = wins ? best : a;
      if (loser > runnerUp) {
        runnerUp = loser;
      }
      if (wins) {
        best = a;
        bestJ = j;
      }
    }
    if (second != null) {
      // No finite winner (degenerate row): NaN, so no bound is ever derived from it.
      second[secondPos] = bestJ < 0 ? Float.NaN : -2f * runnerUp;
    }
    if (bestJ < 0) {
      degenerate(acc, k, idx, idxPos, score, scorePos);
      return;
    }
    idx[idxPos] = bestJ;
    score[scorePos] = -2f * best;
  }

  /** No chain above -Infinity: take the first non-NaN one (it is -Infinity, score +Infinity), else centroid 0. */
  private static void degenerate(float[] acc, int k, int[] idx, int idxPos, float[] score, int scorePos) {
    for (int j = 0; j < k; j++) {
      if (!Float.isNaN(acc[j])) {
        idx[idxPos] = j;
        score[scorePos] = -2f * acc[j];
        return;
      }
    }
    idx[idxPos] = 0;
    score[scorePos] = -2f * acc[0];
  }

  @Override
  public String name() {
    return "scalar";
  }
}
