package dev.asg.common.kmeans;

import java.util.Locale;

/** The {@code --pruning} flag: how Lloyd iterations avoid distance computations. */
public enum Pruning {
  /** Brute force: every point against every centroid. The reference, and for benchmarks. */
  OFF,
  /** Bound-based skipping that provably gives brute force's bits ({@link PrunedAssigner}). */
  EXACT;

  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a flag value, case-insensitive.
   *
   * @throws IllegalArgumentException naming the value and the allowed ones
   */
  public static Pruning parse(String v) {
    String n = v == null ? "" : v.trim().toLowerCase(Locale.ROOT);
    for (Pruning p : values()) {
      if (p.flagValue().equals(n)) {
        return p;
      }
    }
    throw new IllegalArgumentException("pruning '" + v + "' is unknown; allowed: exact, off");
  }
}
