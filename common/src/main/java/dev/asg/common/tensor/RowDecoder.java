package dev.asg.common.tensor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Decodes little-endian F32/F16/BF16 elements into float32. F32 is one bulk copy; the 16-bit types read the
 * elements in place through a byte-array view {@link VarHandle} (the JIT turns it into plain loads).
 */
public final class RowDecoder {
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
        // One bulk copy (a memcpy on little-endian CPUs): fast from the first call, where the element loop ran
        // interpreted until the JIT compiled it, on the read's critical path.
        ByteBuffer.wrap(src, srcOff, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(dst, dstOff, count);
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
