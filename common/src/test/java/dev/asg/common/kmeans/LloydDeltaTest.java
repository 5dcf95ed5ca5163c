package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link LloydDelta#blockStep}, the per-block step the Spark tasks run: an iteration run twice on the same state
 * (its result discarded the first time, the state's tag already this iteration) must give the same delta, so the
 * previous totals plus it are the brute-force totals.
 */
class LloydDeltaTest {
  private static final int ROWS = 300;
  private static final int M = 3;
  private static final int DSUB = 4;
  private static final int K = 12;

  @Test
  void blockStep_iterationRunTwiceOnSameState_deltaGivesBruteForceTotals() {
    AssignKernel kernel = AssignKernelTest.kernels().findFirst().orElseThrow();
    CodebookMode mode = CodebookMode.SEPARATE;
    float[] data = PrunedAssignerTest.clustered(new SplittableRandom(21), ROWS, M * DSUB, 10);
    FixedPoint valueFp = FixedPoint.forSum(8, ROWS);
    FixedPoint objectiveFp = FixedPoint.forSum(DSUB * 4.0 * 64, (long) ROWS * M);
    float[][] cent0 = new float[M][];
    for (int c = 0; c < M; c++) {
      cent0[c] = RandomInit.init(data, ROWS * M, DSUB, K, 7 + c); // any rows: starting points only
    }
    PreparedCodebook[] pcs0 = prepared(cent0);
    PruneBounds state = new PruneBounds(ROWS * M);
    LloydStats totals0 = new LloydStats(M, K, DSUB);
    step(kernel, pcs0, data, state, null, 0, null, totals0, valueFp, objectiveFp);
    float[][] cent1 = CentroidUpdate.apply(cent0, totals0, valueFp, 3, 0).centroids();
    PreparedCodebook[] pcs1 = prepared(cent1);
    CentroidDrift drift = CentroidDrift.between(cent0, cent1, K, DSUB, 0);

    LloydStats first = new LloydStats(M, K, DSUB);
    PrunedAssigner.Outcome o1 = step(kernel, pcs1, data, state, drift, 1, pcs0, first, valueFp, objectiveFp);
    assertTrue(o1.carried(), "the first run carries the state of iteration 0");
    LloydStats again = new LloydStats(M, K, DSUB);
    PrunedAssigner.Outcome o2 = step(kernel, pcs1, data, state, drift, 1, pcs0, again, valueFp, objectiveFp);
    assertFalse(o2.carried(), "the rerun finds its state already tagged iteration 1");

    LloydStats brute = new LloydStats(M, K, DSUB);
    BlockAssigner b = new BlockAssigner(kernel, pcs1, mode, M);
    int[] idx = new int[ROWS * M];
    float[] score = new float[ROWS * M];
    b.assign(data, ROWS, idx, score);
    b.accumulate(data, ROWS, idx, score, null, brute, valueFp, objectiveFp);
    assertTrue(first.changed() > 0, "the test needs points that move");
    for (LloydStats delta : new LloydStats[] {first, again}) {
      LloydStats sum = new LloydStats(M, K, DSUB).addSumsOf(totals0).addSumsOf(delta);
      assertEquals(first.changed(), delta.changed());
      PrunedAssignerTest.assertStatsEqual(brute, sum, delta.objective(), 1);
    }
  }

  private static PrunedAssigner.Outcome step(AssignKernel kernel, PreparedCodebook[] pcs, float[] data,
      PruneBounds state, CentroidDrift drift, int it, PreparedCodebook[] previous, LloydStats stats,
      FixedPoint valueFp, FixedPoint objectiveFp) {
    return LloydDelta.blockStep(new PrunedAssigner(kernel, pcs, CodebookMode.SEPARATE, M), kernel, data, ROWS, M,
        CodebookMode.SEPARATE, new int[ROWS * M], new float[ROWS * M], state, drift, it,
        previous == null ? null : () -> previous, new Moves(), stats, valueFp, objectiveFp);
  }

  private static PreparedCodebook[] prepared(float[][] cent) {
    PreparedCodebook[] out = new PreparedCodebook[cent.length];
    for (int c = 0; c < cent.length; c++) {
      out[c] = PreparedCodebook.of(cent[c], K, DSUB);
    }
    return out;
  }
}
