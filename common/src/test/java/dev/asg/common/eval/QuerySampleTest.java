package dev.asg.common.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asg.common.kmeans.TokenSampler;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class QuerySampleTest {
  @Test
  void select_exactSizeSortedDistinct() {
    int[] q = QuerySample.select(10_000, 200, 7);
    assertEquals(200, q.length);
    for (int i = 1; i < q.length; i++) {
      assertTrue(q[i - 1] < q[i], "ascending and distinct");
    }
  }

  @Test
  void select_isTheSmallestHashes() {
    int rows = 3000;
    int[] q = QuerySample.select(rows, 50, 3);
    double worstIn = Arrays.stream(q).mapToDouble(t -> hash31(3, t)).max().orElseThrow();
    for (int t = 0; t < rows; t++) {
      if (Arrays.binarySearch(q, t) < 0) {
        assertTrue(hash31(3, t) >= worstIn, "token " + t + " has a smaller hash than a selected one");
      }
    }
  }

  private static long hash31(long seed, int t) {
    return (long) (TokenSampler.uniform(seed, QuerySample.SALT_EVAL_QUERIES, t) * 0x1.0p31);
  }

  @Test
  void select_sameSeed_sameSample_otherSeed_differs() {
    assertArrayEquals(QuerySample.select(5000, 100, 1), QuerySample.select(5000, 100, 1));
    assertFalse(Arrays.equals(QuerySample.select(5000, 100, 1), QuerySample.select(5000, 100, 2)));
  }

  @Test
  void select_moreThanRows_takesAll() {
    assertArrayEquals(new int[] {0, 1, 2, 3, 4}, QuerySample.select(5, 100, 9));
    assertEquals(0, QuerySample.select(0, 10, 9).length);
  }

  @Test
  void select_negative_throws() {
    assertThrows(IllegalArgumentException.class, () -> QuerySample.select(-1, 10, 1));
    assertThrows(IllegalArgumentException.class, () -> QuerySample.select(10, -1, 1));
  }
}
