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
   *
   * @param scan the scan op to compile
   * @param steps the sequence length
   * @param used which of the scan's outputs are read, or null for all
   * @param options the compiler switches
   * @return the compiled scan
   */
  Compiled compile(Scan.ScanOp scan, int steps, boolean[] used, CompileOptions options);

  /** A scan compiled for one length and set of read outputs. */
  interface Compiled {
    /**
     * Runs the scan on the inputs {@link Scan.ScanOp} takes, giving the outputs it gives.
     *
     * @param inputs the scan's inputs: initial carries, sequences, then constants
     * @return the scan's outputs, in the order the scan op gives them
     */
    List<Tensor> run(List<Tensor> inputs);
  }
}
