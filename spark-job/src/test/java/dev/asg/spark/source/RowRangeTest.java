package dev.asg.spark.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RowRangeTest {

  @Test
  void split_coversAllRowsContiguously() {
    for (int rows : new int[] {1, 7, 100, 119547}) {
      for (int parts : new int[] {1, 3, 7, 64}) {
        List<RowRange> r = RowRange.split(rows, parts);
        int next = 0;
        int min = Integer.MAX_VALUE;
        int max = 0;
        for (RowRange x : r) {
          assertEquals(next, x.first());
          next += x.count();
          min = Math.min(min, x.count());
          max = Math.max(max, x.count());
        }
        assertEquals(rows, next);
        assertTrue(max - min <= 1, "balanced");
      }
    }
  }

  @Test
  void split_morePartsThanRows_oneRowEach() {
    List<RowRange> r = RowRange.split(3, 10);
    assertEquals(3, r.size());
    r.forEach(x -> assertEquals(1, x.count()));
  }
}
