package dev.cellgraph.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An output path that cannot be written as asked: a directory, a missing or non-directory parent,
 * a directory without write permission. The message names the path as the user gave it and the
 * reason; nothing was created or deleted.
 *
 * <p>Thread-safe as any exception is: it adds only final fields, so it may be handed to another
 * thread once thrown.
 */
public final class OutputPathException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path path;

  /**
   * An exception naming {@code path} as the user gave it and why it cannot be written.
   *
   * @param path the output path as the user gave it, named in the message
   * @param reason why the path cannot be written, such as {@code is a directory}
   */
  public OutputPathException(Path path, String reason) {
    super("cannot write '" + path + "': " + (path.toString().isEmpty() ? "no file named" : reason));
    this.path = path;
  }

  /**
   * The path as the caller gave it.
   *
   * @return the path given to the constructor, unchanged
   */
  public Path path() {
    return path;
  }
}
