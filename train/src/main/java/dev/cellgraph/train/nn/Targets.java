package dev.cellgraph.train.nn;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;

/**
 * What a sequence model is trained to predict, and so its loss: a class or values, at every step
 * or once per sequence (read from the output at the sequence's last step). Classes are trained
 * with {@link Losses#crossEntropy cross-entropy}, values with the
 * {@link Losses#meanSquaredError mean squared error}. With a step mask (sequences of different
 * lengths), per-step targets in the padding do not count and a per-sequence target is read at the
 * sequence's own last step.
 *
 * <p>For B sequences of T steps and a head of O outputs, the targets are:
 * {@link #CLASS_PER_SEQUENCE} integer {@code [B]}, {@link #CLASS_PER_STEP} integer {@code [T, B]},
 * {@link #VALUES_PER_SEQUENCE} float {@code [B, O]}, {@link #VALUES_PER_STEP} float
 * {@code [T, B, O]}.
 *
 * <p>Thread-safe: an enum without state.
 */
public enum Targets {
  /** One class per sequence, integer {@code [B]}, predicted at its last step. */
  CLASS_PER_SEQUENCE,
  /** One class per step, integer {@code [T, B]}. */
  CLASS_PER_STEP,
  /** O values per sequence, float {@code [B, O]}, predicted at its last step. */
  VALUES_PER_SEQUENCE,
  /** O values per step, float {@code [T, B, O]}. */
  VALUES_PER_STEP;

  /**
   * Whether the targets are class ids (trained with cross-entropy) rather than values.
   *
   * @return true for class ids, false for values
   */
  public boolean classes() {
    return this == CLASS_PER_SEQUENCE || this == CLASS_PER_STEP;
  }

  /**
   * Whether there is a target at every step rather than one per sequence.
   *
   * @return true for a target at every step, false for one per sequence
   */
  public boolean perStep() {
    return this == CLASS_PER_STEP || this == VALUES_PER_STEP;
  }

  /**
   * The shape of the targets of {@code batch} sequences of {@code steps} steps for a head of {@code outputs}.
   *
   * @param steps the number of steps T
   * @param batch the number of sequences B
   * @param outputs the number of outputs O of the head
   * @return the targets' shape: {@code [B]}, {@code [T, B]}, {@code [B, O]} or {@code [T, B, O]}
   */
  public Shape shape(int steps, int batch, int outputs) {
    return switch (this) {
      case CLASS_PER_SEQUENCE -> Shape.of(batch);
      case CLASS_PER_STEP -> Shape.of(steps, batch);
      case VALUES_PER_SEQUENCE -> Shape.of(batch, outputs);
      case VALUES_PER_STEP -> Shape.of(steps, batch, outputs);
    };
  }

  /**
   * The scalar loss of a forward pass against {@code target}. {@code last} selects each sequence's
   * last step for a per-sequence target when the sequences have lengths ({@link #lastSteps}, fed in
   * the outputs' dtype); null reads every sequence at step T.
   *
   * @param forward the model's forward pass, with its step mask when the sequences have lengths
   * @param target the targets, shaped as {@link #shape} says
   * @param last each sequence's last-step selector {@code [T, B, 1]}, or null to read step T
   * @return the scalar loss node
   */
  public Node loss(SequenceModel.Forward forward, Node target, Node last) {
    Node y = forward.outputs();
    Node mask = forward.stepMask();
    switch (this) {
      case CLASS_PER_STEP:
        return mask == null ? Losses.crossEntropy(y, target) : Losses.crossEntropy(y, target, mask);
      case VALUES_PER_STEP:
        return mask == null ? Losses.meanSquaredError(y, target) : Losses.meanSquaredError(y, target, mask);
      default: {
        Node at = last == null ? y.select(0, y.shape().dim(0) - 1) : y.mul(last).sum(0, false);
        return this == CLASS_PER_SEQUENCE ? Losses.crossEntropy(at, target) : Losses.meanSquaredError(at, target);
      }
    }
  }

  /**
   * The selector of each sequence's last step, float32 {@code [T, B, 1]}: 1 at step
   * {@code lengths[b] - 1} of sequence b, 0 elsewhere, which picks its output out of {@code [T, B, O]}.
   *
   * @param lengths each sequence's length, 1 to {@code steps}
   * @param steps the number of steps T
   * @return the selector, float32 {@code [T, B, 1]}
   */
  public static Tensor lastSteps(int[] lengths, int steps) {
    int b = lengths.length;
    double[] last = new double[steps * b];
    for (int e = 0; e < b; e++) {
      last[(lengths[e] - 1) * b + e] = 1;
    }
    return Tensor.of(DType.FLOAT32, last, Shape.of(steps, b, 1));
  }
}
