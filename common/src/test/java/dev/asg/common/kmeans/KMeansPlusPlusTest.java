package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
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


  /**
   * Inputs built to break a shortcut: all points equal (total 0 from the first step), two values only, points
   * exactly between two others (equal potentials, ties to the first candidate), grid points with many equal
   * distances, huge and tiny magnitudes, and more points than one parallel chunk (the threaded distance pass).
   * Each must give the point-by-point reference's centroids bit for bit, with the vector kernel and the scalar one.
   */
  @Test
  void init_adversarialInputs_sameBitsAsReferenceOnBothKernels() {
    List<float[]> inputs = new ArrayList<>();
    int dsub = 3;
    inputs.add(new float[40 * dsub]); // all equal: every step takes a random unchosen point
    float[] twoValues = new float[40 * dsub];
    for (int i = 0; i < 40; i++) {
      twoValues[i * dsub] = i % 2 == 0 ? -1f : 1f;
    }
    inputs.add(twoValues);
    float[] between = new float[41 * dsub]; // -1, +1 and the midpoint 0 repeated: equidistant candidates
    for (int i = 0; i < 41; i++) {
      between[i * dsub] = (i % 3) - 1f;
    }
    inputs.add(between);
    float[] grid = new float[64 * dsub]; // a 4x4x4 integer grid: many exactly equal distances
    for (int i = 0; i < 64; i++) {
      grid[i * dsub] = i % 4;
      grid[i * dsub + 1] = i / 4 % 4;
      grid[i * dsub + 2] = i / 16;
    }
    inputs.add(grid);
    float[] scales = randomPoints(60, dsub, 4); // magnitudes 1e-30 .. 1e30 in one set
    for (int i = 0; i < scales.length; i++) {
      scales[i] *= (float) Math.pow(10, (i % 7 - 3) * 10);
    }
    inputs.add(scales);
    for (float[] p : inputs) {
      int n = p.length / dsub;
      for (int k : new int[] {1, 2, 5, n / 2, n}) {
        float[] want = KMeansPlusPlusReference.init(p, n, dsub, k, 11);
        assertArrayEquals(want, KMeansPlusPlus.init(p, n, dsub, k, 11, SeedDistances.SCALAR, 1),
            "scalar n=" + n + " k=" + k);
        assertArrayEquals(want, KMeansPlusPlus.init(p, n, dsub, k, 11), "best n=" + n + " k=" + k);
      }
    }
    int big = 16 * SeedDistances.BLOCK * 3 + 5; // 3 chunks of 16 blocks and a ragged block
    float[] dup = new float[big * 2];
    float[] base = randomPoints(big, 2, 8);
    for (int i = 0; i < big; i++) {
      System.arraycopy(base, (i % 60) * 2, dup, i * 2, 2); // 60 distinct points, each repeated
    }
    assertArrayEquals(KMeansPlusPlusReference.init(dup, big, 2, 70, 2),
        KMeansPlusPlus.init(dup, big, 2, 70, 2, SeedDistances.best(), 16));
  }

  /** Lanes run across points, so the vector twin's chains are the scalar ones: same centroids at any dsub. */
  @Test
  void init_vectorAndScalarKernels_sameCentroids() {
    assertTrue(SeedDistances.best() instanceof VectorSeedDistances, "surefire adds the vector module");
    for (int dsub : new int[] {1, 2, 5, 16, 33}) {
      float[] p = randomPoints(1100, dsub, dsub);
      assertArrayEquals(KMeansPlusPlus.init(p, 1100, dsub, 50, 3, SeedDistances.SCALAR, KMeansPlusPlus.CHUNK_BLOCKS),
          KMeansPlusPlus.init(p, 1100, dsub, 50, 3, SeedDistances.best(), 7), "dsub=" + dsub);
    }
  }

  /**
   * The warm-up clamps its sub-vector length (0 and 1000 are outside 1..64), runs once per JVM, and leaves later
   * seedings exactly the reference's (it shares no state with them).
   */
  @Test
  void warmUpOnce_dsubOutOfRange_clampsRunsOnceAndLaterSeedingsUnchanged() {
    KMeansPlusPlus.warmUpOnce(0);
    assertTrue(KMeansPlusPlus.warmedUp());
    KMeansPlusPlus.warmUpOnce(1000);
    float[] p = randomPoints(300, 16, 5);
    assertArrayEquals(KMeansPlusPlusReference.init(p, 300, 16, 20, 9), KMeansPlusPlus.init(p, 300, 16, 20, 9));
  }

  /** The layout keeps every coordinate exactly and pads the last block with zeros. */
  @Test
  void layout_raggedLastBlock_exactCoordinatesAndZeroPadding() {
    float[] p = randomPoints(11, 3, 1);
    float[] b = SeedDistances.layout(p, 11, 3);
    assertEquals(2 * 3 * SeedDistances.BLOCK, b.length);
    for (int i = 0; i < 11; i++) {
      for (int d = 0; d < 3; d++) {
        assertEquals(p[i * 3 + d], b[(i / 8 * 3 + d) * 8 + i % 8]);
      }
    }
    for (int i = 11; i < 16; i++) {
      for (int d = 0; d < 3; d++) {
        assertEquals(0f, b[(3 + d) * 8 + i % 8]);
      }
    }
  }
}
