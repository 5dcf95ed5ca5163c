package dev.asg.common.kmeans;

import java.io.Serializable;

/**
 * The largest |value| of a table and a histogram of its values' binary exponents, merged exactly across tasks
 * (integer counts), so what is decided from it is the same for every partitioning.
 *
 * <p>Why: Lloyd sums are exact 64-bit fixed point ({@link FixedPoint}) whose resolution follows from the largest
 * |value|. One huge outlier (1e25 in one row) makes that resolution coarser than every other value, and the
 * codebooks come out as noise (relative MSE ~1). {@link #precisionBits} tells how many bits the table's median
 * magnitude keeps; below {@link #MIN_BITS} the table is refused rather than silently ruined.
 */
public final class ValueRange implements Serializable {
  private static final long serialVersionUID = 1L;
  /**
   * Bits the median |value| must keep in the fixed-point sums: 2^-20 ~ 1e-6 relative, below what float32
   * centroids of typical values can show. Real tables keep 25-40 (mBERT: 38).
   */
  public static final int MIN_BITS = 20;
  private static final int BIAS = 127;

  private float maxAbs;
  /** Count of values per biased float32 exponent (0: zeros and subnormals, which lose nothing worth keeping). */
  private final long[] exponents = new long[256];

  /** Largest |v| and the exponent histogram of {@code data[off, off + n)}. */
  public static ValueRange of(float[] data, int off, int n) {
    ValueRange r = new ValueRange();
    float mx = 0;
    for (int i = off; i < off + n; i++) {
      float v = data[i];
      mx = Math.max(mx, Math.abs(v));
      r.exponents[(Float.floatToRawIntBits(v) >>> 23) & 0xff]++;
    }
    r.maxAbs = mx;
    return r;
  }

  /** Adds {@code o} into this one (exact) and returns this. */
  public ValueRange merge(ValueRange o) {
    maxAbs = Math.max(maxAbs, o.maxAbs);
    for (int i = 0; i < exponents.length; i++) {
      exponents[i] += o.exponents[i];
    }
    return this;
  }

  public float maxAbs() {
    return maxAbs;
  }

  /**
   * The unbiased binary exponent of the median |value| among the normal (non-zero) values, or null if there
   * are none: half of them are below 2^(e+1).
   */
  public Integer medianExponent() {
    long normal = 0;
    for (int i = 1; i < exponents.length; i++) {
      normal += exponents[i];
    }
    if (normal == 0) {
      return null;
    }
    long seen = 0;
    for (int i = 1; i < exponents.length; i++) {
      seen += exponents[i];
      if (2 * seen >= normal) {
        return i - BIAS;
      }
    }
    throw new IllegalStateException("unreachable");
  }

  /** Bits the median |value| keeps at fixed-point resolution {@code fp}; MAX_VALUE for an all-zero table. */
  public int precisionBits(FixedPoint fp) {
    Integer e = medianExponent();
    return e == null ? Integer.MAX_VALUE : e + fp.shift();
  }
}
