package dev.asg.common.kmeans;

import java.util.Locale;

/** How segments map to codebooks (paper section 2.1 vs the pooled variant). */
public enum CodebookMode {
  /** One codebook per segment position: m codebooks of k centroids; ConceptID = i*k + j. */
  SEPARATE,
  /** One codebook for all segments, trained on every row's m sub-vectors pooled; ConceptID = j. */
  SHARED;

  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Number of codebooks trained for a given m. */
  public int codebooks(int m) {
    return this == SEPARATE ? m : 1;
  }

  /** Which codebook segment i uses. */
  public int codebookOf(int segment) {
    return this == SEPARATE ? segment : 0;
  }
}
