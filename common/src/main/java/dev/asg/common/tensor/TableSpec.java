package dev.asg.common.tensor;

import java.io.Serializable;
import java.util.Objects;

/**
 * A resolved embedding table inside a file: where row 0 starts, its element type and its shape. Rows are
 * contiguous, little-endian and row-major, so row r lives at {@code dataOffset + r * rowBytes()}. Every format we
 * read by byte range (safetensors, ONNX raw_data/packed float_data, .npy) resolves to one of these on the driver;
 * executors then read their own row ranges with positioned reads. Serializable because it travels to executors.
 */
public final class TableSpec implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String format;
  private final String uri;
  private final String tensor;
  private final DType dtype;
  private final int rows;
  private final int dim;
  private final long dataOffset;

  public TableSpec(String format, String uri, String tensor, DType dtype, int rows, int dim, long dataOffset) {
    this.format = Objects.requireNonNull(format);
    this.uri = Objects.requireNonNull(uri);
    this.tensor = Objects.requireNonNull(tensor);
    this.dtype = Objects.requireNonNull(dtype);
    this.rows = rows;
    this.dim = dim;
    this.dataOffset = dataOffset;
  }

  /** "safetensors", "onnx", "npy". */
  public String format() {
    return format;
  }

  /** The file that holds the bytes (for a sharded checkpoint: the shard). */
  public String uri() {
    return uri;
  }

  public String tensor() {
    return tensor;
  }

  public DType dtype() {
    return dtype;
  }

  public int rows() {
    return rows;
  }

  public int dim() {
    return dim;
  }

  public long dataOffset() {
    return dataOffset;
  }

  public long rowBytes() {
    return (long) dim * dtype.bytes();
  }

  public long dataBytes() {
    return rowBytes() * rows;
  }

  @Override
  public String toString() {
    return format + ":" + uri + "#" + tensor + " " + dtype + "[" + rows + "," + dim + "]@" + dataOffset;
  }
}
