package dev.asg.common.kmeans;

/**
 * Exact bound-based pruning of the assignment (Hamerly, 2010, "Making k-means even faster"): per point one lower
 * bound {@code lo} on its distance to every centroid other than its assigned one {@code a}. After centroids move
 * by {@link CentroidDrift}, {@code lo -= largest move of another centroid}. If then the point's OWN score under
 * the new codebook is so far below what any other centroid could score that no rounding can close the gap, the
 * brute-force kernel would pick {@code a} too, and the point skips the other k - 1 distances.
 *
 * <p>Why the result is bit-identical to brute force ({@link BlockAssigner#assign}):
 * <ul>
 *   <li>The skipped point's score is computed with the kernel's own chain for centroid {@code a} (start at
 *       {@code -||c_a||^2/2}, one float fma per dimension in order; see {@link AssignKernel}), so it is the very
 *       float the kernel would report: the objective and every sum stay bit-identical. When centroid {@code a}
 *       did not move at all ({@link CentroidDrift#moved}: every bit the same), the chain is the one the state's
 *       iteration ran, so its kept score is reused.</li>
 *   <li>Rounding: every kernel chain {@code a_j} differs from the real {@code x.c_j - ||c_j||^2/2} by at most
 *       {@code E = 2 gamma_n (C^2 + |x| C) + (2n + 2) 2^-149} (n = dsub, {@code gamma_n = n u / (1 - n u)}, u =
 *       2^-24, C = the codebook's largest centroid norm; the standard bound for n rounded fma steps plus the
 *       float norm, doubled, and the underflow terms). A point is skipped only if its exact chain beats the
 *       largest value any other chain could round to by a strict margin, so the brute-force maximum is unique and
 *       is {@code a}: ties and near-ties always run the kernel, which then applies its own tie rule.</li>
 *   <li>Bounds are real-number bounds, rounded outwards at every step (moves up, lower bounds down, |x|^2 both
 *       ways), with slack for each double operation.</li>
 *   <li>Points that are not skipped go through {@link AssignKernel#assignRows}, the brute-force kernel with the
 *       same chains and tie rule, which also reports the runner-up score the new lower bound comes from.</li>
 * </ul>
 * Missing, stale or mismatched state ({@link PruneBounds#usableWith}) means brute force for the block.
 */
public final class PrunedAssigner {
  private static final double U = 0x1p-24;
  /** Relative slack for double-precision steps on sums of n exact squares (error at most n ulps). */
  private final double eps;
  private final double gamma;
  private final double tiny;

  private final AssignKernel kernel;
  private final PreparedCodebook[] codebooks;
  private final CodebookMode mode;
  private final int m;
  private final int dsub;
  /** Per codebook an upper bound on its largest centroid norm. */
  private final double[] maxNorm;

  /**
   * Counts of one block's pruned assignment; {@code carried}: the block's state described the previous
   * codebooks, so its previous assignments were known (and the moves from them recorded when asked for).
   */
  public record Outcome(long points, long skipped, long changed, boolean carried) {}

  public PrunedAssigner(AssignKernel kernel, PreparedCodebook[] codebooks, CodebookMode mode, int m) {
    this(kernel, codebooks, mode, m, 1.0);
  }

  /**
   * Tests only: {@code marginScale} scales the rounding margin E; 1 in production. The exactness tests run with 0
   * to show that they catch a pruning without the margin.
   */
  PrunedAssigner(AssignKernel kernel, PreparedCodebook[] codebooks, CodebookMode mode, int m,
      double marginScale) {
    mode.requireCodebooks(codebooks.length, m);
    this.kernel = kernel;
    this.codebooks = codebooks.clone();
    this.mode = mode;
    this.m = m;
    this.dsub = codebooks[0].dsub();
    int n = dsub;
    this.gamma = marginScale * n * U / (1 - n * U);
    this.tiny = marginScale * (2 * n + 2) * 0x1p-149;
    this.eps = (n + 8) * 0x1p-52;
    this.maxNorm = new double[codebooks.length];
    for (int c = 0; c < codebooks.length; c++) {
      maxNorm[c] = largestNorm(codebooks[c]);
    }
  }

  /**
   * Assigns every sub-vector of the block like {@link BlockAssigner#assign} (same idx and score, bit for bit),
   * skipping the points whose bounds prove the answer, and rewrites {@code bounds} to describe these codebooks.
   *
   * @param bounds the block's state; rewritten (tag -1 while in progress, then {@code iteration})
   * @param drift the moves from the codebooks {@code bounds} describes to these; null when unknown (brute force)
   * @param iteration the iteration these codebooks belong to
   */
  public Outcome assign(float[] rows, int nRows, int[] idx, float[] score, PruneBounds bounds,
      CentroidDrift drift, int iteration) {
    return assign(rows, nRows, idx, score, bounds, drift, iteration, null);
  }

  /**
   * {@link #assign(float[], int, int[], float[], PruneBounds, CentroidDrift, int)}, and when the state was carried
   * forward ({@link Outcome#carried}) records in {@code moves} (cleared first; may be null) the points whose
   * assignment changed and the centroid each left: what an incremental Lloyd update ({@link LloydDelta}) needs.
   */
  public Outcome assign(float[] rows, int nRows, int[] idx, float[] score, PruneBounds bounds,
      CentroidDrift drift, int iteration, Moves moves) {
    if (moves != null) {
      moves.clear();
    }
    if (!bounds.claim()) {
      // Another task is rewriting this block's state: brute force on a private one, leaving the shared one alone.
      PruneBounds own = new PruneBounds(Math.multiplyExact(nRows, m));
      own.claim();
      return assignClaimed(rows, nRows, idx, score, own, null, iteration, null);
    }
    try {
      return assignClaimed(rows, nRows, idx, score, bounds, drift, iteration, moves);
    } finally {
      bounds.release();
    }
  }

  private Outcome assignClaimed(float[] rows, int nRows, int[] idx, float[] score, PruneBounds bounds,
      CentroidDrift drift, int iteration, Moves moves) {
    int points = Math.multiplyExact(nRows, m);
    boolean usable = bounds.usableWith(drift, points);
    bounds.iteration = PruneBounds.NONE;
    int[] assigned = bounds.assigned;
    boolean shared = mode == CodebookMode.SHARED;
    int groups = shared ? 1 : m;
    long skipped = 0;
    long changed = points;
    if (usable) {
      // One sequential sweep over the block (row-major, as the rows lie in memory), the bounds and the
      // assignments, a chunk of points at a time (see SkipBatch); only the points it cannot settle are collected,
      // in point order, then run per codebook.
      int[] failed = new int[Math.max(64, points >>> 6)];
      int[] perGroup = new int[groups];
      int nFailed = 0;
      SkipBatch batch = new SkipBatch(dsub);
      for (int p0 = 0; p0 < points; p0 += SkipBatch.CHUNK) {
        int p1 = Math.min(points, p0 + SkipBatch.CHUNK);
        skipped += trySkipChunk(rows, p0, p1, shared, bounds, drift, idx, score, batch);
        for (int p = p0; p < p1; p++) {
          if (!batch.settled[p - p0]) {
            if (nFailed == failed.length) {
              failed = java.util.Arrays.copyOf(failed, 2 * failed.length);
            }
            failed[nFailed++] = p;
            perGroup[shared ? 0 : p % m]++;
          }
        }
      }
      int[][] lists = new int[groups][];
      for (int g = 0; g < groups; g++) {
        lists[g] = new int[perGroup[g]];
        perGroup[g] = 0;
      }
      for (int f = 0; f < nFailed; f++) {
        int p = failed[f];
        int g = shared ? 0 : p % m;
        lists[g][perGroup[g]++] = p;
      }
      changed = 0;
      for (int g = 0; g < groups; g++) {
        int[] list = lists[g];
        runKernel(rows, g, list, perGroup[g], idx, score, bounds);
        // A skipped point kept its centroid; only these can have moved.
        for (int t = 0; t < perGroup[g]; t++) {
          int p = list[t];
          if (assigned[p] != idx[p]) {
            changed++;
            if (moves != null) {
              moves.add(p, assigned[p]);
            }
            assigned[p] = idx[p];
          }
        }
      }
    } else {
      int n = shared ? points : nRows;
      int[] list = new int[n];
      for (int g = 0; g < groups; g++) {
        for (int t = 0; t < n; t++) {
          list[t] = shared ? t : t * m + g;
        }
        runKernel(rows, g, list, n, idx, score, bounds);
      }
      System.arraycopy(idx, 0, assigned, 0, points); // runKernel kept the scores and norms
    }
    bounds.iteration = iteration;
    return new Outcome(points, skipped, changed, usable);
  }

  /** Codebook g's brute-force kernel on the listed points; their new lower bounds, scores and |x|^2 kept. */
  private void runKernel(float[] rows, int g, int[] list, int n, int[] idx, float[] score, PruneBounds bounds) {
    if (n == 0) {
      return;
    }
    float[] lower = bounds.lower;
    // The runner-up scores land in lower[] and are turned into bounds right after.
    kernel.assignRows(rows, 0, dsub, list, n, codebooks[g], idx, score, lower, 0, 1);
    double c = maxNorm[g];
    for (int i = 0; i < n; i++) {
      int p = list[i];
      double x2 = squaredNorm(rows, p * dsub);
      lower[p] = lowerBound(x2, lower[p], c);
      bounds.normUp[p] = ceilToFloat(x2);
      bounds.score[p] = score[p];
    }
  }

  /**
   * Points [p0, p1)'s tests: each bound carried forward and, while still positive, checked against the point's
   * score for its assigned centroid: the kept one if that centroid did not move (the same chain again), else the
   * chain computed anew (batched, see {@link SkipBatch}). A settled point gets idx, score and its carried bound,
   * and {@code batch.settled} true; an unsettled one gets nothing (the kernel will). Returns the settled count.
   */
  private int trySkipChunk(float[] x, int p0, int p1, boolean shared, PruneBounds bounds, CentroidDrift drift,
      int[] idx, float[] score, SkipBatch b) {
    int[] assigned = bounds.assigned;
    float[] lower = bounds.lower;
    float[] kept = bounds.score;
    float[] normUp = bounds.normUp;
    int n = 0;
    int settled = 0;
    // Point p's codebook is p % m (0 when shared), tracked without a division per point.
    int step = shared ? 0 : 1;
    for (int p = p0, g = shared ? 0 : p0 % m; p < p1; p++, g += step) {
      if (g == m) {
        g = 0;
      }
      b.settled[p - p0] = false;
      int a = assigned[p];
      float lo = lower[p];
      double move = drift.maxOther(g, a);
      float lo2 = floorToFloat(lo - move - 0x1p-52 * (lo + move));
      if (!(lo2 > 0)) {
        continue;
      }
      if (drift.moved(g, a)) {
        b.point[n] = p;
        b.centroid[n] = a;
        b.lo2[n] = lo2;
        n++;
      } else if (provesOwn(kept[p], normUp[p], lo2, maxNorm[g])) {
        idx[p] = a;
        score[p] = kept[p];
        lower[p] = lo2;
        b.settled[p - p0] = true;
        settled++;
      }
    }
    b.scores(x, n, codebooks, shared, m);
    for (int t = 0; t < n; t++) {
      int p = b.point[t];
      float s = b.score[t];
      if (provesOwn(s, normUp[p], b.lo2[t], maxNorm[shared ? 0 : p % m])) {
        idx[p] = b.centroid[t];
        score[p] = s;
        kept[p] = s;
        lower[p] = b.lo2[t];
        b.settled[p - p0] = true;
        settled++;
      }
    }
    return settled;
  }

  /**
   * Whether own score {@code s} beats every other centroid's score by more than any rounding, for a point with
   * |x|^2 at most {@code x2} whose distance to every other centroid is at least {@code lo2} (codebook's largest
   * centroid norm at most {@code c}). An x2 above the true |x|^2 only lowers the floor: still exact.
   */
  private boolean provesOwn(float s, double x2, float lo2, double c) {
    double e = chainError(x2, c);
    double l2 = (double) lo2 * lo2; // exact: a float squared fits in a double
    // Any other chain a_j <= (|x|^2 - lo^2) / 2 + E, i.e. its score -2 a_j >= lo^2 - |x|^2 - 2E; a's score is s.
    double otherScoreFloor = l2 - x2 * (1 + eps) - 2 * e - eps * (l2 + x2 + 2 * e);
    return s < otherScoreFloor;
  }

  /** The kernel's chain for centroid a, as its score {@code -2 a_a}: the exact float the kernel would report. */
  static float ownScore(float[] x, int base, PreparedCodebook cb, int a) {
    float[] cent = cb.centroids();
    int off = a * cb.dsub();
    float acc = cb.negHalfNorms()[a];
    for (int d = 0; d < cb.dsub(); d++) {
      acc = Math.fma(x[base + d], cent[off + d], acc);
    }
    return -2f * acc;
  }

  /** A lower bound on the distance to every other centroid, from the runner-up score s2 of a full pass. */
  private float lowerBound(double x2, float s2, double c) {
    // Real other chains a_j <= runner-up chain + E, so d_j^2 = |x|^2 - 2 a_j >= |x|^2 + s2 - 2E.
    double e = chainError(x2, c);
    double v = x2 * (1 - eps) + s2 - 2 * e - eps * (x2 + Math.abs((double) s2) + 2 * e);
    if (!(v > 0)) {
      return 0f; // no bound (ties, near-ties, NaN)
    }
    return floorToFloat(Math.sqrt(v) * (1 - 0x1p-50));
  }

  /** The rounding bound E of a chain (see the class comment) for a point of squared norm x2. */
  private double chainError(double x2, double c) {
    double xn = Math.sqrt(x2) * (1 + eps);
    return 2 * gamma * (c * c + xn * c) + tiny;
  }

  /** |x|^2 in double: each square exact, n - 1 rounded additions. */
  private double squaredNorm(float[] x, int base) {
    double s = 0;
    for (int d = 0; d < dsub; d++) {
      double v = x[base + d];
      s += v * v;
    }
    return s;
  }

  /** The smallest float not below v (NaN stays NaN). */
  static float ceilToFloat(double v) {
    float f = (float) v;
    return f < v ? Math.nextUp(f) : f;
  }

  /** The largest float not above v (NaN stays NaN). */
  static float floorToFloat(double v) {
    float f = (float) v;
    return f > v ? Math.nextDown(f) : f;
  }

  /** An upper bound on the largest centroid norm of the codebook. */
  private static double largestNorm(PreparedCodebook cb) {
    float[] cent = cb.centroids();
    int n = cb.dsub();
    double max = 0;
    for (int j = 0; j < cb.k(); j++) {
      double s = 0;
      for (int d = 0; d < n; d++) {
        double v = cent[j * n + d];
        s += v * v;
      }
      max = Math.max(max, s);
    }
    return Math.sqrt(max) * (1 + (n + 8) * 0x1p-52);
  }
}
