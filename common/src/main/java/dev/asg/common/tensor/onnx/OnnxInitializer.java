package dev.asg.common.tensor.onnx;

import java.util.Arrays;

/**
 * What the scan keeps of one {@code GraphProto.initializer} (a TensorProto): its metadata and WHERE its payload
 * lies in the file, never the payload itself.
 */
final class OnnxInitializer {
  /** Which TensorProto field held the contiguous little-endian payload. */
  enum Payload {
    NONE,
    RAW_DATA,
    PACKED_FLOAT_DATA
  }

  String name = "";
  long[] dims = new long[0];
  int dataType;
  Payload payload = Payload.NONE;
  /** Absolute file offset of the payload's first byte; -1 when there is none. */
  long payloadOffset = -1;
  long payloadLength;
  /** float_data elements written one tag each (proto2 without [packed=true]); not contiguous, so unreadable. */
  int unpackedFloats;
  /** data_location == EXTERNAL or any external_data entry. */
  boolean external;
  /** external_data["location"], for the error message; may be null. */
  String externalLocation;

  boolean is2d() {
    return dims.length == 2;
  }

  /** "[30522, 384]", as the user would see it in Netron or onnx.helper. */
  String shape() {
    return Arrays.toString(dims);
  }

  /** "name [30522, 384]" for candidate lists in error messages. */
  String describe() {
    return name + " " + shape();
  }
}
