package dev.asg.spark.cli;

import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;

/**
 * Turns exceptions into what a pipeline operator needs to read. Bad input found on an executor (a NaN in row 7)
 * reaches the driver wrapped in a SparkException; {@link InputBoundary#findInvalidInput} recovers it.
 */
final class Failures {
  private Failures() {}

  static InvalidInputException findInvalidInput(Throwable t) {
    return InputBoundary.findInvalidInput(t);
  }

  static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String first = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().lines().findFirst()
        .orElse("");
    return Messages.oneLine(root == t ? first : first + " (cause: " + root.getClass().getSimpleName() + ": "
        + root.getMessage() + ")");
  }
}
