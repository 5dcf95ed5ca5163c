package dev.asg.common.kmeans;

/**
 * Exact nearest-centroid search that needs no Lloyd bounds, for the final pass over points that were never
 * trained on: the same indices and scores as {@link AssignKernel#assign} on the whole codebook, bit for bit, while
 * skipping most centroids through their {@link CentroidGroups}.
 *
 * <p>Per chunk of points: each point's exact-in-double distance to every group centre; the kernel on the group
 * with the nearest centre gives a best chain; then a group is skipped when the triangle inequality (distance to
 * the centre minus the group's radius), turned into an upper bound on any member's chain and inflated by a
 * rigorous bound on the kernel's float rounding, stays strictly below that best. A skipped group therefore holds
 * no centroid whose kernel chain could equal or beat the best, so ties still go to the lowest index as in the
 * kernel. Groups not skipped run the kernel, batched per group, and their winners merge with the same rule.
 * Points whose values are non-finite or so large the bound could overflow run the kernel on the whole codebook,
 * and so does the rest of a call whose first chunk pruned too little to pay ({@link #FALLBACK_SHARE}).
 *
 * <p>One instance per task thread: it holds scratch.
 */
public final class GroupedAssigner {
  /** Points per chunk: the chunk's centre distances (chunk x g doubles) stay in cache-sized memory. */
  static final int CHUNK = 2048;
  private static final double U = 0x1p-24;
  /**
   * When the first chunk computed more than this share of brute force's distances, the rest of the call runs brute
   * force: the centre distances (scalar double) and the kernel's per-group overhead cost several times a kernel
   * distance, so on mT5-shaped data the search was 2.4-2.7x faster at 11% and 6% computed (k = 16384, 32768) but
   * slower at 19% (k = 8192).
   */
  static final double FALLBACK_SHARE = 0.15;
  /** Above this a point's chains might leave float range: such points run brute force. */
  private static final double HUGE = 1e30;

  private final AssignKernel kernel;
  private double[] dist = new double[0];
  private final double[] nx2 = new double[CHUNK];
  private final int[] first = new int[CHUNK];
  private final boolean[] safe = new boolean[CHUNK];
  private final float[] bestScore = new float[CHUNK];
  private final int[] bestIdx = new int[CHUNK];
  private float[] gx = new float[0];
  private int[][] lists = new int[0][];
  private int[] listLen = new int[0];
  private final int[] lidx = new int[CHUNK];
  private final float[] lscore = new float[CHUNK];
  private final int[] brute = new int[CHUNK];

  public GroupedAssigner(AssignKernel kernel) {
    this.kernel = kernel;
  }

  /** The kernel every chain runs on. */
  public AssignKernel kernel() {
    return kernel;
  }

  /**
   * {@link BlockAssigner#assign} (same layout, same bits) against one {@link CentroidGroups} per codebook.
   *
   * @return the point-to-centroid distances computed: kernel chains plus centre distances
   */
  public long assign(float[] rows, int nRows, int m, CodebookMode mode, CentroidGroups[] groups, int[] idx,
      float[] score) {
    if (nRows == 0) {
      return 0;
    }
    int dsub = groups[0].dsub;
    if (mode == CodebookMode.SHARED) {
      return assign(rows, 0, dsub, nRows * m, groups[0], idx, 0, 1, score, 0, 1);
    }
    long computed = 0;
    for (int i = 0; i < m; i++) {
      computed += assign(rows, i * dsub, m * dsub, nRows, groups[i], idx, i, m, score, i, m);
    }
    return computed;
  }

  /**
   * {@link AssignKernel#assign} of n sub-vectors against the codebook {@code cg} groups, with its outputs.
   *
   * @return the point-to-centroid distances computed (see {@link #assign(float[], int, int, CodebookMode,
   *     CentroidGroups[], int[], float[])})
   */
  public long assign(float[] x, int xOff, int xStride, int n, CentroidGroups cg, int[] idx, int idxOff,
      int idxStride, float[] score, int scoreOff, int scoreStride) {
    long computed = 0;
    for (int p0 = 0; p0 < n; p0 += CHUNK) {
      int c = Math.min(CHUNK, n - p0);
      if (p0 > 0 && computed > FALLBACK_SHARE * p0 * (double) cg.k) {
        // The groups do not separate these points: brute force is faster for the rest, with the same bits.
        kernel.assign(x, xOff + p0 * xStride, xStride, n - p0, cg.full, idx, idxOff + p0 * idxStride, idxStride,
            score, scoreOff + p0 * scoreStride, scoreStride);
        return computed + (long) (n - p0) * cg.k;
      }
      computed += chunk(x, xOff + p0 * xStride, xStride, c, cg);
      for (int p = 0; p < c; p++) {
        idx[idxOff + (p0 + p) * idxStride] = bestIdx[p];
        score[scoreOff + (p0 + p) * scoreStride] = bestScore[p];
      }
    }
    return computed;
  }

  /** Assigns c points of one chunk into bestIdx/bestScore; returns the distances computed. */
  private long chunk(float[] x, int xOff, int xStride, int c, CentroidGroups cg) {
    int g = cg.g;
    int dsub = cg.dsub;
    ensure(g, dsub);
    double[] ct = cg.centres;
    double errFactor = 2.0 * (dsub + 2) * U; // twice the fma chain's gamma_dsub bound
    double absTiny = 4.0 * (dsub + 1) * Float.MIN_VALUE; // subnormal rounding, absolute
    long computed = 0;
    int nBrute = 0;
    for (int p = 0; p < c; p++) {
      int base = xOff + p * xStride;
      double n2 = 0;
      for (int d = 0; d < dsub; d++) {
        double v = x[base + d];
        n2 += v * v;
      }
      double nxHi = Math.sqrt(n2 * (1 + CentroidGroups.SLACK)) * (1 + CentroidGroups.SLACK);
      safe[p] = Double.isFinite(n2) && nxHi * cg.allMaxNorm + cg.allMaxAbsH < HUGE;
      if (!safe[p]) {
        brute[nBrute++] = p;
        continue;
      }
      nx2[p] = n2;
      int row = p * g;
      java.util.Arrays.fill(dist, row, row + g, 0.0);
      for (int d = 0; d < dsub; d++) {
        double v = x[base + d];
        int cOff = d * g;
        for (int grp = 0; grp < g; grp++) {
          double diff = v - ct[cOff + grp];
          dist[row + grp] += diff * diff;
        }
      }
      int best = 0;
      for (int grp = 1; grp < g; grp++) {
        if (dist[row + grp] < dist[row + best]) {
          best = grp;
        }
      }
      first[p] = best;
      computed += g;
    }
    // Phase 1: each point against its nearest centre's group.
    clearLists(g);
    for (int p = 0; p < c; p++) {
      if (safe[p]) {
        lists[first[p]][listLen[first[p]]++] = p;
      }
    }
    for (int grp = 0; grp < g; grp++) {
      computed += runGroup(x, xOff, xStride, cg, grp, true);
    }
    // Phase 2: every group the bound cannot rule out against the phase-1 best.
    clearLists(g);
    for (int p = 0; p < c; p++) {
      if (!safe[p]) {
        continue;
      }
      double n2 = nx2[p];
      double nx2Hi = n2 * (1 + CentroidGroups.SLACK);
      double nxHi = Math.sqrt(nx2Hi) * (1 + CentroidGroups.SLACK);
      // A member j's chain a_j <= (||x||^2 - ||x-c_j||^2)/2 + delta_j + err_j, and score = -2 a_j; so a group
      // can hold a score <= best only if lb^2 <= best + ||x||^2 + 2 max delta + 2 err, lb = |x-centre| - radius.
      double err = errFactor * (cg.allMaxAbsH + nxHi * cg.allMaxNorm) + absTiny;
      double t = bestScore[p] + nx2Hi + 2 * cg.allMaxDelta + 2 * err;
      t += CentroidGroups.SLACK * (Math.abs(bestScore[p]) + nx2Hi + 2 * Math.abs(cg.allMaxDelta) + 2 * err);
      double tRoot = t <= 0 ? 0 : Math.sqrt(t) * (1 + CentroidGroups.SLACK);
      int row = p * g;
      for (int grp = 0; grp < g; grp++) {
        if (grp == first[p]) {
          continue;
        }
        double reach = (tRoot + cg.radius[grp]) * (1 + CentroidGroups.SLACK);
        double dLo = dist[row + grp] * (1 - 4 * CentroidGroups.SLACK);
        // Skip only when the centre is provably farther than reach (t < 0 cannot happen for finite input, but
        // a negative t would mean every member is out of reach as well: lb^2 >= 0 > t).
        if (!(dLo > reach * reach) && t >= 0) {
          lists[grp][listLen[grp]++] = p;
        }
      }
    }
    for (int grp = 0; grp < g; grp++) {
      computed += runGroup(x, xOff, xStride, cg, grp, false);
    }
    // Points the bounds cannot handle: the whole codebook.
    if (nBrute > 0) {
      gather(x, xOff, xStride, dsub, brute, nBrute);
      kernel.assign(gx, 0, dsub, nBrute, cg.full, lidx, 0, 1, lscore, 0, 1);
      for (int i = 0; i < nBrute; i++) {
        bestIdx[brute[i]] = lidx[i];
        bestScore[brute[i]] = lscore[i];
      }
      computed += (long) nBrute * cg.k;
    }
    return computed;
  }

  /**
   * Runs the kernel on group grp's listed points; the first visit sets each point's best, later ones merge with
   * the kernel's rule (lower score wins, equal scores go to the lower centroid index).
   */
  private long runGroup(float[] x, int xOff, int xStride, CentroidGroups cg, int grp, boolean firstVisit) {
    int n = listLen[grp];
    if (n == 0) {
      return 0;
    }
    int[] list = lists[grp];
    gather(x, xOff, xStride, cg.dsub, list, n);
    kernel.assign(gx, 0, cg.dsub, n, cg.codebooks[grp], lidx, 0, 1, lscore, 0, 1);
    int[] mem = cg.members[grp];
    for (int i = 0; i < n; i++) {
      int p = list[i];
      int j = mem[lidx[i]];
      float s = lscore[i];
      if (firstVisit || s < bestScore[p] || (s == bestScore[p] && j < bestIdx[p])) {
        bestScore[p] = s;
        bestIdx[p] = j;
      }
    }
    return (long) n * mem.length;
  }

  private void gather(float[] x, int xOff, int xStride, int dsub, int[] list, int n) {
    for (int i = 0; i < n; i++) {
      System.arraycopy(x, xOff + list[i] * xStride, gx, i * dsub, dsub);
    }
  }

  private void clearLists(int g) {
    java.util.Arrays.fill(listLen, 0, g, 0);
  }

  private void ensure(int g, int dsub) {
    if (dist.length < CHUNK * g) {
      dist = new double[CHUNK * g];
    }
    if (gx.length < CHUNK * dsub) {
      gx = new float[CHUNK * dsub];
    }
    if (lists.length < g) {
      lists = new int[g][CHUNK];
      listLen = new int[g];
    }
  }
}
