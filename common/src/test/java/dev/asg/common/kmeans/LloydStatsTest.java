package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Encoding (sparse and dense), slicing for keyed aggregation, and delta moves of {@link LloydStats}. */
class LloydStatsTest {
  private static final int CB = 3;
  private static final int K = 40;
  private static final int DSUB = 4;
  private static final FixedPoint FP = FixedPoint.ofShift(30);

  private static LloydStats filled(long seed, int points) {
    SplittableRandom rnd = new SplittableRandom(seed);
    LloydStats s = new LloydStats(CB, K, DSUB);
    float[] x = new float[DSUB];
    for (int p = 0; p < points; p++) {
      for (int d = 0; d < DSUB; d++) {
        x[d] = (float) rnd.nextGaussian();
      }
      s.add(rnd.nextInt(CB), rnd.nextInt(K), x, 0, FP);
    }
    s.addObjective(seed * 7);
    s.addChanged(points);
    s.addSkipped(3);
    return s;
  }

  private static LloydStats roundTrip(LloydStats s) {
    return LloydStats.decode(s.encode());
  }

  private static int size(LloydStats s) {
    return s.encode().length;
  }

  static void assertSame(LloydStats a, LloydStats b) {
    assertEquals(a.objective(), b.objective());
    assertEquals(a.changed(), b.changed());
    assertEquals(a.points(), b.points());
    assertEquals(a.skipped(), b.skipped());
    for (int c = 0; c < CB; c++) {
      for (int j = 0; j < K; j++) {
        assertEquals(a.count(c, j), b.count(c, j), "count " + c + "/" + j);
        for (int d = 0; d < DSUB; d++) {
          assertEquals(a.sum(c, j, d), b.sum(c, j, d), "sum " + c + "/" + j + "/" + d);
        }
      }
    }
  }

  @Test
  void encode_sparseAndDense_roundTripExactly() {
    LloydStats sparse = filled(1, 5);
    LloydStats dense = filled(2, 5000);
    assertSame(sparse, roundTrip(sparse));
    assertSame(dense, roundTrip(dense));
    // 5 points touch at most 5 of 120 rows: far less than the dense arrays.
    assertTrue(size(sparse) < size(dense) / 5, size(sparse) + " vs " + size(dense));
  }

  @Test
  void move_outAndBack_leavesZeroRowsAndTinySize() throws Exception {
    LloydStats s = new LloydStats(CB, K, DSUB);
    float[] x = {0.25f, -1.5f, 3f, 1e-3f};
    s.move(1, 4, 9, x, 0, FP);
    assertEquals(-1, s.count(1, 4));
    assertEquals(1, s.count(1, 9));
    assertEquals(-FP.toFixed(-1.5f), s.sum(1, 4, 1));
    s.move(1, 9, 4, x, 0, FP);
    assertSame(new LloydStats(CB, K, DSUB), roundTrip(s));
    assertTrue(size(s) < 300, "an all-zero delta encodes to its header, got " + size(s));
  }

  @Test
  void sliceAndAssemble_anyMergeOrder_equalsMergedWhole() throws Exception {
    LloydStats a = filled(3, 700);
    LloydStats b = filled(4, 900);
    int n = 7;
    List<LloydStats> slices = new ArrayList<>();
    for (int s = n - 1; s >= 0; s--) {
      slices.add(roundTrip(b.slice(s, n)).merge(roundTrip(a.slice(s, n))));
    }
    LloydStats whole = filled(3, 700).merge(filled(4, 900));
    assertSame(whole, LloydStats.assemble(slices, CB, K, DSUB));
  }

  @Test
  void assemble_missingSlice_fails() {
    LloydStats a = filled(5, 100);
    List<LloydStats> slices = List.of(a.slice(0, 3), a.slice(2, 3));
    assertThrows(IllegalStateException.class, () -> LloydStats.assemble(slices, CB, K, DSUB));
  }

  @Test
  void assemble_duplicateSliceInPlaceOfMissing_fails() {
    LloydStats a = filled(6, 100);
    // Same row count as a full cover, but slice 1 twice and slice 2 never.
    List<LloydStats> slices = List.of(a.slice(0, 3), a.slice(1, 3), a.slice(1, 3));
    List<LloydStats> even = List.of(a.slice(0, 2), a.slice(1, 2), a.slice(1, 2));
    assertThrows(IllegalStateException.class, () -> LloydStats.assemble(slices, CB, K, DSUB));
    assertThrows(IllegalStateException.class, () -> LloydStats.assemble(even, CB, K, DSUB));
  }

  @Test
  void totalsProblem_consistentOrNegativeOrShort_reportsOnlyBroken() {
    LloydStats s = new LloydStats(CB, K, DSUB);
    float[] x = {1f, 2f, 3f, 4f};
    for (int c = 0; c < CB; c++) {
      s.add(c, 5, x, 0, FP);
      s.add(c, 7, x, 0, FP);
    }
    assertNull(s.totalsProblem(2));
    assertTrue(s.totalsProblem(3).contains("sum to 2"), s.totalsProblem(3));
    s.move(1, 9, 5, x, 0, FP); // a move out of a centroid that held nothing: the sum stays 2, a count goes -1
    assertTrue(s.totalsProblem(2).contains("count -1"), s.totalsProblem(2));
  }
}
