package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Exactness of {@link PrunedAssigner}: whole Lloyd runs, pruned and brute force in lockstep over several blocks,
 * on data built to break bounds (duplicates, exact midpoints, centroids that stop moving, empty clusters split
 * mid-run, separate and shared codebooks, a sampled training set). Every iteration the assignments, the score
 * bits, the merged statistics and the updated centroids must be identical. Runs on every kernel.
 */
class PrunedAssignerTest {

  static Stream<AssignKernel> kernels() {
    return AssignKernelTest.kernels();
  }

  /** Skipped share of the lockstep run, and the empty-cluster splits seen after the first iteration. */
  record Lockstep(double skippedShare, double lateSkippedShare, int lateSplits) {}

  /**
   * Runs {@code iterations} Lloyd iterations from random initial centroids, brute force and pruned side by side on
   * blocks of {@code blockRows} rows, asserting bit-identity at every step.
   */
  static Lockstep lockstep(AssignKernel kernel, float[] data, int rows, int m, int dsub, int k, CodebookMode mode,
      int iterations, int blockRows, long seed) {
    int dim = m * dsub;
    int nCb = mode.codebooks(m);
    long pointsPerCb = mode == CodebookMode.SEPARATE ? rows : (long) rows * m;
    float maxAbs = 0;
    for (float v : data) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
    }
    FixedPoint valueFp = FixedPoint.forSum(maxAbs, pointsPerCb);
    FixedPoint objectiveFp = FixedPoint.forSum(dsub * 4.0 * maxAbs * maxAbs, (long) rows * m);
    float[][] cent = new float[nCb][];
    for (int c = 0; c < nCb; c++) {
      float[] pts = segmentPoints(data, rows, m, dsub, mode, c);
      cent[c] = RandomInit.init(pts, pts.length / dsub, dsub, k, seed + c);
    }
    List<PruneBounds> bounds = new ArrayList<>();
    // A second state per block for the incremental statistics (LloydDelta), whose block 0 loses its state midway.
    List<PruneBounds> deltaBounds = new ArrayList<>();
    for (int r0 = 0; r0 < rows; r0 += blockRows) {
      bounds.add(new PruneBounds(Math.min(blockRows, rows - r0) * m));
      deltaBounds.add(new PruneBounds(Math.min(blockRows, rows - r0) * m));
    }
    LloydStats totals = null;
    PreparedCodebook[] previousPcs = null;
    CentroidDrift drift = null;
    long points = 0;
    long skipped = 0;
    long latePoints = 0;
    long lateSkipped = 0;
    int lateSplits = 0;
    for (int it = 0; it < iterations; it++) {
      PreparedCodebook[] pcs = new PreparedCodebook[nCb];
      for (int c = 0; c < nCb; c++) {
        pcs[c] = PreparedCodebook.of(cent[c], k, dsub);
      }
      BlockAssigner brute = new BlockAssigner(kernel, pcs, mode, m);
      PrunedAssigner pruned = new PrunedAssigner(kernel, pcs, mode, m);
      LloydStats sb = new LloydStats(nCb, k, dsub);
      LloydStats sp = new LloydStats(nCb, k, dsub);
      LloydStats sd = new LloydStats(nCb, k, dsub);
      if (it == iterations / 2) {
        deltaBounds.set(0, new PruneBounds(deltaBounds.get(0).points())); // as if Spark recomputed the block
      }
      for (int b = 0; b < bounds.size(); b++) {
        int r0 = b * blockRows;
        int n = Math.min(blockRows, rows - r0);
        float[] block = java.util.Arrays.copyOfRange(data, r0 * dim, (r0 + n) * dim);
        int[] idxB = new int[n * m];
        float[] scoreB = new float[n * m];
        int[] idxP = new int[n * m];
        float[] scoreP = new float[n * m];
        brute.assign(block, n, idxB, scoreB);
        PrunedAssigner.Outcome o = pruned.assign(block, n, idxP, scoreP, bounds.get(b), drift, it);
        assertArrayEquals(idxB, idxP, "assignments, iteration " + it + " block " + b);
        for (int p = 0; p < n * m; p++) {
          assertEquals(Float.floatToRawIntBits(scoreB[p]), Float.floatToRawIntBits(scoreP[p]),
              "score bits, iteration " + it + " block " + b + " point " + p);
        }
        brute.accumulate(block, n, idxB, scoreB, null, sb, valueFp, objectiveFp);
        brute.accumulate(block, n, idxP, scoreP, null, sp, valueFp, objectiveFp);
        sp.addPruned(o);
        deltaStep(kernel, pcs, previousPcs, mode, m, block, n, deltaBounds.get(b), drift, it, totals == null, sd,
            valueFp, objectiveFp);
        points += o.points();
        skipped += o.skipped();
        if (it >= iterations / 2) {
          latePoints += o.points();
          lateSkipped += o.skipped();
        }
      }
      assertStatsEqual(sb, sp, it);
      totals = totals == null ? sd : totals.addSumsOf(sd);
      assertEquals(sb.objective(), sd.objective(), "delta objective, iteration " + it);
      assertStatsEqual(sb, totals, sd.objective(), it);
      previousPcs = pcs;
      CentroidUpdate.Result ub = CentroidUpdate.apply(cent, sb, valueFp, seed, it);
      CentroidUpdate.Result up = CentroidUpdate.apply(cent, sp, valueFp, seed, it);
      assertEquals(ub.splits(), up.splits());
      for (int c = 0; c < nCb; c++) {
        assertArrayEquals(ub.centroids()[c], up.centroids()[c], "centroids after iteration " + it);
      }
      if (it > 0) {
        lateSplits += ub.splits();
      }
      drift = CentroidDrift.between(cent, ub.centroids(), k, dsub, it);
      cent = ub.centroids();
    }
    return new Lockstep((double) skipped / points, (double) lateSkipped / Math.max(1, latePoints), lateSplits);
  }

  private static float[] segmentPoints(float[] data, int rows, int m, int dsub, CodebookMode mode, int c) {
    if (mode == CodebookMode.SHARED) {
      return data.clone();
    }
    float[] out = new float[rows * dsub];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(data, r * m * dsub + c * dsub, out, r * dsub, dsub);
    }
    return out;
  }

  /** One block's incremental statistics, exactly as the Spark task computes them ({@link LloydDelta#blockStep}). */
  private static void deltaStep(AssignKernel kernel, PreparedCodebook[] pcs, PreparedCodebook[] previousPcs,
      CodebookMode mode, int m, float[] block, int n, PruneBounds state, CentroidDrift drift, int it, boolean full,
      LloydStats sd, FixedPoint valueFp, FixedPoint objectiveFp) {
    LloydDelta.blockStep(new PrunedAssigner(kernel, pcs, mode, m), kernel, block, n, m, mode, new int[n * m],
        new float[n * m], state, drift, it, full ? null : () -> previousPcs, new Moves(), sd, valueFp, objectiveFp);
  }

  private static void assertStatsEqual(LloydStats a, LloydStats b, int it) {
    assertEquals(a.points(), b.points());
    assertStatsEqual(a, b, b.objective(), it);
  }

  static void assertStatsEqual(LloydStats a, LloydStats b, long objectiveB, int it) {
    assertEquals(a.objective(), objectiveB, "objective, iteration " + it);
    for (int c = 0; c < a.codebooks(); c++) {
      for (int j = 0; j < a.k(); j++) {
        assertEquals(a.count(c, j), b.count(c, j), "count, iteration " + it);
        for (int d = 0; d < a.dsub(); d++) {
          assertEquals(a.sum(c, j, d), b.sum(c, j, d), "sum, iteration " + it);
        }
      }
    }
  }

  /** Rows drawn around {@code clusters} random centers per segment (spread 0.3), values near unit scale. */
  static float[] clustered(SplittableRandom rnd, int rows, int dim, int clusters) {
    float[] centers = AssignKernelTest.gaussian(rnd, clusters * dim);
    float[] out = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      int cl = rnd.nextInt(clusters);
      for (int d = 0; d < dim; d++) {
        out[r * dim + d] = centers[cl * dim + d] + 0.3f * (float) rnd.nextGaussian();
      }
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_clusteredSeparate_bitIdenticalAndSkipsMost(AssignKernel kernel) {
    float[] data = clustered(new SplittableRandom(11), 600, 4 * 8, 24);
    Lockstep r = lockstep(kernel, data, 600, 4, 8, 16, CodebookMode.SEPARATE, 15, 128, 5);
    assertTrue(r.lateSkippedShare() > 0.5, "late iterations should skip most points, got " + r);
  }

  @ParameterizedTest
  @MethodSource("kernels")
  void assign_clusteredShared_bitIdenticalAndSkipsMost(AssignKernel kernel) {
    float[] data = clustered(new SplittableRandom(12), 400, 3 * 6, 20);
    Lockstep r = lockstep(kernel, data, 400, 3, 6, 40, CodebookMode.SHARED, 15, 97, 6);
    assertTrue(r.lateSkippedShare() > 0.5, "late iterations should skip most points, got " + r);
  }

  /**
   * Few distinct rows, each repeated many times, and k above the number of distinct points per segment: many
   * exact ties, empty clusters every iteration and splits moving centroids mid-run.
   */
  @ParameterizedTest
  @MethodSource("kernels")
  void assign_duplicateRowsWithEmptySplits_bitIdentical(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(13);
    int dim = 2 * 4;
    float[] distinct = AssignKernelTest.gaussian(rnd, 6 * dim);
    int rows = 300;
    float[] data = new float[rows * dim];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(distinct, rnd.nextInt(6) * dim, data, r * dim, dim);
    }
    for (CodebookMode mode : CodebookMode.values()) {
      int k = mode == CodebookMode.SEPARATE ? 8 : 16; // above the 6 (12 pooled) distinct sub-vectors
      Lockstep r = lockstep(kernel, data, rows, 2, 4, k, mode, 12, 64, 7);
      assertTrue(r.lateSplits() > 0, mode + ": the run should split empty clusters after iteration 1: " + r);
    }
  }

  /**
   * A grid of small integers with every midpoint between neighbours also present: with centroids started on grid
   * points, many points are exactly equidistant from two centroids (ties the kernel breaks to the lower index),
   * and the run converges, so late iterations see centroids that stop moving.
   */
  @ParameterizedTest
  @MethodSource("kernels")
  void assign_exactMidpointsAndConvergence_bitIdentical(AssignKernel kernel) {
    SplittableRandom rnd = new SplittableRandom(14);
    int m = 2;
    int dsub = 3;
    int rows = 500;
    float[] data = new float[rows * m * dsub];
    for (int i = 0; i < data.length; i++) {
      data[i] = rnd.nextInt(9) * 0.5f - 2f; // grid step 1, midpoints at .5
    }
    for (CodebookMode mode : CodebookMode.values()) {
      Lockstep r = lockstep(kernel, data, rows, m, dsub, 12, mode, 20, 100, 8);
      assertTrue(r.lateSkippedShare() > 0.3, mode + ": a converged run should skip, got " + r);
    }
  }

  /** Training on a token hash sample (the engine's sampled path) is no different for the bounds. */
  @ParameterizedTest
  @MethodSource("kernels")
  void assign_sampledTrainingRows_bitIdentical(AssignKernel kernel) {
    int dim = 4 * 4;
    float[] all = clustered(new SplittableRandom(15), 900, dim, 30);
    float[] kept = new float[all.length];
    int n = 0;
    for (int r = 0; r < 900; r++) {
      if (TokenSampler.selected(3, TokenSampler.SALT_TRAINING, r, 0.4)) {
        System.arraycopy(all, r * dim, kept, n++ * dim, dim);
      }
    }
    float[] sample = java.util.Arrays.copyOf(kept, n * dim);
    lockstep(kernel, sample, n, 4, 4, 16, CodebookMode.SEPARATE, 10, 50, 9);
  }

  /**
   * A centroid moves to exactly the same distance as the point's assigned one, with the lower index: brute force
   * then picks the mover, so the pruned assignment must not keep the old one. Also 1 ulp on either side.
   */
  @ParameterizedTest
  @MethodSource("kernels")
  void assign_centroidMovesOntoTie_takesLowerIndexLikeBruteForce(AssignKernel kernel) {
    float[] x = {1f, 0f, 0f, 0f};
    // Iteration 0: centroid 0 far away, centroid 1 at distance 1 from x: x is assigned to 1.
    float[] before = {5f, 0f, 0f, 0f, 2f, 0f, 0f, 0f};
    for (float c0 : new float[] {0f, Math.nextDown(0f), Math.nextUp(0f), -Float.MIN_VALUE, 1e-7f, -1e-7f}) {
      float[] after = {c0, 0f, 0f, 0f, 2f, 0f, 0f, 0f}; // centroid 0 now mirrors centroid 1 about x
      PreparedCodebook cb0 = PreparedCodebook.of(before, 2, 4);
      PreparedCodebook cb1 = PreparedCodebook.of(after, 2, 4);
      PruneBounds bounds = new PruneBounds(1);
      int[] idx = new int[1];
      float[] score = new float[1];
      new PrunedAssigner(kernel, new PreparedCodebook[] {cb0}, CodebookMode.SEPARATE, 1)
          .assign(x, 1, idx, score, bounds, null, 0);
      assertEquals(1, idx[0]);
      CentroidDrift drift = CentroidDrift.between(new float[][] {before}, new float[][] {after}, 2, 4, 0);
      PrunedAssigner.Outcome o = new PrunedAssigner(kernel, new PreparedCodebook[] {cb1}, CodebookMode.SEPARATE, 1)
          .assign(x, 1, idx, score, bounds, drift, 1);
      int[] want = new int[1];
      float[] wantScore = new float[1];
      kernel.assign(x, 0, 4, 1, cb1, want, 0, 1, wantScore, 0, 1);
      assertEquals(want[0], idx[0], "c0 = " + c0);
      assertEquals(Float.floatToRawIntBits(wantScore[0]), Float.floatToRawIntBits(score[0]));
      assertEquals(0, o.skipped(), "a near-tie must run the kernel, c0 = " + c0);
    }
  }

  /** A point whose centroids did not move and whose runner-up is far is skipped, with the kernel's own score. */
  @ParameterizedTest
  @MethodSource("kernels")
  void assign_stillCentroidsFarRunnerUp_skipsWithKernelScore(AssignKernel kernel) {
    float[] x = {0.3f, -0.7f, 0.1f, 0.25f, 9.1f, 8.8f, 9.3f, 9.0f};
    float[] cent = {0.2f, -0.5f, 0.0f, 0.3f, 9f, 9f, 9f, 9f, -9f, 9f, -9f, 9f};
    PreparedCodebook cb = PreparedCodebook.of(cent, 3, 4);
    PrunedAssigner a = new PrunedAssigner(kernel, new PreparedCodebook[] {cb}, CodebookMode.SHARED, 2);
    PruneBounds bounds = new PruneBounds(2);
    int[] idx = new int[2];
    float[] score = new float[2];
    assertEquals(0, a.assign(x, 1, idx, score, bounds, null, 0).skipped());
    CentroidDrift still = CentroidDrift.between(new float[][] {cent}, new float[][] {cent}, 3, 4, 0);
    int[] idx2 = new int[2];
    float[] score2 = new float[2];
    PrunedAssigner.Outcome o = a.assign(x, 1, idx2, score2, bounds, still, 1);
    assertEquals(2, o.skipped());
    assertEquals(0, o.changed());
    assertArrayEquals(idx, idx2);
    assertArrayEquals(score, score2);
    assertArrayEquals(new int[] {0, 1}, idx2);
  }

  /** State from another iteration (a recomputed or retried block) is never trusted: brute force, same answer. */
  @Test
  void assign_staleState_runsBruteForce() {
    float[] x = {0.3f, -0.7f, 0.1f, 0.25f};
    float[] cent = {0.2f, -0.5f, 0.0f, 0.3f, 9f, 9f, 9f, 9f};
    PreparedCodebook cb = PreparedCodebook.of(cent, 2, 4);
    PrunedAssigner a = new PrunedAssigner(AssignKernels.scalar(), new PreparedCodebook[] {cb},
        CodebookMode.SEPARATE, 1);
    PruneBounds bounds = new PruneBounds(1);
    int[] idx = new int[1];
    float[] score = new float[1];
    a.assign(x, 1, idx, score, bounds, null, 4);
    CentroidDrift fromThree = CentroidDrift.between(new float[][] {cent}, new float[][] {cent}, 2, 4, 3);
    assertEquals(0, a.assign(x, 1, idx, score, bounds, fromThree, 5).skipped());
    assertEquals(5, bounds.iteration());
    assertEquals(0, a.assign(x, 1, idx, score, bounds, null, 6).skipped());
  }

  /**
   * The margin is what keeps near-ties exact. Points a hair from equidistant between their centroid and one that
   * moves straight towards them (so the moved bound is tight): with the margin, never a difference from brute
   * force; with the margin switched off, the same cases produce differences, so these tests can fail.
   */
  @ParameterizedTest
  @MethodSource("kernels")
  void assign_nearTiesWithoutMargin_differFromBruteForce(AssignKernel kernel) {
    int dsub = 16;
    int withMargin = 0;
    int withoutMargin = 0;
    SplittableRandom rnd = new SplittableRandom(16);
    for (int trial = 0; trial < 3000; trial++) {
      float[] x = AssignKernelTest.gaussian(rnd, dsub);
      float[] delta = AssignKernelTest.gaussian(rnd, dsub);
      float[] before = new float[2 * dsub];
      float[] after = new float[2 * dsub];
      for (int d = 0; d < dsub; d++) {
        before[d] = x[d] - 4 * delta[d]; // centroid 0: far, on the line it moves along
        after[d] = x[d] - delta[d]; // then the mirror image of centroid 1 about x
        before[dsub + d] = x[d] + delta[d];
        after[dsub + d] = x[d] + delta[d];
      }
      withMargin += nearTieMismatch(kernel, x, before, after, dsub, 1.0) ? 1 : 0;
      withoutMargin += nearTieMismatch(kernel, x, before, after, dsub, 0.0) ? 1 : 0;
    }
    assertEquals(0, withMargin);
    assertTrue(withoutMargin > 0, "no near-tie broke the margin-free pruning: the test has no teeth");
  }

  private static boolean nearTieMismatch(AssignKernel kernel, float[] x, float[] before, float[] after, int dsub,
      double marginScale) {
    PreparedCodebook cb0 = PreparedCodebook.of(before, 2, dsub);
    PreparedCodebook cb1 = PreparedCodebook.of(after, 2, dsub);
    PruneBounds bounds = new PruneBounds(1);
    int[] idx = new int[1];
    float[] score = new float[1];
    new PrunedAssigner(kernel, new PreparedCodebook[] {cb0}, CodebookMode.SHARED, 1, marginScale)
        .assign(x, 1, idx, score, bounds, null, 0);
    CentroidDrift drift = CentroidDrift.between(new float[][] {before}, new float[][] {after}, 2, dsub, 0);
    new PrunedAssigner(kernel, new PreparedCodebook[] {cb1}, CodebookMode.SHARED, 1, marginScale)
        .assign(x, 1, idx, score, bounds, drift, 1);
    int[] want = new int[1];
    float[] wantScore = new float[1];
    kernel.assign(x, 0, dsub, 1, cb1, want, 0, 1, wantScore, 0, 1);
    return want[0] != idx[0];
  }

  /** A state another task holds is neither trusted nor touched: brute force on a private copy, same answer. */
  @Test
  void assign_stateHeldByAnotherTask_bruteForceLeavesItAlone() {
    float[] x = {0.3f, -0.7f, 0.1f, 0.25f};
    float[] cent = {0.2f, -0.5f, 0.0f, 0.3f, 9f, 9f, 9f, 9f};
    PreparedCodebook cb = PreparedCodebook.of(cent, 2, 4);
    PrunedAssigner a = new PrunedAssigner(AssignKernels.scalar(), new PreparedCodebook[] {cb},
        CodebookMode.SEPARATE, 1);
    PruneBounds bounds = new PruneBounds(1);
    int[] idx = new int[1];
    float[] score = new float[1];
    a.assign(x, 1, idx, score, bounds, null, 0);
    CentroidDrift still = CentroidDrift.between(new float[][] {cent}, new float[][] {cent}, 2, 4, 0);
    assertTrue(bounds.claim());
    PrunedAssigner.Outcome o = a.assign(x, 1, idx, score, bounds, still, 1);
    assertEquals(0, o.skipped());
    assertEquals(0, bounds.iteration(), "the held state was not rewritten");
    bounds.release();
    assertEquals(1, a.assign(x, 1, idx, score, bounds, still, 1).skipped());
  }
}
