package dev.cellgraph.autodiff;

import dev.cellgraph.core.Setting;

/**
 * How {@link Plan#compile(java.util.List, java.util.List, CompileOptions)} compiles a graph: the
 * compiler's switches as an explicit value, passed down to every scan the plan runs and part of
 * every cache key, so that two plans with different options never share a compiled scan. None of
 * them changes a result beyond float rounding; turning one off is for comparison and debugging.
 *
 * @param compileScans run scans through the scan compiler (lifted over time, fused loops);
 *     otherwise step by step
 * @param fuse fuse groups of elementwise ops in a compiled scan's plans into single passes
 * @param rowSplit split a compiled scan's row-wise loop by batch rows over the kernel threads
 * @param sink compute a row-split loop's elementwise inputs inside the loop
 *
 * <p>Immutable and thread-safe.
 */
public record CompileOptions(boolean compileScans, boolean fuse, boolean rowSplit, boolean sink) {
  private static final CompileOptions DEFAULTS = new CompileOptions(
      Setting.COMPILE_SCANS.booleanValue(true), Setting.COMPILE_FUSE.booleanValue(true),
      Setting.COMPILE_ROW_SPLIT.booleanValue(true), Setting.COMPILE_SINK.booleanValue(true));

  /**
   * Everything on, unless a {@code cellgraph.compile.*} property (see {@link Setting}) says
   * otherwise.
   *
   * @return the default options, after applying any {@code cellgraph.compile.*} overrides
   */
  public static CompileOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Everything on.
   *
   * @return options with every compiler switch on
   */
  public static CompileOptions all() {
    return new CompileOptions(true, true, true, true);
  }

  /**
   * Scans step by step, nothing fused: the reference the compiled results are checked against.
   *
   * @return options with every compiler switch off
   */
  public static CompileOptions interpreted() {
    return new CompileOptions(false, false, false, false);
  }

  /**
   * These options with {@link #compileScans} set to {@code on}.
   *
   * @param on whether to run scans through the scan compiler
   * @return a copy of these options differing only in {@code compileScans}
   */
  public CompileOptions withCompileScans(boolean on) {
    return new CompileOptions(on, fuse, rowSplit, sink);
  }

  /**
   * These options with {@link #fuse} set to {@code on}.
   *
   * @param on whether to fuse elementwise groups in compiled scans
   * @return a copy of these options differing only in {@code fuse}
   */
  public CompileOptions withFuse(boolean on) {
    return new CompileOptions(compileScans, on, rowSplit, sink);
  }

  /**
   * These options with {@link #rowSplit} set to {@code on}.
   *
   * @param on whether to split a compiled scan's row-wise loop by batch rows
   * @return a copy of these options differing only in {@code rowSplit}
   */
  public CompileOptions withRowSplit(boolean on) {
    return new CompileOptions(compileScans, fuse, on, sink);
  }

  /**
   * These options with {@link #sink} set to {@code on}.
   *
   * @param on whether to compute a row-split loop's elementwise inputs inside the loop
   * @return a copy of these options differing only in {@code sink}
   */
  public CompileOptions withSink(boolean on) {
    return new CompileOptions(compileScans, fuse, rowSplit, on);
  }
}
