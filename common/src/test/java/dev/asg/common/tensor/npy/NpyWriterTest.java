package dev.asg.common.tensor.npy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpyWriterTest {
  @TempDir Path dir;

  /** Reference binary16 decoder written from the IEEE-754 definition, independent of NpyWriter.toHalf. */
  private static float halfToFloat(int h) {
    int exp = (h >>> 10) & 0x1f;
    int mant = h & 0x3ff;
    float magnitude;
    if (exp == 0) {
      magnitude = mant * (float) Math.pow(2, -24);
    } else if (exp == 31) {
      magnitude = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
    } else {
      magnitude = (1 + mant / 1024f) * (float) Math.pow(2, exp - 15);
    }
    return (h & 0x8000) != 0 ? -magnitude : magnitude; // -0f for 0x8000
  }

  private static int half(float f) {
    return NpyWriter.toHalf(f) & 0xffff;
  }

  @Test
  void toHalf_everyFiniteHalf_roundTripsExactly() {
    for (int h = 0; h < 0x10000; h++) {
      if (((h >>> 10) & 0x1f) == 31 && (h & 0x3ff) != 0) {
        continue; // NaN payloads need not round-trip
      }
      assertEquals(h, half(halfToFloat(h)), "half bits " + Integer.toHexString(h));
    }
  }

  @Test
  void toHalf_tiesGoToEven() {
    assertEquals(0x3C00, half(1f + (float) Math.pow(2, -11))); // halfway between 0x3C00 and 0x3C01
    assertEquals(0x3C02, half(1f + 3 * (float) Math.pow(2, -11))); // halfway between 0x3C01 and 0x3C02
    assertEquals(0x0000, half((float) Math.pow(2, -25))); // halfway between 0 and the smallest subnormal
    assertEquals(0x0002, half(3 * (float) Math.pow(2, -25))); // halfway between subnormals 1 and 2
  }

  @Test
  void toHalf_justAboveHalfway_roundsUp() {
    assertEquals(0x3C01, half(Math.nextUp(1f + (float) Math.pow(2, -11))));
    assertEquals(0x0001, half(Math.nextUp((float) Math.pow(2, -25))));
  }

  @Test
  void toHalf_limits_overflowToInfinityUnderflowToZero() {
    assertEquals(0x7BFF, half(65504f)); // largest finite half
    assertEquals(0x7BFF, half(65519.99f)); // below the midpoint to 65536
    assertEquals(0x7C00, half(65520f)); // midpoint: ties to even = 65536 = infinity
    assertEquals(0xFC00, half(-1e10f));
    assertEquals(0x8000, half(-1e-10f));
    assertEquals(0x7C00, half(Float.POSITIVE_INFINITY));
    int nan = half(Float.NaN);
    assertEquals(0x7C00, nan & 0x7C00);
    assertTrue((nan & 0x3ff) != 0, "NaN must keep a non-zero mantissa");
  }

  @Test
  void write_dataLengthMismatch_throws() {
    assertThrows(IllegalArgumentException.class,
        () -> NpyWriter.write(dir.resolve("x.npy"), new float[5], 2, 3, false));
  }

  @Test
  void write_zeroRows_throws() {
    assertThrows(IllegalArgumentException.class,
        () -> NpyWriter.write(dir.resolve("x.npy"), new float[0], 0, 3, false));
  }

  @Test
  void header_lengthMultipleOf64EndingInNewline() {
    byte[] h = NpyWriter.header("<f4", 30522, 384);

    assertEquals(0, h.length % 64);
    assertEquals('\n', h[h.length - 1]);
    assertEquals(h.length - 10, (h[8] & 0xff) | (h[9] & 0xff) << 8);
  }
}
