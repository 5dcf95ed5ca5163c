package dev.asg.common.kmeans;

/**
 * Assigns every sub-vector of a block of rows to its nearest centroid, for all codebooks at once, and accumulates
 * Lloyd statistics. This is the per-task work of one Lloyd iteration and of the final mapping pass; it holds no
 * Spark types so the whole iteration is testable without a SparkSession.
 *
 * <p>Rows are row-major {@code dim = m * dsub} floats. In SEPARATE mode segment i of every row is assigned against
 * codebook i (stride dim). In SHARED mode the block is viewed as {@code rows * m} contiguous sub-vectors of stride
 * dsub and assigned in ONE kernel call against the single codebook, so no work is repeated per segment.
 */
public final class BlockAssigner {
  private final AssignKernel kernel;
  private final PreparedCodebook[] codebooks;
  private final CodebookMode mode;
  private final int m;
  private final int dsub;
  private final int dim;

  public BlockAssigner(AssignKernel kernel, PreparedCodebook[] codebooks, CodebookMode mode, int m) {
    mode.requireCodebooks(codebooks.length, m);
    this.kernel = kernel;
    this.codebooks = codebooks.clone();
    this.mode = mode;
    this.m = m;
    this.dsub = codebooks[0].dsub();
    this.dim = m * dsub;
  }

  public int m() {
    return m;
  }

  public int dsub() {
    return dsub;
  }

  /**
   * Writes, for row r and segment i, the codebook-local centroid index to {@code idx[r*m+i]} and the kernel score
   * ({@code ||c||^2 - 2 x.c}) to {@code score[r*m+i]}.
   */
  public void assign(float[] rows, int nRows, int[] idx, float[] score) {
    if (nRows == 0) {
      return;
    }
    if (mode == CodebookMode.SHARED) {
      kernel.assign(rows, 0, dsub, nRows * m, codebooks[0], idx, 0, 1, score, 0, 1);
    } else {
      for (int i = 0; i < m; i++) {
        kernel.assign(rows, i * dsub, dim, nRows, codebooks[i], idx, i, m, score, i, m);
      }
    }
  }

  /**
   * Adds the rows' assignments (from {@link #assign}) into {@code stats}: per centroid the fixed-point coordinate
   * sums and counts, and into the objective the rows' fixed-point SCORES ({@code ||c||^2 - 2 x.c}). The objective
   * proper adds the constant {@link #squaredNormSum} of the same rows: ||x||^2 does not change between
   * iterations, so it is summed once per run rather than once per iteration (it cost as much as the sums here).
   *
   * @param previous the assignments this block had in the previous iteration, or null when unknown; used only
   *     for the advisory "changed" count and then overwritten with the new assignments
   */
  public void accumulate(float[] rows, int nRows, int[] idx, float[] score, int[] previous, LloydStats stats,
      FixedPoint valueFp, FixedPoint objectiveFp) {
    long changed = 0;
    long objective = 0;
    for (int r = 0; r < nRows; r++) {
      int rowOff = r * dim;
      for (int i = 0; i < m; i++) {
        int p = r * m + i;
        stats.add(mode.codebookOf(i), idx[p], rows, rowOff + i * dsub, valueFp);
        objective += objectiveFp.toFixed(score[p]);
        if (previous != null && previous[p] != idx[p]) {
          changed++;
        }
      }
    }
    if (previous != null) {
      System.arraycopy(idx, 0, previous, 0, nRows * m);
    }
    stats.addObjective(objective);
    stats.addChanged(changed);
  }

  /**
   * The fixed-point sum over the rows' sub-vectors of {@code ||x_sub||^2} (each term in double, rounded once), the
   * part of the k-means objective that does not depend on the centroids: objective = this + the sum of scores
   * that {@link #accumulate} adds. Exact and order-independent like every {@link FixedPoint} sum.
   */
  public static long squaredNormSum(float[] rows, int nRows, int m, int dsub, FixedPoint objectiveFp) {
    long sum = 0;
    int subs = Math.multiplyExact(nRows, m);
    for (int p = 0; p < subs; p++) {
      int off = p * dsub;
      double norm = 0;
      for (int d = 0; d < dsub; d++) {
        double v = rows[off + d];
        norm += v * v;
      }
      sum += objectiveFp.toFixed(norm);
    }
    return sum;
  }
}
