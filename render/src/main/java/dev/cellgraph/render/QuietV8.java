package dev.cellgraph.render;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads graphviz-java's bundled J2V8 library without HotSpot's stack-guard warning. J2V8 4.6's
 * Linux library is linked asking for an executable stack, so every JVM that loads it prints
 * "might have disabled stack guard" on standard output; a copy with that one ELF flag cleared
 * (what {@code execstack -c} does) loads silently and runs the same code. If anything here does
 * not fit (another platform, another J2V8, a different class loader), it does nothing and J2V8
 * loads its own copy as before, warning included.
 */
final class QuietV8 {
  private static final String V8_CLASS = "com.eclipsesource.v8.V8";
  private static final String LIBRARY = "libj2v8_linux_x86_64.so";
  private static final int PT_GNU_STACK = 0x6474e551;
  private static final int PF_X = 1;

  private QuietV8() {}

  /** Extracts, patches and loads the library into {@code dir}; true if J2V8 will now use it. */
  static boolean preload(Path dir) {
    try {
      Class<?> v8 = Class.forName(V8_CLASS, false, QuietV8.class.getClassLoader());
      // System.load binds the library to its caller's class loader: it must be V8's
      if (v8.getClassLoader() != QuietV8.class.getClassLoader()) {
        return false;
      }
      byte[] elf;
      try (InputStream in = v8.getResourceAsStream("/" + LIBRARY)) {
        if (in == null) {
          return false;
        }
        elf = in.readAllBytes();
      }
      if (!clearExecutableStack(elf)) {
        return false;
      }
      Field loaded = v8.getDeclaredField("nativeLibraryLoaded");
      loaded.setAccessible(true);
      Path lib = dir.resolve(LIBRARY);
      Files.write(lib, elf);
      System.load(lib.toAbsolutePath().toString());
      loaded.setBoolean(null, true);
      return true;
    } catch (IOException | ReflectiveOperationException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  /**
   * Clears the execute bit of a 64-bit little-endian ELF file's PT_GNU_STACK header; false if
   * the bytes are not such a file or have no such header.
   */
  static boolean clearExecutableStack(byte[] elf) {
    if (elf.length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F'
        || elf[4] != 2 || elf[5] != 1) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
    long phoff = b.getLong(0x20);
    int phentsize = Short.toUnsignedInt(b.getShort(0x36));
    int phnum = Short.toUnsignedInt(b.getShort(0x38));
    for (int i = 0; i < phnum; i++) {
      long at = phoff + (long) i * phentsize;
      if (at < 0 || at + 8 > elf.length) {
        return false;
      }
      if (b.getInt((int) at) == PT_GNU_STACK) {
        b.putInt((int) at + 4, b.getInt((int) at + 4) & ~PF_X);
        return true;
      }
    }
    return false;
  }
}
