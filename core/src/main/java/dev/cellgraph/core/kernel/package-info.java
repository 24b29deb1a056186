/**
 * The numeric kernels behind {@link dev.cellgraph.core.Tensor}: {@link Kernels}, one front class
 * that validates arguments and delegates to an implementation chosen once at start-up (the Vector
 * API's when the JVM has {@code jdk.incubator.vector}, plain Java otherwise), for matrix products
 * (GEMM, with a right operand packed once as a {@link PackedMatrix}), the elementwise functions
 * {@link UnaryOp} and {@link BinaryOp} with their exact scalar meaning, and sums. The GEMM sources
 * are generated from {@code tools/codegen}; the thread count is a computation's own
 * ({@link Kernels#withThreads}).
 */
package dev.cellgraph.core.kernel;
