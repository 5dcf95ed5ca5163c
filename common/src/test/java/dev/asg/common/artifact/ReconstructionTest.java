package dev.asg.common.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class ReconstructionTest {
  // m = 2 segments of dsub = 2; separate codebooks of k = 2: rows 0-1 segment 0, rows 2-3 segment 1.
  private static final float[] CODEBOOK = {0, 1, 10, 11, 20, 21, 30, 31};
  private static final int[] MAPPING = {1, 2, 0, 3, 1, 3};

  @Test
  void rows_subRangeAtOffset_concatenatesConceptVectors() {
    float[] out = new float[1 + 2 * 4];
    Reconstruction.rows(1, 2, 2, 2, MAPPING, CODEBOOK, out, 1);
    assertArrayEquals(new float[] {0, 0, 1, 30, 31, 10, 11, 30, 31}, out);
  }

  @Test
  void rows_outTooSmall_throws() {
    assertThrows(IndexOutOfBoundsException.class,
        () -> Reconstruction.rows(0, 3, 2, 2, MAPPING, CODEBOOK, new float[11], 0));
  }

  @Test
  void ofInts_values_equalsSha256OfLittleEndianBytes() {
    ByteBuffer b = ByteBuffer.allocate(MAPPING.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : MAPPING) {
      b.putInt(v);
    }
    java.security.MessageDigest md = Digests.sha256();
    md.update(b.array());
    assertEquals(Digests.hex(md), Digests.ofInts(MAPPING));
  }
}
