package dev.cellgraph.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that a reader, or the next run after a crash, sees either the old contents or
 * the complete new contents, never a prefix.
 *
 * <p>The data goes to a hidden temporary file in the target's directory (a rename is atomic
 * only within one file system), which is forced to disk, then renamed over the target with
 * {@link StandardCopyOption#ATOMIC_MOVE}; finally the directory is forced so that the rename
 * itself survives a power loss. If anything fails, the temporary file is deleted and the target
 * is untouched. A file system without atomic rename is an error, not a silent fallback.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the body of a file to a stream; the stream is closed by {@link AtomicFiles}. */
  @FunctionalInterface
  public interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Replaces {@code target} with {@code bytes} atomically. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  /** Replaces {@code target} with {@code text} encoded as UTF-8, atomically. */
  public static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Replaces {@code target} with what {@code body} writes, atomically. */
  public static void write(Path target, Body body) throws IOException {
    Path abs = target.toAbsolutePath();
    Path dir = abs.getParent();
    Path name = abs.getFileName();
    if (dir == null || name == null) {
      throw new IllegalArgumentException("'" + target + "' does not name a file");
    }
    Path tmp = createTemp(dir, name.toString());
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16) {
          @Override
          public void close() throws IOException {
            flush(); // the channel is closed by the try block after force()
          }
        };
        body.writeTo(out);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(target + ": the file system cannot rename atomically", e);
      }
      moved = true;
      forceDirectory(dir);
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  private static Path createTemp(Path dir, String name) throws IOException {
    // Created with the default permissions (not the 0600 of Files.createTempFile), since the
    // temporary file becomes the target.
    for (int attempt = 0; ; attempt++) {
      long r = ThreadLocalRandom.current().nextLong();
      Path tmp = dir.resolve("." + name + "." + Long.toHexString(r) + ".tmp");
      try {
        return Files.createFile(tmp);
      } catch (FileAlreadyExistsException e) {
        if (attempt >= 10) {
          throw e;
        }
      }
    }
  }

  private static void forceDirectory(Path dir) {
    // POSIX needs an fsync of the directory to make a rename durable. Opening a directory for
    // reading is not possible everywhere (Windows); there the rename is as durable as the OS
    // makes it, and the data itself was already forced.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not supported on this platform; see above
    }
  }
}
