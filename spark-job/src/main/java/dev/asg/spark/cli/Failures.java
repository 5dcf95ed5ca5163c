package dev.asg.spark.cli;

import dev.asg.common.InvalidInputException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns exceptions into what a pipeline operator needs to read. Bad input found on an executor (a NaN in row 7)
 * reaches the driver wrapped in a SparkException; when the original exception did not travel with it, its class
 * name and message are still in the text, and we recover them from there.
 */
final class Failures {
  private static final Pattern REMOTE = Pattern.compile(
      Pattern.quote(InvalidInputException.class.getName()) + ": ([^\\n]*)");

  private Failures() {}

  static InvalidInputException findInvalidInput(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof InvalidInputException) {
        return (InvalidInputException) c;
      }
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      String msg = c.getMessage();
      if (msg != null) {
        Matcher mt = REMOTE.matcher(msg);
        if (mt.find()) {
          return new InvalidInputException(mt.group(1).trim(), t);
        }
      }
    }
    return null;
  }

  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String first = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().lines().findFirst()
        .orElse("");
    return root == t ? first : first + " (cause: " + root.getClass().getSimpleName() + ": " + root.getMessage()
        + ")";
  }
}
