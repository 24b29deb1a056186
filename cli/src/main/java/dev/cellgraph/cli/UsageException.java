package dev.cellgraph.cli;

/**
 * A mistake in the command line or in a user's file: printed without a stack trace, exit 2.
 *
 * <p>Thread-safe as any exception is: it adds no state of its own, so it may be handed to another
 * thread once thrown.
 */
public class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception whose message says what is wrong with the command line.
   *
   * @param message what is wrong, naming the option or argument
   */
  public UsageException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the exception that revealed the mistake.
   *
   * @param message what is wrong, naming the option or argument
   * @param cause what revealed it
   */
  public UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
