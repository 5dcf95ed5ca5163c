package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link AssignKernel#assignRows}, the entry the exact pruning uses: on a scattered list of rows it must give the
 * bits of {@link AssignKernel#assign}, and a runner-up equal to the largest other chain computed one by one.
 */
class AssignRowsTest {

  static Stream<AssignKernel> kernels() {
    return AssignKernelTest.kernels();
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assignRows_scatteredRows_sameBitsAsAssignAndTrueRunnerUp(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(21);
    for (int dsub : new int[] {5, 16}) {
      for (int k : new int[] {1, 2, 7, 33, 100}) {
        float[] c = AssignKernelTest.gaussian(rnd, k * dsub);
        if (k > 2) {
          System.arraycopy(c, 0, c, 2 * dsub, dsub); // centroids 0 and 2 equal: exact ties for the runner-up
        }
        PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
        int n = 77;
        float[] x = AssignKernelTest.gaussian(rnd, n * dsub);
        System.arraycopy(c, 0, x, 3 * dsub, dsub); // a row sitting on the tied centroids
        int[] idx = new int[n];
        float[] score = new float[n];
        kernel.assign(x, 0, dsub, n, cb, idx, 0, 1, score, 0, 1);
        int[] rows = new int[n / 2 + 1];
        for (int i = 0; i < rows.length; i++) {
          rows[i] = (i * 37 + 3) % n; // distinct, scattered
        }
        int[] idx2 = new int[n];
        float[] score2 = new float[n];
        float[] second = new float[n];
        kernel.assignRows(x, 0, dsub, rows, rows.length, cb, idx2, score2, second, 0, 1);
        for (int r : rows) {
          assertEquals(idx[r], idx2[r], "k=" + k + " row " + r);
          assertEquals(Float.floatToRawIntBits(score[r]), Float.floatToRawIntBits(score2[r]));
          float runnerUp = Float.POSITIVE_INFINITY;
          for (int j = 0; j < k; j++) {
            if (j != idx[r]) {
              runnerUp = Math.min(runnerUp, PrunedAssigner.ownScore(x, r * dsub, cb, j));
            }
          }
          assertEquals(runnerUp, second[r], 0f, "runner-up, k=" + k + " row " + r);
        }
      }
    }
  }
}
