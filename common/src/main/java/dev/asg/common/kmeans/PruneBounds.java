package dev.asg.common.kmeans;

/**
 * What {@link PrunedAssigner} keeps per block of rows between Lloyd iterations: for every point (row r, segment i
 * at {@code r * m + i}) the centroid it was assigned to and a lower bound on its distance to every OTHER centroid
 * of its codebook, both describing the codebooks of iteration {@link #iteration()}; the kernel's score for that
 * centroid (reused while the centroid does not move); and |x|^2 rounded up, which never changes.
 *
 * <p>Lives beside the cached block on the executor (16 bytes per point: at the mBERT shape 92 MB, a quarter of
 * the float32 table). The last two halve a pruned iteration's work: without them every point re-ran two chains of
 * dsub steps over its row each iteration (~80% of the iteration's task time at the mBERT shape). It is a cache,
 * never a result: when it is absent, stale (another iteration's) or half-written (its task died), the assigner
 * sees a tag that does not match and runs brute force, which is exact anyway.
 */
public final class PruneBounds {
  /**
   * Held while one assignment reads and rewrites the state. A second task on the same cached block at the same
   * time (a speculative copy in the same executor) must not read a half-rewritten state, whose assignments and
   * bounds could then belong to different codebooks; it runs brute force on a private state instead.
   */
  private final java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
  /** Tag of state that describes no iteration: fresh, or being rewritten. */
  static final int NONE = -1;

  final int[] assigned;
  /** Lower bounds, rounded down to float; 0 or NaN means "no bound" (the point is never skipped on it). */
  final float[] lower;
  /** The kernel's score (see {@link AssignKernel}) of each point for its assigned centroid. */
  final float[] score;
  /** An upper bound on each point's |x|^2 (a float at or above the double sum of squares). */
  final float[] normUp;
  int iteration = NONE;

  /** Empty state (describing no iteration) for {@code points} = rows x m points. */
  public PruneBounds(int points) {
    this.assigned = new int[points];
    this.lower = new float[points];
    this.score = new float[points];
    this.normUp = new float[points];
  }

  /** Bytes this state holds per point (for memory accounting). */
  public static final int BYTES_PER_POINT = 16;

  public int points() {
    return assigned.length;
  }

  /** The iteration whose codebooks this state describes, or -1 for none. */
  public int iteration() {
    return iteration;
  }

  /** Claims the state for one assignment; false if another holds it. */
  boolean claim() {
    return busy.compareAndSet(false, true);
  }

  void release() {
    busy.set(false);
  }

  /** Whether the state can be carried forward by {@code drift} for {@code points} points. */
  boolean usableWith(CentroidDrift drift, int points) {
    return drift != null && iteration != NONE && iteration == drift.fromIteration() && assigned.length == points;
  }
}
