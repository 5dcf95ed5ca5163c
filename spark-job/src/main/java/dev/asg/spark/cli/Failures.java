package dev.asg.spark.cli;

import dev.asg.common.InputBoundary;
import dev.asg.common.InvalidInputException;
import dev.asg.common.Messages;
import dev.asg.common.OutputExistsException;

/**
 * Turns exceptions into what a pipeline operator needs to read. Bad input found on an executor (a NaN in row 7)
 * reaches the driver wrapped in a SparkException; {@link InputBoundary#findInvalidInput} recovers it.
 */
final class Failures {
  private Failures() {}

  static InvalidInputException findInvalidInput(Throwable t) {
    return InputBoundary.findInvalidInput(t);
  }

  /**
   * The exit code a failure ends the process with (see {@link AsgMain}'s constants). An input that could not be
   * read because its filesystem did not answer (connection refused, timed out) is a runtime failure: the same
   * command can succeed once the NameNode is back.
   */
  static int exitCode(Throwable t) {
    InvalidInputException bad = findInvalidInput(t);
    if (bad == null || InputBoundary.unreachable(bad)) {
      return AsgMain.EXIT_FAILURE;
    }
    return bad instanceof OutputExistsException ? AsgMain.EXIT_OUTPUT_EXISTS : AsgMain.EXIT_USAGE;
  }

  /** The one line a person (or a status file) reads about a failure: the input error, else what failed and why. */
  static String errorLine(Throwable t) {
    InvalidInputException bad = findInvalidInput(t);
    if (bad == null) {
      return describe(t);
    }
    return Messages.oneLine(bad.getMessage() + (InputBoundary.unreachable(bad) ? UNREACHABLE : ""));
  }

  private static final String UNREACHABLE = "; its filesystem did not answer (connection refused or timed out): "
      + "check that it is up (e.g. the HDFS NameNode) and rerun";

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
