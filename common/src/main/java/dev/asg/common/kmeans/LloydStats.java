package dev.asg.common.kmeans;

import java.io.Serializable;

/**
 * One Lloyd iteration's partial statistics from a set of rows: per-centroid fixed-point coordinate sums and
 * counts, the fixed-point objective, and how many assignments changed. Partials from tasks are merged by exact
 * integer addition (see {@link FixedPoint}), so the merged result does not depend on how rows were partitioned or
 * in what order partials arrive.
 */
public final class LloydStats implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int codebooks;
  private final int k;
  private final int dsub;
  private final long[] sums;
  private final long[] counts;
  private long objective;
  private long changed;
  private long points;
  /** Points whose assignment the exact pruning settled without the other k - 1 distances (advisory). */
  private long skipped;
  /** Task time spent computing these stats (timing only: never part of any result or digest). */
  private long computeNanos;

  public LloydStats(int codebooks, int k, int dsub) {
    this.codebooks = codebooks;
    this.k = k;
    this.dsub = dsub;
    this.sums = new long[Math.multiplyExact(Math.multiplyExact(codebooks, k), dsub)];
    this.counts = new long[codebooks * k];
  }

  /** Adds {@code other} into this (exact). Returns this, for use as a Spark reduce function. */
  public LloydStats merge(LloydStats other) {
    if (other.codebooks != codebooks || other.k != k || other.dsub != dsub) {
      throw new IllegalArgumentException("cannot merge stats of different shapes");
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] += other.sums[i];
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    objective += other.objective;
    changed += other.changed;
    points += other.points;
    skipped += other.skipped;
    computeNanos += other.computeNanos;
    return this;
  }

  void add(int codebook, int centroid, float[] x, int xOff, FixedPoint valueFp) {
    valueFp.addValues(x, xOff, sums, (codebook * k + centroid) * dsub, dsub);
    counts[codebook * k + centroid]++;
    points++;
  }

  void addObjective(long fixedDistance) {
    objective += fixedDistance;
  }

  void addChanged(long n) {
    changed += n;
  }

  /**
   * Records a pruned assignment's counts (see {@link PrunedAssigner}): its skipped points, and its changed
   * assignments (for a block accumulated with {@code previous = null}).
   */
  public void addPruned(PrunedAssigner.Outcome o) {
    skipped += o.skipped();
    changed += o.changed();
  }

  /** Records task compute time, so the driver can tell Spark's own per-iteration overhead from the work. */
  public void addComputeNanos(long nanos) {
    computeNanos += nanos;
  }

  /** Summed task compute time of the merged partials (timing only). */
  public long computeNanos() {
    return computeNanos;
  }

  public int codebooks() {
    return codebooks;
  }

  public int k() {
    return k;
  }

  public int dsub() {
    return dsub;
  }

  /** Fixed-point sum of coordinate d of the points assigned to centroid j of codebook c. */
  public long sum(int codebook, int centroid, int d) {
    return sums[(codebook * k + centroid) * dsub + d];
  }

  public long count(int codebook, int centroid) {
    return counts[codebook * k + centroid];
  }

  /** Fixed-point sum of squared distances to the assigned centroid (before the update). */
  public long objective() {
    return objective;
  }

  /** Assignments that differ from the previous iteration's (advisory: see BlockAssigner). */
  public long changed() {
    return changed;
  }

  /** Points (sub-vectors) whose other k - 1 distances the exact pruning skipped. */
  public long skipped() {
    return skipped;
  }

  /** Sub-vectors assigned (rows x segments). */
  public long points() {
    return points;
  }
}
