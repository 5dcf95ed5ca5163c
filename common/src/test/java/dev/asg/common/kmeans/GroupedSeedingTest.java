package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class GroupedSeedingTest {

  private static Set<String> rows(float[] c, int dsub) {
    Set<String> s = new HashSet<>();
    for (int i = 0; i < c.length; i += dsub) {
      s.add(Arrays.toString(Arrays.copyOfRange(c, i, i + dsub)));
    }
    return s;
  }

  private static float[] inPool(int threads, float[] p, int n, int dsub, int k, long seed, int group) throws Exception {
    ForkJoinPool pool = new ForkJoinPool(threads);
    try {
      return pool.submit(() -> GroupedSeeding.init(p, n, dsub, k, seed, group)).get();
    } finally {
      pool.shutdown();
    }
  }

  /** Up to one group's worth of centroids it is plain k-means++, bit for bit (the mBERT default stays as it was). */
  @Test
  void init_kUpToGroupSize_sameAsKMeansPlusPlus() {
    float[] p = KMeansPlusPlusTest.randomPoints(700, 4, 1);
    assertArrayEquals(KMeansPlusPlus.init(p, 700, 4, 40, 9), GroupedSeeding.init(p, 700, 4, 40, 9, 40));
    assertArrayEquals(KMeansPlusPlus.init(p, 700, 4, 512, 9), GroupedSeeding.init(p, 700, 4, 512, 9));
    assertEquals(1, GroupedSeeding.groups(GroupedSeeding.GROUP_CENTROIDS));
    assertEquals(16, GroupedSeeding.groups(32768));
  }

  /** Groups run in parallel, each a pure function of its points and seed: the thread count changes nothing. */
  @Test
  void init_oneOrFourThreads_sameCentroids() throws Exception {
    float[] p = KMeansPlusPlusTest.randomPoints(3000, 3, 2);
    float[] one = inPool(1, p, 3000, 3, 300, 5, 32);
    float[] four = inPool(4, p, 3000, 3, 300, 5, 32);
    assertArrayEquals(one, four);
    assertArrayEquals(one, GroupedSeeding.init(p, 3000, 3, 300, 5, 32));
    assertFalse(Arrays.equals(one, GroupedSeeding.init(p, 3000, 3, 300, 6, 32)), "another seed, other centroids");
  }

  /** Groups partition the points, so distinct points give k distinct centroids, each a copy of a point. */
  @Test
  void init_distinctPoints_kDistinctDataPoints() {
    float[] p = KMeansPlusPlusTest.randomPoints(2000, 2, 3);
    float[] c = GroupedSeeding.init(p, 2000, 2, 250, 4, 16);
    assertEquals(250, rows(c, 2).size());
    for (int src : KMeansPlusPlusTest.sourceRows(p, 2000, c, 250, 2)) {
      assertTrue(src >= 0, "every centroid copies a point");
    }
  }

  /** k = n: every group takes all its points, so the centroids are the points, each once. */
  @Test
  void init_kEqualsSampleSize_everyPointOnce() {
    float[] p = KMeansPlusPlusTest.randomPoints(333, 2, 4);
    float[] c = GroupedSeeding.init(p, 333, 2, 333, 1, 50);
    assertEquals(rows(p, 2), rows(c, 2));
    assertEquals(333, rows(c, 2).size());
  }

  /** More centroids than distinct points (duplicate rows) and tiny inputs still give k centroids, all data points. */
  @Test
  void init_duplicatesAndTinyInputs_kCentroidsFromTheData() {
    float[] dup = new float[600 * 2];
    for (int i = 0; i < 600; i++) {
      dup[i * 2] = i % 7;
    }
    float[] c = GroupedSeeding.init(dup, 600, 2, 100, 2, 8);
    assertEquals(200, c.length);
    assertEquals(rows(dup, 2), rows(c, 2), "all 7 distinct points taken, the rest duplicates of them");
    float[] tiny = {1f, 2f, 3f};
    for (int k = 1; k <= 3; k++) {
      float[] t = GroupedSeeding.init(tiny, 3, 1, k, 7, 1);
      assertEquals(k, t.length);
      assertEquals(k, rows(t, 1).size(), "k=" + k);
    }
    assertThrows(IllegalArgumentException.class, () -> GroupedSeeding.init(tiny, 3, 1, 4, 7, 1));
  }
}
