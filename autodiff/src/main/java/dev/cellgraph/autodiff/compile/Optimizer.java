package dev.cellgraph.autodiff.compile;

/**
 * The switch of the scan compiler ({@link ScanCompiler}): on by default, off with the system
 * property {@code cellgraph.optimize=false} or {@link #setEnabled(boolean)}. Results with it on
 * and off agree to within float rounding; it exists for comparison and for tests that run both.
 */
public final class Optimizer {
  private static volatile boolean enabled =
      !"false".equalsIgnoreCase(System.getProperty("cellgraph.optimize", "true").trim());

  private Optimizer() {}

  public static boolean enabled() {
    return enabled;
  }

  public static void setEnabled(boolean on) {
    enabled = on;
  }

  private static final java.util.concurrent.atomic.AtomicLong declines = new java.util.concurrent.atomic.AtomicLong();
  private static volatile String lastDecline;

  /**
   * Records that the compiler declined a scan, which then runs step by step: logged at level
   * DEBUG ({@code System.Logger} "dev.cellgraph.autodiff.compile") and counted.
   */
  public static void declined(String reason) {
    declines.incrementAndGet();
    lastDecline = reason;
    System.getLogger("dev.cellgraph.autodiff.compile").log(System.Logger.Level.DEBUG, reason);
  }

  /** How many scans the compiler has declined in this JVM (each length and read outputs once). */
  public static long declineCount() {
    return declines.get();
  }

  /** The reason of the last decline, or null. */
  public static String lastDecline() {
    return lastDecline;
  }
}
