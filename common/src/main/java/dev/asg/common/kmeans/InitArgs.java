package dev.asg.common.kmeans;

/** Argument checks shared by the centroid initializations ({@link KMeansPlusPlus}, {@link RandomInit}). */
final class InitArgs {

  private InitArgs() {}

  /**
   * @throws IllegalArgumentException if n &lt; 1, dsub &lt; 1, k is outside [1, n], or points holds fewer than
   *     n * dsub values
   */
  static void check(String what, float[] points, int n, int dsub, int k) {
    if (points == null) {
      throw new IllegalArgumentException(what + ": points is null; pass n x dsub row-major floats");
    }
    if (n < 1) {
      throw new IllegalArgumentException(what + ": n=" + n + " points; at least 1 is needed");
    }
    if (dsub < 1) {
      throw new IllegalArgumentException(what + ": dsub=" + dsub + " is out of range; allowed >= 1");
    }
    if (k < 1 || k > n) {
      throw new IllegalArgumentException(what + ": k=" + k + " is out of range; allowed 1..n=" + n
          + " (k centroids are chosen among the n points)");
    }
    if ((long) n * dsub > points.length) {
      throw new IllegalArgumentException(what + ": points.length=" + points.length + " is shorter than n*dsub="
          + n + "*" + dsub + "=" + ((long) n * dsub));
    }
  }
}
