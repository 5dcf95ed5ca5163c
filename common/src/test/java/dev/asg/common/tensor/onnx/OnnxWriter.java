package dev.asg.common.tensor.onnx;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Writes a minimal ONNX model whose graph holds only initializers: enough for tests and synthetic fixtures to
 * exercise {@link OnnxFormat} without the onnx Python package. The encoding follows what onnx.save produces
 * (proto2: {@code dims} unpacked, {@code float_data} packed); the other encodings a reader must accept are
 * available as options so tests can cover them.
 */
public final class OnnxWriter {
  public static final int FLOAT = OnnxDataType.FLOAT;
  public static final int FLOAT16 = OnnxDataType.FLOAT16;
  public static final int BFLOAT16 = OnnxDataType.BFLOAT16;

  /** IR version 8 (ONNX 1.10+) with opset 17: what current exporters emit; readers only need it to be present. */
  private static final long IR_VERSION = 8;
  private static final long OPSET_VERSION = 17;

  /** How a tensor's values are encoded in its TensorProto. */
  public enum Encoding {
    /** raw_data: little-endian bytes (what torch.onnx.export writes). */
    RAW_DATA,
    /** packed float_data (what onnx.numpy_helper writes for small FLOAT tensors). */
    PACKED_FLOAT_DATA,
    /** one tag per float: legal protobuf, but not readable by byte range. For tests of the rejection. */
    UNPACKED_FLOAT_DATA
  }

  /** One initializer to write. */
  public static final class Initializer {
    final String name;
    final long[] dims;
    final int dataType;
    final byte[] rawData;
    final float[] floatData;
    final Encoding encoding;
    boolean packedDims;
    String externalLocation;

    private Initializer(String name, long[] dims, int dataType, byte[] rawData, float[] floatData,
        Encoding encoding) {
      this.name = Objects.requireNonNull(name);
      this.dims = dims.clone();
      this.dataType = dataType;
      this.rawData = rawData;
      this.floatData = floatData;
      this.encoding = encoding;
    }

    /** A tensor whose bytes go to raw_data as given (already little-endian for {@code dataType}). */
    public static Initializer raw(String name, int dataType, byte[] littleEndianBytes, long... dims) {
      return new Initializer(name, dims, dataType, littleEndianBytes.clone(), null, Encoding.RAW_DATA);
    }

    /** A FLOAT tensor, encoded as {@code encoding} says. */
    public static Initializer floats(String name, float[] values, Encoding encoding, long... dims) {
      float[] v = values.clone();
      byte[] raw = encoding == Encoding.RAW_DATA ? littleEndian(v) : null;
      return new Initializer(name, dims, FLOAT, raw, encoding == Encoding.RAW_DATA ? null : v, encoding);
    }

    /** Writes dims as one packed field instead of one tag each (both are legal protobuf). */
    public Initializer withPackedDims() {
      this.packedDims = true;
      return this;
    }

    /** Marks the tensor as stored in an external file (data_location = EXTERNAL) and writes no payload. */
    public Initializer withExternalData(String location) {
      this.externalLocation = Objects.requireNonNull(location);
      return this;
    }
  }

  private OnnxWriter() {}

  public static void write(Path path, List<Initializer> initializers) throws IOException {
    Files.write(path, toBytes(initializers));
  }

  /** The serialized ModelProto. */
  public static byte[] toBytes(List<Initializer> initializers) throws IOException {
    ByteArrayOutputStream graph = new ByteArrayOutputStream();
    CodedOutputStream g = CodedOutputStream.newInstance(graph);
    g.writeString(2, "asg-test-graph"); // GraphProto.name
    for (Initializer init : initializers) {
      g.writeByteArray(5, tensor(init)); // GraphProto.initializer
    }
    g.flush();

    ByteArrayOutputStream opset = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(opset);
    o.writeString(1, ""); // OperatorSetIdProto.domain: the default ONNX domain
    o.writeInt64(2, OPSET_VERSION);
    o.flush();

    ByteArrayOutputStream model = new ByteArrayOutputStream();
    CodedOutputStream m = CodedOutputStream.newInstance(model);
    m.writeInt64(1, IR_VERSION); // ModelProto.ir_version
    m.writeString(2, "asg-spark"); // ModelProto.producer_name
    m.writeByteArray(7, graph.toByteArray()); // ModelProto.graph
    m.writeByteArray(8, opset.toByteArray()); // ModelProto.opset_import
    m.flush();
    return model.toByteArray();
  }

  private static byte[] tensor(Initializer t) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    if (t.packedDims) {
      int size = 0;
      for (long d : t.dims) {
        size += CodedOutputStream.computeInt64SizeNoTag(d);
      }
      out.writeTag(1, 2);
      out.writeUInt32NoTag(size);
      for (long d : t.dims) {
        out.writeInt64NoTag(d);
      }
    } else {
      for (long d : t.dims) {
        out.writeInt64(1, d); // TensorProto.dims
      }
    }
    out.writeInt32(2, t.dataType); // TensorProto.data_type
    if (t.externalLocation == null && t.encoding == Encoding.PACKED_FLOAT_DATA) {
      out.writeTag(4, 2); // TensorProto.float_data, packed
      out.writeUInt32NoTag(t.floatData.length * Float.BYTES);
      for (float f : t.floatData) {
        out.writeFloatNoTag(f);
      }
    } else if (t.externalLocation == null && t.encoding == Encoding.UNPACKED_FLOAT_DATA) {
      for (float f : t.floatData) {
        out.writeFloat(4, f);
      }
    }
    out.writeString(8, t.name); // TensorProto.name
    if (t.externalLocation == null && t.encoding == Encoding.RAW_DATA) {
      out.writeByteArray(9, t.rawData); // TensorProto.raw_data
    }
    if (t.externalLocation != null) {
      ByteArrayOutputStream entry = new ByteArrayOutputStream();
      CodedOutputStream e = CodedOutputStream.newInstance(entry);
      e.writeString(1, "location");
      e.writeString(2, t.externalLocation);
      e.flush();
      out.writeByteArray(13, entry.toByteArray()); // TensorProto.external_data
      out.writeEnum(14, 1); // TensorProto.data_location = EXTERNAL
    }
    out.flush();
    return bytes.toByteArray();
  }

  /** Floats as little-endian IEEE-754 bytes: the raw_data layout. */
  public static byte[] littleEndian(float[] values) {
    ByteBuffer bb = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bb.asFloatBuffer().put(values);
    return bb.array();
  }
}
