package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The vector kernels against the scalar twin, bit for bit, at the edges of their blocking: k below one vector, not
 * a multiple of the lane count or of the 64-centroid block, an odd number of 32-centroid panels; dsub 1, 2, 3 and
 * odd; row counts around the 4-row block; ties, zero chains of both signs and NaN chains of both signs. Both
 * entries: {@link AssignKernel#assign} and {@link AssignKernel#assignRows} (with the runner-up).
 */
class KernelLimitsTest {

  static Stream<AssignKernel> vectorKernels() {
    return Stream.of(VectorAssignKernel.INSTANCE, Vector512AssignKernel.INSTANCE);
  }

  @ParameterizedTest
  @MethodSource("vectorKernels")
  void bothEntries_shapesAtTheBlockLimits_sameBitsAsScalar(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(31);
    for (int dsub : new int[] {1, 2, 3, 7, 16}) {
      for (int k : new int[] {1, 2, 15, 16, 17, 31, 33, 63, 64, 65, 96, 97, 130}) {
        float[] c = AssignKernelTest.gaussian(rnd, k * dsub);
        PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
        int n = 1 + rnd.nextInt(70);
        float[] x = AssignKernelTest.gaussian(rnd, n * dsub);
        compare(kernel, x, n, cb, "dsub=" + dsub + " k=" + k + " n=" + n);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("vectorKernels")
  void bothEntries_tiesAcrossLanesAndBlocks_lowestIndexAsScalar(AssignKernel kernel) {
    int dsub = 3;
    int k = 200;
    SplittableRandom rnd = new SplittableRandom(32);
    float[] c = AssignKernelTest.gaussian(rnd, k * dsub);
    // Copies of centroid 5 in the same lane one vector on (21), in the next 64-centroid block (69, 133) and in the
    // odd last panel (197); copies of 40 in neighbouring lanes (41, 42).
    for (int j : new int[] {21, 69, 133, 197}) {
      System.arraycopy(c, 5 * dsub, c, j * dsub, dsub);
    }
    for (int j : new int[] {41, 42}) {
      System.arraycopy(c, 40 * dsub, c, j * dsub, dsub);
    }
    PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
    int n = 9;
    float[] x = new float[n * dsub];
    for (int r = 0; r < n; r++) {
      System.arraycopy(c, (r % 2 == 0 ? 5 : 40) * dsub, x, r * dsub, dsub);
    }
    int[] idx = compare(kernel, x, n, cb, "ties");
    for (int r = 0; r < n; r++) {
      assertEquals(r % 2 == 0 ? 5 : 40, idx[r], "row " + r);
    }
  }

  @ParameterizedTest
  @MethodSource("vectorKernels")
  void bothEntries_zeroChainsOfBothSigns_sameBitsAsScalar(AssignKernel kernel) {
    // Row -0: a centroid of +0s gives the chain fma(-0, +0, -0) = -0, one of -0s gives +0. Both tie at the
    // maximum (every other centroid's chain is -||c||^2 / 2 < 0), so the winner's and the runner-up's sign
    // depends on which comes first.
    int dsub = 2;
    int k = 70;
    SplittableRandom rnd = new SplittableRandom(33);
    for (int[] zeros : new int[][] {{3, 19}, {19, 3}, {0, 64}, {66, 2}, {17, 18}}) {
      float[] c = AssignKernelTest.gaussian(rnd, k * dsub);
      for (int d = 0; d < dsub; d++) {
        c[zeros[0] * dsub + d] = 0f;
        c[zeros[1] * dsub + d] = -0f;
      }
      float[] x = new float[5 * dsub];
      java.util.Arrays.fill(x, -0f);
      compare(kernel, x, 5, PreparedCodebook.of(c, k, dsub), "zeros at " + zeros[0] + ", " + zeros[1]);
    }
  }

  @ParameterizedTest
  @MethodSource("vectorKernels")
  void bothEntries_nanChainsOfBothSigns_sameBitsAsScalar(AssignKernel kernel) {
    int dsub = 4;
    int k = 90;
    SplittableRandom rnd = new SplittableRandom(34);
    float negativeNan = Float.intBitsToFloat(0xffc00000);
    for (float nan : new float[] {Float.NaN, negativeNan}) {
      for (int at : new int[] {0, 1, 16, 40, 89}) {
        float[] c = AssignKernelTest.gaussian(rnd, k * dsub);
        c[at * dsub + 1] = nan;
        int n = 6;
        float[] x = AssignKernelTest.gaussian(rnd, n * dsub);
        x[5 * dsub] = nan; // one row NaN: every chain NaN
        compare(kernel, x, n, PreparedCodebook.of(c, k, dsub), "NaN " + Integer.toHexString(
            Float.floatToRawIntBits(nan)) + " at " + at);
      }
    }
  }

  /** Runs both entries of both kernels; asserts equal indices and bit-equal scores and runner-ups. */
  private static int[] compare(AssignKernel kernel, float[] x, int n, PreparedCodebook cb, String where) {
    AssignKernel scalar = AssignKernels.scalar();
    int dsub = cb.dsub();
    int[] si = new int[n];
    float[] ss = new float[n];
    int[] vi = new int[n];
    float[] vs = new float[n];
    scalar.assign(x, 0, dsub, n, cb, si, 0, 1, ss, 0, 1);
    kernel.assign(x, 0, dsub, n, cb, vi, 0, 1, vs, 0, 1);
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = n - 1 - i; // listed in reverse: positions in the call differ from the rows'
    }
    int[] si2 = new int[n];
    float[] ss2 = new float[n];
    float[] sec = new float[n];
    int[] vi2 = new int[n];
    float[] vs2 = new float[n];
    float[] vsec = new float[n];
    scalar.assignRows(x, 0, dsub, rows, n, cb, si2, ss2, sec, 0, 1);
    kernel.assignRows(x, 0, dsub, rows, n, cb, vi2, vs2, vsec, 0, 1);
    for (int r = 0; r < n; r++) {
      String at = kernel.name() + " " + where + " row " + r;
      assertEquals(si[r], vi[r], at + ": assign index");
      assertEquals(Float.floatToRawIntBits(ss[r]), Float.floatToRawIntBits(vs[r]), at + ": assign score bits");
      assertEquals(si[r], si2[r], at + ": scalar assignRows index");
      assertEquals(si2[r], vi2[r], at + ": assignRows index");
      assertEquals(Float.floatToRawIntBits(ss2[r]), Float.floatToRawIntBits(vs2[r]), at + ": assignRows score bits");
      assertEquals(Float.floatToRawIntBits(sec[r]), Float.floatToRawIntBits(vsec[r]), at + ": runner-up bits");
    }
    return vi;
  }
}
