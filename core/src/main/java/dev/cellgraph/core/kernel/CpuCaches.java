package dev.cellgraph.core.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The per-core L1 data and L2 cache sizes the GEMM blocking is derived from ({@link GemmBlocking}):
 * read once from the OS (Linux sysfs, macOS sysctl), else defaults of 32 KB and 1 MB.
 */
final class CpuCaches {
  static final int DEFAULT_L1D = 32 * 1024;
  static final int DEFAULT_L2 = 1024 * 1024;

  /** This machine's caches, read once. */
  static final CpuCaches SYSTEM = detect();

  final int l1d;
  final int l2;
  /** Where the sizes came from: "sysfs", "sysctl" or "default". */
  final String source;

  private CpuCaches(int l1d, int l2, String source) {
    this.l1d = l1d;
    this.l2 = l2;
    this.source = source;
  }

  static CpuCaches of(int l1d, int l2, String source) {
    if (l1d < 1024 || l2 < l1d) {
      throw new IllegalArgumentException("cache sizes L1d=" + l1d + ", L2=" + l2
          + " must be at least 1 KB, L2 no smaller than L1d");
    }
    return new CpuCaches(l1d, l2, source);
  }

  private static CpuCaches detect() {
    CpuCaches c = fromSysfs(Path.of("/sys/devices/system/cpu/cpu0/cache"));
    if (c == null && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac")) {
      c = fromSysctl();
    }
    return c != null ? c : new CpuCaches(DEFAULT_L1D, DEFAULT_L2, "default");
  }

  /** Reads {@code index*}/{level,type,size} under {@code dir}; null unless both levels are found. */
  static CpuCaches fromSysfs(Path dir) {
    int l1d = 0;
    int l2 = 0;
    for (int i = 0; i < 16; i++) {
      Path index = dir.resolve("index" + i);
      if (!Files.isDirectory(index)) {
        break;
      }
      try {
        String level = read(index.resolve("level"));
        String type = read(index.resolve("type"));
        int size = parseSize(read(index.resolve("size")));
        if (level.equals("1") && type.equals("Data")) {
          l1d = size;
        } else if (level.equals("2") && (type.equals("Unified") || type.equals("Data"))) {
          l2 = size;
        }
      } catch (IOException | RuntimeException e) {
        return null; // an unreadable or odd entry: the defaults are safer than half an answer
      }
    }
    return l1d >= 1024 && l2 >= l1d ? new CpuCaches(l1d, l2, "sysfs") : null;
  }

  /** "48K", "1024K", "2M" or plain bytes. */
  static int parseSize(String s) {
    char unit = s.isEmpty() ? ' ' : Character.toUpperCase(s.charAt(s.length() - 1));
    int scale = unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 : 1;
    String digits = scale == 1 ? s : s.substring(0, s.length() - 1);
    return Math.multiplyExact(Integer.parseInt(digits.trim()), scale);
  }

  private static String read(Path p) throws IOException {
    return new String(Files.readAllBytes(p), StandardCharsets.US_ASCII).trim();
  }

  private static CpuCaches fromSysctl() {
    try {
      Process p = new ProcessBuilder("sysctl", "-n", "hw.l1dcachesize", "hw.l2cachesize")
          .redirectErrorStream(true).start();
      if (!p.waitFor(2, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      String[] lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
      if (p.exitValue() != 0 || lines.length != 2) {
        return null;
      }
      int l1d = Integer.parseInt(lines[0]);
      int l2 = Integer.parseInt(lines[1]);
      return l1d >= 1024 && l2 >= l1d ? new CpuCaches(l1d, l2, "sysctl") : null;
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  @Override
  public String toString() {
    return "L1d " + l1d / 1024 + " KB, L2 " + l2 / 1024 + " KB (" + source + ")";
  }
}
