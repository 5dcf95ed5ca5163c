package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ValueRangeTest {

  private static float[] table(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.sin(0.37 * i) * 0.05f; // embedding-like magnitudes
    }
    return v;
  }

  @Test
  void precisionBits_normalTable_wellAboveMinimum() {
    float[] v = table(120_000 * 16);
    ValueRange r = ValueRange.of(v, 0, v.length);
    FixedPoint fp = FixedPoint.forSum(r.maxAbs(), 120_000L * 48);
    assertTrue(r.precisionBits(fp) >= ValueRange.MIN_BITS + 8, "bits " + r.precisionBits(fp));
  }

  @Test
  void precisionBits_oneValueOf1e25_belowMinimum() {
    float[] v = table(200 * 32);
    v[9 * 32 + 3] = 1e25f;
    ValueRange r = ValueRange.of(v, 0, v.length);
    assertEquals(1e25f, r.maxAbs());
    assertTrue(r.precisionBits(FixedPoint.forSum(r.maxAbs(), 200)) < ValueRange.MIN_BITS);
  }

  @Test
  void merge_anySplit_sameAsWhole() {
    float[] v = table(10_000);
    v[1234] = -3e6f;
    ValueRange whole = ValueRange.of(v, 0, v.length);
    ValueRange parts = ValueRange.of(v, 0, 3333).merge(ValueRange.of(v, 3333, 5000)).merge(ValueRange.of(v, 8333,
        v.length - 8333));
    assertEquals(whole.maxAbs(), parts.maxAbs());
    assertEquals(whole.medianExponent(), parts.medianExponent());
  }

  @Test
  void medianExponent_allZero_null() {
    ValueRange r = ValueRange.of(new float[64], 0, 64);
    assertEquals(null, r.medianExponent());
    assertEquals(Integer.MAX_VALUE, r.precisionBits(FixedPoint.forSum(0, 64)));
  }
}
