package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pruned assigner keeps each point's score and reuses it while the point's centroid does not move: a centroid
 * that moves by as little as one ulp must get its score recomputed, one that does not must give the kept score,
 * both bit-identical to brute force.
 */
class PrunedAssignerKeptScoreTest {
  static Stream<AssignKernel> kernels() {
    return AssignKernelTest.kernels();
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_oneUlpMoveAndStillCentroid_scoresMatchBruteForce(AssignKernel kernel) {
    // Shared codebook of 3 centroids (dsub 4): point 0 nearest centroid 0, point 1 nearest centroid 1.
    float[] x = {50f, 0f, 0f, 0f, -60f, 0f, 0f, 0f};
    float[] before = {100.5f, 0f, 0f, 0f, -100f, 0f, 0f, 0f, 0f, 500f, 0f, 0f};
    float[] after = before.clone();
    after[0] = Math.nextUp(after[0]); // centroid 0 moves by one ulp
    after[9] = 500.01f; // centroid 2 moves a little; centroid 1 stays
    PreparedCodebook cb0 = PreparedCodebook.of(before, 3, 4);
    PreparedCodebook cb1 = PreparedCodebook.of(after, 3, 4);
    PruneBounds bounds = new PruneBounds(2);
    int[] idx = new int[2];
    float[] score = new float[2];
    new PrunedAssigner(kernel, new PreparedCodebook[] {cb0}, CodebookMode.SHARED, 2)
        .assign(x, 1, idx, score, bounds, null, 0);
    float[] scoreBefore = score.clone();

    CentroidDrift drift = CentroidDrift.between(new float[][] {before}, new float[][] {after}, 3, 4, 0);
    PrunedAssigner.Outcome o = new PrunedAssigner(kernel, new PreparedCodebook[] {cb1}, CodebookMode.SHARED, 2)
        .assign(x, 1, idx, score, bounds, drift, 1);
    int[] want = new int[2];
    float[] wantScore = new float[2];
    kernel.assign(x, 0, 4, 2, cb1, want, 0, 1, wantScore, 0, 1);

    assertEquals(2, o.skipped(), "both settled by their bounds");
    assertArrayEquals(new int[] {0, 1}, idx);
    assertArrayEquals(want, idx);
    assertArrayEquals(wantScore, score);
    // The one-ulp move changes point 0's score: reusing the kept one there would fail the check above.
    assertNotEquals(scoreBefore[0], wantScore[0]);
    assertEquals(scoreBefore[1], wantScore[1]);
  }
}
