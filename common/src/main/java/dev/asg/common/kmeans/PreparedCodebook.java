package dev.asg.common.kmeans;

import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.Arrays;

/**
 * One codebook (k centroids of dsub dims) laid out for the {@link AssignKernel}s. Built once per Lloyd iteration
 * on the driver and broadcast, so it is {@link Serializable} and immutable.
 *
 * <p>Layouts:
 * <ul>
 *   <li>{@link #centroids()}: the original k x dsub row-major values.</li>
 *   <li>{@link #transposed()}: dsub x kPad, element {@code [d * kPad + j]} = {@code c_j[d]}: consecutive
 *       centroids' d-th coordinates are contiguous, so a loop over j (the scalar kernel's inner loop) reads one
 *       stream. Padding columns (j &gt;= k) are 0.</li>
 *   <li>{@link #norms()}: length kPad, {@code norm_j = ||c_j||^2} as a float fma chain in dimension order starting
 *       from 0, the exact value {@link AssignKernel}'s contract refers to. Padding entries are +Infinity, so a
 *       padding column scores +Infinity (or NaN) and never wins a strict {@code <} comparison.</li>
 *   <li>{@link #negHalfNorms()}: length kPad, {@code -0.5f * norm_j} (exact except for subnormal norms, which
 *       round; every kernel reads this same array, so they still agree bit for bit), where every kernel starts
 *       centroid j's fma chain (see {@link AssignKernel}); -Infinity for padding.</li>
 *   <li>{@link #panels()} (package-private, for {@link VectorAssignKernel}): the transposed layout cut into panels
 *       of {@link #PANEL} centroids, element {@code [(j / PANEL) * dsub * PANEL + d * PANEL + j % PANEL]}. Inside a
 *       panel, consecutive dimensions sit a compile-time constant {@code PANEL} floats apart, so the JIT can prove
 *       the kernel's loads in bounds once per loop instead of once per load (with a stride of kPad it cannot).</li>
 * </ul>
 *
 * <p>Only k, dsub and the original centroids are serialized, which keeps a broadcast codebook at a third of its
 * in-memory size; the derived layouts are rebuilt on first use after deserialization, under Java serialization and
 * Spark's Kryo alike (Kryo neither writes transient fields nor calls readObject/readResolve).
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

  /** Centroids per panel of {@link #panels()}; equal to {@link #PAD_MULTIPLE} so that kPad is whole panels. */
  static final int PANEL = PAD_MULTIPLE;

  /**
   * Largest k accepted. The vector kernel carries centroid indices in float lanes (so that one mask blends both
   * score and index); floats represent every integer up to 2^24 exactly.
   */
  public static final int MAX_K = 1 << 24;

  /** Largest length Java reliably allocates for an array (some VMs reserve header words). */
  static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private final int k;
  private final int dsub;
  private final float[] centroids;
  /**
   * The derived layouts. Transient, so not shipped; rebuilt on first use when null, because Spark's Kryo skips
   * transient fields and never calls Java's readObject/readResolve. Not volatile on purpose: {@link Layouts} has
   * only final fields, so a thread that sees the reference sees complete arrays (JLS 17.5), and concurrent tasks
   * racing on a fresh executor copy at worst build identical layouts twice; a plain field keeps the kernels' reads
   * hoistable out of their loops.
   */
  private transient Layouts layouts;

  private PreparedCodebook(int k, int dsub, float[] centroids) {
    this.k = k;
    this.dsub = dsub;
    this.centroids = centroids;
    this.layouts = new Layouts(k, dsub, centroids); // eagerly on the driver, where the codebook is built
  }

  /** Every array derived from the centroids, built together (see the class comment for each layout). */
  private static final class Layouts {
    final float[] transposed;
    final float[] panels;
    final float[] norms;
    final float[] negHalfNorms;
    final float[] ids;

    Layouts(int k, int dsub, float[] centroids) {
      int kPad = padK(k);
      transposed = new float[kPad * dsub];
      panels = new float[kPad * dsub];
      norms = new float[kPad];
      negHalfNorms = new float[kPad];
      ids = new float[kPad];
      for (int j = 0; j < k; j++) {
        float norm = 0f;
        int base = j * dsub;
        int panelBase = (j / PANEL) * dsub * PANEL + j % PANEL;
        for (int d = 0; d < dsub; d++) {
          float c = centroids[base + d];
          transposed[d * kPad + j] = c;
          panels[panelBase + d * PANEL] = c;
          norm = Math.fma(c, c, norm);
        }
        norms[j] = norm;
      }
      Arrays.fill(norms, k, kPad, Float.POSITIVE_INFINITY);
      for (int j = 0; j < kPad; j++) {
        negHalfNorms[j] = -0.5f * norms[j];
      }
      for (int j = 0; j < kPad; j++) {
        ids[j] = j;
      }
    }
  }

  /** The layouts, built here on the first call after deserialization (Java or Kryo). */
  private Layouts layouts() {
    Layouts l = layouts; // read once: a second read of a racy field may see null after the first saw the holder
    if (l == null) {
      l = new Layouts(k, dsub, centroids);
      layouts = l;
    }
    return l;
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
    checkShape(centroids.length, k, dsub);
    return new PreparedCodebook(k, dsub, centroids.clone());
  }

  /**
   * Re-validates the serialized fields under Java serialization (Kryo does not call this; its stream comes from
   * the driver's own checked codebook). The layouts are rebuilt lazily, the same way for both serializers.
   */
  private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
    in.defaultReadObject();
    try {
      checkShape(centroids == null ? -1 : centroids.length, k, dsub);
    } catch (IllegalArgumentException e) {
      throw new InvalidObjectException(e.getMessage());
    }
  }

  /** The checks of {@link #of}, on the array length alone, so that the limits can be tested without allocating. */
  static void checkShape(int length, int k, int dsub) {
    if (k < 1 || k > MAX_K) {
      throw new IllegalArgumentException("codebook k=" + k + " is out of range; allowed 1.." + MAX_K);
    }
    if (dsub < 1) {
      throw new IllegalArgumentException("codebook dsub=" + dsub + " is out of range; allowed >= 1");
    }
    long kPad = padK(k);
    if (kPad * dsub > MAX_ARRAY_LENGTH) {
      throw new IllegalArgumentException("codebook kPad*dsub=" + kPad + "*" + dsub
          + " exceeds the largest Java array (" + MAX_ARRAY_LENGTH + "); use a smaller k or dsub");
    }
    if (length != (long) k * dsub) {
      throw new IllegalArgumentException("centroids.length=" + length + " does not match k*dsub=" + k + "*"
          + dsub + "=" + ((long) k * dsub));
    }
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
    return padK(k);
  }

  /** The original k x dsub row-major centroids (internal array: read-only). */
  public float[] centroids() {
    return centroids;
  }

  /** dsub x kPad, element {@code [d * kPad + j]}; padding columns are 0 (internal array: read-only). */
  public float[] transposed() {
    return layouts().transposed;
  }

  /** Length kPad: {@code ||c_j||^2} (float fma chain, d = 0..dsub-1), +Infinity for padding (read-only). */
  public float[] norms() {
    return layouts().norms;
  }

  /**
   * Length kPad: {@code -0.5f * norms()[j]}, the start of centroid j's fma chain in every kernel; -Infinity for
   * padding (internal array: read-only).
   */
  public float[] negHalfNorms() {
    return layouts().negHalfNorms;
  }

  /** Panel layout, see the class comment (internal array: read-only). */
  float[] panels() {
    return layouts().panels;
  }

  /** Length kPad: {@code ids[j] = (float) j}, so the vector kernel loads candidate indices instead of building them. */
  float[] ids() {
    return layouts().ids;
  }
}
