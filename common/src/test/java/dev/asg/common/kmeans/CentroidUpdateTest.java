package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class CentroidUpdateTest {

  private static LloydStats stats(int k, int dsub, float[][] pointsPerCentroid, FixedPoint fp) {
    LloydStats s = new LloydStats(1, k, dsub);
    for (int j = 0; j < pointsPerCentroid.length; j++) {
      float[] pts = pointsPerCentroid[j];
      for (int p = 0; p + dsub <= pts.length; p += dsub) {
        s.add(0, j, pts, p, fp);
      }
    }
    return s;
  }

  @Test
  void apply_populatedClusters_becomeTheirMean() {
    FixedPoint fp = FixedPoint.forSum(10, 100);
    float[][] pts = {{1, 2, 3, 4}, {10, 10}};
    LloydStats s = stats(2, 2, pts, fp);
    CentroidUpdate.Result r = CentroidUpdate.apply(new float[][] {{0, 0, 0, 0}}, s, fp, 1, 0);
    assertArrayEquals(new float[] {2, 3, 10, 10}, r.centroids()[0]);
    assertEquals(0, r.splits());
  }

  @Test
  void apply_emptyCluster_splitsLargestSymmetrically() {
    FixedPoint fp = FixedPoint.forSum(10, 100);
    // cluster 0: 1 point, cluster 1: 3 points, cluster 2: empty -> split cluster 1.
    float[][] pts = {{5, 5}, {1, 1, 1, 1, 1, 1}, {}};
    LloydStats s = stats(3, 2, pts, fp);
    float[][] prev = {{9, 9, 9, 9, 9, 9}};
    CentroidUpdate.Result r = CentroidUpdate.apply(prev, s, fp, 1, 0);
    float[] c = r.centroids()[0];
    assertEquals(1, r.splits());
    assertArrayEquals(new float[] {5, 5}, new float[] {c[0], c[1]});
    for (int d = 0; d < 2; d++) {
      // Symmetric around the donor's mean (1.0) and distinct.
      assertEquals(2.0, c[2 + d] + c[4 + d], 1e-6);
      assertNotEquals(c[2 + d], c[4 + d]);
      assertEquals(1.0, c[4 + d], 1.0 / 512);
    }
  }

  @Test
  void apply_sameInputs_sameOutputBits() {
    FixedPoint fp = FixedPoint.forSum(10, 100);
    float[][] pts = {{1, 2, 3, 4, 5, 6}, {}, {}, {7, 7}};
    float[][] prev = {{0, 0, 0, 0, 0, 0, 0, 0}};
    CentroidUpdate.Result a = CentroidUpdate.apply(prev, stats(4, 2, pts, fp), fp, 42, 3);
    CentroidUpdate.Result b = CentroidUpdate.apply(prev, stats(4, 2, pts, fp), fp, 42, 3);
    assertArrayEquals(a.centroids()[0], b.centroids()[0]);
    assertEquals(2, a.splits());
  }

  @Test
  void apply_zeroDonor_stillSeparatesCopies() {
    FixedPoint fp = FixedPoint.forSum(10, 100);
    float[][] pts = {{0, 0, 0, 0}, {}};
    CentroidUpdate.Result r = CentroidUpdate.apply(new float[][] {{0, 0, 0, 0}}, stats(2, 2, pts, fp), fp, 1, 0);
    float[] c = r.centroids()[0];
    assertNotEquals(c[0], c[2]);
  }

  @Test
  void apply_singlePointTotal_leavesEmptyClusterUnsplit() {
    FixedPoint fp = FixedPoint.forSum(10, 100);
    float[][] pts = {{3, 3}, {}};
    CentroidUpdate.Result r = CentroidUpdate.apply(new float[][] {{0, 0, 8, 8}}, stats(2, 2, pts, fp), fp, 1, 0);
    assertEquals(0, r.splits());
    assertArrayEquals(new float[] {3, 3, 8, 8}, r.centroids()[0]);
  }
}
