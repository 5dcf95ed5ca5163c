package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PreparedCodebookTest {

  private static float[] random(int count, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] a = new float[count];
    for (int i = 0; i < count; i++) {
      a[i] = (float) (rnd.nextDouble() * 4 - 2);
    }
    return a;
  }

  @Test
  void of_variousK_kPadIsNextMultipleOf32() {
    int[][] cases = {{1, 32}, {31, 32}, {32, 32}, {33, 64}, {256, 256}, {513, 544}};
    for (int[] c : cases) {
      PreparedCodebook cb = PreparedCodebook.of(new float[c[0] * 3], c[0], 3);
      assertEquals(c[1], cb.kPad(), "k=" + c[0]);
      assertEquals(c[0], cb.k());
      assertEquals(3, cb.dsub());
    }
  }

  @Test
  void of_randomCentroids_layoutsHoldEveryCoordinate() {
    int k = 45;
    int dsub = 5;
    float[] c = random(k * dsub, 1);
    PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
    int kPad = cb.kPad();
    float[] t = cb.transposed();
    float[] panels = cb.panels();
    assertEquals(dsub * kPad, t.length);
    assertEquals(dsub * kPad, panels.length);
    for (int j = 0; j < kPad; j++) {
      for (int d = 0; d < dsub; d++) {
        float expected = j < k ? c[j * dsub + d] : 0f;
        assertEquals(expected, t[d * kPad + j], "transposed j=" + j + " d=" + d);
        assertEquals(expected, panels[(j / 32) * dsub * 32 + d * 32 + j % 32], "panel j=" + j + " d=" + d);
      }
      assertEquals((float) j, cb.ids()[j]);
    }
  }

  @Test
  void of_randomCentroids_normsAreFmaChainAndPaddingIsInfinite() {
    int k = 40;
    int dsub = 7;
    float[] c = random(k * dsub, 2);
    PreparedCodebook cb = PreparedCodebook.of(c, k, dsub);
    float[] norms = cb.norms();
    assertEquals(cb.kPad(), norms.length);
    for (int j = 0; j < k; j++) {
      float chain = 0f;
      double exact = 0;
      for (int d = 0; d < dsub; d++) {
        float v = c[j * dsub + d];
        chain = Math.fma(v, v, chain);
        exact += (double) v * v;
      }
      assertEquals(Float.floatToRawIntBits(chain), Float.floatToRawIntBits(norms[j]), "j=" + j);
      assertEquals(exact, norms[j], 1e-5 * exact);
    }
    for (int j = k; j < cb.kPad(); j++) {
      assertEquals(Float.POSITIVE_INFINITY, norms[j], "padding j=" + j);
    }
  }

  @Test
  void of_callerMutatesInput_codebookUnchanged() {
    float[] c = {1f, 2f, 3f, 4f};
    PreparedCodebook cb = PreparedCodebook.of(c, 2, 2);
    c[0] = 99f;
    assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, cb.centroids());
    assertNotSame(c, cb.centroids());
  }

  @Test
  void serialize_roundTrip_rebuildsIdenticalLayouts() throws Exception {
    int k = 70;
    int dsub = 3;
    PreparedCodebook cb = PreparedCodebook.of(random(k * dsub, 3), k, dsub);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(cb);
    }
    PreparedCodebook back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (PreparedCodebook) in.readObject();
    }
    assertEquals(k, back.k());
    assertEquals(dsub, back.dsub());
    assertEquals(cb.kPad(), back.kPad());
    assertArrayEquals(cb.centroids(), back.centroids());
    assertArrayEquals(cb.transposed(), back.transposed());
    assertArrayEquals(cb.panels(), back.panels());
    assertArrayEquals(cb.norms(), back.norms());
    assertArrayEquals(cb.negHalfNorms(), back.negHalfNorms());
    // Derived layouts are transient: the stream carries about the centroids only, not four copies.
    assertTrue(bytes.size() < 2 * k * dsub * 4, "serialized size " + bytes.size());
  }

  @Test
  void of_minimumShape_accepted() {
    PreparedCodebook cb = PreparedCodebook.of(new float[] {3f}, 1, 1);
    assertEquals(32, cb.kPad());
    assertEquals(9f, cb.norms()[0]);
  }

  @Test
  void checkShape_maxK_accepted() {
    assertDoesNotThrow(() -> PreparedCodebook.checkShape(PreparedCodebook.MAX_K, PreparedCodebook.MAX_K, 1));
  }

  @Test
  void of_kTooSmall_throws() {
    assertThrows(IllegalArgumentException.class, () -> PreparedCodebook.of(new float[0], 0, 4));
  }

  @Test
  void of_kTooLarge_throws() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PreparedCodebook.of(new float[1], PreparedCodebook.MAX_K + 1, 1));
    assertTrue(e.getMessage().contains("k=" + (PreparedCodebook.MAX_K + 1)), e.getMessage());
  }

  @Test
  void of_dsubTooSmall_throws() {
    assertThrows(IllegalArgumentException.class, () -> PreparedCodebook.of(new float[0], 4, 0));
  }

  @Test
  void of_layoutLargerThanAnArray_throws() {
    // 2^24 * 128 = 2^31 floats: one more than a Java array can hold.
    assertThrows(IllegalArgumentException.class,
        () -> PreparedCodebook.of(new float[1], PreparedCodebook.MAX_K, 128));
  }

  @Test
  void of_lengthMismatch_throws() {
    assertThrows(IllegalArgumentException.class, () -> PreparedCodebook.of(new float[7], 2, 4));
    assertThrows(IllegalArgumentException.class, () -> PreparedCodebook.of(new float[9], 2, 4));
  }

  @Test
  void of_nullCentroids_throws() {
    assertThrows(IllegalArgumentException.class, () -> PreparedCodebook.of(null, 2, 4));
  }

  @Test
  void negHalfNorms_realAndPaddingColumns_exactHalfOfNormNegatedOrMinusInfinity() {
    int k = 33;
    int dsub = 5;
    PreparedCodebook cb = PreparedCodebook.of(random(k * dsub, 9), k, dsub);
    assertEquals(64, cb.kPad());
    for (int j = 0; j < cb.kPad(); j++) {
      float h = cb.negHalfNorms()[j];
      if (j < k) {
        // Halving is exact, so doubling back must give the norm's bits exactly.
        assertEquals(Float.floatToRawIntBits(cb.norms()[j]), Float.floatToRawIntBits(-2f * h), "j=" + j);
      } else {
        assertEquals(Float.NEGATIVE_INFINITY, h, "padding j=" + j);
      }
    }
  }
}
