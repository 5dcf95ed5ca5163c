package dev.asg.spark.source;

import dev.asg.common.kmeans.PruneBounds;
import dev.asg.common.kmeans.TokenSampler;
import dev.asg.common.kmeans.ValueRange;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The rows one task holds, as ONE contiguous row-major float[] (not a Row or an object per token): the kernel
 * streams over it and Spark caches it as a single object per partition.
 *
 * <p>{@code tokenIds} is null when the block is the contiguous range starting at {@code firstRow}; sampled blocks
 * carry the ids of the rows they kept.
 */
public final class TableBlock implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int firstRow;
  private final int rows;
  private final int dim;
  private final float[] data;
  private final int[] tokenIds;
  /**
   * The assignments of the previous Lloyd iteration, kept beside the cached rows only to report the share of
   * assignments that changed. Advisory: a block recomputed after executor loss starts again from "unknown" (-1),
   * which can inflate that one progress number but never the artifacts.
   */
  private transient int[] previous;
  /**
   * The exact pruning's per-point bounds (see {@link PruneBounds}), kept beside the cached rows between Lloyd
   * iterations. A cache, never a result: a block Spark recomputes comes back without it, which only means one
   * brute-force iteration for that block.
   */
  private transient PruneBounds bounds;

  public TableBlock(int firstRow, int rows, int dim, float[] data, int[] tokenIds) {
    if (data.length != rows * dim) {
      throw new IllegalArgumentException("block data has " + data.length + " floats, expected " + rows * dim);
    }
    this.firstRow = firstRow;
    this.rows = rows;
    this.dim = dim;
    this.data = data;
    this.tokenIds = tokenIds;
  }

  public int rows() {
    return rows;
  }

  public int dim() {
    return dim;
  }

  public float[] data() {
    return data;
  }

  public int firstRow() {
    return firstRow;
  }

  public int tokenId(int r) {
    return tokenIds == null ? firstRow + r : tokenIds[r];
  }

  /** The previous assignments (rows x m), created as all -1 ("unknown") on first use. */
  public int[] previousAssignments(int m) {
    if (previous == null || previous.length != rows * m) {
      previous = new int[rows * m];
      Arrays.fill(previous, -1);
    }
    return previous;
  }

  /** The block's pruning state for m segments per row, created empty (describing no iteration) on first use. */
  public PruneBounds pruneBounds(int m) {
    if (bounds == null || bounds.points() != rows * m) {
      bounds = new PruneBounds(rows * m);
    }
    return bounds;
  }

  /** The block's pruning state if it has one (null: never trained on, or recomputed by Spark). */
  public PruneBounds existingPruneBounds() {
    return bounds;
  }

  /** The rows whose token is in the (seed, salt) hash sample of the given fraction, as a new compact block. */
  public TableBlock sample(long seed, long salt, double fraction) {
    int[] keep = new int[rows];
    int n = 0;
    for (int r = 0; r < rows; r++) {
      if (TokenSampler.selected(seed, salt, tokenId(r), fraction)) {
        keep[n++] = r;
      }
    }
    float[] out = new float[n * dim];
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(data, keep[i] * dim, out, i * dim, dim);
      ids[i] = tokenId(keep[i]);
    }
    return new TableBlock(firstRow, n, dim, out, ids);
  }

  /** Largest |value| and exponent histogram of the block, for the fixed-point scale and its precision check. */
  public ValueRange valueRange() {
    return ValueRange.of(data, 0, data.length);
  }

  /** The first (row, column) whose |value| is {@code abs}, as {tokenId, column}, or null. */
  public int[] find(float abs) {
    for (int i = 0; i < data.length; i++) {
      if (Math.abs(data[i]) == abs) {
        return new int[] {tokenId(i / dim), i % dim};
      }
    }
    return null;
  }

  /** Largest absolute value in the block (0 for an empty block). */
  public float maxAbs() {
    float mx = 0;
    for (float v : data) {
      mx = Math.max(mx, Math.abs(v));
    }
    return mx;
  }
}
