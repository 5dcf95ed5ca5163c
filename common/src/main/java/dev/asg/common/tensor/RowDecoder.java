package dev.asg.common.tensor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Decodes little-endian F32/F16/BF16 elements into float32. Allocation-free: byte-array view {@link VarHandle}s
 * read the elements in place (the JIT turns them into plain loads), so it can run once per row range on executors.
 */
public final class RowDecoder {
  private static final VarHandle F32_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle I16_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  private RowDecoder() {}

  /**
   * Decodes {@code count} elements of type {@code t} starting at byte {@code srcOff} into {@code dst[dstOff ..]}.
   *
   * @throws IndexOutOfBoundsException if either array is too short
   */
  public static void decode(DType t, byte[] src, int srcOff, float[] dst, int dstOff, int count) {
    Objects.checkFromIndexSize((long) srcOff, (long) count * t.bytes(), (long) src.length);
    Objects.checkFromIndexSize(dstOff, count, dst.length);
    switch (t) {
      case F32:
        for (int i = 0; i < count; i++) {
          dst[dstOff + i] = (float) F32_LE.get(src, srcOff + 4 * i);
        }
        break;
      case F16:
        for (int i = 0; i < count; i++) {
          dst[dstOff + i] = HalfFloats.halfToFloat((short) I16_LE.get(src, srcOff + 2 * i));
        }
        break;
      case BF16:
        for (int i = 0; i < count; i++) {
          dst[dstOff + i] = HalfFloats.bf16ToFloat((short) I16_LE.get(src, srcOff + 2 * i));
        }
        break;
      default:
        throw new AssertionError(t);
    }
  }
}
