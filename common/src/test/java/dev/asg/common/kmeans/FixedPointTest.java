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
}
