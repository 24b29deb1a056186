package dev.cellgraph.core.io;

import java.io.IOException;

/**
 * A safetensors file that is not well formed. The message names the file and, where there is
 * one, the tensor: {@code weights.safetensors: tensor 'weight_ih_l0': data_offsets [0, 96]
 * extend past the end of the data (80 bytes)}.
 *
 * <p>Thread-safe as any exception is: it adds no state of its own, so it may be handed to another
 * thread once thrown.
 */
public final class SafeTensorsException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception whose message names the file and what is wrong with it.
   *
   * @param message the file's name, the tensor where there is one, and what is wrong
   */
  public SafeTensorsException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the error underneath it.
   *
   * @param message the file's name, the tensor where there is one, and what is wrong
   * @param cause the error underneath, kept as this exception's cause
   */
  public SafeTensorsException(String message, Throwable cause) {
    super(message, cause);
  }
}
