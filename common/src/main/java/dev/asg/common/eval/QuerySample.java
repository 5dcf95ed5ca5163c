package dev.asg.common.eval;

import dev.asg.common.kmeans.TokenSampler;
import java.util.Arrays;

/**
 * The kNN query tokens: exactly n tokens, those with the smallest hash of (seed, token id). Like
 * {@link TokenSampler}, the choice depends only on the seed and the ids, never on partitioning; unlike a
 * fraction-based sample it has exactly n members, so recall@10 always averages over the same number of queries.
 */
public final class QuerySample {
  /** Salt of the evaluation's query sample, distinct from the training and seeding samples. */
  public static final long SALT_EVAL_QUERIES = 0x6576616C2D6B6E6EL;

  private QuerySample() {}

  /** @return min(n, rows) token ids in ascending order */
  public static int[] select(int rows, int n, long seed) {
    if (rows < 0 || n < 0) {
      throw new IllegalArgumentException("rows and n must be >= 0, got rows=" + rows + " n=" + n);
    }
    int take = Math.min(rows, n);
    long[] keyed = new long[rows];
    for (int t = 0; t < rows; t++) {
      // A 31-bit hash in the high bits, the id (< 2^31) in the low bits: sorting orders by hash, ties by id.
      long h = (long) (TokenSampler.uniform(seed, SALT_EVAL_QUERIES, t) * 0x1.0p31);
      keyed[t] = (h << 31) | t;
    }
    Arrays.sort(keyed);
    int[] out = new int[take];
    for (int i = 0; i < take; i++) {
      out[i] = (int) (keyed[i] & 0x7FFFFFFFL);
    }
    Arrays.sort(out);
    return out;
  }
}
