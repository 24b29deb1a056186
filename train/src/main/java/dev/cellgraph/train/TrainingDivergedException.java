package dev.cellgraph.train;

/**
 * The loss became NaN or infinite: the run cannot go on with these settings.
 *
 * <p>Thread-safe as any exception is: it adds no state of its own, so it may be handed to another
 * thread once thrown.
 */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception whose message says at which step what became non-finite.
   *
   * @param message the detail message, naming the step and the value that became non-finite
   */
  public TrainingDivergedException(String message) {
    super(message);
  }
}
