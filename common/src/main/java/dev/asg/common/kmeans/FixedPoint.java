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
  /**
   * Each term scaled by 2^shift stays below 2^51 (see {@link #forSum}), the range where {@link #addValues} rounds
   * exactly with one double addition. It binds only for sums of fewer than about 2^11 terms: beyond that the
   * headroom of the total already keeps every term smaller.
   */
  private static final int TERM_BITS = 51;
  /** 1.5 * 2^52: adding it to |y| < 2^51 leaves round-half-even(y) in the low mantissa bits. */
  private static final double ROUNDER = 0x1.8p52;
  private static final long ROUNDER_BITS = Double.doubleToRawLongBits(ROUNDER);
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
    if (maxAbsTerm > 0) {
      shift = Math.min(shift, TERM_BITS - (Math.getExponent(maxAbsTerm) + 1));
    }
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

  /**
   * Adds {@code n} float terms, each rounded to fixed point (half to even), into {@code sums}:
   * {@code sums[sOff + i] += round(x[xOff + i] * 2^shift)}. The hot path of every Lloyd iteration: the scaling is
   * exact (a power of two) and the rounding is one double addition of {@link #ROUNDER} and a bit-level subtraction,
   * several times cheaper than {@link Math#round}. Requires {@code |x| <= maxAbsTerm} of {@link #forSum}, which
   * keeps the scaled term below 2^51 where the trick is exact; the table's own max |x| is that bound.
   */
  public void addValues(float[] x, int xOff, long[] sums, int sOff, int n) {
    for (int i = 0; i < n; i++) {
      sums[sOff + i] += Double.doubleToRawLongBits(x[xOff + i] * scale + ROUNDER) - ROUNDER_BITS;
    }
  }

  /** Subtracts exactly what {@link #addValues} adds for the same terms: moving a point out of a sum. */
  public void subValues(float[] x, int xOff, long[] sums, int sOff, int n) {
    for (int i = 0; i < n; i++) {
      sums[sOff + i] -= Double.doubleToRawLongBits(x[xOff + i] * scale + ROUNDER) - ROUNDER_BITS;
    }
  }

  public double toDouble(long q) {
    return q * inverse;
  }

  @Override
  public String toString() {
    return "FixedPoint(2^-" + shift + ")";
  }
}
