package dev.asg.common;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one-line messages of a bad flag value, shared by every parameter record so each names the flag, the value
 * and what is allowed in the same words.
 */
public final class FlagChecks {
  private FlagChecks() {}

  /** A flag value that parses to one of a fixed set of choices: by default the enum constant's name in lower case. */
  public interface Choice {
    default String flagValue() {
      return ((Enum<?>) this).name().toLowerCase(Locale.ROOT);
    }
  }

  public static void checkRange(String key, long v, long min, long max, String what) {
    if (v < min || v > max) {
      throw new InvalidInputException("--" + key + " " + v + " is out of range; --" + key + " (" + what
          + ") must be in [" + min + ", " + max + "]");
    }
  }

  public static void require(boolean ok, String message) {
    if (!ok) {
      throw new InvalidInputException(message);
    }
  }

  /** The choice whose flag value is {@code v}, else an error listing every allowed value. */
  public static <E extends Enum<E> & Choice> E parse(Class<E> type, String key, String v) {
    return parse(type, key, v, false);
  }

  /** As {@link #parse}, ignoring case (--codebook has always accepted SHARED). */
  public static <E extends Enum<E> & Choice> E parseIgnoreCase(Class<E> type, String key, String v) {
    return parse(type, key, v, true);
  }

  private static <E extends Enum<E> & Choice> E parse(Class<E> type, String key, String v, boolean ignoreCase) {
    for (E e : type.getEnumConstants()) {
      if (ignoreCase ? e.flagValue().equalsIgnoreCase(v) : e.flagValue().equals(v)) {
        return e;
      }
    }
    throw new InvalidInputException("--" + key + " " + v + " is not allowed; --" + key + " must be one of: "
        + Arrays.stream(type.getEnumConstants()).map(Choice::flagValue).collect(Collectors.joining(", ")));
  }
}
