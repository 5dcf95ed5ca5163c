package dev.asg.common.tensor.onnx;

import dev.asg.common.tensor.DType;

/** ONNX {@code TensorProto.DataType} codes: the three we read, and names for the rest so errors can say which. */
final class OnnxDataType {
  static final int FLOAT = 1;
  static final int FLOAT16 = 10;
  static final int BFLOAT16 = 16;

  /** Index = enum value in onnx.proto (TensorProto.DataType), as of ONNX 1.17. */
  private static final String[] NAMES = {
    "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16",
    "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16", "FLOAT8E4M3FN", "FLOAT8E4M3FNUZ",
    "FLOAT8E5M2", "FLOAT8E5M2FNUZ", "UINT4", "INT4", "FLOAT4E2M1"
  };

  private OnnxDataType() {}

  /** The element type we read for an ONNX data type, or null if we do not read it. */
  static DType toDType(int dataType) {
    switch (dataType) {
      case FLOAT:
        return DType.F32;
      case FLOAT16:
        return DType.F16;
      case BFLOAT16:
        return DType.BF16;
      default:
        return null;
    }
  }

  /** E.g. "INT8 (3)"; unknown codes (a newer ONNX) still print their number. */
  static String describe(int dataType) {
    String name = dataType >= 0 && dataType < NAMES.length ? NAMES[dataType] : "unknown";
    return name + " (" + dataType + ")";
  }
}
