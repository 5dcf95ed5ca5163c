package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The kernel contract (see {@link AssignKernel}) for every implementation available in this JVM, checked against
 * a naive double-precision brute force.
 */
class AssignKernelContractTest {

  private static List<AssignKernel> kernels() {
    List<AssignKernel> out = new ArrayList<>();
    out.add(AssignKernels.scalar());
    if (AssignKernels.vectorAvailable()) {
      out.add(AssignKernels.byName("vector"));
    }
    return out;
  }

  private static float[] gaussian(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private static double exactDist(float[] x, int xOff, float[] c, int j, int dsub) {
    double s = 0;
    for (int d = 0; d < dsub; d++) {
      double e = (double) x[xOff + d] - c[j * dsub + d];
      s += e * e;
    }
    return s;
  }

  @Test
  void assign_randomData_chosenDistanceWithinToleranceOfTrueMinimum() {
    Random r = new Random(11);
    int[] dsubs = {4, 8, 16, 17, 64};
    int[] ks = {1, 7, 31, 33, 256, 513};
    int[] ns = {1, 2, 3, 5, 63, 300};
    for (AssignKernel kernel : kernels()) {
      for (int dsub : dsubs) {
        for (int k : ks) {
          float[] c = gaussian(r, k * dsub);
          PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
          for (int n : ns) {
            float[] x = gaussian(r, n * dsub);
            int[] idx = new int[n];
            float[] score = new float[n];
            kernel.assign(x, 0, dsub, n, cb, idx, 0, 1, score, 0, 1);
            for (int i = 0; i < n; i++) {
              double best = Double.MAX_VALUE;
              for (int j = 0; j < k; j++) {
                best = Math.min(best, exactDist(x, i * dsub, c, j, dsub));
              }
              double got = exactDist(x, i * dsub, c, idx[i], dsub);
              assertTrue(idx[i] >= 0 && idx[i] < k, "index in range");
              assertTrue(got <= best * (1 + 1e-5) + 1e-6, kernel.name() + " dsub=" + dsub + " k=" + k + " n=" + n
                  + " row " + i + ": chose distance " + got + ", true minimum " + best);
            }
          }
        }
      }
    }
  }

  @Test
  void assign_duplicateCentroids_tieGoesToLowestIndex() {
    int dsub = 8;
    int k = 40;
    Random r = new Random(3);
    float[] c = gaussian(r, k * dsub);
    // Centroids 5, 17 and 38 are identical: every row nearest to that point must get 5.
    System.arraycopy(c, 5 * dsub, c, 17 * dsub, dsub);
    System.arraycopy(c, 5 * dsub, c, 38 * dsub, dsub);
    PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
    int n = 37;
    float[] x = new float[n * dsub];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dsub; d++) {
        x[i * dsub + d] = c[5 * dsub + d] + (i % 3 == 0 ? 0f : 1e-3f * (float) r.nextGaussian());
      }
    }
    for (AssignKernel kernel : kernels()) {
      int[] idx = new int[n];
      kernel.assign(x, 0, dsub, n, cb, idx, 0, 1, new float[n], 0, 1);
      for (int i = 0; i < n; i++) {
        assertEquals(5, idx[i], kernel.name() + " row " + i);
      }
    }
  }

  @Test
  void assign_rowEquidistantFromTwoCentroids_lowestIndexWins() {
    // x = 0 between c_a = +e and c_b = -e, with exactly equal norms and dot products of equal magnitude... the
    // scores are norm - 2*dot = 1 - 0 = 1 for both, since x = 0.
    int dsub = 4;
    int k = 10;
    float[] c = new float[k * dsub];
    for (int j = 0; j < k; j++) {
      c[j * dsub] = 10 + j;
    }
    c[3 * dsub] = 1f;
    c[7 * dsub] = -1f;
    PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
    for (AssignKernel kernel : kernels()) {
      int[] idx = new int[3];
      kernel.assign(new float[3 * dsub], 0, dsub, 3, cb, idx, 0, 1, new float[3], 0, 1);
      assertEquals(3, idx[0], kernel.name());
      assertEquals(3, idx[2], kernel.name());
    }
  }

  @Test
  void assign_sameRowAnyPositionOrStride_identicalIndexAndScoreBits() {
    Random r = new Random(5);
    int dsub = 16;
    int k = 100;
    PreparedCodebook cb = PreparedCodebook.of(gaussian(r, k * dsub), k, dsub);
    float[] row = gaussian(r, dsub);
    for (AssignKernel kernel : kernels()) {
      int[] refIdx = new int[1];
      float[] refScore = new float[1];
      kernel.assign(row, 0, dsub, 1, cb, refIdx, 0, 1, refScore, 0, 1);
      for (int n = 1; n <= 11; n++) {
        for (int pos = 0; pos < n; pos++) {
          // Rows of width 3*dsub; our sub-vector is the middle segment (offset dsub, stride 3*dsub).
          float[] block = gaussian(r, n * 3 * dsub);
          System.arraycopy(row, 0, block, pos * 3 * dsub + dsub, dsub);
          int[] idx = new int[n * 2];
          float[] score = new float[n * 2];
          kernel.assign(block, dsub, 3 * dsub, n, cb, idx, 1, 2, score, 1, 2);
          assertEquals(refIdx[0], idx[pos * 2 + 1], kernel.name() + " n=" + n + " pos=" + pos);
          assertEquals(Float.floatToRawIntBits(refScore[0]), Float.floatToRawIntBits(score[pos * 2 + 1]),
              kernel.name() + " n=" + n + " pos=" + pos);
        }
      }
    }
  }

  @Test
  void assign_vectorVsScalar_bitIdentical() {
    if (!AssignKernels.vectorAvailable()) {
      return; // nothing to compare in a JVM without jdk.incubator.vector
    }
    AssignKernel scalar = AssignKernels.scalar();
    AssignKernel vector = AssignKernels.byName("vector");
    Random r = new Random(8);
    for (int dsub : new int[] {4, 16, 24, 64}) {
      for (int k : new int[] {2, 32, 257, 1024}) {
        PreparedCodebook cb = PreparedCodebook.of(gaussian(r, k * dsub), k, dsub);
        int m = 3;
        int n = 129;
        float[] x = gaussian(r, n * m * dsub);
        for (int seg = 0; seg < m; seg++) {
          int[] a = new int[n * m];
          int[] b = new int[n * m];
          float[] sa = new float[n * m];
          float[] sb = new float[n * m];
          scalar.assign(x, seg * dsub, m * dsub, n, cb, a, seg, m, sa, seg, m);
          vector.assign(x, seg * dsub, m * dsub, n, cb, b, seg, m, sb, seg, m);
          for (int i = 0; i < n; i++) {
            int p = i * m + seg;
            assertEquals(a[p], b[p], "dsub=" + dsub + " k=" + k + " row " + i);
            assertEquals(Float.floatToRawIntBits(sa[p]), Float.floatToRawIntBits(sb[p]));
          }
        }
      }
    }
  }

  @Test
  void byName_unknown_throwsAndAutoPicksAvailable() {
    assertTrue(AssignKernels.byName("auto") != null);
    assertEquals(AssignKernels.scalar().name(), AssignKernels.byName("scalar").name());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> AssignKernels.byName("gpu"));
  }
}
