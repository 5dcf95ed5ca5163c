package dev.asg.common.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FixedPointTest {

  @Test
  void sum_anyOrderAndGrouping_identicalBits() {
    Random rnd = new Random(7);
    int n = 20000;
    double[] terms = new double[n];
    double max = 0;
    for (int i = 0; i < n; i++) {
      terms[i] = (rnd.nextFloat() - 0.5f) * 3.7f;
      max = Math.max(max, Math.abs(terms[i]));
    }
    FixedPoint fp = FixedPoint.forSum(max, n);
    long forward = 0;
    for (double t : terms) {
      forward += fp.toFixed(t);
    }
    // Same terms, shuffled and split into uneven partial sums: the integer total must not change at all.
    List<Double> shuffled = new ArrayList<>();
    for (double t : terms) {
      shuffled.add(t);
    }
    Collections.shuffle(shuffled, new Random(3));
    long grouped = 0;
    long partial = 0;
    for (int i = 0; i < n; i++) {
      partial += fp.toFixed(shuffled.get(i));
      if (i % 997 == 0) {
        grouped += partial;
        partial = 0;
      }
    }
    grouped += partial;
    assertEquals(forward, grouped);
    double exact = 0;
    for (double t : terms) {
      exact += t;
    }
    assertEquals(exact, fp.toDouble(forward), 1e-9);
  }

  @Test
  void forSum_maxBound_doesNotOverflow() {
    FixedPoint fp = FixedPoint.forSum(1000.0, 1L << 30);
    long total = 0;
    long term = fp.toFixed(1000.0);
    // 2^30 terms of the maximum magnitude: compute the total by multiplication (exact) and check headroom.
    assertTrue(Math.multiplyHigh(term, 1L << 30) == 0 && term * (1L << 30) > 0,
        "sum of the bound must fit in a positive long");
    total = Math.multiplyExact(term, 1L << 30);
    assertEquals(1000.0 * (1L << 30), fp.toDouble(total), 1e-3 * (1L << 30));
  }

  @Test
  void forSum_zeroMagnitude_usesMaxShift() {
    assertEquals(60, FixedPoint.forSum(0.0, 10).shift());
  }

  @Test
  void forSum_invalidArguments_throw() {
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.forSum(-1, 10));
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.forSum(Double.NaN, 10));
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.forSum(Double.POSITIVE_INFINITY, 10));
    assertThrows(IllegalArgumentException.class, () -> FixedPoint.forSum(1, 0));
  }

  @Test
  void toFixed_roundTrip_withinResolution() {
    FixedPoint fp = FixedPoint.forSum(2.0, 1000);
    double resolution = Math.scalb(1.0, -fp.shift());
    for (double v : new double[] {0.0, 1e-12, -1.5, 1.9999, 0.1}) {
      assertEquals(v, fp.toDouble(fp.toFixed(v)), resolution);
    }
  }

  @Test
  void addValues_randomFloatsWithinBound_equalsRintOfScaledValue() {
    Random rnd = new Random(11);
    for (long terms : new long[] {1, 1000, 1L << 20, 1L << 40}) {
      float max = 3.25f;
      FixedPoint fp = FixedPoint.forSum(max, terms);
      double scale = Math.scalb(1.0, fp.shift());
      float[] x = new float[4096];
      for (int i = 0; i < x.length; i++) {
        x[i] = (rnd.nextFloat() * 2 - 1) * max;
      }
      x[0] = max;
      x[1] = -max;
      x[2] = Float.MIN_VALUE;
      x[3] = -0f;
      long[] sums = new long[x.length + 2];
      sums[1] = 5;
      fp.addValues(x, 0, sums, 1, x.length);
      assertEquals(0, sums[0], "writes only [sOff, sOff + n)");
      assertEquals(0, sums[sums.length - 1], "writes only [sOff, sOff + n)");
      for (int i = 0; i < x.length; i++) {
        long expected = (long) Math.rint(x[i] * scale) + (i == 0 ? 5 : 0);
        assertEquals(expected, sums[i + 1], "terms=" + terms + " x=" + x[i]);
      }
    }
  }

  @Test
  void addValues_exactHalves_roundHalfToEven() {
    // shift 1 (a bound near 2^50): 0.25 * 2 = 0.5 -> 0, 0.75 * 2 = 1.5 -> 2, -0.25 * 2 = -0.5 -> 0.
    FixedPoint fp = FixedPoint.ofShift(1);
    long[] sums = new long[3];
    fp.addValues(new float[] {0.25f, 0.75f, -0.25f}, 0, sums, 0, 3);
    assertEquals(0, sums[0]);
    assertEquals(2, sums[1]);
    assertEquals(0, sums[2]);
  }

  @Test
  void forSum_fewTermsOfLargeMagnitude_keepsEachTermBelowTwoTo51() {
    // Few terms leave plenty of headroom in the total; the per-term cap of addValues must bind instead.
    FixedPoint fp = FixedPoint.forSum(4.0, 1);
    assertTrue(4.0 * Math.scalb(1.0, fp.shift()) < Math.scalb(1.0, 51), "shift " + fp.shift());
    long[] sums = new long[1];
    fp.addValues(new float[] {4.0f}, 0, sums, 0, 1);
    assertEquals(4.0, fp.toDouble(sums[0]), 0.0);
  }
}
