package dev.asg.common.kmeans;

import java.io.Serializable;

/**
 * How far each centroid moved from one Lloyd iteration's codebooks to the next (after the mean update AND any
 * empty-cluster split), which is all {@link PrunedAssigner} needs to carry its bounds forward. Computed on the
 * driver and broadcast: per codebook only the largest move, its centroid and the second largest, so that every
 * point can subtract the largest move among the centroids it is NOT assigned to (Hamerly's update).
 *
 * <p>It also says which centroids did not move at all (every coordinate bit for bit the same): a point assigned
 * to one of them has the same kernel chain, hence the same score, as in the previous iteration, so the assigner
 * reuses the score it kept instead of recomputing it (late in training that is nearly every point).
 *
 * <p>Each move is the Euclidean distance between the two float centroids, computed in double and rounded UP by a
 * relative margin far above double rounding, so it is never below the real distance the bounds rely on.
 */
public final class CentroidDrift implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int fromIteration;
  private final double[] max;
  private final int[] argMax;
  private final double[] secondMax;
  private final int k;
  /** Bit codebook * k + centroid: set when that centroid changed in any bit. */
  private final long[] moved;

  private CentroidDrift(int fromIteration, double[] max, int[] argMax, double[] secondMax, int k, long[] moved) {
    this.fromIteration = fromIteration;
    this.max = max;
    this.argMax = argMax;
    this.secondMax = secondMax;
    this.k = k;
    this.moved = moved;
  }

  /**
   * The moves from {@code before} (the codebooks of iteration {@code fromIteration}) to {@code after}.
   *
   * @param before per codebook k x dsub row-major, as given to {@link PreparedCodebook#of}
   * @param after the same shape: the next iteration's codebooks
   */
  public static CentroidDrift between(float[][] before, float[][] after, int k, int dsub, int fromIteration) {
    if (before.length != after.length) {
      throw new IllegalArgumentException("drift between " + before.length + " and " + after.length + " codebooks");
    }
    int n = before.length;
    double[] max = new double[n];
    int[] argMax = new int[n];
    double[] secondMax = new double[n];
    long[] moved = new long[(int) ((Math.multiplyExact((long) n, k) + 63) >>> 6)];
    for (int c = 0; c < n; c++) {
      if (before[c].length != k * dsub || after[c].length != k * dsub) {
        throw new IllegalArgumentException("codebook " + c + " is not k x dsub = " + k + " x " + dsub);
      }
      double m1 = 0;
      double m2 = 0;
      int a1 = -1;
      for (int j = 0; j < k; j++) {
        double move = distanceUp(before[c], after[c], j * dsub, dsub);
        if (!sameBits(before[c], after[c], j * dsub, dsub)) {
          long bit = (long) c * k + j;
          moved[(int) (bit >>> 6)] |= 1L << bit;
        }
        if (!(move <= m1)) { // NaN counts as the largest: it disables pruning for the codebook
          m2 = m1;
          m1 = move;
          a1 = j;
        } else if (move > m2) {
          m2 = move;
        }
      }
      max[c] = m1;
      argMax[c] = a1;
      secondMax[c] = m2;
    }
    return new CentroidDrift(fromIteration, max, argMax, secondMax, k, moved);
  }

  /**
   * The values this holds, uncompressed (the iteration and k, per codebook two moves and an index, the moved
   * bits), for traffic logs.
   */
  public long payloadBytes() {
    return 8 + 20L * max.length + 8L * moved.length;
  }

  /** The iteration whose codebooks the moves start from: bounds must describe exactly those codebooks. */
  public int fromIteration() {
    return fromIteration;
  }

  public int codebooks() {
    return max.length;
  }

  /** The largest move in codebook {@code c} among centroids other than {@code assigned} (0 if there is none). */
  double maxOther(int c, int assigned) {
    return assigned == argMax[c] ? secondMax[c] : max[c];
  }

  /** Whether centroid {@code centroid} of codebook {@code c} changed in any bit. */
  boolean moved(int c, int centroid) {
    long bit = (long) c * k + centroid;
    return (moved[(int) (bit >>> 6)] & (1L << bit)) != 0;
  }

  private static boolean sameBits(float[] a, float[] b, int off, int dsub) {
    for (int d = off; d < off + dsub; d++) {
      if (Float.floatToRawIntBits(a[d]) != Float.floatToRawIntBits(b[d])) {
        return false;
      }
    }
    return true;
  }

  /** Euclidean distance of two dsub-vectors at {@code off}, rounded up (see the class comment). */
  static double distanceUp(float[] a, float[] b, int off, int dsub) {
    double s = 0;
    for (int d = 0; d < dsub; d++) {
      double diff = (double) b[off + d] - a[off + d];
      s += diff * diff;
    }
    return Math.sqrt(s) * (1 + (dsub + 8) * 0x1p-52) + Double.MIN_NORMAL;
  }
}
