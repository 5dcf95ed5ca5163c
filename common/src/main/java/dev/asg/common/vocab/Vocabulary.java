package dev.asg.common.vocab;

import dev.asg.common.InvalidInputException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Token strings by id (0..size-1), so that reports and manifests can show which tokens share a concept. Ids are
 * dense: {@link VocabularyLoader} refuses files with gaps, because row r of the embedding table is token r.
 */
public final class Vocabulary {
  private final String[] tokensById;
  /** token -> lowest id; built on first {@link #idOf} since most callers only go from id to token. */
  private volatile Map<String, Integer> ids;

  /** @param tokensById token of id i at index i; no nulls */
  public Vocabulary(String[] tokensById) {
    this.tokensById = tokensById.clone();
    for (int i = 0; i < this.tokensById.length; i++) {
      Objects.requireNonNull(this.tokensById[i], "token of id " + i);
    }
  }

  public int size() {
    return tokensById.length;
  }

  /** @throws IndexOutOfBoundsException if id is not in [0, size) */
  public String token(int id) {
    return tokensById[Objects.checkIndex(id, tokensById.length)];
  }

  /** The id of {@code token}, or -1 if absent. A token listed twice (legal in vocab.txt) maps to its first id. */
  public int idOf(String token) {
    Map<String, Integer> m = ids;
    if (m == null) {
      m = new HashMap<>(tokensById.length * 2);
      for (int i = tokensById.length - 1; i >= 0; i--) {
        m.put(tokensById[i], i); // backwards so the lowest id is written last and wins
      }
      ids = m;
    }
    return m.getOrDefault(token, -1);
  }

  /**
   * Checks that this vocabulary covers a table of {@code rows} rows.
   *
   * @param file the vocabulary file, for the messages
   * @return null if the sizes match; a warning for the caller to log if the vocabulary is larger (then only ids
   *     below {@code rows} are used, see {@link #limit})
   * @throws InvalidInputException if the vocabulary is smaller: rows without a token cannot be labelled
   */
  public String checkSize(int rows, String file) {
    if (rows < 1) {
      throw new IllegalArgumentException("rows must be >= 1, got " + rows);
    }
    int n = tokensById.length;
    if (n < rows) {
      throw new InvalidInputException("vocab file " + file + " has " + n + " tokens but the table has " + rows
          + " rows; a vocabulary must cover every row; pass the tokenizer.json or vocab.txt of the same model");
    }
    if (n > rows) {
      // Common and harmless: tokenizers list added tokens the exported embedding was never resized for, or the
      // embedding was padded down. Each row still has its token.
      return "vocab file " + file + " has " + n + " tokens but the table has " + rows + " rows; using ids 0.."
          + (rows - 1) + " and ignoring the other " + (n - rows);
    }
    return null;
  }

  /** The first {@code rows} tokens (this vocabulary if it has no more than that). */
  public Vocabulary limit(int rows) {
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0, got " + rows);
    }
    if (rows >= tokensById.length) {
      return this;
    }
    String[] head = new String[rows];
    System.arraycopy(tokensById, 0, head, 0, rows);
    return new Vocabulary(head);
  }
}
