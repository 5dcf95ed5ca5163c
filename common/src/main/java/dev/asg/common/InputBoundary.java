package dev.asg.common;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place where reading the user's input (a model header, a Parquet table, an artifact, a checkpoint)
 * turns any failure into {@link InvalidInputException}: parsers and libraries fail in their own ways
 * (IOException, IllegalArgumentException from Hadoop's URI parsing, Spark's checked AnalysisException and
 * SparkException, a StackOverflowError on absurd nesting), and every one of them is bad input there, to be
 * reported as one line and exit 2, never as a stack trace.
 */
public final class InputBoundary {
  private static final Pattern REMOTE = Pattern.compile(
      Pattern.quote(InvalidInputException.class.getName()) + ": ([^\\n]*)");

  /** A read of user input; may throw anything. */
  @FunctionalInterface
  public interface Read<T> {
    T get() throws Exception;
  }

  private InputBoundary() {}

  /**
   * Runs {@code body}; a failure becomes "{@code subject}: cannot be read (cause); {@code advice}". An
   * {@link InvalidInputException}, also one raised on a Spark executor, passes through unchanged.
   */
  public static <T> T read(String subject, String advice, Read<T> body) {
    return guard(subject, "cannot be read", advice, body);
  }

  /** As {@link #read} for a location the run will write (an output): "{@code subject}: cannot be checked (...)". */
  public static <T> T check(String subject, String advice, Read<T> body) {
    return guard(subject, "cannot be checked", advice, body);
  }

  private static <T> T guard(String subject, String failed, String advice, Read<T> body) {
    try {
      return body.get();
    } catch (Exception | StackOverflowError e) {
      throw wrap(subject, failed, advice, e);
    }
  }

  /** The {@link InvalidInputException} for a failure while reading {@code subject}. */
  public static InvalidInputException wrap(String subject, String advice, Throwable e) {
    return wrap(subject, "cannot be read", advice, e);
  }

  private static InvalidInputException wrap(String subject, String failed, String advice, Throwable e) {
    InvalidInputException bad = findInvalidInput(e);
    if (bad != null) {
      return bad;
    }
    return new InvalidInputException(subject + ": " + failed + " (" + describe(e) + "); " + advice, e);
  }

  /**
   * The InvalidInputException in {@code t}'s cause chain; bad input found on an executor reaches the driver
   * wrapped in a SparkException, and when the original did not travel with it, its class name and message are
   * still in the text and are recovered from there. Null if there is none.
   */
  public static InvalidInputException findInvalidInput(Throwable t) {
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

  /**
   * True when {@code t} was caused by a connection that was refused, had no route, or timed out: the name resolved
   * but nobody answered, so the filesystem is down rather than the input wrong (an unknown host is bad input).
   */
  public static boolean unreachable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException || c instanceof java.net.NoRouteToHostException
          || c instanceof java.net.SocketTimeoutException) {
        return true;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return false;
  }

  /** The innermost cause's type and the first line of its message, escaped and capped. */
  public static String describe(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root && root.getCause().getMessage() != null) {
      root = root.getCause();
    }
    if (root instanceof StackOverflowError) {
      return "nested too deeply";
    }
    String msg = root.getMessage() == null ? "" : root.getMessage().strip().lines().findFirst().orElse("");
    return Messages.quote(root.getClass().getSimpleName() + (msg.isEmpty() ? "" : ": " + msg));
  }
}
