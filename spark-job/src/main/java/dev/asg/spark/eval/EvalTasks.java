package dev.asg.spark.eval;

import dev.asg.common.artifact.Reconstruction;
import dev.asg.common.eval.CosineScan;
import dev.asg.common.eval.TopNeighbours;
import dev.asg.spark.source.TableBlock;
import java.io.Serializable;
import java.util.Arrays;

/**
 * The executor-side work of {@code asg evaluate}, as static functions of small serializable inputs (the mapping
 * and codebook arrive as broadcasts) so closures never capture the driver's objects.
 */
final class EvalTasks {
  private EvalTasks() {}

  /** Rows [first, first + n) decoded through the codebook: concatenations of their concept vectors. */
  static float[] reconstruct(int first, int n, int m, int dsub, int[] mapping, float[] codebook) {
    float[] out = new float[n * m * dsub];
    Reconstruction.rows(first, n, m, dsub, mapping, codebook, out, 0);
    return out;
  }

  /** One block's reconstruction quality, and the original rows of the kNN queries that fall in it. */
  static final class BlockQuality implements Serializable {
    private static final long serialVersionUID = 1L;
    final int firstRow;
    /** Per segment: sum of ||x_i - x_hat_i||^2 and of ||x_i||^2 over the block's rows. */
    final double[] residual;
    final double[] norm;
    /** cos(x, x_hat) of each row. */
    final double[] cosines;
    final int[] queryIds;
    final float[] queryRows;

    BlockQuality(int firstRow, double[] residual, double[] norm, double[] cosines, int[] queryIds,
        float[] queryRows) {
      this.firstRow = firstRow;
      this.residual = residual;
      this.norm = norm;
      this.cosines = cosines;
      this.queryIds = queryIds;
      this.queryRows = queryRows;
    }
  }

  /** @param queries ascending token ids of the kNN queries */
  static BlockQuality quality(TableBlock b, int m, int[] mapping, float[] codebook, int[] queries) {
    int n = b.rows();
    int dim = b.dim();
    int dsub = dim / m;
    float[] x = b.data();
    float[] h = reconstruct(b.firstRow(), n, m, dsub, mapping, codebook);
    double[] residual = new double[m];
    double[] norm = new double[m];
    double[] cos = new double[n];
    for (int r = 0; r < n; r++) {
      double dot = 0;
      double xx = 0;
      double hh = 0;
      for (int i = 0; i < m; i++) {
        double segRes = 0;
        double segNorm = 0;
        for (int d = 0; d < dsub; d++) {
          int o = r * dim + i * dsub + d;
          double xv = x[o];
          double hv = h[o];
          double e = xv - hv;
          segRes += e * e;
          segNorm += xv * xv;
          dot += xv * hv;
          hh += hv * hv;
        }
        residual[i] += segRes;
        norm[i] += segNorm;
        xx += segNorm;
      }
      cos[r] = cosine(dot, xx, hh);
    }
    int lo = lowerBound(queries, b.firstRow());
    int hi = lowerBound(queries, b.firstRow() + n);
    int[] qIds = Arrays.copyOfRange(queries, lo, hi);
    float[] qRows = new float[qIds.length * dim];
    for (int j = 0; j < qIds.length; j++) {
      System.arraycopy(x, (qIds[j] - b.firstRow()) * dim, qRows, j * dim, dim);
    }
    return new BlockQuality(b.firstRow(), residual, norm, cos, qIds, qRows);
  }

  /** cos(x, x_hat); a zero row reconstructed as zero is a perfect match, against a non-zero one 0 (as quantize). */
  static double cosine(double dot, double xx, double hh) {
    if (xx == 0 || hh == 0) {
      return xx == hh ? 1.0 : 0.0;
    }
    return dot / Math.sqrt(xx * hh);
  }

  private static int lowerBound(int[] sorted, int key) {
    int i = Arrays.binarySearch(sorted, key);
    if (i < 0) {
      return -i - 1;
    }
    while (i > 0 && sorted[i - 1] == key) {
      i--;
    }
    return i;
  }

  /** The queries' kNN setup, broadcast once: unit query vectors in the original and reconstructed tables. */
  static final class KnnQueries implements Serializable {
    private static final long serialVersionUID = 1L;
    final int[] ids;
    final float[] original;
    final float[] reconstructed;
    final int k;

    KnnQueries(int[] ids, float[] original, float[] reconstructed, int k) {
      this.ids = ids;
      this.original = original;
      this.reconstructed = reconstructed;
      this.k = k;
    }
  }

  /**
   * The block's candidates for each query's top-k, in the original table ([0]) and in the reconstructed one
   * ([1]). Works on normalised copies: the cached block stays as read.
   */
  static TopNeighbours[] knn(TableBlock b, int m, int[] mapping, float[] codebook, KnnQueries q) {
    int n = b.rows();
    int dim = b.dim();
    int nq = q.ids.length;
    TopNeighbours orig = new TopNeighbours(nq, q.k);
    TopNeighbours rec = new TopNeighbours(nq, q.k);
    float[] x = Arrays.copyOf(b.data(), n * dim);
    CosineScan.normalize(x, n, dim);
    CosineScan.scan(q.original, q.ids, nq, x, b.firstRow(), n, dim, orig);
    float[] h = reconstruct(b.firstRow(), n, m, dim / m, mapping, codebook);
    CosineScan.normalize(h, n, dim);
    CosineScan.scan(q.reconstructed, q.ids, nq, h, b.firstRow(), n, dim, rec);
    return new TopNeighbours[] {orig, rec};
  }
}
