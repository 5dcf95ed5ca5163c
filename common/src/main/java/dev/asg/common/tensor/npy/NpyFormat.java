package dev.asg.common.tensor.npy;

import dev.asg.common.InvalidInputException;
import dev.asg.common.io.RangeSource;
import dev.asg.common.tensor.DType;
import dev.asg.common.tensor.TableSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Resolves a NumPy .npy file (format versions 1.0, 2.0 and 3.0) holding a 2-D little-endian float32 or float16
 * array in C order to a {@link TableSpec}. The data follows the header directly, so row 0 is at the header's end.
 */
public final class NpyFormat {
  public static final String FORMAT = "npy";

  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /**
   * Largest header we accept. A 2-D float header is about 128 bytes and numpy itself refuses headers over 10000
   * bytes by default; the cap only stops a corrupt length field from allocating gigabytes.
   */
  static final int MAX_HEADER_BYTES = 1 << 20;

  private NpyFormat() {}

  /** @throws InvalidInputException if the file is not a 2-D little-endian f4/f2 C-order .npy with all its data */
  public static TableSpec resolve(RangeSource src) throws IOException {
    String uri = src.uri();
    long fileLength = src.length();
    if (fileLength < 10) {
      throw notNpy(uri, "it has only " + fileLength + " bytes");
    }
    byte[] prefix = new byte[(int) Math.min(12, fileLength)];
    src.readFully(0, prefix, 0, prefix.length);
    for (int i = 0; i < MAGIC.length; i++) {
      if (prefix[i] != MAGIC[i]) {
        throw notNpy(uri, "it does not start with the \\x93NUMPY magic");
      }
    }
    int major = prefix[6] & 0xff;
    int minor = prefix[7] & 0xff;
    ByteBuffer le = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength;
    int prefixLength;
    Charset charset;
    if (major == 1) {
      headerLength = le.getShort(8) & 0xffff;
      prefixLength = 10;
      charset = StandardCharsets.ISO_8859_1;
    } else if (major == 2 || major == 3) {
      if (prefix.length < 12) {
        throw notNpy(uri, "it has only " + fileLength + " bytes");
      }
      headerLength = le.getInt(8) & 0xffffffffL;
      prefixLength = 12;
      // Version 3 only differs from 2 by allowing UTF-8 in the header (structured dtype field names).
      charset = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
    } else {
      throw new InvalidInputException(uri + ": .npy format version " + major + "." + minor + " is not supported; "
          + "supported: 1.0, 2.0, 3.0 (what numpy.save writes)");
    }
    if (headerLength > MAX_HEADER_BYTES || prefixLength + headerLength > fileLength) {
      throw new InvalidInputException(uri + ": .npy header length " + headerLength + " does not fit (file has "
          + fileLength + " bytes, headers are at most " + MAX_HEADER_BYTES + "); the file is truncated or corrupt");
    }
    byte[] headerBytes = new byte[(int) headerLength];
    src.readFully(prefixLength, headerBytes, 0, headerBytes.length);
    Map<String, Object> header = NpyHeaderParser.parseDict(new String(headerBytes, charset), uri);

    DType dtype = dtype(uri, header.get("descr"));
    Object fortran = header.get("fortran_order");
    if (!(fortran instanceof Boolean)) {
      throw new InvalidInputException(uri + ": .npy header has fortran_order " + fortran + "; expected True or "
          + "False; re-save the array with numpy.save");
    }
    if ((Boolean) fortran) {
      throw new InvalidInputException(uri + ": Fortran-order (column-major) .npy is not supported; save with "
          + "np.ascontiguousarray(a) (C order)");
    }
    long[] shape = shape(uri, header.get("shape"));
    int rows = (int) shape[0];
    int dim = (int) shape[1];

    long dataOffset = prefixLength + headerLength;
    long expected;
    try {
      expected = Math.multiplyExact(Math.multiplyExact((long) rows, dim), (long) dtype.bytes());
    } catch (ArithmeticException e) {
      throw new InvalidInputException(uri + ": shape (" + rows + ", " + dim + ") " + dtype + " would need more than "
          + Long.MAX_VALUE + " bytes; the header is corrupt; re-save the array with numpy.save", e);
    }
    long actual = fileLength - dataOffset;
    // Longer is accepted: np.save into an open file handle can append further arrays after this one.
    if (actual < expected) {
      throw new InvalidInputException(uri + ": truncated .npy: shape (" + rows + ", " + dim + ") " + dtype
          + " needs " + expected + " data bytes after the " + dataOffset + "-byte header but the file has only "
          + actual + "; copy or re-save the file");
    }
    return new TableSpec(FORMAT, uri, fileName(uri), dtype, rows, dim, dataOffset);
  }

  private static DType dtype(String uri, Object descr) {
    if ("<f4".equals(descr)) {
      return DType.F32;
    }
    if ("<f2".equals(descr)) {
      return DType.F16;
    }
    if (">f4".equals(descr) || ">f2".equals(descr)) {
      throw new InvalidInputException(uri + ": dtype '" + descr + "' is big-endian; only little-endian is "
          + "supported; convert with a.astype('<" + ((String) descr).substring(1) + "')");
    }
    String shown = descr instanceof String ? "'" + descr + "'" : String.valueOf(descr);
    throw new InvalidInputException(uri + ": dtype " + shown + " is not supported; allowed: '<f4' (float32) or "
        + "'<f2' (float16); convert with a.astype(np.float32)");
  }

  private static long[] shape(String uri, Object shape) {
    if (!(shape instanceof List)) {
      throw new InvalidInputException(uri + ": .npy header has shape " + shape + "; expected a tuple; re-save the "
          + "array with numpy.save");
    }
    List<?> dims = (List<?>) shape;
    if (dims.size() != 2) {
      throw new InvalidInputException(uri + ": shape " + python(dims) + " is " + dims.size() + "-D; the embedding "
          + "table must be 2-D (vocab, dim); reshape it before saving");
    }
    long[] out = new long[2];
    for (int i = 0; i < 2; i++) {
      Object d = dims.get(i);
      if (!(d instanceof Long) || (Long) d < 1 || (Long) d > Integer.MAX_VALUE) {
        throw new InvalidInputException(uri + ": shape " + python(dims) + " has " + (i == 0 ? "rows" : "dim")
            + " " + d + "; both must be between 1 and " + Integer.MAX_VALUE);
      }
      out[i] = (Long) d;
    }
    return out;
  }

  /** (30522, 384) as numpy prints it. */
  private static String python(List<?> dims) {
    StringBuilder sb = new StringBuilder("(");
    for (int i = 0; i < dims.size(); i++) {
      sb.append(i > 0 ? ", " : "").append(dims.get(i));
    }
    return sb.append(dims.size() == 1 ? ",)" : ")").toString();
  }

  /** The last path segment of a local path or URI: the tensor's name in the TableSpec and in manifests. */
  static String fileName(String uri) {
    int cut = Math.max(uri.lastIndexOf('/'), uri.lastIndexOf('\\'));
    return uri.substring(cut + 1);
  }

  private static InvalidInputException notNpy(String uri, String why) {
    return new InvalidInputException(uri + ": not a .npy file (" + why + "); pass a file written by numpy.save "
        + "or set --input-format");
  }
}
