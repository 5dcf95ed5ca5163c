package dev.asg.common.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link RowDecoder} and {@link RowEncoder}: byte order, offsets, bounds. */
class RowCodecTest {

  @Test
  void decode_f32_readsLittleEndianAtOffsets() {
    byte[] src = {9, 0x00, 0x00, (byte) 0x80, 0x3f, 0x00, 0x00, 0x00, (byte) 0xc0}; // skip, 1.0f, -2.0f
    float[] dst = new float[4];
    RowDecoder.decode(DType.F32, src, 1, dst, 1, 2);
    assertArrayEquals(new float[] {0, 1.0f, -2.0f, 0}, dst);
  }

  @Test
  void decode_f16_readsLittleEndian() {
    byte[] src = {0x00, 0x3c, 0x01, 0x00, (byte) 0xff, 0x7b}; // 0x3C00, 0x0001, 0x7BFF
    float[] dst = new float[3];
    RowDecoder.decode(DType.F16, src, 0, dst, 0, 3);
    assertArrayEquals(new float[] {1.0f, 0x1p-24f, 65504f}, dst);
  }

  @Test
  void decode_bf16_readsLittleEndian() {
    byte[] src = {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0}; // 0x3F80, 0xC040
    float[] dst = new float[2];
    RowDecoder.decode(DType.BF16, src, 0, dst, 0, 2);
    assertArrayEquals(new float[] {1.0f, -3.0f}, dst);
  }

  @Test
  void encode_f16_writesLittleEndian() {
    byte[] dst = new byte[5];
    RowEncoder.encode(DType.F16, new float[] {7f, 1.0f, 65504f}, 1, dst, 1, 2);
    assertArrayEquals(new byte[] {0, 0x00, 0x3c, (byte) 0xff, 0x7b}, dst);
  }

  @Test
  void encode_bf16_writesLittleEndian() {
    byte[] dst = new byte[2];
    RowEncoder.encode(DType.BF16, new float[] {1.0f}, 0, dst, 0, 1);
    assertArrayEquals(new byte[] {(byte) 0x80, 0x3f}, dst);
  }

  @Test
  void encode_f32_matchesByteBufferLittleEndian() {
    float[] v = {1.5f, -0.0f, Float.MIN_VALUE, 123456.78f};
    byte[] dst = new byte[16];
    RowEncoder.encode(DType.F32, v, 0, dst, 0, 4);
    assertArrayEquals(SafetensorsBytes.f32(v), dst);
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void encodeThenDecode_randomValues_giveTheRoundedValues(DType t) {
    SplittableRandom rnd = new SplittableRandom(3);
    float[] v = new float[1000];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextGaussian() * 10);
    }
    byte[] bytes = new byte[v.length * t.bytes()];
    RowEncoder.encode(t, v, 0, bytes, 0, v.length);
    float[] back = new float[v.length];
    RowDecoder.decode(t, bytes, 0, back, 0, v.length);
    for (int i = 0; i < v.length; i++) {
      float want = t == DType.F32 ? v[i]
          : t == DType.F16 ? HalfFloats.halfToFloat(HalfFloats.floatToHalf(v[i]))
          : HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(v[i]));
      assertEquals(want, back[i], 0.0f);
    }
  }

  @ParameterizedTest
  @EnumSource(DType.class)
  void decode_sourceTooShort_throws(DType t) {
    byte[] src = new byte[3 * t.bytes() - 1];
    assertThrows(IndexOutOfBoundsException.class, () -> RowDecoder.decode(t, src, 0, new float[3], 0, 3));
  }

  @Test
  void decode_destinationTooShort_throws() {
    assertThrows(IndexOutOfBoundsException.class,
        () -> RowDecoder.decode(DType.F32, new byte[12], 0, new float[3], 1, 3));
  }

  @Test
  void encode_destinationTooShort_throws() {
    assertThrows(IndexOutOfBoundsException.class,
        () -> RowEncoder.encode(DType.F16, new float[3], 0, new byte[5], 0, 3));
  }
}
