package dev.asg.common.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor and its shape, as seen in a model file's directory (safetensors header, ONNX initializers).
 * What {@link EmbeddingTensorPicker} chooses from and what error messages list.
 */
public record TensorCandidate(String name, long[] shape) {
  public TensorCandidate {
    Objects.requireNonNull(name, "name");
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** "[250002, 768]" */
  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorCandidate && ((TensorCandidate) o).name.equals(name)
        && Arrays.equals(((TensorCandidate) o).shape, shape);
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Arrays.hashCode(shape);
  }

  /** "name [250002, 768]", the form error messages use. */
  @Override
  public String toString() {
    return name + " " + shapeString();
  }
}
