package dev.cellgraph.train;

import dev.cellgraph.core.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One batch of a {@link Task}: named tensors (always {@code input}, time-major, and usually
 * {@code target}, optionally {@code mask}), whether it continues the previous batch of the same
 * stream, in which case the trainer carries the recurrent state over (truncated backpropagation
 * through time: the state is carried, its gradient is not), and optionally each sequence's length.
 *
 * <p>With lengths, sequence {@code b} is real at steps {@code t < lengths[b]} and padding after:
 * the trainer runs the recurrence with PyTorch's packed semantics (a sequence's state stops at
 * its last real step, its outputs past it are zero, the reverse direction starts there) and hands
 * the loss the step mask ({@link dev.cellgraph.train.nn.SequenceModel.Forward#stepMask}).
 *
 * <p>Immutable and thread-safe: its map is an unmodifiable copy, its lengths a private copy, and
 * tensors are immutable.
 */
public final class Batch {
  private final Map<String, Tensor> tensors;
  private final boolean continues;
  private final int[] lengths;

  /**
   * A batch without lengths: every sequence runs for all {@link #steps()}.
   *
   * @param tensors the named tensors, which must include {@code input} (time-major, T x B x ...)
   * @param continues whether the batch continues the previous batch of its stream (the trainer carries the state over)
   */
  public Batch(Map<String, Tensor> tensors, boolean continues) {
    this(tensors, continues, null);
  }

  /**
   * A batch whose sequences have the given lengths (null: all of {@link #steps()}); each length is
   * 1 to T, one per sequence of the input.
   *
   * @param tensors the named tensors, which must include {@code input} (time-major, T x B x ...)
   * @param continues whether the batch continues the previous batch of its stream (the trainer carries the state over)
   * @param lengths each sequence's length, one per sequence and each 1 to T, or null for all T steps (copied)
   */
  public Batch(Map<String, Tensor> tensors, boolean continues, int[] lengths) {
    if (!tensors.containsKey("input")) {
      throw new IllegalArgumentException("a batch needs an 'input' tensor, got " + tensors.keySet());
    }
    this.tensors = Collections.unmodifiableMap(new TreeMap<>(tensors));
    this.continues = continues;
    if (lengths != null) {
      int steps = steps();
      if (lengths.length != batchSize()) {
        throw new IllegalArgumentException("a batch of " + batchSize() + " sequences needs as many lengths, got "
            + lengths.length);
      }
      for (int b = 0; b < lengths.length; b++) {
        if (lengths[b] < 1 || lengths[b] > steps) {
          throw new IllegalArgumentException("lengths[" + b + "] is " + lengths[b] + ", expected 1 to " + steps
              + " (the batch's steps)");
        }
      }
    }
    this.lengths = lengths == null ? null : lengths.clone();
  }

  /**
   * A batch that starts its sequences afresh (it does not continue the previous one) and has no lengths.
   *
   * @param tensors the named tensors, which must include {@code input}
   * @return a fresh batch of those tensors, not continuing the previous one and without lengths
   * @throws IllegalArgumentException if there is no {@code input} tensor
   */
  public static Batch of(Map<String, Tensor> tensors) {
    return new Batch(tensors, false);
  }

  /**
   * The named tensors (an unmodifiable map in name order).
   *
   * @return the named tensors, an unmodifiable map in name order
   */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  /**
   * Whether this batch continues the previous batch of its stream, so the trainer carries the recurrent state over.
   *
   * @return true if the trainer should carry the recurrent state over from the previous batch
   */
  public boolean continues() {
    return continues;
  }

  /**
   * The {@code input} tensor.
   *
   * @return the {@code input} tensor, time-major (T x B x ...)
   */
  public Tensor input() {
    return tensors.get("input");
  }

  /**
   * The tensor named {@code name}.
   *
   * @param name the tensor's name, e.g. {@code "target"} or {@code "mask"}
   * @return the tensor of that name, never null
   * @throws IllegalArgumentException if the batch has none of that name (the message lists the names it has)
   */
  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("the batch has no tensor '" + name + "', only " + tensors.keySet());
    }
    return t;
  }

  /**
   * Whether the sequences have lengths of their own ({@link #lengths()} is not null).
   *
   * @return true if the batch has per-sequence lengths
   */
  public boolean hasLengths() {
    return lengths != null;
  }

  /**
   * Each sequence's length (a copy), or null when every sequence runs for all {@link #steps()}.
   *
   * @return a copy of the per-sequence lengths, or null without lengths
   */
  public int[] lengths() {
    return lengths == null ? null : lengths.clone();
  }

  /**
   * The number of real steps: the sum of the lengths, or T times B without lengths.
   *
   * @return the number of real (non-padding) steps over the whole batch
   */
  public long realSteps() {
    if (lengths == null) {
      return (long) steps() * batchSize();
    }
    long n = 0;
    for (int l : lengths) {
      n += l;
    }
    return n;
  }

  /**
   * The sequence length T (the input's first dimension).
   *
   * @return the sequence length T
   */
  public int steps() {
    return input().shape().dim(0);
  }

  /**
   * The batch size B (the input's second dimension).
   *
   * @return the batch size B
   */
  public int batchSize() {
    return input().shape().dim(1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Batch b && continues == b.continues && tensors.equals(b.tensors)
        && Arrays.equals(lengths, b.lengths);
  }

  @Override
  public int hashCode() {
    return 31 * tensors.hashCode() + Arrays.hashCode(lengths) + (continues ? 1 : 0);
  }

  @Override
  public String toString() {
    return "Batch" + tensors.keySet() + " [T " + steps() + ", B " + batchSize() + "]" + (continues ? ", continues" : "")
        + (lengths != null ? ", lengths " + Arrays.toString(lengths) : "");
  }
}
