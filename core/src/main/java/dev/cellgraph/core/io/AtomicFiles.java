package dev.cellgraph.core.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes output files without ever destroying what a path is: a reader, or the next run after a
 * crash, sees either the old contents or the complete new contents of a regular file, never a
 * prefix, and a symlink, a pipe or a device stays what it was.
 *
 * <p>What {@link #write(Path, Body)} does depends on what the path is:
 * <ul>
 *   <li><b>a regular file, or nothing yet</b> (in an existing directory): the data goes to a
 *       hidden temporary file in the same directory (a rename is atomic only within one file
 *       system), which is forced to disk, given the replaced file's permissions (and owner, where
 *       the process may set it), and renamed over the target with
 *       {@link StandardCopyOption#ATOMIC_MOVE}; the directory is then forced so that the rename
 *       survives a power loss. If anything fails, the temporary file is deleted and the target is
 *       untouched;
 *   <li><b>a symbolic link</b>: the link is followed (to any depth) and the file it points to is
 *       replaced as above, in its own directory; the link itself is kept;
 *   <li><b>a character device, FIFO or socket</b> ({@code /dev/null}, {@code /dev/stdout}, a
 *       terminal, a named pipe): written directly, in order, never replaced. A path through
 *       {@code /proc} or {@code /dev/fd} (where {@code /dev/stdout} leads) is always written
 *       directly, appending, since the kernel's links there do not name files that may be
 *       renamed over;
 *   <li><b>a directory, a block device, a path whose parent does not exist or is not a
 *       directory, a directory that cannot be written</b>: an {@link OutputPathException} naming
 *       the path and the reason; nothing is created or deleted.
 * </ul>
 *
 * <p>A writer holds an exclusive lock on its temporary file while it writes, so a temporary file
 * that nobody locks was left by a killed writer; the next write of the same target removes such
 * files. A file system without atomic rename is an error, not a silent fallback.
 *
 * <p>Thread-safe: concurrent writes of one target each complete, and the last rename wins.
 */
public final class AtomicFiles {
  /** The longest file name most file systems accept, in bytes. */
  private static final int NAME_MAX = 255;
  /** Bytes a temporary name adds to the target's: '.', '.', 16 hex digits, ".tmp". */
  private static final int TEMP_EXTRA = 22;
  private static final int MAX_LINKS = 40;

  private AtomicFiles() {}

  /** Writes the body of a file to a stream; the stream is closed by {@link AtomicFiles}. */
  @FunctionalInterface
  public interface Body {
    /**
     * Writes the whole body to {@code out}; an exception leaves the target file untouched.
     *
     * @param out the buffered stream to write to; the body need not close it
     * @throws IOException if the body cannot be written; the whole write then fails
     */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code bytes} to {@code target} as described in the class comment.
   *
   * @param target the path to write; the class comment says what each kind of path gets
   * @param bytes the complete new contents
   * @throws IOException if the path cannot be written or writing fails; a file is kept as it was
   */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  /**
   * Writes {@code text} encoded as UTF-8 to {@code target} as described in the class comment.
   *
   * @param target the path to write; the class comment says what each kind of path gets
   * @param text the complete new contents, written as UTF-8
   * @throws IOException if the path cannot be written or writing fails; a file is kept as it was
   */
  public static void writeString(Path target, String text) throws IOException {
    write(target, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes what {@code body} writes to {@code target} as described in the class comment.
   *
   * @param target the path to write; the class comment says what each kind of path gets
   * @param body writes the complete new contents to the stream it is given
   * @throws IOException if the path cannot be written or {@code body} fails; a file is kept as it was
   */
  public static void write(Path target, Body body) throws IOException {
    Target t = resolve(target);
    if (t.direct) {
      writeDirectly(target, t.path, body);
    } else {
      replace(target, t.path, t.existing, body);
    }
  }

  /** What a path leads to: the final path and whether it is replaced or written in place. */
  record Target(Path path, boolean direct, boolean existing) {}

  static Target resolve(Path target) throws IOException {
    Path p = target.toAbsolutePath();
    for (int links = 0; links <= MAX_LINKS; links++) {
      if (p.getFileName() == null) {
        throw new OutputPathException(target, "does not name a file");
      }
      if (throughKernelLinks(p)) {
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          throw new OutputPathException(target, "does not exist");
        }
        if (a.isDirectory()) {
          throw new OutputPathException(target, "is a directory");
        }
        return new Target(p, true, true);
      }
      BasicFileAttributes a;
      try {
        a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        checkParent(target, p);
        return new Target(p, false, false);
      } catch (AccessDeniedException e) {
        throw new OutputPathException(target, "'" + p.getParent() + "' cannot be read (permission denied)");
      } catch (FileSystemException e) {
        checkParent(target, p); // ENOTDIR: an ancestor is a file
        throw e;
      }
      if (a.isSymbolicLink()) {
        Path to = Files.readSymbolicLink(p);
        p = p.getParent().resolve(to).normalize();
        continue;
      }
      if (a.isDirectory()) {
        throw new OutputPathException(target, "is a directory");
      }
      if (a.isRegularFile()) {
        return new Target(p, false, true);
      }
      if (isBlockDevice(p)) {
        throw new OutputPathException(target, "is a block device; cellgraph does not write to one");
      }
      return new Target(p, true, true);
    }
    throw new OutputPathException(target, "leads through more than " + MAX_LINKS + " symbolic links");
  }

  /** Paths whose links the kernel resolves itself (/dev/stdout -> /proc/self/fd/1 -> pipe:[..]). */
  private static boolean throughKernelLinks(Path p) {
    return p.startsWith("/proc") || p.startsWith("/dev/fd");
  }

  private static boolean isBlockDevice(Path p) {
    try {
      Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return mode instanceof Integer m && (m & 0170000) == 0060000;
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      return false; // no unix view: nothing to tell a block device from another special file
    }
  }

  private static void checkParent(Path target, Path p) throws OutputPathException {
    Path dir = p.getParent();
    if (Files.isDirectory(dir)) {
      return;
    }
    Path d = fileInTheWay(dir);
    if (d != null) {
      throw new OutputPathException(target, "'" + d + "' is not a directory");
    }
    throw new OutputPathException(target, "directory '" + dir + "' does not exist");
  }

  /**
   * What stops {@code dir} from being a directory: {@code dir} itself or its nearest existing
   * ancestor when that is not a directory (a file where a directory should be), else null, so an
   * error can name the part of the path that is wrong rather than say "Not a directory".
   *
   * @param dir a directory path, which need not exist
   * @return the path that exists and is not a directory, or null if nothing is in the way
   */
  public static Path fileInTheWay(Path dir) {
    Path d = dir;
    while (d != null && !Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
      d = d.getParent();
    }
    return d != null && !Files.isDirectory(d) ? d : null;
  }

  private static void writeDirectly(Path target, Path p, Body body) throws IOException {
    if (isSocket(p)) {
      try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
        ch.connect(UnixDomainSocketAddress.of(p));
        writeAll(Channels.newOutputStream(ch), body);
      }
      return;
    }
    // no CREATE: a device or pipe that vanished is an error, not a new regular file
    try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      writeAll(out, body);
    } catch (AccessDeniedException e) {
      throw new OutputPathException(target, "cannot be written (permission denied)");
    }
  }

  private static boolean isSocket(Path p) {
    try {
      return Files.readAttributes(p, BasicFileAttributes.class).isOther()
          && Files.getAttribute(p, "unix:mode") instanceof Integer m && (m & 0170000) == 0140000;
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
      return false;
    }
  }

  private static void writeAll(OutputStream raw, Body body) throws IOException {
    OutputStream out = new BufferedOutputStream(raw, 1 << 16) {
      @Override
      public void close() throws IOException {
        flush(); // the underlying stream is closed by its owner
      }
    };
    body.writeTo(out);
    out.flush();
  }

  private static void replace(Path target, Path abs, boolean existing, Body body) throws IOException {
    Path dir = abs.getParent();
    String name = abs.getFileName().toString();
    removeStaleTemporaries(dir, name);
    Path tmp = null;
    boolean moved = false;
    try {
      FileChannel ch;
      try {
        tmp = tempPath(dir, name);
        ch = createLocked(tmp);
      } catch (AccessDeniedException e) {
        throw new OutputPathException(target, "directory '" + dir + "' cannot be written (permission denied)");
      } catch (FileSystemException e) {
        throw new OutputPathException(target, "cannot create a file in '" + dir + "'"
            + (e.getReason() != null ? " (" + e.getReason() + ")" : ""));
      }
      try (ch) {
        writeAll(Channels.newOutputStream(ch), body);
        ch.force(true);
        if (existing) {
          copyAttributes(abs, tmp);
        }
        try {
          Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          throw new IOException(target + ": the file system cannot rename atomically", e);
        }
        moved = true;
      }
      forceDirectory(dir);
    } finally {
      if (!moved && tmp != null) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Creates {@code tmp} and locks it at once: the lock, released when the channel closes or the
   * process dies, is what tells a live writer's temporary file from a killed one's.
   */
  private static FileChannel createLocked(Path tmp) throws IOException {
    // CREATE_NEW with the default permissions (not the 0600 of Files.createTempFile), since the
    // temporary file becomes the target
    FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      ch.lock();
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** Gives the new file the replaced one's permissions, and its owner and group where allowed. */
  private static void copyAttributes(Path from, Path to) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(to, PosixFileAttributeView.class);
    if (view == null) {
      return; // not a POSIX file system: the new file has the directory's defaults
    }
    PosixFileAttributes old;
    try {
      old = Files.readAttributes(from, PosixFileAttributes.class);
    } catch (NoSuchFileException e) {
      return; // deleted meanwhile: nothing to keep
    }
    PosixFileAttributes now = view.readAttributes();
    try {
      if (!old.owner().equals(now.owner())) {
        view.setOwner(old.owner());
      }
      if (!old.group().equals(now.group())) {
        view.setGroup(old.group());
      }
    } catch (IOException e) {
      // only a privileged process may give a file away; the file is then the writer's own
    }
    view.setPermissions(old.permissions());
  }

  /** The prefix of the temporary files of {@code name}: short enough for a 255-byte file name. */
  static String tempPrefix(String name) {
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    if (utf8.length + TEMP_EXTRA <= NAME_MAX) {
      return "." + name + ".";
    }
    // cut at a code point boundary so the prefix stays valid text
    int keep = NAME_MAX - TEMP_EXTRA;
    int end = 0;
    int bytes = 0;
    while (end < name.length()) {
      int cp = name.codePointAt(end);
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + n > keep) {
        break;
      }
      bytes += n;
      end += Character.charCount(cp);
    }
    return "." + name.substring(0, end) + ".";
  }

  /** A fresh temporary name next to the target; the caller creates it with CREATE_NEW. */
  private static Path tempPath(Path dir, String name) {
    long r = ThreadLocalRandom.current().nextLong();
    return dir.resolve(tempPrefix(name) + String.format("%016x", r) + ".tmp");
  }

  /**
   * Whether {@code file} in {@code dir} is a temporary file of a write of {@code name}.
   *
   * @param file the name of a file in the target's directory, without the directory
   * @param name the file name of the write's target, without the directory
   * @return {@code true} if {@code file} is {@code .NAME.} followed by 16 hex digits and {@code
   *     .tmp}
   */
  public static boolean isTemporaryOf(String file, String name) {
    String prefix = tempPrefix(name);
    if (!file.startsWith(prefix) || !file.endsWith(".tmp") || file.length() != prefix.length() + 20) {
      return false;
    }
    for (int i = prefix.length(); i < prefix.length() + 16; i++) {
      if (Character.digit(file.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * Removes the temporary files that killed writers of {@code name} left in {@code dir}; a file
   * that a live writer locks is left alone. Returns how many were removed.
   *
   * @param dir the directory to clean up
   * @param name the file name of the target whose temporaries are removed
   * @return the number of temporary files removed, 0 if the directory cannot be listed
   */
  public static int removeStaleTemporaries(Path dir, String name) {
    int removed = 0;
    String prefix = tempPrefix(name);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob(prefix) + "*.tmp")) {
      for (Path f : ds) {
        if (isTemporaryOf(f.getFileName().toString(), name) && removeIfUnlocked(f)) {
          removed++;
        }
      }
    } catch (IOException | RuntimeException e) {
      // cleaning up is a courtesy: a directory that cannot be listed fails the write itself later
    }
    return removed;
  }

  private static String glob(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      if ("*?[]{}\\".indexOf(c) >= 0) {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static boolean removeIfUnlocked(Path f) throws IOException {
    if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      FileLock lock;
      try {
        lock = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        return false; // a writer in this JVM holds it
      }
      if (lock == null) {
        return false; // a writer in another process holds it
      }
      try {
        return Files.deleteIfExists(f);
      } finally {
        lock.release();
      }
    } catch (NoSuchFileException e) {
      return false;
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
