package dev.asg.spark.source;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** A fixed range of token ids read by one task: [first, first + count). */
public final class RowRange implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int first;
  private final int count;

  public RowRange(int first, int count) {
    this.first = first;
    this.count = count;
  }

  public int first() {
    return first;
  }

  public int count() {
    return count;
  }

  /** Splits [0, rows) into {@code parts} contiguous ranges whose sizes differ by at most one. */
  public static List<RowRange> split(int rows, int parts) {
    int n = Math.max(1, Math.min(parts, rows));
    List<RowRange> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int a = (int) ((long) rows * i / n);
      int b = (int) ((long) rows * (i + 1) / n);
      out.add(new RowRange(a, b - a));
    }
    return out;
  }

  @Override
  public String toString() {
    return "rows[" + first + ", " + (first + count) + ")";
  }
}
