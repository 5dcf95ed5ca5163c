package dev.asg.common.fidelity;

/**
 * Texts as the model's input ids, special tokens included and padding removed: {@code ids[i]} and
 * {@code typeIds[i]} belong to text i. Both model runs get exactly these, so any output difference is the table's.
 */
public record TokenizedTexts(long[][] ids, long[][] typeIds) {
  public int size() {
    return ids.length;
  }

  /** Input tokens over all texts. */
  public long tokens() {
    long n = 0;
    for (long[] t : ids) {
      n += t.length;
    }
    return n;
  }

  /** Largest input id: must be a row of the embedding table. */
  public long maxId() {
    long mx = -1;
    for (long[] t : ids) {
      for (long id : t) {
        mx = Math.max(mx, id);
      }
    }
    return mx;
  }
}
