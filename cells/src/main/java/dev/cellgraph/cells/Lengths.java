package dev.cellgraph.cells;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-sequence lengths as {@link Recurrent#run(Map, Tensor, int[], Map, Tensor)} uses them: their
 * check, the mask they make, the input without its padding, and a result padded back to T.
 *
 * <p>Thread-safe: its static methods share no mutable state.
 */
final class Lengths {
  private Lengths() {}

  /** Checks one length per sequence, each 1 to {@code steps}; returns the longest. */
  static int check(String who, int[] lengths, int steps, int batch) {
    if (lengths.length != batch) {
      throw new InvalidInputException(who + ": lengths has " + lengths.length
          + " entries, expected one per sequence of the batch (" + batch + ")");
    }
    int longest = 0;
    for (int b = 0; b < batch; b++) {
      if (lengths[b] < 1 || lengths[b] > steps) {
        throw new InvalidInputException(who + ": lengths[" + b + "] is " + lengths[b]
            + ", expected 1 to " + steps + " (the input's steps)");
      }
      longest = Math.max(longest, lengths[b]);
    }
    return longest;
  }

  /** {@code [steps, B]}: 1 where {@code t < lengths[b]}, else 0. */
  static Tensor mask(int[] lengths, int steps, DType dtype) {
    double[] m = new double[steps * lengths.length];
    for (int t = 0; t < steps; t++) {
      for (int b = 0; b < lengths.length; b++) {
        m[t * lengths.length + b] = t < lengths[b] ? 1 : 0;
      }
    }
    return Tensor.of(dtype, m, Shape.of(steps, lengths.length));
  }

  /** {@code mask [T, B]} broadcast to {@code [T, B, width]}: each value repeated {@code width} times. */
  static Tensor widened(Tensor mask, int width) {
    Shape s = Shape.of(mask.shape().dim(0), mask.shape().dim(1), width);
    double[] m = mask.toDoubleArray();
    if (mask.dtype() == DType.FLOAT32) {
      float[] v = new float[s.size()];
      for (int i = 0; i < m.length; i++) {
        Arrays.fill(v, i * width, (i + 1) * width, (float) m[i]);
      }
      return TensorAccess.wrap(v, s);
    }
    double[] v = new double[s.size()];
    for (int i = 0; i < m.length; i++) {
      Arrays.fill(v, i * width, (i + 1) * width, m[i]);
    }
    return Tensor.of(mask.dtype(), v, s);
  }

  /** {@code x [T, B, I]} with zeros past each sequence's length, so that no padding value (NaN, say) reaches a product. */
  static Tensor withoutPadding(Tensor x, int[] lengths) {
    int width = x.shape().dim(2);
    int row = x.shape().dim(1) * width;
    // copied in the tensor's own dtype: a float32 input is not widened and narrowed again
    float[] f = x.dtype() == DType.FLOAT32 ? TensorAccess.floats(x).clone() : null;
    double[] d = f == null ? x.toDoubleArray() : null;
    for (int t = 0; t < x.shape().dim(0); t++) {
      for (int b = 0; b < lengths.length; b++) {
        if (t >= lengths[b]) {
          if (f != null) {
            Arrays.fill(f, t * row + b * width, t * row + (b + 1) * width, 0);
          } else {
            Arrays.fill(d, t * row + b * width, t * row + (b + 1) * width, 0);
          }
        }
      }
    }
    return f != null ? TensorAccess.wrap(f, x.shape()) : Tensor.of(x.dtype(), d, x.shape());
  }

  /** A result over the longest sequence's steps with its output and input gradient padded with zeros to {@code steps}. */
  static Recurrent.Result padded(Recurrent.Result r, int steps) {
    Map<String, Tensor> grads = new LinkedHashMap<>(r.gradients());
    grads.computeIfPresent("input", (k, g) -> zeroPadded(g, steps));
    return new Recurrent.Result(zeroPadded(r.output(), steps), r.finalStates(), grads);
  }

  private static Tensor zeroPadded(Tensor t, int steps) {
    Shape s = t.shape();
    return Tensor.concat(0, t, Tensor.zeros(t.dtype(), Shape.of(steps - s.dim(0), s.dim(1), s.dim(2))));
  }
}
