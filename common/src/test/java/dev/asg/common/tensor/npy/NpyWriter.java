package dev.asg.common.tensor.npy;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a 2-D little-endian float32 or float16 array as a version 1.0 .npy file, byte-compatible with what
 * {@code numpy.save} writes for the same array (header padded with spaces and ended by '\n' so that the data
 * starts at a multiple of 64 bytes). For tests and tools.
 */
public final class NpyWriter {
  /** numpy (>= 1.14) aligns the data start to 64 bytes so it can be memory-mapped with any SIMD alignment. */
  private static final int ALIGNMENT = 64;
  /** Rows are converted through a buffer of this size so huge tables do not need a second full-size array. */
  private static final int CHUNK_BYTES = 1 << 16;

  private NpyWriter() {}

  /**
   * @param data row-major values, {@code rows * dim} of them
   * @param f16 true for '&lt;f2' (values rounded to nearest-even half precision), false for '&lt;f4'
   */
  public static void write(Path path, float[] data, int rows, int dim, boolean f16) throws IOException {
    if (rows < 1 || dim < 1 || (long) rows * dim != data.length) {
      throw new IllegalArgumentException("rows " + rows + " x dim " + dim + " must be >= 1 each and equal "
          + "data.length " + data.length);
    }
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(path), CHUNK_BYTES)) {
      out.write(header(f16 ? "<f2" : "<f4", rows, dim));
      ByteBuffer buf = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      for (float v : data) {
        if (buf.remaining() < Float.BYTES) {
          out.write(buf.array(), 0, buf.position());
          buf.clear();
        }
        if (f16) {
          buf.putShort(toHalf(v));
        } else {
          buf.putFloat(v);
        }
      }
      out.write(buf.array(), 0, buf.position());
    }
  }

  /** Magic, version 1.0, little-endian u16 header length, then the padded dict. */
  static byte[] header(String descr, int rows, int dim) {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + rows + ", " + dim + "), }";
    int prefix = NpyFormat.MAGIC.length + 4;
    int total = prefix + dict.length() + 1; // + '\n'
    int padded = (total + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    String text = dict + " ".repeat(padded - total) + "\n";
    ByteBuffer bb = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
    bb.put(NpyFormat.MAGIC).put((byte) 1).put((byte) 0).putShort((short) text.length());
    bb.put(text.getBytes(StandardCharsets.ISO_8859_1));
    return bb.array();
  }

  /**
   * float32 -> IEEE-754 binary16 bits, round to nearest, ties to even; overflow goes to infinity, NaN stays NaN.
   * TODO(lead): use RowEncoder (dev.asg.common.tensor) once merged.
   */
  static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) {
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15; // rebias
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) {
      // Subnormal half: m * 2^-24 with m < 1024. The float is (mant | 2^23) * 2^(exp - 150), and exp - 150 =
      // (e - 14) - 24, so m = (mant | 2^23) >> (14 - e), rounded on the bits shifted out.
      if (e < -10) {
        return (short) sign; // below half of the smallest subnormal: rounds to zero
      }
      int full = mant | 0x800000;
      int shift = 14 - e;
      int half = full >>> shift;
      int rest = full & ((1 << shift) - 1);
      int midpoint = 1 << (shift - 1);
      if (rest > midpoint || (rest == midpoint && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rest = mant & 0x1fff;
    // A carry out of the mantissa correctly bumps the exponent, up to infinity.
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) != 0)) {
      half++;
    }
    return (short) (sign | half);
  }
}
