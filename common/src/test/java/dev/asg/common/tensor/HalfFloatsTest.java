package dev.asg.common.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HalfFloatsTest {

  // ---- independent references: plain IEEE 754 arithmetic in double, no bit tricks ----

  /** binary16 value from its definition: (-1)^s * 2^(e-15) * 1.m, or 2^-14 * 0.m when e == 0. */
  static double refHalfValue(int h) {
    int sign = (h >> 15) & 1;
    int exp = (h >> 10) & 31;
    int mant = h & 1023;
    double mag;
    if (exp == 0) {
      mag = mant * Math.pow(2, -24);
    } else if (exp == 31) {
      mag = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
    } else {
      mag = (1 + mant / 1024.0) * Math.pow(2, exp - 15);
    }
    return sign == 1 ? -mag : mag;
  }

  /** Positive half magnitude used for rounding; 0x7C00 stands for 2^16, the next step after 65504. */
  private static double halfStep(int h) {
    return h == 0x7c00 ? 65536.0 : refHalfValue(h);
  }

  /** Nearest binary16 by search over all encodings, ties to the even encoding. Finite inputs only. */
  static int refFloatToHalf(float f) {
    int sign = (Float.floatToRawIntBits(f) >>> 31) == 1 ? 0x8000 : 0;
    double a = Math.abs((double) f);
    int lo = 0;
    int hi = 0x7c00;
    while (hi - lo > 1) { // invariant: halfStep(lo) <= a < halfStep(hi), or a >= 65536 with hi = 0x7c00
      int mid = (lo + hi) >>> 1;
      if (halfStep(mid) <= a) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    if (a >= 65536.0) {
      return sign | 0x7c00;
    }
    double dLo = a - halfStep(lo);
    double dHi = halfStep(hi) - a;
    int pick = dLo < dHi ? lo : dHi < dLo ? hi : ((lo & 1) == 0 ? lo : hi);
    return sign | pick;
  }

  private static double bf16Step(int b) {
    return b == 0x7f80 ? Math.scalb(1.0, 128) : (double) Float.intBitsToFloat(b << 16);
  }

  /** Nearest bfloat16 of a finite float between its truncation and the next encoding, ties to even. */
  static int refFloatToBf16(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = bits & 0x80000000;
    double a = Math.abs((double) f);
    int lo = (bits & 0x7fffffff) >>> 16;
    int hi = lo + 1;
    double dLo = a - bf16Step(lo);
    double dHi = bf16Step(hi) - a;
    int pick = dLo < dHi ? lo : dHi < dLo ? hi : ((lo & 1) == 0 ? lo : hi);
    return (sign >>> 16) | pick;
  }

  // ---- F16 decoding ----

  @ParameterizedTest
  @CsvSource({
      "0x3C00, 1.0",
      "0x7BFF, 65504.0",
      "0x0001, 5.9604644775390625E-8", // 2^-24, smallest subnormal
      "0x03FF, 6.097555160522461E-5", // 1023 * 2^-24, largest subnormal
      "0x0400, 6.103515625E-5", // 2^-14, smallest normal
      "0xC000, -2.0",
      "0x3555, 0.333251953125",
      "0x7C00, Infinity",
      "0xFC00, -Infinity"})
  void halfToFloat_knownBitPatterns_giveIeeeValues(String hex, double expected) {
    assertEquals(expected, HalfFloats.halfToFloat(Integer.decode(hex)), 0.0);
  }

  @Test
  void halfToFloat_negativeZero_keepsSign() {
    assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(HalfFloats.halfToFloat(0x8000)));
  }

  @ParameterizedTest
  @CsvSource({"0x7E00", "0x7C01", "0xFFFF", "0x7DFF"})
  void halfToFloat_nanPatterns_giveNaN(String hex) {
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(Integer.decode(hex))));
  }

  @Test
  void halfToFloat_everyPattern_matchesDefinition() {
    for (int h = 0; h < 0x10000; h++) {
      double want = refHalfValue(h);
      float got = HalfFloats.halfToFloat((short) h);
      if (Double.isNaN(want)) {
        assertTrue(Float.isNaN(got), Integer.toHexString(h));
      } else {
        assertEquals(0, Double.compare(want, got), Integer.toHexString(h)); // compare() also tells -0 from 0
      }
    }
  }

  // ---- F16 encoding ----

  @Test
  void floatToHalf_everyNonNaNHalf_roundTripsExactly() {
    for (int h = 0; h < 0x10000; h++) {
      float f = HalfFloats.halfToFloat(h);
      if (!Float.isNaN(f)) {
        assertEquals(h, HalfFloats.floatToHalf(f) & 0xffff, Integer.toHexString(h));
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
      "1.00048828125, 0x3C00", // 1 + 2^-11: tie between 0x3C00 and 0x3C01, even is 0x3C00
      "1.00146484375, 0x3C02", // 1 + 3*2^-11: tie between 0x3C01 and 0x3C02, even is 0x3C02
      "1.0004884, 0x3C01", // one float ulp above the first tie
      "65519.996, 0x7BFF", // below the overflow midpoint
      "65520.0, 0x7C00", // the midpoint ties to the even neighbour, which is infinity
      "-65520.0, 0xFC00",
      "2.9802322387695312E-8, 0x0000", // 2^-25: tie between 0 and 2^-24, even is 0
      "2.9802326E-8, 0x0001", // just above 2^-25
      "8.940696716308594E-8, 0x0002", // 3 * 2^-25: tie between 1 and 2 (subnormal), even is 2
      "6.100535392761230E-5, 0x0400", // 1023.5 * 2^-24: tie between 0x03FF and 0x0400, even is 0x0400
      "6.094574928283691E-5, 0x03FE", // 1022.5 * 2^-24: tie between 0x03FE and 0x03FF, even is 0x03FE
      "-2.9802322387695312E-8, 0x8000",
      "1.0E-10, 0x0000",
      "3.4028235E38, 0x7C00"})
  void floatToHalf_boundariesAndTies_roundToNearestEven(float value, String hex) {
    assertEquals(Integer.decode(hex).intValue(), HalfFloats.floatToHalf(value) & 0xffff);
  }

  @Test
  void floatToHalf_infinities_stayInfinite() {
    assertEquals(0x7c00, HalfFloats.floatToHalf(Float.POSITIVE_INFINITY) & 0xffff);
    assertEquals(0xfc00, HalfFloats.floatToHalf(Float.NEGATIVE_INFINITY) & 0xffff);
  }

  @Test
  void floatToHalf_nanWithAnyPayload_staysNaN() {
    for (int bits : new int[] {0x7fc00000, 0x7f800001, 0xff800001, 0x7fffffff, 0x7f802000}) {
      int h = HalfFloats.floatToHalf(Float.intBitsToFloat(bits)) & 0xffff;
      assertEquals(0x7c00, h & 0x7c00, Integer.toHexString(bits));
      assertTrue((h & 0x3ff) != 0, Integer.toHexString(bits) + " became infinity");
    }
  }

  @Test
  void floatToHalf_midpointsBetweenAllHalves_matchReference() {
    for (int h = 0; h < 0x7bff; h++) {
      float mid = (float) ((refHalfValue(h) + refHalfValue(h + 1)) / 2); // exact: needs 12 significant bits
      for (float f : new float[] {mid, Math.nextDown(mid), Math.nextUp(mid), -mid}) {
        assertEquals(refFloatToHalf(f), HalfFloats.floatToHalf(f) & 0xffff, Float.toString(f));
      }
    }
  }

  @Test
  void floatToHalf_randomFloats_matchReference() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int i = 0; i < 200_000; i++) {
      int exp = 127 - 30 + rnd.nextInt(48); // 2^-30 .. 2^17: below subnormals to beyond overflow
      int bits = (rnd.nextInt(2) << 31) | (exp << 23) | rnd.nextInt(1 << 23);
      float f = Float.intBitsToFloat(bits);
      assertEquals(refFloatToHalf(f), HalfFloats.floatToHalf(f) & 0xffff, Float.toString(f));
    }
  }

  // ---- BF16 ----

  @ParameterizedTest
  @CsvSource({
      "0x3F80, 1.0",
      "0xC040, -3.0",
      "0x0001, 9.183549615799121E-41", // 2^-133, smallest bf16 subnormal
      "0x7F7F, 3.3895313892515355E38", // largest finite bf16
      "0x7F80, Infinity",
      "0xFF80, -Infinity"})
  void bf16ToFloat_knownBitPatterns_giveIeeeValues(String hex, double expected) {
    assertEquals(expected, HalfFloats.bf16ToFloat(Integer.decode(hex)), 0.0);
  }

  @Test
  void bf16ToFloat_nanPattern_givesNaN() {
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(0x7fc0)));
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat((short) 0xff81)));
  }

  @Test
  void floatToBf16_everyNonNaNBf16_roundTripsExactly() {
    for (int b = 0; b < 0x10000; b++) {
      float f = HalfFloats.bf16ToFloat(b);
      if (!Float.isNaN(f)) {
        assertEquals(b, HalfFloats.floatToBf16(f) & 0xffff, Integer.toHexString(b));
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
      "0x3F808000, 0x3F80", // 1 + 2^-8: tie, even is 0x3F80
      "0x3F818000, 0x3F82", // tie between 0x3F81 and 0x3F82, even is 0x3F82
      "0x3F808001, 0x3F81", // just above the tie
      "0x3F807FFF, 0x3F80", // just below the tie
      "0x7F7F7FFF, 0x7F7F", // below the overflow midpoint
      "0x7F7FFFFF, 0x7F80", // Float.MAX_VALUE rounds to infinity
      "0x80008000, 0x8000"}) // -(2^-134 tie): rounds to -0
  void floatToBf16_ties_roundToNearestEven(String floatHex, String bf16Hex) {
    float f = Float.intBitsToFloat(Integer.parseUnsignedInt(floatHex.substring(2), 16));
    assertEquals(Integer.decode(bf16Hex).intValue(), HalfFloats.floatToBf16(f) & 0xffff);
  }

  @Test
  void floatToBf16_nanWithLowPayload_staysNaN() {
    for (int bits : new int[] {0x7f800001, 0xff800001, 0x7fc00000, 0x7fffffff}) {
      float back = HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(Float.intBitsToFloat(bits)));
      assertTrue(Float.isNaN(back), Integer.toHexString(bits));
    }
  }

  @Test
  void floatToBf16_randomFloats_matchReference() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (int i = 0; i < 200_000; i++) {
      int bits = (rnd.nextInt() & 0x807fffff) | (rnd.nextInt(255) << 23); // any finite float
      float f = Float.intBitsToFloat(bits);
      assertEquals(refFloatToBf16(f), HalfFloats.floatToBf16(f) & 0xffff, Float.toString(f));
    }
  }
}
