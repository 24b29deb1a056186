package dev.cellgraph.train;

import dev.cellgraph.core.Tensor;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One batch of a {@link Task}: named tensors (always {@code input}, time-major, and usually
 * {@code target}, optionally {@code mask}) and whether it continues the previous batch of the
 * same stream, in which case the trainer carries the recurrent state over (truncated
 * backpropagation through time: the state is carried, its gradient is not).
 *
 * <p>Immutable and thread-safe: its map is an unmodifiable copy, and tensors are immutable.
 */
public record Batch(Map<String, Tensor> tensors, boolean continues) {
  public Batch {
    if (!tensors.containsKey("input")) {
      throw new IllegalArgumentException("a batch needs an 'input' tensor, got " + tensors.keySet());
    }
    tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
  }

  public static Batch of(Map<String, Tensor> tensors) {
    return new Batch(tensors, false);
  }

  public Tensor input() {
    return tensors.get("input");
  }

  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("the batch has no tensor '" + name + "', only " + tensors.keySet());
    }
    return t;
  }

  /** The sequence length T (the input's first dimension). */
  public int steps() {
    return input().shape().dim(0);
  }

  /** The batch size B (the input's second dimension). */
  public int batchSize() {
    return input().shape().dim(1);
  }
}
