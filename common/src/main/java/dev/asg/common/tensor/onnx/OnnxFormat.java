package dev.asg.common.tensor.onnx;

import dev.asg.common.InvalidInputException;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.TableSpec;
import java.io.IOException;
import java.util.List;

/**
 * Resolves the embedding table inside an ONNX model to a {@link TableSpec}: which initializer, its element type
 * and shape, and the absolute file offset of its contiguous payload (raw_data or packed float_data). Only small
 * metadata is read; see {@link OnnxModelScanner}.
 */
public final class OnnxFormat {
  public static final String FORMAT = "onnx";

  private OnnxFormat() {}

  /**
   * @param tensorOrNull the initializer name from --tensor, or null to pick the embedding table by name
   * @throws InvalidInputException if the file is not a usable ONNX model or the tensor cannot be read by range
   */
  public static TableSpec resolve(RangeSource src, String tensorOrNull) throws IOException {
    String uri = src.uri();
    OnnxModelScanner.Result scan = OnnxModelScanner.scan(src);
    if (!scan.sawGraph) {
      throw new InvalidInputException(uri + ": no graph found (ModelProto field 7); is this an ONNX model? "
          + "pass an .onnx file or set --input-format");
    }
    List<OnnxInitializer> all = scan.initializers;
    if (all.isEmpty()) {
      throw new InvalidInputException(uri + ": the ONNX graph has no initializers, so there is no weight table to "
          + "read (weights stored as Constant nodes are not supported); export the embedding with --input-format "
          + "npy or safetensors");
    }
    OnnxInitializer t = tensorOrNull == null ? OnnxEmbeddingPicker.pick(uri, all) : byName(uri, all, tensorOrNull);
    return toSpec(uri, t, src.length());
  }

  /** Names of the graph's initializers, in file order (empty if none or not a graph). */
  public static List<String> initializerNames(RangeSource src) throws IOException {
    return OnnxModelScanner.scan(src).initializers.stream().map(t -> t.name).toList();
  }

  private static OnnxInitializer byName(String uri, List<OnnxInitializer> all, String name) {
    for (OnnxInitializer t : all) {
      if (t.name.equals(name)) {
        return t;
      }
    }
    throw new InvalidInputException(uri + ": --tensor '" + name + "' is not an initializer of this model; "
        + "2-D initializers: " + OnnxEmbeddingPicker.listTwoD(all) + "; pass --tensor NAME");
  }

  private static TableSpec toSpec(String uri, OnnxInitializer t, long fileLength) {
    String where = uri + ": tensor '" + t.name + "'";
    if (t.external) {
      throw new InvalidInputException(where + " uses external data files ("
          + (t.externalLocation == null ? "" : "location '" + t.externalLocation + "'; ")
          + "models over 2 GB); not supported yet; export the embedding with --input-format npy or parquet");
    }
    if (!t.is2d()) {
      throw new InvalidInputException(where + " has shape " + t.shape() + " (" + t.dims.length + "-D); the "
          + "embedding table must be 2-D [vocab, dim]; pass --tensor NAME of a 2-D initializer");
    }
    for (long d : t.dims) {
      if (d <= 0 || d > Integer.MAX_VALUE) {
        throw new InvalidInputException(where + " has shape " + t.shape() + "; each dimension must be between 1 "
            + "and " + Integer.MAX_VALUE);
      }
    }
    DType dtype = OnnxDataType.toDType(t.dataType);
    if (dtype == null) {
      throw new InvalidInputException(where + " has data_type " + OnnxDataType.describe(t.dataType)
          + "; supported: FLOAT (1), FLOAT16 (10), BFLOAT16 (16); for a quantized model export the float model");
    }
    if (t.unpackedFloats > 0) {
      throw new InvalidInputException(where + " stores float_data unpacked (one protobuf tag per float), which "
          + "cannot be read by byte range; re-save it with onnx.save (packed float_data or raw_data)");
    }
    if (t.payload == OnnxInitializer.Payload.NONE) {
      throw new InvalidInputException(where + " has no raw_data or packed float_data (FLOAT16/BFLOAT16 values "
          + "must be in raw_data, not int32_data); re-save it with onnx.save or export with --input-format npy");
    }
    if (t.payload == OnnxInitializer.Payload.PACKED_FLOAT_DATA && dtype != DType.F32) {
      throw new InvalidInputException(where + " has data_type " + OnnxDataType.describe(t.dataType)
          + " but its values are in float_data, which ONNX allows only for FLOAT; re-save it with onnx.save");
    }
    int rows = (int) t.dims[0];
    int dim = (int) t.dims[1];
    long expected = (long) rows * dim * dtype.bytes();
    if (t.payloadLength != expected) {
      throw new InvalidInputException(where + " has shape " + t.shape() + " " + dtype + " so its data should be "
          + expected + " bytes, but " + (t.payload == OnnxInitializer.Payload.RAW_DATA ? "raw_data" : "float_data")
          + " holds " + t.payloadLength + " bytes; the model file is corrupt");
    }
    if (t.payloadOffset + t.payloadLength > fileLength) {
      throw new InvalidInputException(where + " ends at byte " + (t.payloadOffset + t.payloadLength)
          + " but the file has only " + fileLength + " bytes; the model file is truncated");
    }
    return new TableSpec(FORMAT, uri, t.name, dtype, rows, dim, t.payloadOffset);
  }
}
