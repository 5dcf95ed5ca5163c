package dev.asg.common;

/**
 * Text from files (tensor names, dtypes, tokens, parser messages) ends up in one-line errors. Raw, a newline in
 * it forges extra log lines (even a fake "at ..." frame) and a list of 200k names becomes a megabyte line. Every
 * error line goes through {@link #oneLine}; code quoting file content uses {@link #quote} for a tighter cap.
 */
public final class Messages {
  /**
   * The longest error message the CLI prints (under 500 characters with its "asg: error: " prefix); the middle of
   * a longer one is cut, keeping subject and advice.
   */
  public static final int MAX_LINE = 480;
  /** The longest piece of file content quoted in a message. */
  public static final int MAX_QUOTE = 120;

  private Messages() {}

  /** {@code s} with control and line-separator characters escaped, cut to {@value #MAX_QUOTE} characters. */
  public static String quote(Object s) {
    return cap(escape(String.valueOf(s)), MAX_QUOTE);
  }

  /** {@code s} as one line of at most {@value #MAX_LINE} characters. */
  public static String oneLine(String s) {
    return cap(escape(s == null ? "" : s), MAX_LINE);
  }

  /** Escapes C0/C1 controls, DEL and Unicode line/paragraph separators as \n, \t or \\uXXXX. */
  public static String escape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean control = c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
      if (!control) {
        if (b != null) {
          b.append(c);
        }
        continue;
      }
      if (b == null) {
        b = new StringBuilder(s.length() + 16).append(s, 0, i);
      }
      switch (c) {
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b == null ? s : b.toString();
  }

  /** Cuts the middle of {@code s} to fit {@code max} characters, saying how much was left out. */
  static String cap(String s, int max) {
    if (s.length() <= max) {
      return s;
    }
    int keep = Math.max(2, max - 25); // room for the " [N chars cut] " marker
    int head = keep * 2 / 3;
    int tail = keep - head;
    return s.substring(0, head) + " [" + (s.length() - head - tail) + " chars cut] " + s.substring(s.length() - tail);
  }
}
