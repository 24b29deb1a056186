package dev.cellgraph.autodiff;

import dev.cellgraph.core.Tensor;
import java.util.List;

/**
 * What runs a scan compiled: provided by the scan compiler ({@code dev.cellgraph.autodiff.compile}),
 * found through {@link java.util.ServiceLoader} so that the graph package does not depend on the compiler
 * that depends on it. Without a provider, scans run step by step.
 *
 * <p>Implementations and their {@link Compiled} scans must be thread-safe: a {@link Plan}, and so
 * the scans in it, may be run from several threads at once.
 */
public interface ScanExecutor {
  /**
   * Compiles {@code scan} for {@code steps} steps and the outputs {@code used} marks (null: all),
   * or throws when it cannot (the scan then runs step by step).
   */
  Compiled compile(Scan.ScanOp scan, int steps, boolean[] used, CompileOptions options);

  /** A scan compiled for one length and set of read outputs. */
  interface Compiled {
    /** Runs the scan on the inputs {@link Scan.ScanOp} takes, giving the outputs it gives. */
    List<Tensor> run(List<Tensor> inputs);
  }
}
