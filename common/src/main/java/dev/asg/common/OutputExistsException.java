package dev.asg.common;

/**
 * The output a run would write already exists and the user did not ask to replace it. Input of a kind, but the CLI
 * gives it its own exit code (3, not 2) so a scheduler can tell "already there" from "wrong flags or file".
 */
public class OutputExistsException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  public OutputExistsException(String message) {
    super(message);
  }
}
