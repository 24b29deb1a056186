package dev.cellgraph.autodiff.compile;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.autodiff.ScanExecutor;

/**
 * The scan compiler as the graph package finds it ({@code META-INF/services}): compiles a scan
 * into a {@link CompiledScan} (the pre phase lifted over time, the fused loop, the post phase).
 * Stateless and thread-safe.
 */
public final class ScanCompiler implements ScanExecutor {
  /** For {@link java.util.ServiceLoader}. */
  public ScanCompiler() {}

  @Override
  public CompiledScan compile(Scan.ScanOp scan, int steps, boolean[] used, CompileOptions options) {
    return CompiledScan.compile(scan, steps, used, options);
  }
}
