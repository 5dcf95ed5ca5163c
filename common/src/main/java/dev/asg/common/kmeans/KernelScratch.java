package dev.asg.common.kmeans;

/**
 * The scalar half of the vector kernels ({@link VectorAssignKernel}, {@link Vector512AssignKernel}): per call the
 * row tile, each row's per-lane best (and runner-up) chains, and the output positions; one per call, so the
 * kernels stay thread-safe. Plain Java (no Vector API types), so both widths share the lane reduction and with it
 * the tie rule.
 */
final class KernelScratch {
  private static final int P = PreparedCodebook.PANEL;
  /** Lanes per row in the per-lane arrays: the kernel's vector length. */
  final int lanes;
  /** The listed rows of assignRows; null for the contiguous rows 0..n-1 of assign. */
  final int[] rowList;
  final int[] idx;
  final int idxOff;
  final int idxStride;
  final float[] score;
  final int scoreOff;
  final int scoreStride;
  final int dsub;
  /** The block's rows, element [d * P + r]: the codebook panel's stride, so one index serves both. */
  final float[] tile;
  /** Per row and lane: the largest chain so far (-Infinity = none yet) and its centroid index (-1 = none). */
  final float[] bestScore;
  final float[] bestIdx;
  /** Per row and lane: the runner-up chain; null unless the caller wants it. */
  final float[] secondScore;
  /** Receives the runner-up's score at the row's score position; null unless wanted. */
  final float[] second;
  /**
   * Per row of a register block, the chains of its centroids, for kernels that store the block and fold it in a
   * separate method ({@link Vector512AssignKernel}); empty for the others.
   */
  final float[] chains;
  /**
   * Per row and lane, the best and runner-up chains as order keys (see {@link Vector512AssignKernel}), for the
   * kernels that store their chains; null for the others (and the runner-up unless wanted).
   */
  final int[] bestKey;
  final int[] secondKey;
  /** Per row and lane, the centroid index of {@link #bestKey} (-1 = none yet); null for the other kernels. */
  final int[] bestIndex;
  float[] scalarAcc;

  /**
   * @param lanes the kernel's vector length L
   * @param rowsPerBlock rows one register block holds: the per-lane arrays hold that many rows of L lanes
   * @param chainsPerRow centroids one register block covers, when the kernel stores its chains; else 0
   * @param rowList the listed rows of {@link AssignKernel#assignRows}; null for the contiguous rows of assign
   */
  KernelScratch(PreparedCodebook cb, int lanes, int rowsPerBlock, int chainsPerRow, int[] rowList, int[] idx,
      int idxOff, int idxStride, float[] score, int scoreOff, int scoreStride, float[] second) {
    this.lanes = lanes;
    this.rowList = rowList;
    this.second = second;
    this.bestScore = new float[rowsPerBlock * lanes];
    this.bestIdx = new float[rowsPerBlock * lanes];
    this.secondScore = second == null ? null : new float[rowsPerBlock * lanes];
    this.chains = new float[rowsPerBlock * chainsPerRow];
    this.bestKey = chainsPerRow > 0 ? new int[rowsPerBlock * lanes] : null;
    this.secondKey = chainsPerRow > 0 && second != null ? new int[rowsPerBlock * lanes] : null;
    this.bestIndex = chainsPerRow > 0 ? new int[rowsPerBlock * lanes] : null;
    this.dsub = cb.dsub();
    this.tile = new float[dsub * P];
    this.idx = idx;
    this.idxOff = idxOff;
    this.idxStride = idxStride;
    this.score = score;
    this.scoreOff = scoreOff;
    this.scoreStride = scoreStride;
  }

  /**
   * Copies up to {@link PreparedCodebook#PANEL} rows into the tile, row i at {@code tile[d * P + i]}: once per
   * 32 rows, so the strided gather is paid once per row and every row pair indexes the same tile.
   */
  void load(float[] x, int xOff, int xStride, int r0, int rows) {
    for (int i = 0; i < rows; i++) {
      int base = xOff + row(r0 + i) * xStride;
      for (int d = 0; d < dsub; d++) {
        tile[d * P + i] = x[base + d];
      }
    }
  }

  /** The input row at position i of this call. */
  int row(int i) {
    return rowList == null ? i : rowList[i];
  }

  /**
   * Reduces each row's lanes: maximum chain, lowest index among equal ones (-0 == +0 as with {@code >}); the
   * runner-up is the largest of the other lanes' bests and every lane's runner-up.
   */
  void finish(float[] x, int xOff, int xStride, int r0, int rows, PreparedCodebook cb) {
    for (int r = 0; r < rows; r++) {
      finishRow(x, xOff, xStride, r0, r, cb);
    }
  }

  /** {@link #finish} for row r of the block that starts at call position r0. */
  void finishRow(float[] x, int xOff, int xStride, int r0, int r, PreparedCodebook cb) {
    float best = Float.NEGATIVE_INFINITY;
    float bestJ = -1f;
    for (int l = r * lanes; l < r * lanes + lanes; l++) {
      float a = bestScore[l];
      float j = bestIdx[l];
      if (a > best || (a == best && j < bestJ)) {
        best = a;
        bestJ = j;
      }
    }
    int row = row(r0 + r);
    if (bestJ < 0f) {
      // No chain above -Infinity: non-finite or overflowing input. Rare, so defer to the reference.
      if (scalarAcc == null) {
        scalarAcc = new float[cb.k()];
      }
      int ip = idxOff + row * idxStride;
      int sp = scoreOff + row * scoreStride;
      ScalarAssignKernel.assignRow(x, xOff + row * xStride, cb, scalarAcc, idx, ip, score, sp, second, sp);
    } else {
      put(r0 + r, (int) bestJ, best, second != null ? runnerUp(r, bestJ) : Float.NaN);
    }
  }

  /**
   * Writes the answer for call position i: centroid j, its chain {@code best} as the score {@code -2 best}, and
   * the runner-up chain's score where wanted.
   */
  void put(int i, int j, float best, float runnerUp) {
    int row = row(i);
    idx[idxOff + row * idxStride] = j;
    int sp = scoreOff + row * scoreStride;
    score[sp] = -2f * best;
    if (second != null) {
      second[sp] = -2f * runnerUp;
    }
  }

  /** Row r's largest chain other than its winner (centroid {@code winner}), over all lanes. */
  private float runnerUp(int r, float winner) {
    float sec = Float.NEGATIVE_INFINITY;
    for (int l = r * lanes; l < r * lanes + lanes; l++) {
      float other = bestIdx[l] == winner ? secondScore[l] : Math.max(bestScore[l], secondScore[l]);
      if (other > sec) {
        sec = other;
      }
    }
    return sec;
  }
}
