package dev.asg.common;

/**
 * Bad user input: a flag value, a file, or the table's contents. The CLI maps it to exit code 2 and prints
 * {@link #getMessage()} as one line, so the message must name the flag or file, the value and what is allowed.
 */
public class InvalidInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidInputException(String message) {
    super(message);
  }

  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
