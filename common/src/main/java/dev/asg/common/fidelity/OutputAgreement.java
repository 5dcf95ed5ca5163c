package dev.asg.common.fidelity;

import dev.asg.common.eval.CosineScan;
import dev.asg.common.eval.Quantiles;
import dev.asg.common.eval.TopNeighbours;

/**
 * How far a model's sentence vectors move when its embedding table is swapped: the cosine between each text's
 * original and ASG vector, and retrieval agreement, i.e. for each text as a query, the share of its
 * {@code recallAt} nearest texts (cosine, itself excluded) under the ASG model that are also among its nearest
 * under the original model.
 *
 * @param texts texts compared
 * @param meanCosine mean over texts of cosine(original vector, ASG vector)
 * @param p5Cosine nearest-rank 5th percentile of that cosine: the worst-served 5% of texts
 * @param minCosine the lowest one
 * @param recallAt neighbours compared per query: min(10, texts - 1)
 * @param recall mean recall@recallAt over all texts as queries; NaN with fewer than 2 texts
 */
public record OutputAgreement(int texts, double meanCosine, double p5Cosine, double minCosine, int recallAt,
    double recall) {
  /** The usual cut-off for neighbourhood preservation, as the table's kNN recall@10. */
  public static final int RECALL_AT = 10;
  public static final double LOW_PERCENTILE = 0.05;

  /** Compares {@code n} original and ASG vectors of {@code dim} floats each (row-major; inputs not modified). */
  public static OutputAgreement of(float[] original, float[] asg, int n, int dim) {
    float[] a = original.clone();
    float[] b = asg.clone();
    CosineScan.normalize(a, n, dim);
    CosineScan.normalize(b, n, dim);
    double[] cos = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double dot = 0;
      for (int d = 0; d < dim; d++) {
        dot += (double) a[i * dim + d] * b[i * dim + d];
      }
      cos[i] = dot;
      sum += dot;
    }
    double[] sorted = cos.clone();
    java.util.Arrays.sort(sorted);
    int k = Math.min(RECALL_AT, n - 1);
    double recall = Double.NaN;
    if (k >= 1) {
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = i;
      }
      TopNeighbours topA = new TopNeighbours(n, k);
      TopNeighbours topB = new TopNeighbours(n, k);
      CosineScan.scan(a, ids, n, a, 0, n, dim, topA);
      CosineScan.scan(b, ids, n, b, 0, n, dim, topB);
      recall = topA.recallOf(topB);
    }
    return new OutputAgreement(n, sum / n, Quantiles.nearestRank(sorted, LOW_PERCENTILE), sorted[0], k, recall);
  }
}
