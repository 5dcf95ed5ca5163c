package dev.asg.common.eval;

import java.util.Arrays;

/**
 * How evenly the tokens spread over one codebook's k concepts: min, median, max, the number of empty concepts and
 * faiss's imbalance factor {@code k * sum(n_j^2) / (sum n_j)^2} (1 = perfectly even; faiss reports the same
 * number as {@code imbalance_factor}). An uneven codebook wastes concepts and blurs the crowded ones.
 *
 * @param min the smallest concept's size
 * @param median lower median (the element at index (k-1)/2 of the sorted sizes), so it is always an actual size
 * @param max the largest concept's size
 * @param empty concepts with no token
 * @param imbalance k * sum(n_j^2) / (sum n_j)^2; NaN when no token was counted
 */
public record ClusterSizes(long min, long median, long max, int empty, double imbalance) {
  /** @param counts tokens per concept, length k >= 1 */
  public static ClusterSizes of(long[] counts) {
    if (counts.length == 0) {
      throw new IllegalArgumentException("a codebook needs at least one concept");
    }
    long[] s = counts.clone();
    Arrays.sort(s);
    double sum = 0;
    double sumSq = 0;
    int empty = 0;
    for (long c : s) {
      sum += c;
      sumSq += (double) c * c;
      if (c == 0) {
        empty++;
      }
    }
    double imbalance = sum == 0 ? Double.NaN : counts.length * sumSq / (sum * sum);
    return new ClusterSizes(s[0], s[(s.length - 1) / 2], s[s.length - 1], empty, imbalance);
  }

  /**
   * Tokens per concept for each codebook, from a V x m mapping of global ConceptIDs (row indices into codebook/:
   * i*k + j when separate, j when shared).
   *
   * @return [codebook][concept]: m codebooks when separate, one when shared (all segments pooled, as it was
   *     trained)
   * @throws IllegalArgumentException if an id is outside its codebook
   */
  public static long[][] counts(int[] mapping, int rows, int m, int k, boolean shared) {
    long[][] out = new long[shared ? 1 : m][k];
    for (int t = 0; t < rows; t++) {
      for (int i = 0; i < m; i++) {
        int id = mapping[t * m + i];
        int cb = shared ? 0 : i;
        int local = id - cb * k;
        if (local < 0 || local >= k) {
          throw new IllegalArgumentException("token " + t + " segment " + i + " has ConceptID " + id
              + ", outside [" + cb * k + ", " + (cb * k + k) + ")");
        }
        out[cb][local]++;
      }
    }
    return out;
  }
}
