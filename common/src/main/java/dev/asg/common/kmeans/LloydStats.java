package dev.asg.common.kmeans;

import java.nio.ByteBuffer;
import java.util.BitSet;

/**
 * One Lloyd iteration's partial statistics from a set of rows: per-centroid fixed-point coordinate sums and
 * counts, the fixed-point objective, and how many assignments changed. Partials from tasks are merged by exact
 * integer addition (see {@link FixedPoint}), so the merged result does not depend on how rows were partitioned or
 * in what order partials arrive.
 *
 * <p>The sums and counts may also be a DELTA against the previous iteration's (see {@link LloydDelta}): integer
 * sums make "add the point to its new centroid, subtract it from its old one" exact. A delta is mostly zeros, so
 * its compact form ({@link #encode}, what tasks send) holds only the centroids whose row is not all zero.
 *
 * <p>A stats object covers the centroid rows {@code [rowStart, rowStart + rows)} of all codebooks (row = codebook
 * * k + centroid): all of them, or one {@link #slice} for keyed aggregation across executors.
 */
public final class LloydStats {
  /** Five ints of shape, five longs of counters, the dense flag and the non-zero row count. */
  private static final int HEADER_BYTES = 5 * 4 + 5 * 8 + 1 + 4;

  private final int codebooks;
  private final int k;
  private final int dsub;
  private final int rowStart;
  private final int rows;
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

  /** The full stats from slices that together cover every row exactly once (from {@link #slice}, reduced). */
  public static LloydStats assemble(Iterable<LloydStats> slices, int codebooks, int k, int dsub) {
    LloydStats full = new LloydStats(codebooks, k, dsub);
    BitSet covered = new BitSet(full.rows);
    for (LloydStats sl : slices) {
      if (sl.codebooks != codebooks || sl.k != k || sl.dsub != dsub) {
        throw new IllegalArgumentException("slice of a different shape");
      }
      int seen = sl.rowStart < 0 ? -1 : covered.nextSetBit(sl.rowStart);
      if (sl.rowStart < 0 || sl.rowStart + sl.rows > full.rows || seen >= 0 && seen < sl.rowStart + sl.rows) {
        throw new IllegalStateException("slice of centroid rows " + sl.rowStart + ".." + (sl.rowStart + sl.rows)
            + " overlaps another or lies outside 0.." + full.rows);
      }
      System.arraycopy(sl.sums, 0, full.sums, sl.rowStart * dsub, sl.sums.length);
      System.arraycopy(sl.counts, 0, full.counts, sl.rowStart, sl.counts.length);
      covered.set(sl.rowStart, sl.rowStart + sl.rows);
      full.objective += sl.objective;
      full.changed += sl.changed;
      full.points += sl.points;
      full.skipped += sl.skipped;
      full.computeNanos += sl.computeNanos;
    }
    if (covered.cardinality() != full.rows) {
      throw new IllegalStateException("slices cover " + covered.cardinality() + " of " + full.rows
          + " centroid rows");
    }
    return full;
  }

  /**
   * The compact form tasks send instead of the object (a plain byte[] survives every Spark serializer, Java or
   * Kryo, and its length is the exact payload): header, then the rows that are not all zero (index, count, dsub
   * sums), or all rows densely when most are non-zero: a delta late in training touches a few hundred of 24,576
   * centroids at the mBERT shape.
   */
  public byte[] encode() {
    int nonZero = 0;
    for (int r = 0; r < rows; r++) {
      if (!zeroRow(r)) {
        nonZero++;
      }
    }
    boolean dense = nonZero > rows / 2;
    long body = dense ? 8L * (sums.length + counts.length) : (long) nonZero * (4 + 8 + 8L * dsub);
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(HEADER_BYTES + body));
    out.putInt(codebooks).putInt(k).putInt(dsub).putInt(rowStart).putInt(rows);
    out.putLong(objective).putLong(changed).putLong(points).putLong(skipped).putLong(computeNanos);
    out.put((byte) (dense ? 1 : 0)).putInt(nonZero);
    if (dense) {
      out.asLongBuffer().put(sums).put(counts);
      return out.array();
    }
    for (int r = 0; r < rows; r++) {
      if (!zeroRow(r)) {
        out.putInt(r).putLong(counts[r]);
        for (int d = r * dsub; d < (r + 1) * dsub; d++) {
          out.putLong(sums[d]);
        }
      }
    }
    return out.array();
  }

  /** The stats {@link #encode} wrote; a malformed array is refused (a programming error, not user input). */
  public static LloydStats decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    LloydStats s = new LloydStats(in.getInt(), in.getInt(), in.getInt(), in.getInt(), in.getInt());
    s.objective = in.getLong();
    s.changed = in.getLong();
    s.points = in.getLong();
    s.skipped = in.getLong();
    s.computeNanos = in.getLong();
    boolean dense = in.get() != 0;
    int nonZero = in.getInt();
    if (dense) {
      in.asLongBuffer().get(s.sums).get(s.counts);
      return s;
    }
    for (int i = 0; i < nonZero; i++) {
      int r = in.getInt();
      if (r < 0 || r >= s.rows) {
        throw new IllegalArgumentException("LloydStats row " + r + " outside 0.." + s.rows);
      }
      s.counts[r] = in.getLong();
      for (int d = r * s.dsub; d < (r + 1) * s.dsub; d++) {
        s.sums[d] = in.getLong();
      }
    }
    return s;
  }

  /** Merges two encoded stats (Spark's reduce function on the compact form). */
  public static byte[] mergeEncoded(byte[] a, byte[] b) {
    return decode(a).merge(decode(b)).encode();
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

  /**
   * Checks running totals (full stats): no count negative and each codebook's counts summing to its
   * {@code pointsPerCodebook} training points. Returns null when they hold, else what is wrong (one line). O(m * k).
   */
  public String totalsProblem(long pointsPerCodebook) {
    for (int c = 0; c < codebooks; c++) {
      long total = 0;
      for (int j = 0; j < k; j++) {
        long n = counts[c * k + j - rowStart];
        if (n < 0) {
          return "codebook " + c + " centroid " + j + " has count " + n;
        }
        total += n;
      }
      if (total != pointsPerCodebook) {
        return "codebook " + c + " counts sum to " + total + ", not its " + pointsPerCodebook + " training points";
      }
    }
    return null;
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
