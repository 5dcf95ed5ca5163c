package dev.asg.common.kmeans;

/**
 * The hot loop: nearest-centroid assignment for many sub-vectors against one codebook.
 *
 * <p>Contract, shared by every implementation so that results are bit-identical whichever one runs:
 * <ul>
 *   <li>Sub-vector r is {@code x[xOff + r * xStride + d]} for d in [0, dsub).</li>
 *   <li>For centroid j the kernel accumulates, in float with one fused multiply-add per dimension, in dimension
 *       order d = 0, 1, ..., dsub-1, starting from {@code h_j = -norm_j / 2}:
 *       {@code a = fma(x[d], c_j[d], a)}, where {@code norm_j = ||c_j||^2} and {@code h_j} are precomputed by
 *       {@link PreparedCodebook} ({@link PreparedCodebook#negHalfNorms()}). So {@code a_j = x.c_j - ||c_j||^2 / 2}
 *       and the nearest centroid has the LARGEST {@code a_j}. Starting the chain at {@code h_j} instead of 0 folds
 *       the norm into the accumulation, so selecting needs no arithmetic beyond one compare.</li>
 *   <li>The score reported is {@code s_j = -2f * a_j} (exact), i.e. {@code ||c_j||^2 - 2 x.c_j}: the squared
 *       distance minus ||x||^2, which is constant per row and left out.</li>
 *   <li>The chosen centroid is the smallest j with the maximum {@code a_j} (ties go to the lowest index); NaN
 *       never wins. If no {@code a_j} is above -Infinity (non-finite or overflowing input), the first j whose
 *       {@code a_j} is not NaN is chosen, else j = 0.</li>
 *   <li>A row's answer depends only on its own values and the codebook: never on n, on where it sits in a
 *       register block, or on which implementation ran.</li>
 * </ul>
 */
public interface AssignKernel {

  /**
   * Assigns {@code n} sub-vectors.
   *
   * @param idx receives the chosen centroid at {@code idx[idxOff + r * idxStride]}
   * @param score receives {@code s_j} of the chosen centroid at {@code score[scoreOff + r * scoreStride]}
   */
  void assign(float[] x, int xOff, int xStride, int n, PreparedCodebook cb,
      int[] idx, int idxOff, int idxStride, float[] score, int scoreOff, int scoreStride);

  /**
   * Assigns the sub-vectors listed in {@code rows[0..n)}, sub-vector r being {@code x[xOff + r * xStride + d]}, with
   * exactly the chains, selection and scores of {@link #assign}, and also reports the runner-up: the score of the
   * largest chain other than the chosen one (NaN chains ignored; +Infinity when there is none, e.g. k = 1). This is
   * what the exact pruning ({@link PrunedAssigner}) runs on the points its bounds could not settle: the runner-up
   * gives each point's lower bound on its distance to every other centroid.
   *
   * <p>Outputs for listed row r go to {@code idx}, {@code score} and {@code second} at {@code outOff + r *
   * outStride}.
   */
  void assignRows(float[] x, int xOff, int xStride, int[] rows, int n, PreparedCodebook cb,
      int[] idx, float[] score, float[] second, int outOff, int outStride);

  /** Short name for logs and reports, e.g. "vector-avx2-8" or "scalar". */
  String name();
}
