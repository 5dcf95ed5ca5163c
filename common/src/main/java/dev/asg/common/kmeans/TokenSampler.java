package dev.asg.common.kmeans;

/**
 * Deterministic sampling by hashing (seed, token id): a token is in a sample iff its hash falls below the sampling
 * fraction. Because the decision depends on nothing but the seed, a per-purpose salt and the token id, the sample
 * is identical whatever the partitioning, executor count or task retries; faiss instead shuffles a global index
 * permutation, which would need the whole id list on one machine.
 */
public final class TokenSampler {
  /** Salt for the training sample used when the table exceeds k * max-points-per-centroid. */
  public static final long SALT_TRAINING = 0x7261696E696E6721L;
  /** Salt for the k-means++ / random initialisation sample. */
  public static final long SALT_INIT = 0x696E697469616C21L;

  private TokenSampler() {}

  /** A uniform double in [0, 1) that depends only on (seed, salt, tokenId). */
  public static double uniform(long seed, long salt, long tokenId) {
    long h = mix64(seed ^ salt);
    h = mix64(h + tokenId * 0x9E3779B97F4A7C15L);
    return (h >>> 11) * 0x1.0p-53;
  }

  public static boolean selected(long seed, long salt, long tokenId, double fraction) {
    return fraction >= 1.0 || uniform(seed, salt, tokenId) < fraction;
  }

  /** SplitMix64's finaliser: a bijective 64-bit mixer with full avalanche. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
