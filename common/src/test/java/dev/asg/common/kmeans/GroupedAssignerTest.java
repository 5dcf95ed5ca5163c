package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exactness of {@link GroupedAssigner} against the brute-force kernel on the whole codebook: the same centroid
 * indices and the same score bits, on data built to break the group bounds (duplicate points and centroids,
 * exact midpoints, clustered and far-apart centroids, non-finite and huge values), on every kernel and for group
 * counts from 1 to k.
 */
class GroupedAssignerTest {

  static Stream<AssignKernel> kernels() {
    return AssignKernelTest.kernels();
  }

  /** Asserts the grouped search gives the kernel's bits for every listed group count; returns the last count. */
  private static long assertExact(AssignKernel kernel, float[] x, int n, float[] cent, int k, int dsub,
      int... groupCounts) {
    PreparedCodebook cb = PreparedCodebook.of(cent, k, dsub);
    int[] wantIdx = new int[n];
    float[] wantScore = new float[n];
    kernel.assign(x, 0, dsub, n, cb, wantIdx, 0, 1, wantScore, 0, 1);
    long computed = 0;
    for (int groups : groupCounts) {
      CentroidGroups cg = CentroidGroups.of(cb, groups);
      int[] idx = new int[n];
      float[] score = new float[n];
      computed = new GroupedAssigner(kernel).assign(x, 0, dsub, n, cg, idx, 0, 1, score, 0, 1);
      assertArrayEquals(wantIdx, idx, "indices, groups=" + groups);
      assertArrayEquals(bits(wantScore), bits(score), "score bits, groups=" + groups);
    }
    return computed;
  }

  private static int[] bits(float[] a) {
    int[] b = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      b[i] = Float.floatToRawIntBits(a[i]);
    }
    return b;
  }

  private static float[] gaussian(SplittableRandom rnd, int count, double scale) {
    float[] a = new float[count];
    for (int i = 0; i < count; i++) {
      a[i] = (float) (scale * rnd.nextGaussian());
    }
    return a;
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_randomData_matchesBruteForceBits(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(13);
    for (int dsub : new int[] {1, 4, 16}) {
      for (int k : new int[] {1, 7, 64, 300}) {
        int n = 3000; // more than one chunk
        float[] cent = gaussian(rnd, k * dsub, 1.0);
        float[] x = gaussian(rnd, n * dsub, 1.2);
        assertExact(kernel, x, n, cent, k, dsub, 1, 3, CentroidGroups.defaultGroups(k), k);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_groupsThatDoNotPrune_fallBackToBruteForceAfterFirstChunk(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(77);
    int dsub = 16;
    int k = 256;
    int n = 3 * GroupedAssigner.CHUNK;
    // Isotropic noise in 16 dimensions: every group centre is about equally far, so little can be skipped.
    float[] x = gaussian(rnd, n * dsub, 1.0);
    float[] cent = gaussian(rnd, k * dsub, 1.0);
    long computed = assertExact(kernel, x, n, cent, k, dsub, 16);
    long firstChunk = assertExact(kernel, Arrays.copyOf(x, GroupedAssigner.CHUNK * dsub), GroupedAssigner.CHUNK,
        cent, k, dsub, 16);
    // The first chunk searches by groups; every later point costs exactly k distances, the brute-force kernel's.
    assertEquals(firstChunk + (long) (n - GroupedAssigner.CHUNK) * k, computed);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_duplicateCentroidsAndPoints_tiesGoToLowestIndex(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(5);
    int dsub = 8;
    int distinct = 20;
    int k = 120; // every centroid six times, copies spread over the index range and so over the groups
    float[] base = gaussian(rnd, distinct * dsub, 1.0);
    float[] cent = new float[k * dsub];
    for (int j = 0; j < k; j++) {
      System.arraycopy(base, (j % distinct) * dsub, cent, j * dsub, dsub);
    }
    int n = 900;
    float[] x = new float[n * dsub];
    for (int p = 0; p < n; p++) {
      if (p % 3 == 0) { // exactly on a centroid
        System.arraycopy(base, (p % distinct) * dsub, x, p * dsub, dsub);
      } else if (p % 3 == 1 && p > 0) { // a duplicate of the previous point
        System.arraycopy(x, (p - 1) * dsub, x, p * dsub, dsub);
      } else {
        float[] v = gaussian(rnd, dsub, 1.0);
        System.arraycopy(v, 0, x, p * dsub, dsub);
      }
    }
    assertExact(kernel, x, n, cent, k, dsub, 1, 4, 11, 30, k);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_exactMidpoints_equalScoresPickLowerIndex(AssignKernel kernel) {
    // Integer centroids on a grid; points at exact midpoints of neighbours and at centres of grid cells are
    // equidistant to 2, 4 or more centroids with exactly equal chains.
    int dsub = 4;
    int side = 6;
    int k = side * side;
    float[] cent = new float[k * dsub];
    for (int j = 0; j < k; j++) {
      cent[j * dsub] = 2 * (j % side);
      cent[j * dsub + 1] = 2 * (j / side);
    }
    int n = (2 * side) * (2 * side);
    float[] x = new float[n * dsub];
    for (int p = 0; p < n; p++) {
      x[p * dsub] = p % (2 * side);
      x[p * dsub + 1] = p / (2 * side);
    }
    long computed = assertExact(kernel, x, n, cent, k, dsub, 1, 2, 6, 9, k);
    assertTrue(computed > 0);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_clusteredFarApartCentroids_skipsMostDistancesExactly(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(21);
    int dsub = 16;
    int clusters = 16;
    int perCluster = 64;
    int k = clusters * perCluster;
    float[] cent = new float[k * dsub];
    float[] centres = gaussian(rnd, clusters * dsub, 100.0);
    for (int j = 0; j < k; j++) { // tight clusters far apart, members interleaved over the index range
      for (int d = 0; d < dsub; d++) {
        cent[j * dsub + d] = centres[(j % clusters) * dsub + d] + (float) (0.01 * rnd.nextGaussian());
      }
    }
    int n = 4096;
    float[] x = new float[n * dsub];
    for (int p = 0; p < n; p++) {
      int c = rnd.nextInt(clusters);
      for (int d = 0; d < dsub; d++) {
        x[p * dsub + d] = centres[c * dsub + d] + (float) (0.02 * rnd.nextGaussian());
      }
    }
    long computed = assertExact(kernel, x, n, cent, k, dsub, 1, 16, 32);
    // Not vacuous: with 32 groups most of the 16 far clusters are ruled out for every point.
    assertTrue(computed < (long) n * k / 4, "computed " + computed + " of " + (long) n * k);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_nonFiniteAndHugeValues_fallBackToBruteForceBits(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(8);
    int dsub = 4;
    int k = 40;
    float[] cent = gaussian(rnd, k * dsub, 1.0);
    int n = 50;
    float[] x = gaussian(rnd, n * dsub, 1.0);
    x[0] = Float.NaN;
    x[5] = Float.POSITIVE_INFINITY;
    x[9] = Float.NEGATIVE_INFINITY;
    x[13] = 3e38f;
    x[17] = 1e20f;
    x[21] = 1e-40f; // subnormal
    assertExact(kernel, x, n, cent, k, dsub, 1, 5, k);
  }

  @Test
  void of_nonFiniteCentroid_returnsNull() {
    float[] cent = {0f, 1f, Float.NaN, 2f};
    assertNull(CentroidGroups.of(PreparedCodebook.of(cent, 2, 2), 2));
  }

  @Test
  void of_anyGroupCount_partitionsEveryCentroidOnceInIncreasingOrder() {
    SplittableRandom rnd = new SplittableRandom(3);
    int k = 257;
    CentroidGroups cg = CentroidGroups.of(PreparedCodebook.of(gaussian(rnd, k * 3, 1.0), k, 3), 20);
    int[] seen = new int[k];
    for (int[] mem : cg.members) {
      assertTrue(mem.length > 0);
      for (int i = 0; i < mem.length; i++) {
        seen[mem[i]]++;
        assertTrue(i == 0 || mem[i] > mem[i - 1]);
      }
    }
    for (int s : seen) {
      assertEquals(1, s);
    }
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assignBlock_separateAndShared_matchesBlockAssigner(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(34);
    int m = 3;
    int dsub = 4;
    int k = 50;
    int rows = 700;
    float[] data = gaussian(rnd, rows * m * dsub, 1.0);
    for (CodebookMode mode : CodebookMode.values()) {
      int nCb = mode.codebooks(m);
      PreparedCodebook[] cbs = new PreparedCodebook[nCb];
      CentroidGroups[] groups = new CentroidGroups[nCb];
      for (int c = 0; c < nCb; c++) {
        cbs[c] = PreparedCodebook.of(gaussian(rnd, k * dsub, 1.0), k, dsub);
        groups[c] = CentroidGroups.of(cbs[c], 7);
      }
      int[] wantIdx = new int[rows * m];
      float[] wantScore = new float[rows * m];
      new BlockAssigner(kernel, cbs, mode, m).assign(data, rows, wantIdx, wantScore);
      int[] idx = new int[rows * m];
      float[] score = new float[rows * m];
      long computed = new GroupedAssigner(kernel).assign(data, rows, m, mode, groups, idx, score);
      assertArrayEquals(wantIdx, idx, mode.toString());
      assertArrayEquals(bits(wantScore), bits(score), mode.toString());
      assertTrue(computed > 0);
    }
  }
}
