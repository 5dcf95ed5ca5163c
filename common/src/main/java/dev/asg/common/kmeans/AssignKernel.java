package dev.asg.common.kmeans;

/**
 * The hot loop: nearest-centroid assignment for many sub-vectors against one codebook.
 *
 * <p>Contract, shared by every implementation so that results are bit-identical whichever one runs:
 * <ul>
 *   <li>Sub-vector r is {@code x[xOff + r * xStride + d]} for d in [0, dsub).</li>
 *   <li>For centroid j, {@code dot_j} is accumulated in float with one fused multiply-add per dimension, in
 *       dimension order d = 0, 1, ..., dsub-1, starting from 0: {@code dot = fma(x[d], c_j[d], dot)}.</li>
 *   <li>The score is {@code s_j = norm_j - 2f * dot_j} with {@code norm_j = ||c_j||^2} as precomputed by
 *       {@link PreparedCodebook}. ||x||^2 is constant per row and left out.</li>
 *   <li>The chosen centroid is the smallest j with the minimum score (ties go to the lowest index).</li>
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

  /** Short name for logs and reports, e.g. "vector-avx2-8" or "scalar". */
  String name();
}
