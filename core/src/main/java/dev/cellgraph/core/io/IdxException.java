package dev.cellgraph.core.io;

import java.io.IOException;

/**
 * An IDX file that is not well formed. The message names the file and says what was expected:
 * {@code train-images-idx3-ubyte.gz: truncated: the gzip stream ends after 1,000 of the 47,040,000
 * data bytes its header declares}.
 *
 * <p>Thread-safe as any exception is: it adds no state of its own, so it may be handed to another
 * thread once thrown.
 */
public final class IdxException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception whose message names the file and what is wrong with it.
   *
   * @param message the file's name and what is wrong with its contents
   */
  public IdxException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the I/O error underneath it.
   *
   * @param message the file's name and what is wrong with its contents
   * @param cause the I/O error underneath, kept as this exception's cause
   */
  public IdxException(String message, Throwable cause) {
    super(message, cause);
  }
}
