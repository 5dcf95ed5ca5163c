package dev.asg.common.kmeans;

import java.util.Locale;

/** How segments map to codebooks (paper section 2.1 vs the pooled variant). */
public enum CodebookMode implements dev.asg.common.FlagChecks.Choice {
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

  /** Refuses a codebook array that does not fit this mode and m (a programming error, not user input). */
  public void requireCodebooks(int count, int m) {
    if (count != codebooks(m)) {
      throw new IllegalArgumentException(this + " mode with m=" + m + " needs " + codebooks(m)
          + " codebooks, got " + count);
    }
  }

  /** Which codebook segment i uses. */
  public int codebookOf(int segment) {
    return this == SEPARATE ? segment : 0;
  }

  /**
   * The global ConceptID (row of codebook/) of centroid j in the codebook segment i uses: i*k + j when separate,
   * j when shared. The one place this offset is written, so artifacts, mapping and readers agree.
   */
  public int conceptId(int segment, int centroid, int k) {
    return codebookOf(segment) * k + centroid;
  }

  /** Turns a rows x m array of per-codebook centroid indices into global ConceptIDs, in place. */
  public void toConceptIds(int[] ids, int rows, int m, int k) {
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < m; i++) {
        ids[r * m + i] = conceptId(i, ids[r * m + i], k);
      }
    }
  }
}
