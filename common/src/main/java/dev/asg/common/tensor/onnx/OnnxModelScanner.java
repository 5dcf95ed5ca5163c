package dev.asg.common.tensor.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.io.RangeSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Scans an ONNX {@code ModelProto} for the graph's initializers without generated ONNX classes and without reading
 * weight payloads: payloads are skipped (the stream only moves its position) and only their absolute offset and
 * length are kept, so executors can later read rows with positioned reads.
 *
 * <p>Field numbers are those of onnx.proto (stable since IR version 3). onnx.proto is proto2, so repeated scalars
 * are unpacked unless declared {@code [packed = true]}: {@code dims} is unpacked in files written by the onnx
 * package, {@code float_data} is packed. A protobuf reader must accept both encodings; we do for {@code dims}.
 */
final class OnnxModelScanner {
  // ModelProto
  private static final int MODEL_GRAPH = 7;
  // GraphProto (node = 1 and everything else is skipped)
  private static final int GRAPH_INITIALIZER = 5;
  // TensorProto
  private static final int TENSOR_DIMS = 1;
  private static final int TENSOR_DATA_TYPE = 2;
  private static final int TENSOR_FLOAT_DATA = 4;
  private static final int TENSOR_NAME = 8;
  private static final int TENSOR_RAW_DATA = 9;
  private static final int TENSOR_EXTERNAL_DATA = 13;
  private static final int TENSOR_DATA_LOCATION = 14;
  private static final int DATA_LOCATION_EXTERNAL = 1;
  // StringStringEntryProto
  private static final int ENTRY_KEY = 1;
  private static final int ENTRY_VALUE = 2;

  /**
   * CodedInputStream buffer. Each refill is one positioned read (a round trip on HDFS/S3), so it should hold many
   * small fields at once; 64 KiB does, and big payloads are skipped rather than buffered anyway.
   */
  private static final int BUFFER_BYTES = 64 * 1024;

  /** What a scan found. {@code sawGraph} separates "not a model" from "a model without weights". */
  static final class Result {
    final boolean sawGraph;
    final List<OnnxInitializer> initializers;

    Result(boolean sawGraph, List<OnnxInitializer> initializers) {
      this.sawGraph = sawGraph;
      this.initializers = initializers;
    }
  }

  private OnnxModelScanner() {}

  static Result scan(RangeSource src) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(new RangeSourceInputStream(src), BUFFER_BYTES);
    // The default limit would refuse models over 64 MiB in older protobuf versions; a protobuf message cannot
    // exceed 2 GiB, so this is the real bound.
    in.setSizeLimit(Integer.MAX_VALUE);
    List<OnnxInitializer> out = new ArrayList<>();
    boolean sawGraph = false;
    try {
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        if (tag == tag(MODEL_GRAPH, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
          sawGraph = true;
          int old = in.pushLimit(in.readRawVarint32());
          readGraph(in, out);
          in.popLimit(old);
        } else {
          in.skipField(tag);
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new InvalidInputException(src.uri() + ": not a readable ONNX model (protobuf parse failed: "
          + Messages.quote(e.getMessage()) + "); pass an .onnx file or set --input-format", e);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(src.uri() + ": " + e.getMessage(), e);
    }
    return new Result(sawGraph, out);
  }

  /**
   * Most initializers a model may have: large transformers have thousands; millions of (empty) ones would fill the
   * driver's heap while listing them, so past this the file is refused as not a model.
   */
  public static final int MAX_INITIALIZERS = 100_000;
  /** Most dimensions of one initializer: real tensors have up to 5 or 6. */
  public static final int MAX_DIMS = 32;

  private static void readGraph(CodedInputStream in, List<OnnxInitializer> out) throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == tag(GRAPH_INITIALIZER, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        if (out.size() >= MAX_INITIALIZERS) {
          throw new InvalidInputException("the model has more than " + MAX_INITIALIZERS + " initializers, the "
              + "most this tool reads; it is corrupt or not a model's graph");
        }
        int old = in.pushLimit(in.readRawVarint32());
        out.add(readTensor(in));
        in.popLimit(old);
      } else {
        in.skipField(tag);
      }
    }
  }

  private static OnnxInitializer readTensor(CodedInputStream in) throws IOException {
    OnnxInitializer t = new OnnxInitializer();
    List<Long> dims = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == tag(TENSOR_DIMS, WireFormat.WIRETYPE_VARINT)) {
        if (dims.size() >= MAX_DIMS) {
          throw new InvalidInputException("an initializer has more than " + MAX_DIMS + " dimensions; the model is "
              + "corrupt");
        }
        dims.add(in.readInt64());
      } else if (tag == tag(TENSOR_DIMS, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        int old = in.pushLimit(in.readRawVarint32());
        while (in.getBytesUntilLimit() > 0) {
          if (dims.size() >= MAX_DIMS) {
            throw new InvalidInputException("an initializer has more than " + MAX_DIMS + " dimensions; the model "
                + "is corrupt");
          }
          dims.add(in.readInt64());
        }
        in.popLimit(old);
      } else if (tag == tag(TENSOR_DATA_TYPE, WireFormat.WIRETYPE_VARINT)) {
        t.dataType = in.readInt32();
      } else if (tag == tag(TENSOR_FLOAT_DATA, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        skipPayload(in, t, OnnxInitializer.Payload.PACKED_FLOAT_DATA);
      } else if (tag == tag(TENSOR_FLOAT_DATA, WireFormat.WIRETYPE_FIXED32)) {
        in.readRawLittleEndian32();
        t.unpackedFloats++;
      } else if (tag == tag(TENSOR_NAME, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        t.name = in.readString();
      } else if (tag == tag(TENSOR_RAW_DATA, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        skipPayload(in, t, OnnxInitializer.Payload.RAW_DATA);
      } else if (tag == tag(TENSOR_EXTERNAL_DATA, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        t.external = true;
        int old = in.pushLimit(in.readRawVarint32());
        readExternalEntry(in, t);
        in.popLimit(old);
      } else if (tag == tag(TENSOR_DATA_LOCATION, WireFormat.WIRETYPE_VARINT)) {
        t.external |= in.readEnum() == DATA_LOCATION_EXTERNAL;
      } else {
        in.skipField(tag);
      }
    }
    t.dims = dims.stream().mapToLong(Long::longValue).toArray();
    return t;
  }

  /**
   * Records where a length-delimited payload starts and skips it. Both raw_data and packed float_data are the
   * tensor's elements back to back in little-endian order, which is exactly the TableSpec layout. A repeated
   * occurrence replaces the earlier one, as protobuf's last-one-wins rule for singular fields says.
   */
  private static void skipPayload(CodedInputStream in, OnnxInitializer t, OnnxInitializer.Payload kind)
      throws IOException {
    int length = in.readRawVarint32();
    t.payload = kind;
    t.payloadOffset = in.getTotalBytesRead();
    t.payloadLength = length;
    in.skipRawBytes(length);
  }

  private static void readExternalEntry(CodedInputStream in, OnnxInitializer t) throws IOException {
    String key = null;
    String value = null;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == tag(ENTRY_KEY, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        key = in.readString();
      } else if (tag == tag(ENTRY_VALUE, WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
        value = in.readString();
      } else {
        in.skipField(tag);
      }
    }
    if ("location".equals(key)) {
      t.externalLocation = value;
    }
  }

  /** WireFormat.makeTag is package-private in protobuf-java, hence this copy of its one-line rule. */
  static int tag(int fieldNumber, int wireType) {
    return (fieldNumber << 3) | wireType;
  }
}
