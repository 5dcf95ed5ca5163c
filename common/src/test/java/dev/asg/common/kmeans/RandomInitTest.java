package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RandomInitTest {

  @Test
  void init_sameSeed_sameOutput() {
    float[] p = KMeansPlusPlusTest.randomPoints(100, 4, 1);
    assertArrayEquals(RandomInit.init(p, 100, 4, 10, 5L), RandomInit.init(p, 100, 4, 10, 5L));
  }

  @Test
  void init_differentSeed_differentOutput() {
    float[] p = KMeansPlusPlusTest.randomPoints(100, 4, 1);
    assertFalse(Arrays.equals(RandomInit.init(p, 100, 4, 10, 5L), RandomInit.init(p, 100, 4, 10, 6L)));
  }

  @Test
  void init_distinctPoints_returnsKDistinctInputRows() {
    int n = 60;
    float[] p = KMeansPlusPlusTest.randomPoints(n, 3, 2);
    int[] src = KMeansPlusPlusTest.sourceRows(p, n, RandomInit.init(p, n, 3, 30, 1L), 30, 3);
    Set<Integer> seen = new HashSet<>();
    for (int s : src) {
      assertTrue(s >= 0, "centroid is not an input point");
      assertTrue(seen.add(s), "point " + s + " chosen twice");
    }
  }

  @Test
  void init_kEqualsN_returnsPermutationOfAllPoints() {
    int n = 17;
    float[] p = KMeansPlusPlusTest.randomPoints(n, 2, 3);
    int[] src = KMeansPlusPlusTest.sourceRows(p, n, RandomInit.init(p, n, 2, n, 4L), n, 2);
    Arrays.sort(src);
    for (int i = 0; i < n; i++) {
      assertEquals(i, src[i]);
    }
  }

  @Test
  void init_manySeeds_everyPointEquallyLikely() {
    float[] p = {0f, 1f, 2f, 3f};
    int[] counts = new int[4];
    for (long seed = 0; seed < 4000; seed++) {
      counts[(int) RandomInit.init(p, 4, 1, 1, seed)[0]]++;
    }
    for (int c : counts) {
      assertTrue(c > 880 && c < 1120, Arrays.toString(counts));
    }
  }

  @Test
  void init_kOutOfRange_throws() {
    assertThrows(IllegalArgumentException.class, () -> RandomInit.init(new float[8], 4, 2, 0, 1L));
    assertThrows(IllegalArgumentException.class, () -> RandomInit.init(new float[8], 4, 2, 5, 1L));
  }

  @Test
  void init_pointsTooShort_throws() {
    assertThrows(IllegalArgumentException.class, () -> RandomInit.init(new float[7], 4, 2, 1, 1L));
  }
}
