package dev.asg.common.kmeans;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;

/**
 * Greedy k-means++ seeding (Arthur and Vassilvitskii, 2007; the variant scikit-learn uses): the first centroid is a
 * uniformly random point; for each next one, {@value #LOCAL_TRIALS} candidates are drawn with probability
 * proportional to their squared distance to the nearest centroid chosen so far, and the candidate that lowers the
 * total potential most is kept.
 *
 * <p>Why greedy: with plain k-means++ each of the last picks lands in an already covered cluster with probability
 * (noise mass / total mass), a few percent per pick on well-separated data, so one codebook in six misses a
 * cluster (measured on 64 planted clusters). Lloyd iterations cannot repair that. With several candidates per
 * step all of them must miss, which makes it vanishingly rare, at L times the seeding cost.
 *
 * <p>Cost and exactness: per step one {@link SeedDistances} pass gives all candidates' distances to every point,
 * each lowered to the point's current minimum (SIMD across points, the chain of the point-by-point loop, bit for
 * bit), then one pass over the points adds each candidate's potential in point order, keeping its running sums:
 * the winner's running sums are the next step's sampling table, so minimum distances are summed once per step, not
 * twice. Large point sets split the distance pass into fixed chunks of blocks across threads; every distance is
 * computed the same way in any chunk and the sums stay sequential, so the result is a pure function of (points,
 * n, dsub, k, seed) whatever the thread count. When every remaining point coincides with a chosen centroid (fewer
 * distinct points than k), a uniformly random unchosen point is taken; the duplicate centroid then loses all its
 * points in the first assignment and the empty-cluster split in {@link CentroidUpdate} repairs it.
 */
public final class KMeansPlusPlus {
  private KMeansPlusPlus() {}

  /**
   * Candidates per step. scikit-learn takes 2 + ln k (8 for k = 512), which made seeding 8x the cost of plain
   * k-means++ and dominated short runs. A step goes wrong only if EVERY candidate falls in a covered cluster;
   * with a per-candidate miss rate of a few percent, 3 candidates bring that to ~1e-5 per step, which the planted
   * tests cannot tell apart from 8.
   */
  public static final int LOCAL_TRIALS = 3;

  /**
   * Blocks of {@link SeedDistances#BLOCK} points per parallel chunk of the distance pass (16,384 points): a fork
   * per step must cost little next to a chunk's work. Smaller point sets (a separate codebook's, seeded beside the
   * other codebooks) run on the calling thread; a shared codebook's 16 * k points spread over the cores.
   */
  static final int CHUNK_BLOCKS = 2048;

  /** Blocks per kernel call (see distancesTo): small, for the JIT; a call costs little next to a block's work. */
  static final int CALL_BLOCKS = 2;

  /** Points and centroids of {@link #warmUpOnce}'s synthetic seeding. */
  static final int WARM_UP_POINTS = 4096;

  static final int WARM_UP_K = 128;

  private static final AtomicBoolean WARMED_UP = new AtomicBoolean();

  static int localTrials(int k) {
    return Math.min(LOCAL_TRIALS, k);
  }

  /**
   * @param points n x dsub, row-major
   * @return k x dsub centroids, row-major
   */
  public static float[] init(float[] points, int n, int dsub, int k, long seed) {
    return init(points, n, dsub, k, seed, SeedDistances.best(), CHUNK_BLOCKS);
  }

  /**
   * Seeds a synthetic set once per JVM (later calls return at once), so the JIT has compiled the distance pass and
   * the potentials loop before a real seeding: a cold driver seeded the mBERT shape's 48 codebooks in 1.19 s, one
   * warmed up this way in 0.62 s, for about 0.35 CPU-seconds of warm-up that a job spends while it reads the table.
   * The result is discarded.
   *
   * @param dsub the sub-vector length the run will seed (capped at 64; the compiled code serves every length)
   */
  public static void warmUpOnce(int dsub) {
    if (!WARMED_UP.compareAndSet(false, true)) {
      return;
    }
    int d = Math.max(1, Math.min(dsub, 64));
    SplittableRandom rnd = new SplittableRandom(1);
    float[] p = new float[WARM_UP_POINTS * d];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) rnd.nextGaussian();
    }
    init(p, WARM_UP_POINTS, d, WARM_UP_K, 1);
  }

  /** Whether {@link #warmUpOnce} has run (or is running) in this JVM. */
  static boolean warmedUp() {
    return WARMED_UP.get();
  }

  /**
   * {@link #init} with the given distance kernel and parallel chunk size, for tests: they compare the scalar
   * kernel with its vector twin, and small chunks with one.
   */
  static float[] init(float[] points, int n, int dsub, int k, long seed, SeedDistances kernel, int chunkBlocks) {
    InitArgs.check("k-means++", points, n, dsub, k);
    return new Run(points, n, dsub, k, kernel, chunkBlocks).seed(new SplittableRandom(seed));
  }

  /** The state of one seeding. */
  private static final class Run {
    private final float[] points;
    private final int n;
    private final int dsub;
    private final int k;
    private final SeedDistances kernel;
    private final int chunkBlocks;
    private final float[] blocked;
    private final int blocks;
    private final float[] out;
    private final boolean[] chosen;
    /** Each point's squared distance to its nearest chosen centroid; swapped with the winner's candDist row. */
    private double[] minDist;
    /** Running sums of minDist in point order: the total is the last; sampling is a binary search over them. */
    private double[] prefix;
    private final int trials;
    /** Per candidate: its distance to every point (padded to whole blocks) and its potential's running sums. */
    private final double[][] candDist;
    private final double[][] runs;
    private final double[][] coords;

    Run(float[] points, int n, int dsub, int k, SeedDistances kernel, int chunkBlocks) {
      this.points = points;
      this.n = n;
      this.dsub = dsub;
      this.k = k;
      this.kernel = kernel;
      this.chunkBlocks = chunkBlocks;
      this.blocked = SeedDistances.layout(points, n, dsub);
      this.blocks = (n + SeedDistances.BLOCK - 1) / SeedDistances.BLOCK;
      this.out = new float[k * dsub];
      this.chosen = new boolean[n];
      this.minDist = new double[blocks * SeedDistances.BLOCK];
      this.prefix = new double[n];
      this.trials = localTrials(k);
      this.candDist = new double[LOCAL_TRIALS][blocks * SeedDistances.BLOCK];
      this.runs = new double[trials][];
      for (int t = 0; t < trials; t++) {
        runs[t] = new double[n];
      }
      this.coords = new double[LOCAL_TRIALS][dsub];
    }

    float[] seed(SplittableRandom rnd) {
      int first = rnd.nextInt(n);
      take(first, 0);
      Arrays.fill(minDist, Double.POSITIVE_INFINITY); // so the first pass keeps its distances as they are
      distancesTo(new int[] {first, first, first});
      useAsMinDist(0);
      double total = prefixSums();
      int[] cand = new int[LOCAL_TRIALS];
      for (int c = 1; c < k; c++) {
        if (total > 0) {
          for (int t = 0; t < trials; t++) {
            cand[t] = sample(rnd.nextDouble() * total);
          }
          for (int t = trials; t < LOCAL_TRIALS; t++) {
            cand[t] = cand[0];
          }
          distancesTo(cand);
          int best = potentials();
          take(cand[best], c);
          // The winner's row holds min(minDist, d), the updated minDist, and its running sums are those of it
          // added in point order.
          useAsMinDist(best);
          double[] swap = prefix;
          prefix = runs[best];
          runs[best] = swap;
          total = prefix[n - 1];
        } else {
          int pick = randomUnchosen(rnd);
          take(pick, c);
          distancesTo(new int[] {pick, pick, pick});
          useAsMinDist(0);
          total = prefixSums();
        }
      }
      return out;
    }

    /** minDist becomes candidate t's row, min(minDist, its distances); the old minDist array is reused as its row. */
    private void useAsMinDist(int t) {
      double[] swap = minDist;
      minDist = candDist[t];
      candDist[t] = swap;
    }

    /**
     * {@code candDist[t]} = min(minDist, squared distance of candidate point {@code cand[t]}) for every point, one
     * kernel call per {@link #CALL_BLOCKS} blocks: the JIT compiles a method after a few hundred calls, but a loop
     * inside one long call only after tens of thousands of back-edges, and the Vector API runs about a hundred times
     * slower until then (mBERT shape, cold JVM: the first codebook took 0.55 CPU-seconds with whole-pass calls,
     * 0.25 with these, 0.03 once compiled).
     */
    private void distancesTo(int[] cand) {
      for (int t = 0; t < LOCAL_TRIALS; t++) {
        for (int d = 0; d < dsub; d++) {
          coords[t][d] = points[cand[t] * dsub + d];
        }
      }
      int chunks = (blocks + chunkBlocks - 1) / chunkBlocks;
      if (chunks == 1) {
        chunk(0);
      } else {
        IntStream.range(0, chunks).parallel().forEach(this::chunk);
      }
    }

    private void chunk(int q) {
      int from = q * chunkBlocks;
      int to = Math.min(blocks, from + chunkBlocks);
      for (int b = from; b < to; b += CALL_BLOCKS) {
        kernel.distances(blocked, dsub, b, Math.min(to, b + CALL_BLOCKS), coords[0], coords[1], coords[2],
            minDist, candDist[0], candDist[1], candDist[2]);
      }
    }

    /**
     * Each candidate's potential: the sum, in point order, of its candDist row (already min(minDist, its distance),
     * see {@link SeedDistances}), keeping the running sums in {@code runs}: the winner's row and sums become the
     * next minDist and sampling table, with no pass of their own. Returns the candidate with the lowest potential
     * (the first on ties).
     */
    private int potentials() {
      double[] d0 = candDist[0];
      double[] d1 = candDist[1];
      double[] d2 = candDist[2];
      double[] r0 = runs[0];
      double[] r1 = runs[trials > 1 ? 1 : 0];
      double[] r2 = runs[trials > 2 ? 2 : 0];
      double a0 = 0;
      double a1 = 0;
      double a2 = 0;
      if (trials == LOCAL_TRIALS) {
        for (int i = 0; i < n; i++) {
          a0 += d0[i];
          a1 += d1[i];
          a2 += d2[i];
          r0[i] = a0;
          r1[i] = a1;
          r2[i] = a2;
        }
      } else {
        for (int i = 0; i < n; i++) {
          a0 += d0[i];
          a1 += d1[i];
          r0[i] = a0;
          r1[i] = a1;
        }
      }
      double[] potential = {a0, a1, a2};
      int best = 0;
      for (int t = 1; t < trials; t++) {
        if (potential[t] < potential[best]) {
          best = t;
        }
      }
      return best;
    }

    /** {@code prefix[i]} = minDist[0] + ... + minDist[i], added in point order; returns the total. */
    private double prefixSums() {
      double acc = 0;
      for (int i = 0; i < n; i++) {
        acc += minDist[i];
        prefix[i] = acc;
      }
      return acc;
    }

    /**
     * The first point whose running sum of minDist exceeds target (such a point has minDist &gt; 0: adding 0
     * leaves the sum as it was), else the last point with minDist &gt; 0: what a walk over the points adding
     * minDist returns, found by binary search on the non-decreasing running sums.
     */
    private int sample(double target) {
      int lo = 0;
      int hi = n; // first index with prefix > target lies in [lo, hi]; n = none
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (prefix[mid] > target) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      if (lo < n) {
        return lo;
      }
      for (int i = n - 1; i >= 0; i--) {
        if (minDist[i] > 0) {
          return i;
        }
      }
      return -1;
    }

    private int randomUnchosen(SplittableRandom rnd) {
      int free = 0;
      for (boolean b : chosen) {
        free += b ? 0 : 1;
      }
      int skip = rnd.nextInt(free);
      for (int i = 0; i < n; i++) {
        if (!chosen[i] && skip-- == 0) {
          return i;
        }
      }
      throw new IllegalStateException("unreachable: " + free + " unchosen points");
    }

    private void take(int i, int c) {
      System.arraycopy(points, i * dsub, out, c * dsub, dsub);
      chosen[i] = true;
    }
  }
}
