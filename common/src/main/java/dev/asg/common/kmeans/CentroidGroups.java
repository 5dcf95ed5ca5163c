package dev.asg.common.kmeans;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One codebook's k centroids cut into g groups, each with a centre, a radius and the float-rounding constants
 * that {@link GroupedAssigner} needs to skip a whole group for a point without running the kernel on it. The
 * groups come from a small deterministic k-means over the centroids (in double), so nearby centroids share a
 * group and a point's own group usually holds its nearest centroid.
 *
 * <p>Each group is also a {@link PreparedCodebook} of its members in increasing centroid order: the kernel computes
 * the same chain for a centroid whichever codebook holds it (its values and norm are the same), and the lowest
 * local index is the lowest global one, so assigning against the groups gives the full kernel's bits.
 *
 * <p>Built once on the driver per final pass and broadcast; immutable.
 */
public final class CentroidGroups implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Lloyd steps of the grouping; the groups only need to be compact, not converged. */
  private static final int GROUPING_ITERATIONS = 8;
  /**
   * Below this k grouping is not tried: with about sqrt(k) groups, the centre distances alone cost as much as a
   * good share of brute force's k kernel distances (see {@link GroupedAssigner#FALLBACK_SHARE}).
   */
  public static final int MIN_K = 1024;
  /** Relative slack for double rounding in the bounds (any double error here is below 1e-14 relative). */
  static final double SLACK = 1e-12;

  final int k;
  final int dsub;
  final int g;
  /** Group centres, transposed: {@code centres[d * g + G]}, so a point's g distances are one vectorizable loop. */
  final double[] centres;
  /** Per group: an upper bound on the distance from its centre to any member. */
  final double[] radius;
  /** Per group: its members' global centroid indices, increasing. */
  final int[][] members;
  /** Per group: the members as a codebook, local index i = members[G][i]. */
  final PreparedCodebook[] codebooks;
  /** The whole codebook, for points the bounds cannot handle (non-finite or huge values). */
  final PreparedCodebook full;
  /** Upper bounds over all centroids of ||c_j|| and |h_j| (h_j = the kernel's chain start, -norm_j/2). */
  final double allMaxNorm;
  final double allMaxAbsH;
  /** Upper bound over all centroids of {@code h_j + ||c_j||^2 / 2}: the float norm's rounding. */
  final double allMaxDelta;

  private CentroidGroups(PreparedCodebook full, double[] centres, int g, int[][] members) {
    this.full = full;
    this.k = full.k();
    this.dsub = full.dsub();
    this.g = g;
    this.centres = centres;
    this.members = members;
    this.radius = new double[g];
    this.codebooks = new PreparedCodebook[g];
    float[] c = full.centroids();
    float[] h = full.negHalfNorms();
    double mh = 0;
    double mn = 0;
    double md = Double.NEGATIVE_INFINITY;
    for (int grp = 0; grp < g; grp++) {
      int[] mem = members[grp];
      float[] sub = new float[mem.length * dsub];
      double r2 = 0;
      for (int i = 0; i < mem.length; i++) {
        int j = mem[i];
        System.arraycopy(c, j * dsub, sub, i * dsub, dsub);
        double d2 = 0;
        double n2 = 0;
        for (int d = 0; d < dsub; d++) {
          double v = c[j * dsub + d];
          double diff = v - centres[d * g + grp];
          d2 += diff * diff;
          n2 += v * v; // each square exact in double; the sum's error is below dsub * 2^-53 relative
        }
        r2 = Math.max(r2, d2);
        double hj = h[j];
        mh = Math.max(mh, Math.abs(hj));
        mn = Math.max(mn, n2);
        md = Math.max(md, hj + 0.5 * n2 + SLACK * (n2 + Math.abs(hj)));
      }
      radius[grp] = Math.sqrt(r2) * (1 + SLACK);
      codebooks[grp] = PreparedCodebook.of(sub, mem.length, dsub);
    }
    this.allMaxNorm = Math.sqrt(mn) * (1 + SLACK);
    this.allMaxAbsH = mh * (1 + SLACK);
    this.allMaxDelta = md;
  }

  /**
   * Groups a codebook's centroids, or returns null when the codebook holds a non-finite value (the bounds would
   * be meaningless; the caller runs brute force).
   *
   * @param groups the number of groups wanted (clamped to [1, k]); empty groups are dropped
   */
  public static CentroidGroups of(PreparedCodebook cb, int groups) {
    int k = cb.k();
    int dsub = cb.dsub();
    float[] c = cb.centroids();
    for (float v : c) {
      if (!Float.isFinite(v)) {
        return null;
      }
    }
    int g = Math.max(1, Math.min(groups, k));
    double[] ct = new double[dsub * g];
    farthestFirst(c, k, dsub, ct, g);
    int[] of = new int[k];
    double[] dist = new double[g];
    for (int it = 0; it <= GROUPING_ITERATIONS; it++) {
      for (int j = 0; j < k; j++) {
        of[j] = nearest(c, j * dsub, dsub, ct, g, dist);
      }
      if (it == GROUPING_ITERATIONS) {
        break;
      }
      double[] sum = new double[dsub * g];
      int[] count = new int[g];
      for (int j = 0; j < k; j++) {
        count[of[j]]++;
        for (int d = 0; d < dsub; d++) {
          sum[d * g + of[j]] += c[j * dsub + d];
        }
      }
      for (int grp = 0; grp < g; grp++) {
        if (count[grp] > 0) { // an empty group keeps its centre and is dropped at the end if still empty
          for (int d = 0; d < dsub; d++) {
            ct[d * g + grp] = sum[d * g + grp] / count[grp];
          }
        }
      }
    }
    int[] count = new int[g];
    for (int j = 0; j < k; j++) {
      count[of[j]]++;
    }
    int[] newId = new int[g];
    int kept = 0;
    for (int grp = 0; grp < g; grp++) {
      newId[grp] = count[grp] > 0 ? kept++ : -1;
    }
    double[] centres = new double[dsub * kept];
    int[][] members = new int[kept][];
    for (int grp = 0; grp < g; grp++) {
      if (newId[grp] >= 0) {
        members[newId[grp]] = new int[count[grp]];
        for (int d = 0; d < dsub; d++) {
          centres[d * kept + newId[grp]] = ct[d * g + grp];
        }
      }
    }
    int[] fill = new int[kept];
    for (int j = 0; j < k; j++) { // increasing j, so every member list is sorted
      int grp = newId[of[j]];
      members[grp][fill[grp]++] = j;
    }
    return new CentroidGroups(cb, centres, kept, members);
  }

  /**
   * Gonzalez's farthest-first traversal: centroid 0, then repeatedly the centroid farthest from every centre chosen
   * so far (the lowest index among equals). Deterministic, and its largest radius is within twice the best
   * possible, which is what the group bounds depend on.
   */
  private static void farthestFirst(float[] c, int k, int dsub, double[] ct, int g) {
    double[] minDist = new double[k];
    java.util.Arrays.fill(minDist, Double.POSITIVE_INFINITY);
    int next = 0;
    for (int grp = 0; grp < g; grp++) {
      for (int d = 0; d < dsub; d++) {
        ct[d * g + grp] = c[next * dsub + d];
      }
      int far = 0;
      for (int j = 0; j < k; j++) {
        double d2 = 0;
        for (int d = 0; d < dsub; d++) {
          double diff = c[j * dsub + d] - ct[d * g + grp];
          d2 += diff * diff;
        }
        minDist[j] = Math.min(minDist[j], d2);
        if (minDist[j] > minDist[far]) {
          far = j;
        }
      }
      next = far;
    }
  }

  /**
   * The groups of every codebook with {@link #defaultGroups}, or null when grouping does not pay (k below
   * {@link #MIN_K}) or a codebook holds a non-finite value: the caller then runs brute force.
   */
  public static CentroidGroups[] forCodebooks(PreparedCodebook[] codebooks) {
    CentroidGroups[] out = new CentroidGroups[codebooks.length];
    for (int c = 0; c < codebooks.length; c++) {
      if (codebooks[c].k() < MIN_K) {
        return null;
      }
      out[c] = of(codebooks[c], defaultGroups(codebooks[c].k()));
      if (out[c] == null) {
        return null;
      }
    }
    return out;
  }

  /** The default group count for k centroids: about sqrt(k), balancing the centre distances against members. */
  public static int defaultGroups(int k) {
    return Math.max(1, (int) Math.round(Math.sqrt(k)));
  }

  /** The nearest centre of c[off..off+dsub) (ties to the lower group); {@code dist} is scratch of length g. */
  private static int nearest(float[] c, int off, int dsub, double[] ct, int g, double[] dist) {
    Arrays.fill(dist, 0);
    for (int d = 0; d < dsub; d++) {
      double v = c[off + d];
      for (int grp = 0; grp < g; grp++) {
        double diff = v - ct[d * g + grp];
        dist[grp] += diff * diff;
      }
    }
    int best = 0;
    for (int grp = 1; grp < g; grp++) {
      if (dist[grp] < dist[best]) {
        best = grp;
      }
    }
    return best;
  }

  public int k() {
    return k;
  }

  public int dsub() {
    return dsub;
  }

  /** The number of (non-empty) groups. */
  public int groups() {
    return g;
  }
}
