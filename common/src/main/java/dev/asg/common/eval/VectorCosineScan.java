package dev.asg.common.eval;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API variant of {@link CosineScan#scanScalar}: 2 queries x 4 rows of lane-wise FMA accumulators (8
 * vector registers plus 3 operands fit AVX2's 16). Only loaded after the module check in {@link CosineScan}.
 *
 * <p>Each score is the lanes of its accumulator summed in lane order, then the tail (dim not a multiple of the
 * lane count) added in d order; {@code reduceLanes(ADD)} is avoided because its order is unspecified, which would
 * make scores, and so tie-breaking, differ between the interpreter and compiled code.
 */
final class VectorCosineScan {
  private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
  private static final int L = S.length();

  private VectorCosineScan() {}

  static boolean supported() {
    return L >= 2;
  }

  static void scan(float[] queries, int[] queryIds, int nq, float[] rows, int firstId, int nRows, int dim,
      TopNeighbours top) {
    int vEnd = dim - dim % L;
    float[] lanes = new float[L];
    int rEnd = nRows - nRows % 4;
    int qEnd = nq - nq % 2;
    for (int r = 0; r < rEnd; r += 4) {
      int x0 = r * dim;
      int x1 = x0 + dim;
      int x2 = x1 + dim;
      int x3 = x2 + dim;
      for (int q = 0; q < qEnd; q += 2) {
        int a = q * dim;
        int b = a + dim;
        FloatVector s00 = FloatVector.zero(S);
        FloatVector s01 = FloatVector.zero(S);
        FloatVector s02 = FloatVector.zero(S);
        FloatVector s03 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S);
        FloatVector s11 = FloatVector.zero(S);
        FloatVector s12 = FloatVector.zero(S);
        FloatVector s13 = FloatVector.zero(S);
        for (int d = 0; d < vEnd; d += L) {
          FloatVector qa = FloatVector.fromArray(S, queries, a + d);
          FloatVector qb = FloatVector.fromArray(S, queries, b + d);
          FloatVector v = FloatVector.fromArray(S, rows, x0 + d);
          s00 = qa.fma(v, s00);
          s10 = qb.fma(v, s10);
          v = FloatVector.fromArray(S, rows, x1 + d);
          s01 = qa.fma(v, s01);
          s11 = qb.fma(v, s11);
          v = FloatVector.fromArray(S, rows, x2 + d);
          s02 = qa.fma(v, s02);
          s12 = qb.fma(v, s12);
          v = FloatVector.fromArray(S, rows, x3 + d);
          s03 = qa.fma(v, s03);
          s13 = qb.fma(v, s13);
        }
        int id = firstId + r;
        offer(top, q, queryIds, s00, queries, a, rows, x0, vEnd, dim, id, lanes);
        offer(top, q, queryIds, s01, queries, a, rows, x1, vEnd, dim, id + 1, lanes);
        offer(top, q, queryIds, s02, queries, a, rows, x2, vEnd, dim, id + 2, lanes);
        offer(top, q, queryIds, s03, queries, a, rows, x3, vEnd, dim, id + 3, lanes);
        offer(top, q + 1, queryIds, s10, queries, b, rows, x0, vEnd, dim, id, lanes);
        offer(top, q + 1, queryIds, s11, queries, b, rows, x1, vEnd, dim, id + 1, lanes);
        offer(top, q + 1, queryIds, s12, queries, b, rows, x2, vEnd, dim, id + 2, lanes);
        offer(top, q + 1, queryIds, s13, queries, b, rows, x3, vEnd, dim, id + 3, lanes);
      }
      for (int q = qEnd; q < nq; q++) {
        for (int j = 0; j < 4; j++) {
          single(top, q, queryIds, queries, rows, (r + j) * dim, vEnd, dim, firstId + r + j, lanes);
        }
      }
    }
    for (int r = rEnd; r < nRows; r++) {
      for (int q = 0; q < nq; q++) {
        single(top, q, queryIds, queries, rows, r * dim, vEnd, dim, firstId + r, lanes);
      }
    }
  }

  /** The remainder path: one (query, row) pair, accumulated exactly as in the blocked loop. */
  private static void single(TopNeighbours top, int q, int[] queryIds, float[] queries, float[] rows, int xOff,
      int vEnd, int dim, int rowId, float[] lanes) {
    int a = q * dim;
    FloatVector s = FloatVector.zero(S);
    for (int d = 0; d < vEnd; d += L) {
      s = FloatVector.fromArray(S, queries, a + d).fma(FloatVector.fromArray(S, rows, xOff + d), s);
    }
    offer(top, q, queryIds, s, queries, a, rows, xOff, vEnd, dim, rowId, lanes);
  }

  private static void offer(TopNeighbours top, int q, int[] queryIds, FloatVector acc, float[] queries, int qOff,
      float[] rows, int xOff, int vEnd, int dim, int rowId, float[] lanes) {
    if (rowId == queryIds[q]) {
      return;
    }
    acc.intoArray(lanes, 0);
    float s = 0;
    for (int i = 0; i < L; i++) {
      s += lanes[i];
    }
    for (int d = vEnd; d < dim; d++) {
      s += queries[qOff + d] * rows[xOff + d];
    }
    top.offer(q, s, rowId);
  }
}
