package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Behaviour of every {@link AssignKernel}: nearest centroid against a double-precision brute force, tie-breaking,
 * position independence, and the non-finite corner cases. Each test runs on the scalar kernel and, when the
 * Vector API module is present (surefire adds it), on the vector kernel.
 */
class AssignKernelTest {

  /**
   * The scalar kernel and both vector widths, whether or not this CPU runs them natively: an emulated 512-bit
   * species computes the same bits, only slower, so a machine without AVX-512 still checks that kernel.
   */
  static Stream<AssignKernel> kernels() {
    return Stream.of(AssignKernels.scalar(), VectorAssignKernel.INSTANCE, Vector512AssignKernel.INSTANCE);
  }

  static float[] gaussian(SplittableRandom rnd, int count) {
    float[] a = new float[count];
    for (int i = 0; i < count; i++) {
      a[i] = (float) rnd.nextGaussian();
    }
    return a;
  }

  static double exactDist2(float[] x, int xBase, float[] c, int cBase, int dsub) {
    double s = 0;
    for (int d = 0; d < dsub; d++) {
      double diff = (double) x[xBase + d] - c[cBase + d];
      s += diff * diff;
    }
    return s;
  }

  /**
   * Every kernel on one shared grid, so the double-precision brute force runs once per case. Covers k below, at
   * and just above a multiple of the 32-centroid panel, dsub odd and even, and n with and without a row-block
   * tail. The largest products (n = 1000 with k * dsub above 5000) and n = 1000 on the second seed are skipped to
   * keep the test within a few seconds while the vector kernel still runs unoptimized (before C2 compiles it,
   * each vector operation is a Java call); the other cases already cover every code path.
   */
  @Test
  void assign_randomData_choosesTrueNearestWithinFloatError() {
    List<AssignKernel> all = kernels().collect(Collectors.toList());
    int[] dsubs = {4, 8, 16, 17, 64};
    int[] ks = {1, 7, 31, 33, 256, 513};
    int[] ns = {1, 2, 3, 5, 63, 1000};
    for (long seed = 1; seed <= 2; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      for (int dsub : dsubs) {
        for (int k : ks) {
          float[] c = gaussian(rnd, k * dsub);
          PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
          for (int n : ns) {
            if ((long) n * k * dsub > 5_000_000 || (seed > 1 && n > 100)) {
              continue;
            }
            float[] x = gaussian(rnd, n * dsub);
            double[] best = new double[n];
            double[] xNorm = new double[n];
            for (int r = 0; r < n; r++) {
              best[r] = Double.MAX_VALUE;
              for (int j = 0; j < k; j++) {
                best[r] = Math.min(best[r], exactDist2(x, r * dsub, c, j * dsub, dsub));
              }
              xNorm[r] = exactDist2(x, r * dsub, new float[dsub], 0, dsub);
            }
            for (AssignKernel kernel : all) {
              int[] idx = new int[n];
              float[] score = new float[n];
              kernel.assign(x, 0, dsub, n, cb, idx, 0, 1, score, 0, 1);
              for (int r = 0; r < n; r++) {
                String where = kernel.name() + " seed=" + seed + " dsub=" + dsub + " k=" + k + " n=" + n + " r=" + r;
                int got = idx[r];
                assertTrue(got >= 0 && got < k, where + ": index out of range: " + got);
                double gotDist = exactDist2(x, r * dsub, c, got * dsub, dsub);
                assertTrue(gotDist <= best[r] * (1 + 1e-5) + 1e-6, where + ": chose " + gotDist + ", best " + best[r]);
                // The score is ||c||^2 - 2 x.c, i.e. the distance minus ||x||^2.
                assertEquals(gotDist - xNorm[r], score[r], 1e-5 * (gotDist + xNorm[r]) + 1e-6, where + ": score");
              }
            }
          }
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_duplicateCentroids_lowestIndexWins(AssignKernel kernel) {
    int dsub = 8;
    int k = 300;
    SplittableRandom rnd = new SplittableRandom(7);
    float[] base = gaussian(rnd, k * dsub);
    // Pairs (first, second) of equal centroids: same lane, neighbouring lanes, across a register block, across
    // panels, and the very first and last index.
    int[][] pairs = {{3, 11}, {4, 5}, {1, 40}, {0, 299}, {100, 37}, {33, 289}};
    for (int[] pair : pairs) {
      float[] c = base.clone();
      int lo = Math.min(pair[0], pair[1]);
      int hi = Math.max(pair[0], pair[1]);
      System.arraycopy(c, pair[0] * dsub, c, pair[1] * dsub, dsub);
      PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
      // The row is the duplicated centroid itself, so both copies are at distance 0 and every other is farther.
      float[] x = new float[dsub];
      System.arraycopy(c, lo * dsub, x, 0, dsub);
      int[] idx = new int[1];
      float[] score = new float[1];
      kernel.assign(x, 0, dsub, 1, cb, idx, 0, 1, score, 0, 1);
      assertEquals(lo, idx[0], kernel.name() + " duplicates " + lo + "/" + hi);
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_rowEquidistantFromTwoCentroids_lowestIndexWins(AssignKernel kernel) {
    // Exactly representable: c_a = (0,..,0) and c_b = (2,0,..,0) both score exactly 0 for x = (1,0,..,0)
    // (norm 0 - 2*0 and norm 4 - 2*2); every other centroid is far away.
    int dsub = 4;
    int k = 64;
    int[][] pairs = {{9, 2}, {2, 9}, {0, 63}, {40, 8}};
    for (int[] pair : pairs) {
      float[] c = new float[k * dsub];
      for (int j = 0; j < k; j++) {
        c[j * dsub + 1] = 100f + j;
      }
      c[pair[0] * dsub + 1] = 0f;
      c[pair[1] * dsub + 1] = 0f;
      c[pair[1] * dsub] = 2f;
      PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
      float[] x = {1f, 0f, 0f, 0f};
      int[] idx = new int[1];
      float[] score = new float[1];
      kernel.assign(x, 0, dsub, 1, cb, idx, 0, 1, score, 0, 1);
      assertEquals(Math.min(pair[0], pair[1]), idx[0], kernel.name() + " pair " + pair[0] + "/" + pair[1]);
      assertEquals(0f, score[0], 0f);
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_sameRowAtAnyPositionOrBatchSize_sameBits(AssignKernel kernel) {
    int dsub = 17;
    int k = 97;
    SplittableRandom rnd = new SplittableRandom(11);
    PreparedCodebook cb = PreparedCodebook.of(gaussian(rnd, k * dsub), k, dsub);
    // Several probes, so that the winners fall in different lanes and vectors of the register block: only the
    // winner's score is observable, so one probe would leave most of the block's lanes untested.
    int probes = 16;
    float[] probe = gaussian(rnd, probes * dsub);
    int[] alone = new int[probes];
    float[] aloneScore = new float[probes];
    for (int i = 0; i < probes; i++) {
      kernel.assign(probe, i * dsub, dsub, 1, cb, alone, i, 1, aloneScore, i, 1);
    }
    for (int i = 0; i < probes; i++) {
      for (int n = 1; n <= 7; n++) {
        for (int pos = 0; pos < n; pos++) {
          int stride = dsub + (pos % 2) * 3;
          int off = 5;
          float[] x = gaussian(rnd, off + n * stride);
          System.arraycopy(probe, i * dsub, x, off + pos * stride, dsub);
          int[] idx = new int[2 * n + 1];
          float[] score = new float[3 * n + 2];
          kernel.assign(x, off, stride, n, cb, idx, 1, 2, score, 2, 3);
          String where = kernel.name() + " probe=" + i + " n=" + n + " pos=" + pos + " stride=" + stride;
          assertEquals(alone[i], idx[1 + pos * 2], where);
          assertEquals(Float.floatToRawIntBits(aloneScore[i]), Float.floatToRawIntBits(score[2 + pos * 3]), where);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_specialRowsPastTheFirstTile_sameBitsAsAloneAndAsScalar(AssignKernel kernel) {
    // The vector kernel copies rows into a tile 32 at a time; special rows placed in the second and third tile,
    // at odd and even positions, must come out exactly as when assigned alone, and as the scalar reference says.
    int dsub = 4;
    int k = 40;
    int n = 70;
    SplittableRandom rnd = new SplittableRandom(21);
    float[] c = gaussian(rnd, k * dsub);
    System.arraycopy(c, 5 * dsub, c, 17 * dsub, dsub); // centroids 5 and 17 equal: a tie
    PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
    float[] x = gaussian(rnd, n * dsub);
    x[33 * dsub + 2] = Float.NaN; // every chain NaN: the degenerate rule
    System.arraycopy(c, 5 * dsub, x, 40 * dsub, dsub); // exactly on the tied pair: lowest index wins
    x[63 * dsub] = Float.POSITIVE_INFINITY; // chains +/-Infinity or NaN
    x[64 * dsub + 1] = 3e38f; // overflowing products
    int[] idx = new int[n];
    float[] score = new float[n];
    kernel.assign(x, 0, dsub, n, cb, idx, 0, 1, score, 0, 1);
    int[] alone = new int[1];
    float[] aloneScore = new float[1];
    int[] ref = new int[1];
    float[] refScore = new float[1];
    for (int r = 0; r < n; r++) {
      kernel.assign(x, r * dsub, dsub, 1, cb, alone, 0, 1, aloneScore, 0, 1);
      AssignKernels.scalar().assign(x, r * dsub, dsub, 1, cb, ref, 0, 1, refScore, 0, 1);
      String where = kernel.name() + " row " + r;
      assertEquals(alone[0], idx[r], where);
      assertEquals(Float.floatToRawIntBits(aloneScore[0]), Float.floatToRawIntBits(score[r]), where);
      assertEquals(ref[0], idx[r], where + " vs scalar");
      assertEquals(Float.floatToRawIntBits(refScore[0]), Float.floatToRawIntBits(score[r]), where + " vs scalar");
    }
    assertEquals(0, idx[33], "NaN row: index 0");
    assertTrue(Float.isNaN(score[33]), "NaN row: NaN score");
    assertEquals(5, idx[40], "tie between 5 and 17");
  }

  /** Every vector width against the scalar twin: a cluster may mix machines of different widths. */
  @ParameterizedTest
  @MethodSource("kernels")
  void assign_anyWidthVersusScalar_identicalBits(AssignKernel vector) {
    AssignKernel scalar = AssignKernels.scalar();
    SplittableRandom rnd = new SplittableRandom(5);
    int[][] shapes = {{4, 1, 256}, {8, 33, 100}, {16, 512, 77}, {17, 7, 64}, {64, 513, 31}, {3, 1000, 9}};
    for (int[] shape : shapes) {
      int dsub = shape[0];
      int k = shape[1];
      int n = shape[2];
      PreparedCodebook cb = PreparedCodebook.of(gaussian(rnd, k * dsub), k, dsub);
      // Rows are segments of wider rows, as in product quantization: segment i of a D = 3 * dsub wide table.
      int width = 3 * dsub;
      float[] table = gaussian(rnd, n * width);
      for (int seg = 0; seg < 3; seg++) {
        int[] vi = new int[n];
        int[] si = new int[n];
        float[] vs = new float[n];
        float[] ss = new float[n];
        vector.assign(table, seg * dsub, width, n, cb, vi, 0, 1, vs, 0, 1);
        scalar.assign(table, seg * dsub, width, n, cb, si, 0, 1, ss, 0, 1);
        for (int r = 0; r < n; r++) {
          String where = "dsub=" + dsub + " k=" + k + " seg=" + seg + " r=" + r;
          assertEquals(si[r], vi[r], where);
          assertEquals(Float.floatToRawIntBits(ss[r]), Float.floatToRawIntBits(vs[r]), where);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_nanCentroid_neverWins(AssignKernel kernel) {
    // dsub = 1, x = 1: centroid 0 is NaN (score NaN), centroid 1 = 5 scores 25 - 10 = 15, centroid 2 = 9 scores 63.
    PreparedCodebook cb = PreparedCodebook.of(new float[] {Float.NaN, 5f, 9f}, 3, 1);
    int[] idx = new int[1];
    float[] score = new float[1];
    kernel.assign(new float[] {1f}, 0, 1, 1, cb, idx, 0, 1, score, 0, 1);
    assertEquals(1, idx[0]);
    assertEquals(15f, score[0], 0f);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_noFiniteScore_firstNonNanIndex(AssignKernel kernel) {
    // x = 0: dots are 0 (NaN for the NaN centroid); 2e19^2 and 3e19^2 overflow float, so norms are +Infinity.
    // Scores: NaN, +Inf, +Inf. Nothing is below +Infinity, so the rule takes the first non-NaN score: index 1.
    PreparedCodebook cb = PreparedCodebook.of(new float[] {Float.NaN, 2e19f, 3e19f}, 3, 1);
    int[] idx = new int[1];
    float[] score = new float[1];
    kernel.assign(new float[] {0f}, 0, 1, 1, cb, idx, 0, 1, score, 0, 1);
    assertEquals(1, idx[0]);
    assertEquals(Float.POSITIVE_INFINITY, score[0]);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_nanRow_indexZeroWithNanScore(AssignKernel kernel) {
    int dsub = 4;
    int k = 40;
    PreparedCodebook cb = PreparedCodebook.of(gaussian(new SplittableRandom(3), k * dsub), k, dsub);
    float[] x = {0.5f, Float.NaN, 1f, 2f, /* second row is finite */ 0.1f, 0.2f, 0.3f, 0.4f};
    int[] idx = {-7, -7};
    float[] score = new float[2];
    kernel.assign(x, 0, dsub, 2, cb, idx, 0, 1, score, 0, 1);
    assertEquals(0, idx[0]);
    assertTrue(Float.isNaN(score[0]));
    assertTrue(idx[1] >= 0 && !Float.isNaN(score[1]), "a NaN row must not affect its neighbour");
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_zeroRows_writesNothing(AssignKernel kernel) {
    PreparedCodebook cb = PreparedCodebook.of(new float[] {1f, 2f}, 2, 1);
    int[] idx = {-1};
    float[] score = {-1f};
    kernel.assign(new float[0], 0, 1, 0, cb, idx, 0, 1, score, 0, 1);
    assertEquals(-1, idx[0]);
    assertEquals(-1f, score[0]);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_negativeRowCount_throws(AssignKernel kernel) {
    PreparedCodebook cb = PreparedCodebook.of(new float[] {1f, 2f}, 2, 1);
    assertThrows(IllegalArgumentException.class,
        () -> kernel.assign(new float[4], 0, 1, -1, cb, new int[4], 0, 1, new float[4], 0, 1));
  }
}
