package dev.asg.common.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CosineScanTest {
  private static float[] random(int n, int dim, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] out = new float[n * dim];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) r.nextGaussian();
    }
    return out;
  }

  @Test
  void normalize_unitLength_zeroRowStaysZero() {
    float[] x = {3, 4, 0, 0};
    CosineScan.normalize(x, 2, 2);
    assertArrayEquals(new float[] {0.6f, 0.8f, 0, 0}, x, 1e-7f);
  }

  /** A kNN kernel under test. */
  interface Kernel {
    void scan(float[] q, int[] ids, int nq, float[] x, int first, int n, int dim, TopNeighbours top);
  }

  @Test
  void scanScalar_oddSizes_matchesBruteForceAndSplitBlocks() {
    check(CosineScan::scanScalar, 13);
    check(CosineScan::scanScalar, 40);
  }

  @Test
  void scanVector_oddSizes_matchesBruteForceAndSplitBlocks() {
    assumeTrue(CosineScan.vectorAvailable(), "JVM without jdk.incubator.vector");
    // 13 < one vector of lanes on most CPUs (all tail), 40 = whole vectors plus a tail on AVX2 (8 lanes).
    check(VectorCosineScan::scan, 13);
    check(VectorCosineScan::scan, 40);
    check(CosineScan::scan, 40);
  }

  /** Odd query and row counts exercise the remainder paths; compared with a plain double-precision search. */
  private static void check(Kernel kernel, int dim) {
    int rows = 103;
    int nq = 7;
    float[] x = random(rows, dim, 1);
    CosineScan.normalize(x, rows, dim);
    int[] qIds = {0, 5, 17, 50, 51, 99, 102};
    float[] q = new float[nq * dim];
    for (int j = 0; j < nq; j++) {
      System.arraycopy(x, qIds[j] * dim, q, j * dim, dim);
    }
    TopNeighbours whole = new TopNeighbours(nq, 5);
    kernel.scan(q, qIds, nq, x, 0, rows, dim, whole);
    // The same table as two blocks of 41 and 62 rows, merged.
    TopNeighbours a = new TopNeighbours(nq, 5);
    TopNeighbours b = new TopNeighbours(nq, 5);
    kernel.scan(q, qIds, nq, java.util.Arrays.copyOfRange(x, 0, 41 * dim), 0, 41, dim, a);
    kernel.scan(q, qIds, nq, java.util.Arrays.copyOfRange(x, 41 * dim, rows * dim), 41, 62, dim, b);
    a.merge(b);
    for (int j = 0; j < nq; j++) {
      assertArrayEquals(whole.ids(j), a.ids(j), "query " + j);
      assertArrayEquals(bruteForce(x, rows, dim, qIds[j], 5), whole.ids(j), "query " + j);
    }
  }

  private static int[] bruteForce(float[] x, int rows, int dim, int self, int k) {
    double[] s = new double[rows];
    for (int r = 0; r < rows; r++) {
      double d = 0;
      for (int c = 0; c < dim; c++) {
        d += (double) x[self * dim + c] * x[r * dim + c];
      }
      s[r] = r == self ? Double.NEGATIVE_INFINITY : d;
    }
    int[] out = new int[k];
    boolean[] used = new boolean[rows];
    for (int i = 0; i < k; i++) {
      int best = -1;
      for (int r = 0; r < rows; r++) {
        if (!used[r] && r != self && (best < 0 || s[r] > s[best])) {
          best = r;
        }
      }
      used[best] = true;
      out[i] = best;
    }
    return out;
  }

  @Test
  void scan_excludesTheQueryItself() {
    float[] x = {1, 0, 1, 0, 0, 1};
    TopNeighbours t = new TopNeighbours(1, 1);
    CosineScan.scan(new float[] {1, 0}, new int[] {0}, 1, x, 0, 3, 2, t);
    assertEquals(1, t.ids(0)[0]);
    TopNeighbours s = new TopNeighbours(1, 1);
    CosineScan.scanScalar(new float[] {1, 0}, new int[] {0}, 1, x, 0, 3, 2, s);
    assertEquals(1, s.ids(0)[0]);
  }
}
