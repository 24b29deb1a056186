/**
 * Reproducible randomness: {@link Rng}, the one seeded generator (xoshiro256**, the same bits on
 * every platform, its state saved and restored by checkpoints), and {@link Initializers}, PyTorch's
 * {@code torch.nn.init} definitions drawn from it.
 */
package dev.cellgraph.core.random;
