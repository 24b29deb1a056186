/**
 * Measurements, built only with the Maven profile {@code bench}: JMH benchmarks of the GEMM
 * ({@link GemmBenchmark}) and of the fused LSTM gate pass ({@link FusedGateBenchmark}), and
 * {@link GemmThroughput}, a probe printing GFLOP/s to compare with PyTorch's, and {@link FmaPeak},
 * the machine's measured FMA peak (a register-resident loop) that GEMM figures are a fraction of. See
 * {@code docs/performance.md}.
 */
package dev.cellgraph.benchmarks;
