package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KMeansPlusPlusTest {

  /** n distinct random points of dsub dims. */
  static float[] randomPoints(int n, int dsub, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] p = new float[n * dsub];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) rnd.nextGaussian();
    }
    return p;
  }

  /** For each centroid row, the index of the input row with exactly the same values (-1 if none). */
  static int[] sourceRows(float[] points, int n, float[] centroids, int k, int dsub) {
    int[] src = new int[k];
    for (int c = 0; c < k; c++) {
      src[c] = -1;
      float[] row = Arrays.copyOfRange(centroids, c * dsub, c * dsub + dsub);
      for (int i = 0; i < n && src[c] < 0; i++) {
        if (Arrays.equals(row, Arrays.copyOfRange(points, i * dsub, i * dsub + dsub))) {
          src[c] = i;
        }
      }
    }
    return src;
  }

  @Test
  void init_sameSeed_sameOutput() {
    float[] p = randomPoints(300, 6, 1);
    assertArrayEquals(KMeansPlusPlus.init(p, 300, 6, 20, 42L), KMeansPlusPlus.init(p, 300, 6, 20, 42L));
  }

  @Test
  void init_differentSeed_differentOutput() {
    float[] p = randomPoints(300, 6, 1);
    assertFalse(Arrays.equals(KMeansPlusPlus.init(p, 300, 6, 20, 42L), KMeansPlusPlus.init(p, 300, 6, 20, 43L)));
  }

  @Test
  void init_distinctPoints_returnsKDistinctInputRows() {
    int n = 200;
    int dsub = 5;
    int k = 50;
    float[] p = randomPoints(n, dsub, 2);
    float[] c = KMeansPlusPlus.init(p, n, dsub, k, 7L);
    assertEquals(k * dsub, c.length);
    int[] src = sourceRows(p, n, c, k, dsub);
    Set<Integer> seen = new HashSet<>();
    for (int s : src) {
      assertTrue(s >= 0, "centroid is not an input point");
      assertTrue(seen.add(s), "point " + s + " chosen twice");
    }
  }

  @Test
  void init_threeFarApartClusters_onePointPerClusterForEverySeed() {
    // 3 tight clusters 1000 apart: after the first pick, the other clusters hold all but ~1e-6 of the D^2 mass.
    // A uniform pick would hit all three clusters only 2/9 of the time.
    int per = 30;
    int n = 3 * per;
    int dsub = 2;
    float[][] centers = {{0f, 0f}, {1000f, 0f}, {0f, 1000f}};
    SplittableRandom rnd = new SplittableRandom(3);
    float[] p = new float[n * dsub];
    for (int i = 0; i < n; i++) {
      for (int d = 0; d < dsub; d++) {
        p[i * dsub + d] = centers[i / per][d] + (float) rnd.nextGaussian();
      }
    }
    int good = 0;
    for (long seed = 0; seed < 100; seed++) {
      int[] src = sourceRows(p, n, KMeansPlusPlus.init(p, n, dsub, 3, seed), 3, dsub);
      Set<Integer> clusters = new HashSet<>();
      for (int s : src) {
        clusters.add(s / per);
      }
      if (clusters.size() == 3) {
        good++;
      }
    }
    assertEquals(100, good);
  }

  @Test
  void init_secondCentroid_drawnWithProbabilityProportionalToD2() {
    // 1-D points 0, 1, 3. If the first pick is 0, D^2 = (0, 1, 9): the second is 3 with probability 0.9.
    // If it is 1: D^2 = (1, 0, 4), 3 with probability 0.8. If it is 3: D^2 = (9, 4, 0), 0 with probability 9/13.
    float[] p = {0f, 1f, 3f};
    int[][] counts = new int[3][3];
    for (long seed = 0; seed < 6000; seed++) {
      float[] c = KMeansPlusPlus.init(p, 3, 1, 2, seed);
      counts[index(c[0])][index(c[1])]++;
    }
    for (int first = 0; first < 3; first++) {
      int total = Arrays.stream(counts[first]).sum();
      assertTrue(total > 1700 && total < 2300, "first pick not uniform: " + total);
    }
    assertEquals(0.9, share(counts[0], 2), 0.03);
    assertEquals(0.8, share(counts[1], 2), 0.03);
    assertEquals(9.0 / 13, share(counts[2], 0), 0.03);
  }

  private static int index(float v) {
    return v == 0f ? 0 : v == 1f ? 1 : 2;
  }

  private static double share(int[] row, int which) {
    return (double) row[which] / Arrays.stream(row).sum();
  }

  @Test
  void init_fewerDistinctPointsThanK_returnsKRowsCoveringEveryDistinctPoint() {
    // 12 points with 3 distinct values: D^2 sampling takes all three first, then pads with duplicates.
    float[][] values = {{1f, 1f}, {5f, -2f}, {-3f, 4f}};
    int n = 12;
    float[] p = new float[n * 2];
    for (int i = 0; i < n; i++) {
      System.arraycopy(values[i % 3], 0, p, i * 2, 2);
    }
    for (long seed = 0; seed < 20; seed++) {
      float[] c = KMeansPlusPlus.init(p, n, 2, 5, seed);
      Set<String> distinctFirstThree = new HashSet<>();
      for (int j = 0; j < 5; j++) {
        float[] row = Arrays.copyOfRange(c, j * 2, j * 2 + 2);
        boolean known = false;
        for (float[] v : values) {
          known |= Arrays.equals(v, row);
        }
        assertTrue(known, "centroid " + Arrays.toString(row) + " is not an input value");
        if (j < 3) {
          distinctFirstThree.add(Arrays.toString(row));
        }
      }
      assertEquals(3, distinctFirstThree.size(), "seed " + seed);
    }
  }

  @Test
  void init_allPointsIdentical_kEqualsN_returnsNCopies() {
    float[] p = new float[4 * 3];
    Arrays.fill(p, 2.5f);
    float[] c = KMeansPlusPlus.init(p, 4, 3, 4, 9L);
    float[] expected = new float[12];
    Arrays.fill(expected, 2.5f);
    assertArrayEquals(expected, c);
  }

  @Test
  void init_kEqualsN_returnsEveryPointOnce() {
    int n = 25;
    float[] p = randomPoints(n, 3, 4);
    int[] src = sourceRows(p, n, KMeansPlusPlus.init(p, n, 3, n, 1L), n, 3);
    Arrays.sort(src);
    for (int i = 0; i < n; i++) {
      assertEquals(i, src[i]);
    }
  }

  @Test
  void init_kOne_returnsOneInputPoint() {
    float[] p = randomPoints(10, 4, 5);
    int[] src = sourceRows(p, 10, KMeansPlusPlus.init(p, 10, 4, 1, 3L), 1, 4);
    assertTrue(src[0] >= 0);
  }

  @Test
  void init_pointsLongerThanNeeded_ignoresTail() {
    float[] p = randomPoints(10, 2, 6);
    float[] longer = Arrays.copyOf(p, p.length + 6);
    Arrays.fill(longer, p.length, longer.length, 1e9f);
    assertArrayEquals(KMeansPlusPlus.init(p, 10, 2, 4, 8L), KMeansPlusPlus.init(longer, 10, 2, 4, 8L));
  }

  @Test
  void init_kTooSmall_throws() {
    assertThrows(IllegalArgumentException.class, () -> KMeansPlusPlus.init(new float[20], 10, 2, 0, 1L));
  }

  @Test
  void init_kLargerThanN_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> KMeansPlusPlus.init(new float[20], 10, 2, 11, 1L));
    assertTrue(e.getMessage().contains("k=11") && e.getMessage().contains("1..n=10"), e.getMessage());
  }

  @Test
  void init_badShape_throws() {
    assertThrows(IllegalArgumentException.class, () -> KMeansPlusPlus.init(new float[0], 0, 2, 1, 1L));
    assertThrows(IllegalArgumentException.class, () -> KMeansPlusPlus.init(new float[20], 10, 0, 1, 1L));
    assertThrows(IllegalArgumentException.class, () -> KMeansPlusPlus.init(new float[19], 10, 2, 1, 1L));
    assertThrows(IllegalArgumentException.class, () -> KMeansPlusPlus.init(null, 10, 2, 1, 1L));
  }
}
