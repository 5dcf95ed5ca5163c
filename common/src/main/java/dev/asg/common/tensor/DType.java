package dev.asg.common.tensor;

import dev.asg.common.InvalidInputException;

/** Element types we read. Everything is converted to float32 on the executors. */
public enum DType {
  F32(4),
  F16(2),
  BF16(2);

  /** The allowed safetensors dtype strings, in the order error messages list them. */
  public static final String SAFETENSORS_ALLOWED = "F32, F16, BF16";

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  public int bytes() {
    return bytes;
  }

  /** The dtype string safetensors uses for this type (the enum names were chosen to match it). */
  public String safetensorsName() {
    return name();
  }

  /**
   * Maps a safetensors header dtype string to a type we can read. Matching is exact (the format's dtype strings
   * are upper case), so a typo is reported rather than guessed.
   *
   * @throws InvalidInputException for any other dtype (I64, F64, F8_E4M3, ...), naming it and the allowed list
   */
  public static DType fromSafetensors(String dtype) {
    if (dtype != null) {
      switch (dtype) {
        case "F32":
          return F32;
        case "F16":
          return F16;
        case "BF16":
          return BF16;
        default:
          break;
      }
    }
    throw new InvalidInputException("safetensors dtype '" + dtype + "' is not supported; allowed: "
        + SAFETENSORS_ALLOWED + " (convert the embedding table to one of these first)");
  }
}
