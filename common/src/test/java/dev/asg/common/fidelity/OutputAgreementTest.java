package dev.asg.common.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class OutputAgreementTest {
  private static float[] gaussian(int n, int dim, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n * dim];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void of_sameVectors_cosineOneRecallOne() {
    float[] a = gaussian(40, 8, 1);
    OutputAgreement o = OutputAgreement.of(a, a, 40, 8);
    assertEquals(1.0, o.meanCosine(), 1e-6);
    assertEquals(1.0, o.p5Cosine(), 1e-6);
    assertEquals(1.0, o.recall(), 0.0);
    assertEquals(10, o.recallAt());
  }

  @Test
  void of_scaledVectors_cosineIsScaleFree() {
    float[] a = gaussian(20, 8, 2);
    float[] b = a.clone();
    for (int i = 0; i < b.length; i++) {
      b[i] *= 3.5f;
    }
    OutputAgreement o = OutputAgreement.of(a, b, 20, 8);
    assertEquals(1.0, o.meanCosine(), 1e-6);
    assertEquals(1.0, o.recall(), 0.0);
  }

  @Test
  void of_threeTexts_cosinesByHandRecallOverAllOthers() {
    // 2-D vectors. Original: text 0 at 0 deg, 1 at 10 deg, 2 at 90 deg. ASG: text 1 flipped to 180 deg.
    float[] a = {1, 0, (float) Math.cos(0.1745), (float) Math.sin(0.1745), 0, 1};
    float[] b = {1, 0, -1, 0, 0, 1};
    OutputAgreement o = OutputAgreement.of(a, b, 3, 2);
    // k = min(10, n - 1) = 2: every other text is a neighbour under both models, so recall is 1.
    assertEquals(2, o.recallAt());
    assertEquals(1.0, o.recall(), 0.0);
    // Cosines per text: 1, cos(170 deg), 1.
    assertEquals((2 + Math.cos(Math.toRadians(170))) / 3, o.meanCosine(), 1e-4);
    assertEquals(Math.cos(Math.toRadians(170)), o.minCosine(), 1e-4);
  }

  @Test
  void of_unrelatedVectors_lowRecall() {
    int n = 200;
    OutputAgreement o = OutputAgreement.of(gaussian(n, 16, 3), gaussian(n, 16, 4), n, 16);
    // Chance level is k / (n - 1) = 0.05.
    assertTrue(o.recall() < 0.15, "recall " + o.recall());
    assertTrue(Math.abs(o.meanCosine()) < 0.1, "mean cosine " + o.meanCosine());
  }
}
