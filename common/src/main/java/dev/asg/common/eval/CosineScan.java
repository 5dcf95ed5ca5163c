package dev.asg.common.eval;

import dev.asg.common.simd.VectorApi;

/**
 * Brute-force cosine kNN over a block of rows: every (query, row) dot product of unit vectors, fed to a
 * {@link TopNeighbours}. {@link #scan} uses {@link VectorCosineScan} (Java Vector API, ~5x faster) when the JVM
 * has {@code jdk.incubator.vector}, else the scalar loop here. The scalar hot loop is register-blocked, 2 queries
 * x 4 rows = 8 independent accumulators, so each loaded float is used 2-4 times and the adds do not wait on each
 * other. Within one kernel every score is summed in the same order in the blocked and the remainder paths, so a
 * (query, row) pair gets the bit-identical score in any block layout; the two kernels round differently (last
 * bits), which can only reorder neighbours whose cosines agree to ~1e-7.
 */
public final class CosineScan {
  private static final int ROWS = 4;
  private static final int QUERIES = 2;
  /** Rows per kernel call: 64 rows of 384 floats = 96 KiB, within a core's L2. A multiple of ROWS. */
  private static final int ROW_TILE = 64;

  private CosineScan() {}

  /** Scales each of {@code n} rows to unit length in place; an all-zero row stays zero (cosine 0 to anything). */
  public static void normalize(float[] rows, int n, int dim) {
    for (int r = 0; r < n; r++) {
      int off = r * dim;
      double ss = 0;
      for (int d = 0; d < dim; d++) {
        ss += (double) rows[off + d] * rows[off + d];
      }
      if (ss > 0) {
        float inv = (float) (1.0 / Math.sqrt(ss));
        for (int d = 0; d < dim; d++) {
          rows[off + d] *= inv;
        }
      }
    }
  }

  /** Whether {@link #scan} uses the Vector API kernel in this JVM. */
  public static boolean vectorAvailable() {
    return VectorApi.load(() -> VectorHolder.OK, false);
  }

  /** Loads the Vector API classes only after the module check passed (see {@link VectorApi}). */
  private static final class VectorHolder {
    static final boolean OK = VectorCosineScan.supported();
  }

  /**
   * Offers every row of the block to every query, except a query's own token, with the fastest kernel available.
   * Same contract as {@link #scanScalar}.
   */
  public static void scan(float[] queries, int[] queryIds, int nq, float[] rows, int firstId, int nRows, int dim,
      TopNeighbours top) {
    boolean vector = vectorAvailable();
    // Tiles of rows, each a separate call: a tile stays in L2 while all queries stream past it, and the many
    // short calls get the kernel JIT-compiled early. One call over a whole block ran for tens of seconds in
    // slow interpreted/C1 Vector API code before on-stack replacement caught up.
    for (int r = 0; r < nRows; r += ROW_TILE) {
      int n = Math.min(ROW_TILE, nRows - r);
      float[] tile = java.util.Arrays.copyOfRange(rows, r * dim, (r + n) * dim);
      if (vector) {
        VectorCosineScan.scan(queries, queryIds, nq, tile, firstId + r, n, dim, top);
      } else {
        scanScalar(queries, queryIds, nq, tile, firstId + r, n, dim, top);
      }
    }
  }

  /**
   * Offers every row of the block to every query, except a query's own token (plain Java).
   *
   * @param queries nq unit vectors, row-major nq x dim
   * @param queryIds token id of each query (excluded from its own neighbours)
   * @param rows nRows unit vectors, row-major; row r is token firstId + r
   */
  public static void scanScalar(float[] queries, int[] queryIds, int nq, float[] rows, int firstId, int nRows,
      int dim, TopNeighbours top) {
    int rEnd = nRows - nRows % ROWS;
    int qEnd = nq - nq % QUERIES;
    for (int r = 0; r < rEnd; r += ROWS) {
      int x0 = r * dim;
      int x1 = x0 + dim;
      int x2 = x1 + dim;
      int x3 = x2 + dim;
      for (int q = 0; q < qEnd; q += QUERIES) {
        int a = q * dim;
        int b = a + dim;
        float s00 = 0;
        float s01 = 0;
        float s02 = 0;
        float s03 = 0;
        float s10 = 0;
        float s11 = 0;
        float s12 = 0;
        float s13 = 0;
        for (int d = 0; d < dim; d++) {
          float qa = queries[a + d];
          float qb = queries[b + d];
          float v0 = rows[x0 + d];
          float v1 = rows[x1 + d];
          float v2 = rows[x2 + d];
          float v3 = rows[x3 + d];
          s00 += qa * v0;
          s01 += qa * v1;
          s02 += qa * v2;
          s03 += qa * v3;
          s10 += qb * v0;
          s11 += qb * v1;
          s12 += qb * v2;
          s13 += qb * v3;
        }
        int id = firstId + r;
        offer(top, q, queryIds[q], s00, id);
        offer(top, q, queryIds[q], s01, id + 1);
        offer(top, q, queryIds[q], s02, id + 2);
        offer(top, q, queryIds[q], s03, id + 3);
        offer(top, q + 1, queryIds[q + 1], s10, id);
        offer(top, q + 1, queryIds[q + 1], s11, id + 1);
        offer(top, q + 1, queryIds[q + 1], s12, id + 2);
        offer(top, q + 1, queryIds[q + 1], s13, id + 3);
      }
      for (int q = qEnd; q < nq; q++) {
        for (int j = 0; j < ROWS; j++) {
          offer(top, q, queryIds[q], dot(queries, q * dim, rows, (r + j) * dim, dim), firstId + r + j);
        }
      }
    }
    for (int r = rEnd; r < nRows; r++) {
      for (int q = 0; q < nq; q++) {
        offer(top, q, queryIds[q], dot(queries, q * dim, rows, r * dim, dim), firstId + r);
      }
    }
  }

  static void offer(TopNeighbours top, int q, int queryId, float s, int rowId) {
    if (rowId != queryId) {
      top.offer(q, s, rowId);
    }
  }

  /** One dot product, summed in the same order as the blocked loop. */
  static float dot(float[] a, int aOff, float[] b, int bOff, int dim) {
    float s = 0;
    for (int d = 0; d < dim; d++) {
      s += a[aOff + d] * b[bOff + d];
    }
    return s;
  }
}
