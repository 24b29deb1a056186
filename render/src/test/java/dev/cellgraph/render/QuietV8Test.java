package dev.cellgraph.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The one-flag patch that keeps HotSpot's stack-guard warning off the bundled V8 library. */
class QuietV8Test {
  private static final int PT_GNU_STACK = 0x6474e551;

  /** The flags of the PT_GNU_STACK header, or -1 if there is none. */
  private static int stackFlags(byte[] elf) {
    ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    long phoff = b.getLong(0x20);
    int size = Short.toUnsignedInt(b.getShort(0x36));
    for (int i = 0; i < Short.toUnsignedInt(b.getShort(0x38)); i++) {
      int at = (int) (phoff + (long) i * size);
      if (b.getInt(at) == PT_GNU_STACK) {
        return b.getInt(at + 4);
      }
    }
    return -1;
  }

  @Test
  void theBundledLibraryAsksForAnExecutableStackAndThePatchClearsOnlyThat() throws IOException {
    byte[] elf;
    try (InputStream in = Class.forName("com.eclipsesource.v8.V8").getResourceAsStream("/libj2v8_linux_x86_64.so")) {
      assertNotNull(in, "graphviz-java no longer bundles J2V8's Linux library");
      elf = in.readAllBytes();
    } catch (ClassNotFoundException e) {
      throw new AssertionError("J2V8 is not on the class path", e);
    }
    byte[] before = elf.clone();
    assertEquals(1, stackFlags(elf) & 1, "J2V8 fixed its library: QuietV8 can go");
    assertTrue(QuietV8.clearExecutableStack(elf));
    assertEquals(stackFlags(before) & ~1, stackFlags(elf), "read and write permissions kept");
    int differing = 0;
    for (int i = 0; i < elf.length; i++) {
      differing += elf[i] != before[i] ? 1 : 0;
    }
    assertEquals(1, differing, "exactly one byte changes");
  }

  @Test
  void anythingButA64BitLittleEndianElfIsLeftAlone() {
    byte[] text = "not a library at all, but long enough to have a header's worth of bytes.".getBytes();
    byte[] copy = text.clone();
    assertFalse(QuietV8.clearExecutableStack(text));
    assertArrayEquals(copy, text);
    assertFalse(QuietV8.clearExecutableStack(new byte[] {0x7f, 'E', 'L', 'F'}));
  }
}
