package dev.asg.common.tensor.npy;

import dev.asg.common.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python literal in a .npy header, e.g. {@code {'descr': '<f4', 'fortran_order': False, 'shape':
 * (30522, 384), }}. A small recursive-descent parser rather than regexes, so spacing, quote style, trailing commas
 * and Python 2's {@code 30522L} all parse the same way as Python's {@code ast.literal_eval} would.
 *
 * <p>Values: str -> String, True/False -> Boolean, None -> null, int -> Long, tuple/list -> List, dict -> Map.
 */
final class NpyHeaderParser {
  private final String text;
  private final String file;
  private int pos;

  private NpyHeaderParser(String text, String file) {
    this.text = text;
    this.file = file;
  }

  /** Parses a header that must be one dict literal (trailing spaces and the final newline are allowed). */
  static Map<String, Object> parseDict(String header, String file) {
    NpyHeaderParser p = new NpyHeaderParser(header, file);
    p.skipSpace();
    if (p.peek() != '{') {
      throw p.error("a dict starting with '{'");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> dict = (Map<String, Object>) p.value();
    p.skipSpace();
    if (p.pos != p.text.length()) {
      throw p.error("the end of the header after the dict");
    }
    return dict;
  }

  /** numpy's header is a dict holding a tuple: depth 2. Deeper is not a header, and must not overflow the stack. */
  static final int MAX_DEPTH = 8;
  private int depth;

  private Object value() {
    skipSpace();
    char c = peek();
    if (c == '{') {
      return dict();
    }
    if (c == '(' || c == '[') {
      return sequence(c == '(' ? ')' : ']');
    }
    if (c == '\'' || c == '"') {
      return string();
    }
    if (c == '-' || c == '+' || Character.isDigit(c)) {
      return integer();
    }
    if (Character.isLetter(c)) {
      return word();
    }
    throw error("a value");
  }

  private Map<String, Object> dict() {
    enter();
    pos++; // '{'
    Map<String, Object> out = new LinkedHashMap<>();
    while (true) {
      skipSpace();
      if (peek() == '}') {
        pos++;
        depth--;
        return out;
      }
      Object key = value();
      if (!(key instanceof String)) {
        throw error("a quoted string key");
      }
      skipSpace();
      expect(':');
      out.put((String) key, value());
      skipSpace();
      if (peek() == ',') {
        pos++;
      } else if (peek() != '}') {
        throw error("',' or '}'");
      }
    }
  }

  private List<Object> sequence(char close) {
    enter();
    pos++; // '(' or '['
    List<Object> out = new ArrayList<>();
    while (true) {
      skipSpace();
      if (peek() == close) {
        pos++;
        depth--;
        return out;
      }
      out.add(value());
      skipSpace();
      if (peek() == ',') {
        pos++;
      } else if (peek() != close) {
        throw error("',' or '" + close + "'");
      }
    }
  }

  /** Header strings are dtype codes and keys: no escapes occur in what numpy writes, so none are interpreted. */
  private String string() {
    char quote = text.charAt(pos++);
    int end = text.indexOf(quote, pos);
    if (end < 0) {
      throw error("a closing " + quote);
    }
    String s = text.substring(pos, end);
    pos = end + 1;
    return s;
  }

  private Long integer() {
    int start = pos;
    if (peek() == '-' || peek() == '+') {
      pos++;
    }
    while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
      pos++;
    }
    String digits = text.substring(start, pos);
    if (peek() == 'L' || peek() == 'l') {
      pos++; // Python 2 long suffix, written by old numpy versions
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      pos = start;
      throw error("an integer that fits in 64 bits");
    }
  }

  private Object word() {
    int start = pos;
    while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
      pos++;
    }
    String w = text.substring(start, pos);
    switch (w) {
      case "True":
        return Boolean.TRUE;
      case "False":
        return Boolean.FALSE;
      case "None":
        return null;
      default:
        pos = start;
        throw error("True, False or None");
    }
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("at most " + MAX_DEPTH + " levels of nesting");
    }
  }

  private void expect(char c) {
    if (peek() != c) {
      throw error("'" + c + "'");
    }
    pos++;
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private void skipSpace() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
  }

  private InvalidInputException error(String expected) {
    String found = pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end";
    String shown = text.strip().replace('\n', ' ');
    return new InvalidInputException(file + ": malformed .npy header: expected " + expected + " at character "
        + pos + " but found " + found + " in " + shown + "; re-save the array with numpy.save");
  }
}
