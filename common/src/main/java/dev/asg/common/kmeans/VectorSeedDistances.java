package dev.asg.common.kmeans;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link SeedDistances} on the incubating Vector API: one lane per point, the three candidates' chains in registers
 * over the dimension loop (one load of the points serves all three). Lane-wise subtract, multiply and add in that
 * order, never fused, then lane-wise MIN (Math.min's semantics), so each lane computes the scalar chain bit for
 * bit. Only {@link SeedDistances#best} may load this class.
 */
final class VectorSeedDistances extends SeedDistances {
  private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED.length() >= BLOCK
      ? DoubleVector.SPECIES_512 : DoubleVector.SPECIES_PREFERRED;
  private static final int L = S.length();
  /** L floats, widened to the L doubles of S. */
  private static final VectorSpecies<Float> F = VectorSpecies.of(float.class, VectorShape.forBitSize(32 * L));

  /** 4 or 8 lanes divide a block; 2 lanes would run slower than the scalar loop the JIT vectorizes itself. */
  static boolean supported() {
    return (L == 4 || L == 8) && BLOCK % L == 0;
  }

  @Override
  void distances(float[] blocked, int dsub, int from, int to, double[] c0, double[] c1, double[] c2,
      double[] minDist, double[] out0, double[] out1, double[] out2) {
    for (int b = from; b < to; b++) {
      int base = b * dsub * BLOCK;
      for (int h = 0; h < BLOCK; h += L) {
        DoubleVector s0 = DoubleVector.zero(S);
        DoubleVector s1 = s0;
        DoubleVector s2 = s0;
        for (int d = 0; d < dsub; d++) {
          DoubleVector v = (DoubleVector) FloatVector.fromArray(F, blocked, base + d * BLOCK + h)
              .convertShape(VectorOperators.F2D, S, 0);
          DoubleVector e0 = v.sub(c0[d]);
          DoubleVector e1 = v.sub(c1[d]);
          DoubleVector e2 = v.sub(c2[d]);
          s0 = s0.add(e0.mul(e0));
          s1 = s1.add(e1.mul(e1));
          s2 = s2.add(e2.mul(e2));
        }
        DoubleVector md = DoubleVector.fromArray(S, minDist, b * BLOCK + h);
        md.min(s0).intoArray(out0, b * BLOCK + h);
        md.min(s1).intoArray(out1, b * BLOCK + h);
        md.min(s2).intoArray(out2, b * BLOCK + h);
      }
    }
  }
}
