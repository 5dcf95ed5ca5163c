package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BlockAssignerTest {
  private static final int M = 3;
  private static final int DSUB = 4;
  private static final int K = 5;

  private static float[] gaussian(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  /** Nearest centroid by exact double distance (data chosen so there are no near-ties). */
  private static int nearest(float[] x, int off, float[] c) {
    int best = -1;
    double bd = Double.MAX_VALUE;
    for (int j = 0; j < K; j++) {
      double s = 0;
      for (int d = 0; d < DSUB; d++) {
        double e = x[off + d] - c[j * DSUB + d];
        s += e * e;
      }
      if (s < bd) {
        bd = s;
        best = j;
      }
    }
    return best;
  }

  @Test
  void assignAndAccumulate_separate_eachSegmentUsesItsCodebook() {
    Random r = new Random(1);
    float[][] cents = {gaussian(r, K * DSUB), gaussian(r, K * DSUB), gaussian(r, K * DSUB)};
    PreparedCodebook[] cbs = new PreparedCodebook[M];
    for (int i = 0; i < M; i++) {
      cbs[i] = PreparedCodebook.of(cents[i], K, DSUB);
    }
    int n = 50;
    float[] rows = gaussian(r, n * M * DSUB);
    BlockAssigner a = new BlockAssigner(AssignKernels.best(), cbs, CodebookMode.SEPARATE, M);
    int[] idx = new int[n * M];
    float[] score = new float[n * M];
    a.assign(rows, n, idx, score);
    FixedPoint fp = FixedPoint.forSum(10, 1000);
    LloydStats stats = new LloydStats(M, K, DSUB);
    int[] prev = new int[n * M];
    Arrays.fill(prev, -1);
    a.accumulate(rows, n, idx, score, prev, stats, fp, FixedPoint.forSum(1000, 1000));
    double[][] sums = new double[M * K][DSUB];
    long[] counts = new long[M * K];
    for (int t = 0; t < n; t++) {
      for (int i = 0; i < M; i++) {
        int off = t * M * DSUB + i * DSUB;
        int j = nearest(rows, off, cents[i]);
        assertEquals(j, idx[t * M + i], "row " + t + " segment " + i);
        counts[i * K + j]++;
        for (int d = 0; d < DSUB; d++) {
          sums[i * K + j][d] += rows[off + d];
        }
      }
    }
    for (int i = 0; i < M; i++) {
      for (int j = 0; j < K; j++) {
        assertEquals(counts[i * K + j], stats.count(i, j));
        for (int d = 0; d < DSUB; d++) {
          assertEquals(sums[i * K + j][d], fp.toDouble(stats.sum(i, j, d)), 1e-9);
        }
      }
    }
    assertEquals(n * M, stats.points());
    assertEquals(n * M, stats.changed(), "first iteration: every assignment is new");
    assertEquals(Arrays.toString(idx), Arrays.toString(prev), "previous assignments updated");
    // A second pass with the same codebooks changes nothing.
    LloydStats again = new LloydStats(M, K, DSUB);
    a.accumulate(rows, n, idx, score, prev, again, fp, FixedPoint.forSum(1000, 1000));
    assertEquals(0, again.changed());
  }

  @Test
  void assign_shared_allSegmentsAgainstOneCodebook() {
    Random r = new Random(2);
    float[] c = gaussian(r, K * DSUB);
    int n = 20;
    float[] rows = gaussian(r, n * M * DSUB);
    BlockAssigner a = new BlockAssigner(AssignKernels.best(), new PreparedCodebook[] {PreparedCodebook.of(c, K,
        DSUB)}, CodebookMode.SHARED, M);
    int[] idx = new int[n * M];
    a.assign(rows, n, idx, new float[n * M]);
    for (int p = 0; p < n * M; p++) {
      assertEquals(nearest(rows, p * DSUB, c), idx[p], "sub-vector " + p);
    }
  }

  @Test
  void merge_partialsInAnyGrouping_equalWhole() {
    Random r = new Random(4);
    float[][] cents = {gaussian(r, K * DSUB), gaussian(r, K * DSUB), gaussian(r, K * DSUB)};
    PreparedCodebook[] cbs = new PreparedCodebook[M];
    for (int i = 0; i < M; i++) {
      cbs[i] = PreparedCodebook.of(cents[i], K, DSUB);
    }
    BlockAssigner a = new BlockAssigner(AssignKernels.best(), cbs, CodebookMode.SEPARATE, M);
    FixedPoint fp = FixedPoint.forSum(10, 1000);
    FixedPoint ofp = FixedPoint.forSum(1000, 1000);
    int n = 40;
    float[] rows = gaussian(r, n * M * DSUB);
    LloydStats whole = run(a, rows, 0, n, fp, ofp);
    LloydStats parts = run(a, rows, 0, 13, fp, ofp).merge(run(a, rows, 13, 40, fp, ofp));
    LloydStats reversed = run(a, rows, 13, 40, fp, ofp).merge(run(a, rows, 0, 13, fp, ofp));
    for (LloydStats s : new LloydStats[] {parts, reversed}) {
      assertEquals(whole.objective(), s.objective());
      for (int i = 0; i < M; i++) {
        for (int j = 0; j < K; j++) {
          assertEquals(whole.count(i, j), s.count(i, j));
          for (int d = 0; d < DSUB; d++) {
            assertEquals(whole.sum(i, j, d), s.sum(i, j, d));
          }
        }
      }
    }
  }

  private static LloydStats run(BlockAssigner a, float[] rows, int from, int to, FixedPoint fp, FixedPoint ofp) {
    int n = to - from;
    float[] part = Arrays.copyOfRange(rows, from * M * DSUB, to * M * DSUB);
    int[] idx = new int[n * M];
    float[] score = new float[n * M];
    a.assign(part, n, idx, score);
    LloydStats s = new LloydStats(M, K, DSUB);
    a.accumulate(part, n, idx, score, null, s, fp, ofp);
    return s;
  }
}
