package dev.asg.common.tensor;

/**
 * Scalar conversions between float32 and the two 16-bit float formats (IEEE 754 binary16 "F16" and bfloat16
 * "BF16"). Java 17 has no {@code Float.float16ToFloat}, so they are written here with bit operations; they are
 * branch-light because {@link RowDecoder} calls them once per element of a multi-gigabyte table.
 *
 * <p>Encoding rounds to nearest, ties to even (what numpy, PyTorch and the hardware converters do), keeps infinities
 * and keeps NaN a NaN (a NaN is never truncated into an infinity).
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** binary16 bits (low 16 bits of {@code h}) to float32. Exact: every binary16 value is a float32 value. */
  public static float halfToFloat(int h) {
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    if (exp == 0) {
      // Zero or subnormal: the value is mant * 2^-24, exact in float32 (a product by a power of two).
      float mag = mant * 0x1p-24f;
      return sign == 0 ? mag : -mag;
    }
    if (exp == 0x1f) {
      // Infinity (mant == 0) or NaN; the payload moves to the top of the float32 mantissa so NaN stays NaN.
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    // Normal: rebias the exponent from 15 to 127 (112 = 127 - 15) and widen the mantissa from 10 to 23 bits.
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }

  /** float32 to binary16 bits (in the low 16 bits of the result), round to nearest even. */
  public static short floatToHalf(float f) {
    int x = Float.floatToRawIntBits(f);
    int sign = (x >>> 16) & 0x8000;
    int abs = x & 0x7fffffff;
    if (abs >= 0x7f800000) {
      // Infinity stays infinity; NaN becomes a quiet NaN keeping the top payload bits.
      return (short) (abs == 0x7f800000 ? sign | 0x7c00 : sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
    }
    if (abs >= 0x477ff000) {
      // >= 65520, the midpoint between 65504 (the largest half) and 65536; ties go to the even neighbour,
      // which is the infinity encoding, so everything from here up overflows.
      return (short) (sign | 0x7c00);
    }
    if (abs >= 0x38800000) {
      // Normal half range (>= 2^-14). Rebias the exponent (112 << 23 = 0x38000000), then round the 13 dropped
      // mantissa bits: add just under half, plus one more when the kept lowest bit is odd (ties to even).
      // A carry out of the mantissa correctly bumps the exponent.
      int e = abs - 0x38000000;
      return (short) (sign | ((e + 0xfff + ((e >>> 13) & 1)) >>> 13));
    }
    // Subnormal half (or zero): the encoding is round(|f| * 2^24) with ties to even; the scaling is exact, and
    // a result of 1024 is exactly the smallest normal encoding 0x0400.
    int mant = (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24f);
    return (short) (sign | mant);
  }

  /** bfloat16 bits (low 16 bits of {@code b}) to float32: bfloat16 is the top half of a float32. */
  public static float bf16ToFloat(int b) {
    return Float.intBitsToFloat(b << 16);
  }

  /** float32 to bfloat16 bits, round to nearest even; NaN stays a (quiet) NaN. */
  public static short floatToBf16(float f) {
    int x = Float.floatToRawIntBits(f);
    if ((x & 0x7fffffff) > 0x7f800000) {
      // Plain truncation of a NaN whose payload sits only in the low 16 bits would produce infinity.
      return (short) ((x >>> 16) | 0x0040);
    }
    // Same rounding trick as for F16; overflow of the largest finite values into infinity is the correct result.
    return (short) ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16);
  }
}
