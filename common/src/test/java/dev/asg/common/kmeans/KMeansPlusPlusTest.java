package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KMeansPlusPlusTest {

  private static float[] random(int n, int dsub, long seed) {
    Random r = new Random(seed);
    float[] p = new float[n * dsub];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) r.nextGaussian();
    }
    return p;
  }

  /** Shared with RandomInitTest. */
  static float[] randomPoints(int n, int dsub, int seed) {
    return random(n, dsub, seed);
  }

  /** For each centroid, the index of the first input row it copies (-1 if none). Shared with RandomInitTest. */
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

  private static Set<String> rows(float[] c, int dsub) {
    Set<String> s = new HashSet<>();
    for (int i = 0; i < c.length; i += dsub) {
      s.add(Arrays.toString(Arrays.copyOfRange(c, i, i + dsub)));
    }
    return s;
  }

  /**
   * The dimension-major, distance-reusing loops give the point-by-point reference's centroids bit for bit: on
   * spread data, on duplicates (the zero-potential branch), and for k = n.
   */
  @Test
  void init_anyInput_sameBitsAsPointByPointReference() {
    for (int dsub : new int[] {1, 3, 16}) {
      float[] p = random(700, dsub, dsub);
      assertArrayEquals(KMeansPlusPlusReference.init(p, 700, dsub, 64, 5), KMeansPlusPlus.init(p, 700, dsub, 64, 5));
      float[] dup = new float[60 * dsub];
      for (int i = 0; i < 60; i++) {
        System.arraycopy(p, (i % 7) * dsub, dup, i * dsub, dsub);
      }
      assertArrayEquals(KMeansPlusPlusReference.init(dup, 60, dsub, 12, 9), KMeansPlusPlus.init(dup, 60, dsub, 12, 9));
      assertArrayEquals(KMeansPlusPlusReference.init(p, 40, dsub, 40, 3), KMeansPlusPlus.init(p, 40, dsub, 40, 3));
    }
  }

  @Test
  void init_sameSeed_sameCentroids_otherSeedDiffers() {
    float[] p = random(500, 4, 1);
    assertArrayEquals(KMeansPlusPlus.init(p, 500, 4, 20, 7), KMeansPlusPlus.init(p, 500, 4, 20, 7));
    assertFalse(Arrays.equals(KMeansPlusPlus.init(p, 500, 4, 20, 7), KMeansPlusPlus.init(p, 500, 4, 20, 8)));
  }

  @Test
  void init_distinctData_picksKDistinctDataPoints() {
    float[] p = random(300, 3, 2);
    float[] c = KMeansPlusPlus.init(p, 300, 3, 300, 5);
    Set<String> picked = rows(c, 3);
    assertEquals(300, picked.size());
    assertEquals(rows(p, 3), picked, "k = n picks every point exactly once");
  }

  @Test
  void init_threeFarClusters_onePerCluster() {
    int perCluster = 100;
    float[] p = new float[3 * perCluster * 2];
    Random r = new Random(3);
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < perCluster; i++) {
        p[(c * perCluster + i) * 2] = c * 1000 + (float) r.nextGaussian();
        p[(c * perCluster + i) * 2 + 1] = (float) r.nextGaussian();
      }
    }
    int good = 0;
    for (long seed = 0; seed < 50; seed++) {
      float[] cent = KMeansPlusPlus.init(p, 3 * perCluster, 2, 3, seed);
      Set<Integer> clusters = new HashSet<>();
      for (int j = 0; j < 3; j++) {
        clusters.add(Math.round(cent[j * 2] / 1000));
      }
      good += clusters.size() == 3 ? 1 : 0;
    }
    // D^2 sampling makes a second pick inside an already covered cluster ~1e-6 likely.
    assertTrue(good >= 49, "seeds that covered all 3 clusters: " + good);
  }

  @Test
  void init_fewerDistinctPointsThanK_stillReturnsKCentroids() {
    float[] p = new float[10 * 2];
    for (int i = 0; i < 10; i++) {
      p[i * 2] = i % 2;
    }
    float[] c = KMeansPlusPlus.init(p, 10, 2, 6, 1);
    assertEquals(12, c.length);
    assertEquals(2, rows(c, 2).size(), "only 2 distinct values exist");
  }

  @Test
  void init_kOutOfRange_throws() {
    float[] p = random(5, 2, 1);
    assertThrows(IllegalArgumentException.class, () -> KMeansPlusPlus.init(p, 5, 2, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> KMeansPlusPlus.init(p, 5, 2, 6, 1));
    assertEquals(10, KMeansPlusPlus.init(p, 5, 2, 5, 1).length);
    assertEquals(2, KMeansPlusPlus.init(p, 5, 2, 1, 1).length);
  }

}
