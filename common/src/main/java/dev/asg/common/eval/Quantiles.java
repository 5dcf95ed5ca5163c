package dev.asg.common.eval;

/** Exact order statistics of a fully collected sample (no histogram approximation). */
public final class Quantiles {
  private Quantiles() {}

  /**
   * The nearest-rank p-quantile of sorted values: the smallest value such that at least p * n values are at or
   * below it (element ceil(p * n) - 1, the first element for p = 0). Always an observed value, as numpy's
   * {@code percentile(..., method="inverted_cdf")}.
   *
   * @param sorted ascending, non-empty
   * @param p in [0, 1]
   */
  public static double nearestRank(double[] sorted, double p) {
    if (sorted.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("p must be in [0, 1], got " + p);
    }
    int idx = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }
}
