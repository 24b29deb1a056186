package dev.cellgraph.core.kernel;

import dev.cellgraph.core.Setting;
import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * Packed GEMM buffers whose data starts on a 64-byte boundary at a known index, so that the
 * micro-kernels' 512-bit loads of B never straddle two cache lines.
 *
 * <p>The JVM aligns objects to 8 bytes only, so a Java array's element 0 sits anywhere modulo 64;
 * a B panel read from such an array splits every vector load over two lines. But the G1 collector
 * (the default) places a humongous object, one of at least half a heap region, at the start of a
 * region and never moves it to an address of another alignment, and regions are powers of two of
 * at least 1 MB. So in an array that large, element {@code (64 - base) / size} (12 floats, 6
 * doubles, for the usual 16-byte array header) is 64-byte aligned. Measured on 1024^3 float32 on one
 * thread, alternating runs: 119-123 GFLOP/s with B's packed panels aligned, 79-110 without.
 *
 * <p>Under another collector, or when the JVM's settings cannot be read, {@link #offset} is 0 and
 * nothing changes but the lost speed.
 */
final class AlignedArrays {
  private AlignedArrays() {}

  static final int BYTES = 64;
  /** Smallest array in bytes, header included, that G1 allocates as humongous; 0 when unknown. */
  private static final long HUMONGOUS_BYTES;
  /** Offset of element 0 from the start of an array object. */
  private static final int FLOAT_BASE;
  private static final int DOUBLE_BASE;
  /** Buffers are padded to the humongous size only when that costs at most this much. */
  private static final long MAX_PADDED_BYTES = 8L << 20;

  static {
    long humongous = 0;
    int floatBase = 0;
    int doubleBase = 0;
    if (!Setting.GEMM_NO_ALIGN.booleanValue(false)) {
      try {
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        Class<?> unsafe = Class.forName("sun.misc.Unsafe");
        floatBase = unsafe.getField("ARRAY_FLOAT_BASE_OFFSET").getInt(null);
        doubleBase = unsafe.getField("ARRAY_DOUBLE_BASE_OFFSET").getInt(null);
        long region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
        if (Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue()) && region >= (1 << 20)
            && Long.bitCount(region) == 1 && floatBase % 4 == 0 && doubleBase % 8 == 0) {
          humongous = region / 2;
        }
      } catch (Throwable e) { // no jdk.management, no sun.misc.Unsafe, another VM: plain arrays
        humongous = 0;
      }
    }
    HUMONGOUS_BYTES = humongous;
    FLOAT_BASE = floatBase;
    DOUBLE_BASE = doubleBase;
  }

  /**
   * A float array with at least {@code n} elements from {@link #offset}. It is padded to the
   * humongous size, so that its data is aligned, when that is at most 8 MB and at most
   * {@code maxWaste} times the size needed: a per-thread buffer allocated once may waste more than
   * a packed weight allocated at every training step.
   */
  static float[] floats(int n, int maxWaste) {
    long needed = (long) FLOAT_BASE + 4L * (n + BYTES / 4);
    if (pad(needed, maxWaste)) {
      return new float[(int) ((HUMONGOUS_BYTES - FLOAT_BASE + 3) / 4)];
    }
    return new float[Math.addExact(n, BYTES / 4)];
  }

  /** {@link #floats} for doubles. */
  static double[] doubles(int n, int maxWaste) {
    long needed = (long) DOUBLE_BASE + 8L * (n + BYTES / 8);
    if (pad(needed, maxWaste)) {
      return new double[(int) ((HUMONGOUS_BYTES - DOUBLE_BASE + 7) / 8)];
    }
    return new double[Math.addExact(n, BYTES / 8)];
  }

  private static boolean pad(long needed, int maxWaste) {
    return HUMONGOUS_BYTES > 0 && needed < HUMONGOUS_BYTES && HUMONGOUS_BYTES <= MAX_PADDED_BYTES
        && HUMONGOUS_BYTES <= needed * maxWaste;
  }

  /** Index of the first 64-byte-aligned element of {@code a}, or 0 when its alignment is unknown. */
  static int offset(float[] a) {
    return HUMONGOUS_BYTES > 0 && FLOAT_BASE + 4L * a.length >= HUMONGOUS_BYTES
        ? (BYTES - FLOAT_BASE % BYTES) % BYTES / 4 : 0;
  }

  /** {@link #offset(float[])} for doubles. */
  static int offset(double[] a) {
    return HUMONGOUS_BYTES > 0 && DOUBLE_BASE + 8L * a.length >= HUMONGOUS_BYTES
        ? (BYTES - DOUBLE_BASE % BYTES) % BYTES / 8 : 0;
  }
}
