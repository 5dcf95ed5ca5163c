package dev.asg.common.tensor;

import java.util.Objects;

/** A 2-D tensor to be written: its name, element type and shape [rows, dim]. */
public record TensorDecl(String name, DType dtype, int rows, int dim) {
  public TensorDecl {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    if (name.isEmpty() || name.equals(SafetensorsHeader.METADATA_KEY)) {
      throw new IllegalArgumentException("tensor name '" + name + "' is empty or reserved");
    }
    if (rows < 0 || dim < 0) {
      throw new IllegalArgumentException("tensor " + name + " has negative shape [" + rows + ", " + dim + "]");
    }
  }

  /** Bytes of the tensor's data. */
  public long byteSize() {
    return (long) rows * dim * dtype.bytes();
  }
}
