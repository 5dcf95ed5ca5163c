package dev.asg.common.kmeans;

import dev.asg.common.FlagChecks;

/** The {@code --pruning} flag: how Lloyd iterations avoid distance computations. Both give the same bits. */
public enum Pruning implements FlagChecks.Choice {
  /** Bound-based skipping that provably gives brute force's bits ({@link PrunedAssigner}). */
  EXACT,
  /** Brute force: every point against every centroid. The reference, and for benchmarks. */
  OFF;

  public static final String FLAG = "pruning";

  /** Parses {@code --pruning}'s value; a bad one fails naming the flag and the allowed values. */
  public static Pruning parse(String v) {
    return FlagChecks.parse(Pruning.class, FLAG, v);
  }
}
