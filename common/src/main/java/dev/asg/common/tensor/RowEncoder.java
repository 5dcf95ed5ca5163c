package dev.asg.common.tensor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Encodes float32 values as little-endian F32/F16/BF16 elements, rounding to nearest even for the 16-bit types
 * (see {@link HalfFloats}). The inverse of {@link RowDecoder}; used by the safetensors writer.
 */
public final class RowEncoder {
  private static final VarHandle F32_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle I16_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  private RowEncoder() {}

  /**
   * Encodes {@code src[srcOff .. srcOff + count)} as type {@code t} into {@code dst} starting at byte {@code dstOff}.
   *
   * @throws IndexOutOfBoundsException if either array is too short
   */
  public static void encode(DType t, float[] src, int srcOff, byte[] dst, int dstOff, int count) {
    Objects.checkFromIndexSize(srcOff, count, src.length);
    Objects.checkFromIndexSize((long) dstOff, (long) count * t.bytes(), (long) dst.length);
    switch (t) {
      case F32:
        for (int i = 0; i < count; i++) {
          F32_LE.set(dst, dstOff + 4 * i, src[srcOff + i]);
        }
        break;
      case F16:
        for (int i = 0; i < count; i++) {
          I16_LE.set(dst, dstOff + 2 * i, HalfFloats.floatToHalf(src[srcOff + i]));
        }
        break;
      case BF16:
        for (int i = 0; i < count; i++) {
          I16_LE.set(dst, dstOff + 2 * i, HalfFloats.floatToBf16(src[srcOff + i]));
        }
        break;
      default:
        throw new AssertionError(t);
    }
  }
}
