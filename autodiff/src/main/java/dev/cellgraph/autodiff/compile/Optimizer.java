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
}
