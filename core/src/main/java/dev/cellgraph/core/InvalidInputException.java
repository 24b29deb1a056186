package dev.cellgraph.core;

/**
 * What a user gave is invalid: a file, a formula, weights of the wrong shape, a size that does not
 * fit. The message names the user's own words (the file, the line and column, the symbol, the
 * shapes), so that a program shows it as it is, without a stack trace.
 *
 * <p>Other {@link IllegalArgumentException}s are a caller's mistake in Java code; a command-line
 * program treats them as its own fault (an internal error), not the user's.
 *
 * <p>Thread-safe as any exception is: it adds no state of its own, so it may be handed to another
 * thread once thrown.
 */
public class InvalidInputException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message that names the input and what is wrong with it.
   *
   * @param message what is invalid, naming the user's input (file, position, symbol or shapes)
   */
  public InvalidInputException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the exception that revealed the problem.
   *
   * @param message what is invalid, naming the user's input (file, position, symbol or shapes)
   * @param cause the exception that revealed the problem, kept as this exception's cause
   */
  public InvalidInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
