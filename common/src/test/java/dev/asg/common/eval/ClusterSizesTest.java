package dev.asg.common.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClusterSizesTest {
  @Test
  void of_evenSizes_imbalanceOne() {
    ClusterSizes s = ClusterSizes.of(new long[] {5, 5, 5, 5});
    assertEquals(1.0, s.imbalance(), 1e-15);
    assertEquals(5, s.min());
    assertEquals(5, s.max());
    assertEquals(0, s.empty());
  }

  @Test
  void of_allInOneConcept_imbalanceK() {
    // k * n^2 / n^2 = k: the worst case faiss can report.
    ClusterSizes s = ClusterSizes.of(new long[] {0, 0, 12, 0});
    assertEquals(4.0, s.imbalance(), 1e-15);
    assertEquals(3, s.empty());
    assertEquals(0, s.min());
    assertEquals(0, s.median());
    assertEquals(12, s.max());
  }

  @Test
  void of_unsorted_medianIsLowerMiddleOfSorted() {
    ClusterSizes s = ClusterSizes.of(new long[] {9, 1, 7, 3});
    assertEquals(3, s.median());
    // 4 * (81 + 1 + 49 + 9) / 20^2
    assertEquals(4.0 * 140 / 400, s.imbalance(), 1e-15);
  }

  @Test
  void of_empty_throws() {
    assertThrows(IllegalArgumentException.class, () -> ClusterSizes.of(new long[0]));
  }

  @Test
  void counts_separate_countsPerSegmentWithOffsets() {
    // 3 tokens, m = 2, k = 2: segment 1's ids are 2..3.
    int[] mapping = {0, 3, 1, 3, 0, 2};
    long[][] c = ClusterSizes.counts(mapping, 3, 2, 2, false);
    assertArrayEquals(new long[] {2, 1}, c[0]);
    assertArrayEquals(new long[] {1, 2}, c[1]);
  }

  @Test
  void counts_shared_poolsSegments() {
    int[] mapping = {0, 1, 1, 1};
    long[][] c = ClusterSizes.counts(mapping, 2, 2, 2, true);
    assertEquals(1, c.length);
    assertArrayEquals(new long[] {1, 3}, c[0]);
  }

  @Test
  void counts_idOutsideItsCodebook_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterSizes.counts(new int[] {0, 1}, 1, 2, 2, false));
    assertTrue(e.getMessage().contains("segment 1"), e.getMessage());
  }
}
