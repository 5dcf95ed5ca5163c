package dev.asg.common.kmeans;

import java.util.Arrays;

/**
 * The points of a block whose assignment changed in one Lloyd iteration, each with the centroid it left (its new
 * one is in the assignment array): all an incremental update ({@link LloydDelta}) needs. Once the centroids
 * settle that is under 0.1% of the points, so recording them beats comparing two full assignment arrays. Reused
 * across blocks ({@link #clear}); not thread-safe.
 */
public final class Moves {
  private int[] points = new int[64];
  private int[] from = new int[64];
  private int n;

  public void clear() {
    n = 0;
  }

  /** Records that point p left centroid {@code oldCentroid}. */
  void add(int p, int oldCentroid) {
    if (n == points.length) {
      points = Arrays.copyOf(points, 2 * n);
      from = Arrays.copyOf(from, 2 * n);
    }
    points[n] = p;
    from[n] = oldCentroid;
    n++;
  }

  public int size() {
    return n;
  }

  int point(int i) {
    return points[i];
  }

  int from(int i) {
    return from[i];
  }

  /** Clears this and records every point p < n with {@code before[p] != after[p]}. Returns this. */
  public Moves between(int[] before, int[] after, int n) {
    clear();
    for (int p = 0; p < n; p++) {
      if (before[p] != after[p]) {
        add(p, before[p]);
      }
    }
    return this;
  }
}
