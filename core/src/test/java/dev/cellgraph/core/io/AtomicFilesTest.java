package dev.cellgraph.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link AtomicFiles} does to each kind of path: replace, write through, write in place, refuse. */
class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void aNewFileAppearsWithTheContentsAndNoTemporaryFilesStay() throws IOException {
    Path f = dir.resolve("new.txt");
    AtomicFiles.writeString(f, "hello");
    assertEquals("hello", Files.readString(f));
    assertEquals(List.of(f), list(dir));
  }

  @Test
  void aReplacedFileKeepsItsPermissions() throws IOException {
    Path f = dir.resolve("script.sh");
    Files.writeString(f, "old");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-x---"));
    AtomicFiles.writeString(f, "new");
    assertEquals("new", Files.readString(f));
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
  }

  @Test
  void aSymlinkIsWrittenThroughAndStaysALink() throws IOException {
    Path real = Files.createDirectories(dir.resolve("stow/pkg")).resolve("dotfile");
    Files.writeString(real, "old");
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-------"));
    Path home = Files.createDirectories(dir.resolve("home"));
    // a chain of two relative links, as GNU Stow makes them
    Path inner = Files.createSymbolicLink(dir.resolve("stow/current"), Path.of("pkg/dotfile"));
    Path link = Files.createSymbolicLink(home.resolve(".dotfile"), Path.of("../stow/current"));
    AtomicFiles.writeString(link, "new");
    assertTrue(Files.isSymbolicLink(link));
    assertTrue(Files.isSymbolicLink(inner));
    assertEquals(Path.of("../stow/current"), Files.readSymbolicLink(link));
    assertEquals("new", Files.readString(real));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
    assertEquals(List.of(link), list(home));
    assertEquals(List.of(real), list(real.getParent()));
  }

  @Test
  void aDanglingSymlinkCreatesTheFileItPointsTo() throws IOException {
    Path link = Files.createSymbolicLink(dir.resolve("out.svg"), Path.of("drawings-out.svg"));
    AtomicFiles.writeString(link, "<svg/>");
    assertTrue(Files.isSymbolicLink(link));
    assertEquals("<svg/>", Files.readString(dir.resolve("drawings-out.svg")));
  }

  @Test
  void aSymlinkLoopIsAnError() throws IOException {
    Path a = dir.resolve("a");
    Files.createSymbolicLink(a, Path.of("b"));
    Files.createSymbolicLink(dir.resolve("b"), Path.of("a"));
    OutputPathException e = assertThrows(OutputPathException.class, () -> AtomicFiles.writeString(a, "x"));
    assertEquals("cannot write '" + a + "': leads through more than 40 symbolic links", e.getMessage());
  }

  @Test
  void devicesAndStandardStreamsAreWrittenInPlaceNeverReplaced() throws IOException {
    // checked before writing anything, so that a regression cannot replace /dev/null on this machine
    assumeTrue(Files.exists(Path.of("/dev/null")) && Files.exists(Path.of("/proc/self")));
    for (String p : List.of("/dev/null", "/dev/stdout", "/dev/stderr", "/proc/self/fd/1", "/dev/fd/2")) {
      AtomicFiles.Target t = AtomicFiles.resolve(Path.of(p));
      assertTrue(t.direct(), p + " must be written in place");
    }
    AtomicFiles.writeString(Path.of("/dev/null"), "discarded");
    assertFalse(Files.isRegularFile(Path.of("/dev/null")));
    assertTrue(Files.isSymbolicLink(Path.of("/dev/stdout")));
  }

  @Test
  void aSymlinkToADeviceWritesToTheDevice() throws IOException {
    assumeTrue(Files.exists(Path.of("/dev/null")));
    Path link = Files.createSymbolicLink(dir.resolve("sink"), Path.of("/dev/null"));
    assertTrue(AtomicFiles.resolve(link).direct());
    AtomicFiles.writeString(link, "discarded");
    assertTrue(Files.isSymbolicLink(link));
    assertEquals(List.of(link), list(dir));
  }

  @Test
  void aNamedPipeIsWrittenInOrderAndStaysAPipe() throws Exception {
    Path fifo = dir.resolve("pipe");
    assumeTrue(mkfifo(fifo), "mkfifo is not available");
    byte[] data = new byte[300_000]; // several pipe buffers: order matters
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31 + i / 256);
    }
    CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> {
      try (InputStream in = Files.newInputStream(fifo)) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    AtomicFiles.write(fifo, data);
    assertEquals(java.util.Arrays.hashCode(data), java.util.Arrays.hashCode(read.get(10, TimeUnit.SECONDS)));
    assertFalse(Files.isRegularFile(fifo, LinkOption.NOFOLLOW_LINKS));
    assertEquals(List.of(fifo), list(dir));
  }

  @Test
  void aUnixSocketIsWrittenToItsListener() throws Exception {
    Path sock = dir.resolve("s.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(sock));
      CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> {
        try (SocketChannel c = server.accept()) {
          ByteBuffer b = ByteBuffer.allocate(1024);
          while (c.read(b) >= 0) {
            // read until the writer closes
          }
          return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      });
      AtomicFiles.writeString(sock, "digraph {}");
      assertEquals("digraph {}", got.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void aDirectoryIsRefusedAndLeftAlone() throws IOException {
    Path d = Files.createDirectories(dir.resolve("figures"));
    OutputPathException e = assertThrows(OutputPathException.class, () -> AtomicFiles.writeString(d, "x"));
    assertEquals("cannot write '" + d + "': is a directory", e.getMessage());
    assertEquals(List.of(), list(d));
  }

  @Test
  void aParentThatIsAFileIsNamed() throws IOException {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "mine");
    Path target = file.resolve("out.svg");
    OutputPathException e = assertThrows(OutputPathException.class, () -> AtomicFiles.writeString(target, "x"));
    assertEquals("cannot write '" + target + "': '" + file + "' is not a directory", e.getMessage());
    Path deeper = file.resolve("a/b/out.svg");
    e = assertThrows(OutputPathException.class, () -> AtomicFiles.writeString(deeper, "x"));
    assertEquals("cannot write '" + deeper + "': '" + file + "' is not a directory", e.getMessage());
    assertEquals("mine", Files.readString(file));
    assertEquals(List.of(file), list(dir));
  }

  @Test
  void aMissingDirectoryIsNamedAndNotCreated() throws IOException {
    Path target = dir.resolve("missing/out.svg");
    OutputPathException e = assertThrows(OutputPathException.class, () -> AtomicFiles.writeString(target, "x"));
    assertEquals("cannot write '" + target + "': directory '" + dir.resolve("missing") + "' does not exist",
        e.getMessage());
    assertEquals(List.of(), list(dir));
  }

  @Test
  void aReadOnlyDirectoryIsNamedNotTheTemporaryFile() throws IOException {
    assumeFalse("root".equals(System.getProperty("user.name")), "root may write into any directory");
    Path ro = Files.createDirectories(dir.resolve("ro"));
    Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      Path target = ro.resolve("out.svg");
      OutputPathException e = assertThrows(OutputPathException.class, () -> AtomicFiles.writeString(target, "x"));
      assertEquals("cannot write '" + target + "': directory '" + ro + "' cannot be written (permission denied)",
          e.getMessage());
    } finally {
      Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
  }

  @Test
  void namesUpToTheFileSystemLimitCanBeWritten() throws IOException {
    for (int n : new int[] {233, 234, 250, 255}) {
      Path f = dir.resolve("x".repeat(n - 4) + ".svg");
      AtomicFiles.writeString(f, "ok " + n);
      AtomicFiles.writeString(f, "again " + n);
      assertEquals("again " + n, Files.readString(f));
    }
    // multi-byte names are cut at a character boundary for the temporary name
    Path u = dir.resolve("é".repeat(127) + "x");
    AtomicFiles.writeString(u, "ü");
    assertEquals("ü", Files.readString(u));
    assertEquals(5, list(dir).size());
  }

  @Test
  void temporaryFilesOfKilledWritersAreRemovedButALiveWritersAreKept() throws IOException {
    Path f = dir.resolve("w.safetensors");
    Path stale = dir.resolve(".w.safetensors.0123456789abcdef.tmp");
    Path live = dir.resolve(".w.safetensors.fedcba9876543210.tmp");
    Path other = dir.resolve(".w.safetensors.not-ours.tmp");
    Files.writeString(stale, "half");
    Files.writeString(other, "someone else's");
    try (FileChannel ch = FileChannel.open(live, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      AtomicFiles.writeString(f, "whole");
      assertTrue(lock.isValid());
    }
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(live));
    assertTrue(Files.exists(other));
    assertEquals("whole", Files.readString(f));
  }

  @Test
  void temporaryNamesAreRecognisedExactly() {
    assertTrue(AtomicFiles.isTemporaryOf(".a.txt.0123456789abcdef.tmp", "a.txt"));
    assertFalse(AtomicFiles.isTemporaryOf(".a.txt.0123456789abcdeg.tmp", "a.txt"));
    assertFalse(AtomicFiles.isTemporaryOf(".a.txt.0123456789abcde.tmp", "a.txt"));
    assertFalse(AtomicFiles.isTemporaryOf(".b.txt.0123456789abcdef.tmp", "a.txt"));
    assertFalse(AtomicFiles.isTemporaryOf("a.txt", "a.txt"));
  }

  private static boolean mkfifo(Path p) {
    try {
      return new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static List<Path> list(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.sorted().toList();
    }
  }
}
