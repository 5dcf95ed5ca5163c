package dev.asg.common.kmeans;

import java.util.function.Supplier;

/**
 * A block's Lloyd statistics as a CHANGE against the previous iteration: only the points whose assignment changed
 * touch the sums (subtracted from the old centroid, added to the new one), so once the centroids settle an
 * iteration adds a few thousand sub-vectors instead of all of them. The fixed-point sums are integers, so
 * "previous totals + every block's delta" is bit for bit the totals {@link BlockAssigner#accumulate} would give.
 *
 * <p>The objective is not a delta: every point's score changes with its centroid, so it is summed in full.
 * Correctness needs the moves to start from exactly the assignments that counted in the previous totals: the
 * pruned state's (when {@link PrunedAssigner.Outcome#carried}) or a brute-force assignment against the previous
 * codebooks (a block whose state was lost), both the same deterministic function of the rows and codebooks.
 */
public final class LloydDelta {
  private LloydDelta() {}

  /**
   * One block's step of a pruned Lloyd iteration (what each Spark task runs per block): the exact pruned
   * assignment into {@code idx} and {@code score}, then the block's statistics into {@code stats}: with
   * {@code previous} the delta against the assignments that counted in the previous totals (the block's carried
   * state, or, if it lost it, a brute-force assignment against {@code previous.get()}), else full sums.
   *
   * @param previous the previous iteration's codebooks, fetched only for a block that lost its state; null: full
   * @param moves scratch for the changed points (cleared here); unused when {@code previous} is null
   */
  public static PrunedAssigner.Outcome blockStep(PrunedAssigner pruned, AssignKernel kernel, float[] rows,
      int nRows, int m, CodebookMode mode, int[] idx, float[] score, PruneBounds bounds, CentroidDrift drift,
      int iteration, Supplier<PreparedCodebook[]> previous, Moves moves, LloydStats stats, FixedPoint valueFp,
      FixedPoint objectiveFp) {
    int n = Math.multiplyExact(nRows, m);
    Moves mv = previous == null ? null : moves;
    PrunedAssigner.Outcome o = pruned.assign(rows, nRows, idx, score, bounds, drift, iteration, mv);
    if (mv != null && !o.carried()) {
      // Lost state (recomputed by Spark, a retried or speculative task, or this iteration run again): its
      // previous assignments again, a deterministic function of the rows and the previous codebooks.
      int[] before = new int[n];
      new BlockAssigner(kernel, previous.get(), mode, m).assign(rows, nRows, before, new float[n]);
      mv.between(before, idx, n);
    }
    accumulate(rows, nRows, m, mode, mv, idx, score, stats, valueFp, objectiveFp);
    stats.addSkipped(o.skipped());
    return o;
  }

  /**
   * Adds the block's change into {@code stats}: each of {@code moves} out of its old centroid into its new one
   * ({@code after}), or, with {@code moves} null, every point in full (the first iteration); the changed count, the
   * points and the objective's scores (see {@link BlockAssigner#accumulate}).
   */
  public static void accumulate(float[] rows, int nRows, int m, CodebookMode mode, Moves moves, int[] after,
      float[] score, LloydStats stats, FixedPoint valueFp, FixedPoint objectiveFp) {
    int dsub = stats.dsub();
    int points = Math.multiplyExact(nRows, m);
    long objective = 0;
    for (int p = 0; p < points; p++) {
      objective += objectiveFp.toFixed(score[p]);
    }
    if (moves == null) {
      for (int p = 0; p < points; p++) {
        // Point p = r * m + i lies at r * dim + i * dsub = p * dsub.
        stats.add(mode.codebookOf(p % m), after[p], rows, p * dsub, valueFp);
      }
      stats.addChanged(points);
    } else {
      for (int t = 0; t < moves.size(); t++) {
        int p = moves.point(t);
        stats.move(mode.codebookOf(p % m), moves.from(t), after[p], rows, p * dsub, valueFp);
      }
      stats.addPoints(points);
      stats.addChanged(moves.size());
    }
    stats.addObjective(objective);
  }
}
