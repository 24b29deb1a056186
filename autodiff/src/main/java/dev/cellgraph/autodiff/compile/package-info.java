/**
 * The scan compiler: {@link ScanCompiler}, found by the graph package through
 * {@link dev.cellgraph.autodiff.ScanExecutor}, compiles a scan into a {@link CompiledScan} whose
 * pre phase runs once for all steps (lifted over time), whose loop runs per step (fused, and
 * split by batch rows over the kernel threads when no step mixes rows) and whose post phase
 * sums weight gradients in one product over all steps. {@link Fusion} fuses groups of
 * elementwise ops into single passes that call the same kernels on the same elements, so
 * results keep their bits. What each pass may do with an op it reads from
 * {@link dev.cellgraph.autodiff.Op#kind()}; the switches are the fields of
 * {@link dev.cellgraph.autodiff.CompileOptions}. See {@code docs/architecture.md} and
 * {@code docs/performance.md}.
 */
package dev.cellgraph.autodiff.compile;
