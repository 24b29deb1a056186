package dev.cellgraph.cells;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a file's sequences are laid out: time-major {@code [T, B, ...]}, as {@link Recurrent} takes
 * them and PyTorch's default, or batch-first {@code [B, T, ...]} ({@code batch_first=True}).
 * Initial and final states are {@code [L*D, B, H]} in both, as in PyTorch.
 *
 * <p>Immutable and thread-safe.
 */
public enum SequenceLayout {
  /** Time first: {@code [T, B, I]}, as PyTorch's default. */
  TIME_MAJOR("time-major", "[T, B, I]"),
  /** Batch first: {@code [B, T, I]}, as PyTorch's {@code batch_first=True}. */
  BATCH_FIRST("batch-first", "[B, T, I]");

  private final String name;
  private final String axes;

  SequenceLayout(String name, String axes) {
    this.name = name;
    this.axes = axes;
  }

  /**
   * The input's axes in this layout, for messages: {@code [T, B, I]}.
   *
   * @return the axes, {@code [T, B, I]} or {@code [B, T, I]}
   */
  public String axes() {
    return axes;
  }

  /**
   * What the layout reads a rank-3 input as, for messages: {@code time-major [T, B, I]}.
   *
   * @return the layout's name and axes, e.g. {@code time-major [T, B, I]}
   */
  public String description() {
    return name + " " + axes;
  }

  /**
   * A rank-3 tensor of this layout as time-major {@code [T, B, ...]}.
   *
   * @param t a rank-3 tensor in this layout
   * @return {@code t} time-major: itself, or with its first two axes swapped
   */
  public Tensor toTimeMajor(Tensor t) {
    return this == TIME_MAJOR ? t : t.permute(1, 0, 2);
  }

  /**
   * A time-major rank-3 tensor in this layout.
   *
   * @param t a time-major rank-3 tensor
   * @return {@code t} in this layout: itself, or with its first two axes swapped
   */
  public Tensor fromTimeMajor(Tensor t) {
    return toTimeMajor(t); // swapping the first two axes is its own inverse
  }

  /**
   * The shape {@code [T, B, width]} in this layout.
   *
   * @param steps the number of time steps T
   * @param batch the batch size B
   * @param width the size of the last axis
   * @return the shape, {@code [T, B, width]} or {@code [B, T, width]}
   */
  public Shape shape(int steps, int batch, int width) {
    return this == TIME_MAJOR ? Shape.of(steps, batch, width) : Shape.of(batch, steps, width);
  }

  /**
   * The layout of {@code input} when the caller names none: time-major if the other tensors fix
   * its batch as axis 1 (an initial state {@code <state>0}, whose batch is its axis 1, or axis 0
   * for {@code [B, H]}; or {@code lengths [B]}) and not as axis 0. Any other input is refused,
   * with a message that says which flag to pass: a batch that is axis 0 (batch-first data), an
   * input with as many steps as sequences, and an input with nothing that tells.
   *
   * @param input the rank-3 input tensor
   * @param inputs all the input tensors by name, among them any initial states and {@code lengths}
   * @param states the cell's state names
   * @return {@link #TIME_MAJOR}, the only layout decided without a flag
   */
  public static SequenceLayout decide(Tensor input, Map<String, Tensor> inputs, List<String> states) {
    Shape s = input.shape();
    if (s.rank() != 3) {
      throw new InvalidInputException("input must be time-major [T, B, I] or, with --batch-first, [B, T, I]; got " + s);
    }
    if (s.dim(0) == s.dim(1)) {
      throw new InvalidInputException("the input " + s + " may be time-major [T, B, I] or batch-first [B, T, I]"
          + " (both axes are " + s.dim(0) + " long): pass --time-major or --batch-first");
    }
    List<String> evidence = new ArrayList<>();
    boolean axis0 = false;
    boolean axis1 = false;
    for (String st : states) {
      Tensor v = inputs.get(st + "0");
      if (v != null && (v.rank() == 3 || v.rank() == 2)) {
        int b = v.shape().dim(v.rank() - 2);
        evidence.add(st + "0 " + v.shape());
        axis0 |= b == s.dim(0);
        axis1 |= b == s.dim(1);
      }
    }
    Tensor lengths = inputs.get("lengths");
    if (lengths != null && lengths.rank() == 1) {
      evidence.add("lengths " + lengths.shape());
      axis0 |= lengths.shape().dim(0) == s.dim(0);
      axis1 |= lengths.shape().dim(0) == s.dim(1);
    }
    if (evidence.isEmpty()) {
      throw new InvalidInputException("the input " + s + " may be time-major [T, B, I] or batch-first [B, T, I],"
          + " and no initial state or 'lengths' gives its batch size: pass --time-major or --batch-first (or give h0)");
    }
    if (axis0 && !axis1) {
      throw new InvalidInputException(String.join(" and ", evidence) + (evidence.size() == 1 ? " gives" : " give") + " a batch of " + s.dim(0)
          + ", the input " + s + "'s axis 0: it is batch-first [B, T, I]; pass --batch-first");
    }
    return TIME_MAJOR; // a batch that is neither axis is the run's error, which names both shapes
  }
}
