/**
 * Dense tensors and what every other module shares: {@link Tensor} (row-major float32, float64,
 * int32 and int64 values that never change), its {@link Shape} and {@link DType}, the
 * {@link Workspace} that reuses arrays from one step of a loop to the next, {@link Setting} (every
 * {@code cellgraph.*} system property, typed and documented), and {@link InvalidInputException},
 * the one exception for what a user gave. The numeric kernels are in
 * {@link dev.cellgraph.core.kernel}, random numbers in {@link dev.cellgraph.core.random}, file
 * formats in {@link dev.cellgraph.core.io}.
 */
package dev.cellgraph.core;
