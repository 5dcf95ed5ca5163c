package dev.asg.common.kmeans;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * One Lloyd iteration's partial statistics from a set of rows: per-centroid fixed-point coordinate sums and
 * counts, the fixed-point objective, and how many assignments changed. Partials from tasks are merged by exact
 * integer addition (see {@link FixedPoint}), so the merged result does not depend on how rows were partitioned or
 * in what order partials arrive.
 *
 * <p>The sums and counts may also be a DELTA against the previous iteration's (see {@link LloydDelta}): integer
 * sums make "add the point to its new centroid, subtract it from its old one" exact. A delta is mostly zeros, so
 * serialization (task results, shuffles) writes only the centroids whose row is not all zero.
 *
 * <p>A stats object covers the centroid rows {@code [rowStart, rowStart + rows)} of all codebooks (row = codebook
 * * k + centroid): all of them, or one {@link #slice} for keyed aggregation across executors.
 */
public final class LloydStats implements Serializable {
  private static final long serialVersionUID = 2L;

  private final int codebooks;
  private final int k;
  private final int dsub;
  private final int rowStart;
  private final int rows;
  private transient long[] sums;
  private transient long[] counts;
  private long objective;
  private long changed;
  private long points;
  /** Points whose assignment the exact pruning settled without the other k - 1 distances (advisory). */
  private long skipped;
  /** Task time spent computing these stats (timing only: never part of any result or digest). */
  private long computeNanos;

  public LloydStats(int codebooks, int k, int dsub) {
    this(codebooks, k, dsub, 0, Math.multiplyExact(codebooks, k));
  }

  private LloydStats(int codebooks, int k, int dsub, int rowStart, int rows) {
    this.codebooks = codebooks;
    this.k = k;
    this.dsub = dsub;
    this.rowStart = rowStart;
    this.rows = rows;
    this.sums = new long[Math.multiplyExact(rows, dsub)];
    this.counts = new long[rows];
  }

  /** Adds {@code other} into this (exact). Returns this, for use as a Spark reduce function. */
  public LloydStats merge(LloydStats other) {
    addSumsOf(other);
    objective += other.objective;
    changed += other.changed;
    points += other.points;
    skipped += other.skipped;
    computeNanos += other.computeNanos;
    return this;
  }

  /**
   * Adds only the sums and counts of {@code delta} (the previous iteration's totals plus this iteration's
   * changes: this iteration's totals); the objective and counters stay this object's. Returns this.
   */
  public LloydStats addSumsOf(LloydStats delta) {
    if (delta.codebooks != codebooks || delta.k != k || delta.dsub != dsub || delta.rowStart != rowStart
        || delta.rows != rows) {
      throw new IllegalArgumentException("cannot merge stats of different shapes");
    }
    for (int i = 0; i < sums.length; i++) {
      sums[i] += delta.sums[i];
    }
    for (int i = 0; i < counts.length; i++) {
      counts[i] += delta.counts[i];
    }
    return this;
  }

  void add(int codebook, int centroid, float[] x, int xOff, FixedPoint valueFp) {
    valueFp.addValues(x, xOff, sums, (codebook * k + centroid) * dsub, dsub);
    counts[codebook * k + centroid]++;
    points++;
  }

  /** Moves one point's contribution from centroid {@code from} to {@code to} of a codebook (a delta). */
  void move(int codebook, int from, int to, float[] x, int xOff, FixedPoint valueFp) {
    int rf = codebook * k + from;
    int rt = codebook * k + to;
    valueFp.subValues(x, xOff, sums, rf * dsub, dsub);
    valueFp.addValues(x, xOff, sums, rt * dsub, dsub);
    counts[rf]--;
    counts[rt]++;
  }

  /** Counts points assigned without adding them (a delta, whose unchanged points add nothing). */
  void addPoints(long n) {
    points += n;
  }

  /** Records skipped points (see {@link #skipped()}). */
  public void addSkipped(long n) {
    skipped += n;
  }

  /**
   * Slice {@code s} of {@code n}: a copy of a contiguous range of centroid rows, for keyed aggregation (each
   * slice reduced on its own executor, the driver receiving each row once). Slice 0 also carries the objective and
   * counters; the others carry zeros there, so merging all slices' counters counts each once.
   */
  public LloydStats slice(int s, int n) {
    if (rowStart != 0 || rows != codebooks * k) {
      throw new IllegalStateException("only full stats can be sliced");
    }
    int from = (int) ((long) rows * s / n);
    int to = (int) ((long) rows * (s + 1) / n);
    LloydStats out = new LloydStats(codebooks, k, dsub, from, to - from);
    System.arraycopy(sums, from * dsub, out.sums, 0, out.sums.length);
    System.arraycopy(counts, from, out.counts, 0, out.counts.length);
    if (s == 0) {
      out.objective = objective;
      out.changed = changed;
      out.points = points;
      out.skipped = skipped;
      out.computeNanos = computeNanos;
    }
    return out;
  }

  /** The full stats from slices that together cover every row once (from {@link #slice}, reduced). */
  public static LloydStats assemble(Iterable<LloydStats> slices, int codebooks, int k, int dsub) {
    LloydStats full = new LloydStats(codebooks, k, dsub);
    long covered = 0;
    for (LloydStats sl : slices) {
      if (sl.codebooks != codebooks || sl.k != k || sl.dsub != dsub) {
        throw new IllegalArgumentException("slice of a different shape");
      }
      System.arraycopy(sl.sums, 0, full.sums, sl.rowStart * dsub, sl.sums.length);
      System.arraycopy(sl.counts, 0, full.counts, sl.rowStart, sl.counts.length);
      covered += sl.rows;
      full.objective += sl.objective;
      full.changed += sl.changed;
      full.points += sl.points;
      full.skipped += sl.skipped;
      full.computeNanos += sl.computeNanos;
    }
    if (covered != full.rows) {
      throw new IllegalStateException("slices cover " + covered + " of " + full.rows + " centroid rows");
    }
    return full;
  }

  /**
   * Writes the sums and counts as the rows that are not all zero (index, count, dsub sums), or densely when most
   * rows are: a delta late in training touches a few hundred of 24,576 centroids at the mBERT shape.
   */
  private void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
    int nonZero = 0;
    for (int r = 0; r < rows; r++) {
      if (!zeroRow(r)) {
        nonZero++;
      }
    }
    boolean dense = nonZero > rows / 2;
    out.writeBoolean(dense);
    if (dense) {
      out.writeObject(sums);
      out.writeObject(counts);
      return;
    }
    out.writeInt(nonZero);
    for (int r = 0; r < rows; r++) {
      if (!zeroRow(r)) {
        out.writeInt(r);
        out.writeLong(counts[r]);
        for (int d = r * dsub; d < (r + 1) * dsub; d++) {
          out.writeLong(sums[d]);
        }
      }
    }
  }

  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    if (in.readBoolean()) {
      sums = (long[]) in.readObject();
      counts = (long[]) in.readObject();
      if (sums.length != (long) rows * dsub || counts.length != rows) {
        throw new IOException("LloydStats arrays do not match their shape");
      }
      return;
    }
    sums = new long[Math.multiplyExact(rows, dsub)];
    counts = new long[rows];
    int nonZero = in.readInt();
    for (int i = 0; i < nonZero; i++) {
      int r = in.readInt();
      if (r < 0 || r >= rows) {
        throw new IOException("LloydStats row " + r + " outside 0.." + rows);
      }
      counts[r] = in.readLong();
      for (int d = r * dsub; d < (r + 1) * dsub; d++) {
        sums[d] = in.readLong();
      }
    }
  }

  private boolean zeroRow(int r) {
    if (counts[r] != 0) {
      return false;
    }
    for (int d = r * dsub; d < (r + 1) * dsub; d++) {
      if (sums[d] != 0) {
        return false;
      }
    }
    return true;
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

  /** Fixed-point sum of coordinate d of the points assigned to centroid j of codebook c (full stats). */
  public long sum(int codebook, int centroid, int d) {
    return sums[(codebook * k + centroid - rowStart) * dsub + d];
  }

  public long count(int codebook, int centroid) {
    return counts[codebook * k + centroid - rowStart];
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
