package dev.asg.common.kmeans;

import java.util.stream.IntStream;

/**
 * k-means++ for large k: the sample is split into G = ceil(k / {@link #GROUP_CENTROIDS}) groups by a hash of the
 * point index, each group seeds its share of the k centroids by {@link KMeansPlusPlus} independently, in parallel,
 * and the centroids are the groups' in group order. For k up to {@link #GROUP_CENTROIDS} it is exactly
 * {@link KMeansPlusPlus#init}.
 *
 * <p>Why: k-means++ is k sequential passes over the sample (16 k points), so it costs 16 k^2 point-steps: at a
 * shared k = 16,384 that took 75 s on the loaded 2-core driver, k = 32,768 four times that, far above 5% of such a
 * run. G groups of n / G points and k / G centroids cost 1 / G of that and run on every core. Each group is a
 * uniform sample of the points, seeded at 16 points per centroid as before, so every group spreads its centroids
 * over the whole distribution; seeds of different groups may land near each other (like random picks), which the
 * first Lloyd iterations resolve (quality measured in the README's seeding section). k-means|| (Spark ML's
 * default) would still take O(n k) distances per round and a weighted k-means++ of the candidates on one thread.
 *
 * <p>Determinism: group membership depends only on (seed, point index) and each group's seed on (seed, group), so
 * the centroids are a pure function of (points, n, dsub, k, seed) whatever the thread count.
 */
public final class GroupedSeeding {
  /**
   * Centroids per group at most. 2048 keeps the default mBERT-like separate codebooks (k = 512) and k up to 2048
   * bit for bit on plain k-means++, and makes a group's seeding cost (16 * 2048^2 point-steps, about half a
   * CPU-second) small next to one Lloyd iteration at such k.
   */
  public static final int GROUP_CENTROIDS = 2048;

  private static final long SALT_GROUP = 0x67726F7570732121L;

  private GroupedSeeding() {}

  /** The number of groups k centroids are seeded in. */
  public static int groups(int k) {
    return (k + GROUP_CENTROIDS - 1) / GROUP_CENTROIDS;
  }

  /**
   * @param points n x dsub, row-major
   * @return k x dsub centroids, row-major
   */
  public static float[] init(float[] points, int n, int dsub, int k, long seed) {
    return init(points, n, dsub, k, seed, GROUP_CENTROIDS);
  }

  /** {@link #init} with a given group size, so tests can use small tables. */
  static float[] init(float[] points, int n, int dsub, int k, long seed, int groupCentroids) {
    InitArgs.check("k-means++", points, n, dsub, k);
    int g = (k + groupCentroids - 1) / groupCentroids;
    if (g == 1) {
      return KMeansPlusPlus.init(points, n, dsub, k, seed);
    }
    int[] group = new int[n];
    int[] size = new int[g];
    for (int i = 0; i < n; i++) {
      group[i] = (int) Math.floorMod(TokenSampler.mix64(TokenSampler.mix64(seed ^ SALT_GROUP) + i), (long) g);
      size[group[i]]++;
    }
    // Group j gets floor(k * S(j+1) / n) - floor(k * S(j) / n) centroids, S the points before it: in total k, and
    // never more than its points (k <= n), so every group can seed its share.
    int[] first = new int[g + 1];
    int[] pointsBefore = new int[g + 1];
    for (int j = 0; j < g; j++) {
      pointsBefore[j + 1] = pointsBefore[j] + size[j];
      first[j + 1] = (int) ((long) k * pointsBefore[j + 1] / n);
    }
    float[][] members = new float[g][];
    for (int j = 0; j < g; j++) {
      members[j] = new float[size[j] * dsub];
    }
    int[] fill = new int[g];
    for (int i = 0; i < n; i++) {
      int j = group[i];
      System.arraycopy(points, i * dsub, members[j], fill[j]++ * dsub, dsub);
    }
    float[] out = new float[k * dsub];
    IntStream.range(0, g).parallel().forEach(j -> {
      int kj = first[j + 1] - first[j];
      if (kj > 0) {
        long groupSeed = TokenSampler.mix64(seed + 0x9E3779B97F4A7C15L * (j + 1));
        float[] c = KMeansPlusPlus.init(members[j], size[j], dsub, kj, groupSeed);
        System.arraycopy(c, 0, out, first[j] * dsub, kj * dsub);
      }
    });
    return out;
  }
}
