package dev.asg.common.kmeans;

import java.io.Serializable;

/**
 * Exact, order-independent accumulation of floating-point terms as 64-bit fixed-point integers.
 *
 * <p>Why: Lloyd sums are reduced across Spark tasks whose number and boundaries change with the partitioning,
 * executor count and retries. Floating-point addition is not associative, so a double reduction would give
 * different centroids (and different mappings) for different partitionings. Each term is instead rounded ONCE to
 * a multiple of 2^-shift (a deterministic function of the term alone) and the integers are added exactly; integer
 * addition is associative and commutative, so every partitioning and reduction order yields the same bits.
 *
 * <p>The shift is chosen from a bound on the total so the sum can never overflow: {@code maxAbsTerm * maxTerms *
 * 2^shift < 2^62}. For an mBERT-sized table (|x| &lt; 2, 120k rows) that is 2^-44 resolution, far below float
 * precision of the resulting centroids.
 */
public final class FixedPoint implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Leaves one bit of headroom below Long.MAX_VALUE for rounding of each term. */
  private static final int HEADROOM_BITS = 62;
  /** Beyond 2^-60 resolution nothing changes for float32 results; also keeps scale finite for all-zero tables. */
  private static final int MAX_SHIFT = 60;

  private final int shift;
  private final double scale;
  private final double inverse;

  private FixedPoint(int shift) {
    this.shift = shift;
    this.scale = Math.scalb(1.0, shift);
    this.inverse = Math.scalb(1.0, -shift);
  }

  /**
   * A scale for summing at most {@code maxTerms} terms each of magnitude at most {@code maxAbsTerm}.
   */
  public static FixedPoint forSum(double maxAbsTerm, long maxTerms) {
    if (!(maxAbsTerm >= 0) || Double.isInfinite(maxAbsTerm)) {
      throw new IllegalArgumentException("maxAbsTerm must be finite and >= 0, got " + maxAbsTerm);
    }
    if (maxTerms < 1) {
      throw new IllegalArgumentException("maxTerms must be >= 1, got " + maxTerms);
    }
    double bound = maxAbsTerm * (double) maxTerms;
    if (bound == 0) {
      return new FixedPoint(MAX_SHIFT);
    }
    int shift = HEADROOM_BITS - (Math.getExponent(bound) + 1);
    return new FixedPoint(Math.min(MAX_SHIFT, shift));
  }

  public static FixedPoint ofShift(int shift) {
    return new FixedPoint(shift);
  }

  public int shift() {
    return shift;
  }

  /** Rounds one term to fixed point. Exact scaling by a power of two, then one rounding. */
  public long toFixed(double v) {
    return Math.round(v * scale);
  }

  public double toDouble(long q) {
    return q * inverse;
  }

  @Override
  public String toString() {
    return "FixedPoint(2^-" + shift + ")";
  }
}
