package dev.asg.common.tensor;

import java.io.Serializable;
import java.util.Objects;

/**
 * A resolved embedding table inside a file: where row 0 starts, its element type and its shape. Rows are
 * contiguous, little-endian and row-major, so row r lives at {@code dataOffset + r * rowBytes()}. Every format we
 * read by byte range (safetensors, ONNX raw_data/packed float_data, .npy) resolves to one of these on the driver;
 * executors then read their own row ranges with positioned reads. Serializable because it travels to executors.
 *
 * @param format "safetensors", "onnx", "npy"
 * @param uri the file that holds the bytes (for a sharded checkpoint: the shard)
 * @param tensor the tensor's name inside the file
 * @param dtype the element type on disk
 * @param rows the table's rows (tokens)
 * @param dim the values per row
 * @param dataOffset where row 0 starts in the file
 */
public record TableSpec(String format, String uri, String tensor, DType dtype, int rows, int dim, long dataOffset)
    implements Serializable {
  private static final long serialVersionUID = 1L;

  public TableSpec {
    Objects.requireNonNull(format);
    Objects.requireNonNull(uri);
    Objects.requireNonNull(tensor);
    Objects.requireNonNull(dtype);
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
