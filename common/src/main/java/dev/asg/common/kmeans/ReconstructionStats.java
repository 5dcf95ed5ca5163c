package dev.asg.common.kmeans;

import java.io.Serializable;

/**
 * Quality of the final mapping over ALL tokens: squared reconstruction error and squared norm per segment, and
 * the sum of per-token cosines between x and its reconstruction x_hat. Sums are fixed point (see
 * {@link FixedPoint}) so the reported numbers are identical for every partitioning, like the artifacts.
 */
public final class ReconstructionStats implements Serializable {
  private static final long serialVersionUID = 1L;

  private final int m;
  private final long[] residual;
  private final long[] norm;
  private long cosine;
  private long rows;

  public ReconstructionStats(int m) {
    this.m = m;
    this.residual = new long[m];
    this.norm = new long[m];
  }

  /**
   * Adds rows whose sub-vectors were assigned codebook-local indices {@code idx[r*m+i]}.
   *
   * @param centroids per codebook, k x dsub row-major (one array in SHARED mode)
   */
  public void add(float[] rows, int nRows, int dim, int[] idx, float[][] centroids, CodebookMode mode,
      FixedPoint energyFp, FixedPoint cosineFp) {
    int dsub = dim / m;
    for (int r = 0; r < nRows; r++) {
      double dot = 0;
      double xx = 0;
      double hh = 0;
      for (int i = 0; i < m; i++) {
        float[] cb = centroids[mode.codebookOf(i)];
        int cOff = idx[r * m + i] * dsub;
        int xOff = r * dim + i * dsub;
        double segResidual = 0;
        double segNorm = 0;
        for (int d = 0; d < dsub; d++) {
          double x = rows[xOff + d];
          double h = cb[cOff + d];
          double e = x - h;
          segResidual += e * e;
          segNorm += x * x;
          dot += x * h;
          hh += h * h;
        }
        xx += segNorm;
        residual[i] += energyFp.toFixed(segResidual);
        norm[i] += energyFp.toFixed(segNorm);
      }
      cosine += cosineFp.toFixed(cosine(dot, xx, hh));
      this.rows++;
    }
  }

  /** cos(x, x_hat); a zero vector reconstructed as zero counts as a perfect match, against non-zero as 0. */
  static double cosine(double dot, double xx, double hh) {
    if (xx == 0 || hh == 0) {
      return xx == hh ? 1.0 : 0.0;
    }
    return dot / Math.sqrt(xx * hh);
  }

  public ReconstructionStats merge(ReconstructionStats o) {
    for (int i = 0; i < m; i++) {
      residual[i] += o.residual[i];
      norm[i] += o.norm[i];
    }
    cosine += o.cosine;
    rows += o.rows;
    return this;
  }

  public long rows() {
    return rows;
  }

  public double relativeMse(FixedPoint energyFp) {
    long r = 0;
    long n = 0;
    for (int i = 0; i < m; i++) {
      r += residual[i];
      n += norm[i];
    }
    return n == 0 ? 0.0 : energyFp.toDouble(r) / energyFp.toDouble(n);
  }

  public double[] relativeMsePerSegment(FixedPoint energyFp) {
    double[] out = new double[m];
    for (int i = 0; i < m; i++) {
      out[i] = norm[i] == 0 ? 0.0 : energyFp.toDouble(residual[i]) / energyFp.toDouble(norm[i]);
    }
    return out;
  }

  /** Sum of squared norms of all rows (as double). */
  public double totalEnergy(FixedPoint energyFp) {
    long n = 0;
    for (int i = 0; i < m; i++) {
      n += norm[i];
    }
    return energyFp.toDouble(n);
  }

  public double meanCosine(FixedPoint cosineFp) {
    return rows == 0 ? 0.0 : cosineFp.toDouble(cosine) / rows;
  }
}
