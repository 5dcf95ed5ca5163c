package dev.asg.common.kmeans;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One codebook (k centroids of dsub dims) laid out for the {@link AssignKernel}s. Built once per Lloyd iteration
 * on the driver and broadcast, so it is {@link Serializable} and immutable.
 *
 * <p>Layouts:
 * <ul>
 *   <li>{@link #centroids()}: the original k x dsub row-major values.</li>
 *   <li>{@link #transposed()}: dsub x kPad, element {@code [d * kPad + j]} = {@code c_j[d]}. A vector kernel loads
 *       consecutive centroids' d-th coordinate as one vector. Padding columns (j &gt;= k) are 0.</li>
 *   <li>{@link #norms()}: length kPad, {@code norm_j = ||c_j||^2} as a float fma chain in dimension order starting
 *       from 0, the exact value {@link AssignKernel}'s contract refers to. Padding entries are +Infinity, so a
 *       padding column scores +Infinity (or NaN) and never wins a strict {@code <} comparison.</li>
 * </ul>
 *
 * <p>The array accessors return the internal arrays without copying, because kernels read them in the hot loop;
 * callers must treat them as read-only.
 */
public final class PreparedCodebook implements Serializable {
  private static final long serialVersionUID = 1L;

  /**
   * kPad is a multiple of this. 32 floats = 1024 bits: every float vector width (4, 8 or 16 lanes) divides it, so
   * the vector kernel never needs a masked centroid tail.
   */
  public static final int PAD_MULTIPLE = 32;

  /**
   * Largest k accepted. The vector kernel carries centroid indices in float lanes (so that one mask blends both
   * score and index); floats represent every integer up to 2^24 exactly.
   */
  public static final int MAX_K = 1 << 24;

  /** Largest length Java reliably allocates for an array (some VMs reserve header words). */
  static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private final int k;
  private final int dsub;
  private final int kPad;
  private final float[] centroids;
  private final float[] transposed;
  private final float[] norms;

  private PreparedCodebook(int k, int dsub, int kPad, float[] centroids, float[] transposed, float[] norms) {
    this.k = k;
    this.dsub = dsub;
    this.kPad = kPad;
    this.centroids = centroids;
    this.transposed = transposed;
    this.norms = norms;
  }

  /**
   * Prepares a codebook.
   *
   * @param centroids k x dsub row-major; copied, so the caller may reuse the array
   * @throws IllegalArgumentException if k is outside [1, {@link #MAX_K}], dsub &lt; 1, the padded layout would not
   *     fit in one Java array, or {@code centroids.length != k * dsub}
   */
  public static PreparedCodebook of(float[] centroids, int k, int dsub) {
    if (centroids == null) {
      throw new IllegalArgumentException("centroids is null; pass a k x dsub row-major float array");
    }
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("codebook k=" + k + " is out of range; allowed 1.." + MAX_K);
    }
    if (dsub < 1) {
      throw new IllegalArgumentException("codebook dsub=" + dsub + " is out of range; allowed >= 1");
    }
    int kPad = padK(k);
    if ((long) kPad * dsub > MAX_ARRAY_LENGTH) {
      throw new IllegalArgumentException("codebook kPad*dsub=" + kPad + "*" + dsub + " exceeds the largest Java array ("
          + MAX_ARRAY_LENGTH + "); use a smaller k or dsub");
    }
    if (centroids.length != k * dsub) {
      throw new IllegalArgumentException("centroids.length=" + centroids.length + " does not match k*dsub=" + k + "*"
          + dsub + "=" + (k * dsub));
    }
    float[] copy = centroids.clone();
    float[] t = new float[kPad * dsub];
    float[] norms = new float[kPad];
    for (int j = 0; j < k; j++) {
      float norm = 0f;
      int base = j * dsub;
      for (int d = 0; d < dsub; d++) {
        float c = copy[base + d];
        t[d * kPad + j] = c;
        norm = Math.fma(c, c, norm);
      }
      norms[j] = norm;
    }
    Arrays.fill(norms, k, kPad, Float.POSITIVE_INFINITY);
    return new PreparedCodebook(k, dsub, kPad, copy, t, norms);
  }

  /** k rounded up to a multiple of {@link #PAD_MULTIPLE}; k must already be validated. */
  static int padK(int k) {
    return (k + PAD_MULTIPLE - 1) / PAD_MULTIPLE * PAD_MULTIPLE;
  }

  public int k() {
    return k;
  }

  public int dsub() {
    return dsub;
  }

  public int kPad() {
    return kPad;
  }

  /** The original k x dsub row-major centroids (internal array: read-only). */
  public float[] centroids() {
    return centroids;
  }

  /** dsub x kPad, element {@code [d * kPad + j]}; padding columns are 0 (internal array: read-only). */
  public float[] transposed() {
    return transposed;
  }

  /** Length kPad: {@code ||c_j||^2} (float fma chain, d = 0..dsub-1), +Infinity for padding (read-only). */
  public float[] norms() {
    return norms;
  }
}
