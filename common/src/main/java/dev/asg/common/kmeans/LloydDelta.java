package dev.asg.common.kmeans;

/**
 * A block's Lloyd statistics as a CHANGE against the previous iteration: only the points whose assignment changed
 * touch the sums (subtracted from the old centroid, added to the new one), so once the centroids settle an
 * iteration adds a few thousand sub-vectors instead of all of them. The fixed-point sums are integers, so
 * "previous totals + every block's delta" is bit for bit the totals {@link BlockAssigner#accumulate} would give.
 *
 * <p>The objective is not a delta: every point's score changes with its centroid, so it is summed in full.
 * Correctness needs {@code before} to be exactly the assignments that counted in the previous totals: the pruned
 * state's (when {@link PrunedAssigner.Outcome#carried}) or a brute-force assignment against the previous
 * codebooks (a block whose state was lost), both the same deterministic function of the rows and codebooks.
 */
public final class LloydDelta {
  private LloydDelta() {}

  /**
   * Adds the block's change into {@code stats}: the moves from {@code before} to {@code after} (or, with
   * {@code before} null, every point in full: the first iteration), the changed count, the points and the
   * objective's scores (see {@link BlockAssigner#accumulate}).
   */
  public static void accumulate(float[] rows, int nRows, int m, CodebookMode mode, int[] before, int[] after,
      float[] score, LloydStats stats, FixedPoint valueFp, FixedPoint objectiveFp) {
    int dsub = stats.dsub();
    int dim = m * dsub;
    long objective = 0;
    long changed = 0;
    for (int r = 0, p = 0; r < nRows; r++) {
      int rowOff = r * dim;
      for (int i = 0; i < m; i++, p++) {
        objective += objectiveFp.toFixed(score[p]);
        if (before == null) {
          stats.add(mode.codebookOf(i), after[p], rows, rowOff + i * dsub, valueFp);
          changed++;
        } else if (before[p] != after[p]) {
          stats.move(mode.codebookOf(i), before[p], after[p], rows, rowOff + i * dsub, valueFp);
          changed++;
        }
      }
    }
    if (before != null) {
      stats.addPoints((long) nRows * m);
    }
    stats.addObjective(objective);
    stats.addChanged(changed);
  }
}
