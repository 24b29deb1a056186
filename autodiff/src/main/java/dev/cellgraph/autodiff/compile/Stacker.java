package dev.cellgraph.autodiff.compile;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.Workspace;
import dev.cellgraph.core.internal.TensorAccess;
import java.util.Arrays;

/**
 * Collects one value per step into a stacked [T] + S tensor, written in place. The parts of a
 * row-split run write disjoint rows from their own threads; the run's join publishes them.
 */
final class Stacker {
  private final DType dtype;
  private final Shape shape;
  private final int n;
  private final int t;
  private final float[] f;
  private final double[] d;
  private final Tensor[] other;

  Stacker(DType dtype, Shape shape, int t) {
    this.dtype = dtype;
    this.shape = shape;
    this.n = shape.size();
    this.t = t;
    // every step writes its value (all its rows), so the arrays need not be cleared
    this.f = dtype == DType.FLOAT32 ? Workspace.newFloats(t * n) : null;
    this.d = dtype == DType.FLOAT64 ? Workspace.newDoubles(t * n) : null;
    this.other = f == null && d == null ? new Tensor[t] : null;
  }

  /**
   * Step {@code pos}'s value, or (r0 at least 0) its rows from r0 on, of a step of
   * {@code batch} rows (floating point only).
   */
  void put(int pos, int r0, int batch, Tensor v) {
    int at = pos * n + (r0 < 0 ? 0 : r0 * (n / batch));
    if (f != null) {
      System.arraycopy(TensorAccess.floats(v), 0, f, at, v.size());
    } else if (d != null) {
      System.arraycopy(TensorAccess.doubles(v), 0, d, at, v.size());
    } else {
      other[pos] = v;
    }
  }

  /**
   * Writes rows [from, from + count) of {@code v} at row {@code first} on, counting the rows of
   * all steps, of steps of {@code batch} rows (floating point only).
   */
  void putRows(int first, int batch, Tensor v, int from, int count) {
    int row = n / batch;
    if (f != null) {
      System.arraycopy(TensorAccess.floats(v), from * row, f, first * row, count * row);
    } else if (d != null) {
      System.arraycopy(TensorAccess.doubles(v), from * row, d, first * row, count * row);
    } else {
      throw new IllegalStateException("scan compiler: rows of a " + dtype + " value are not stacked");
    }
  }

  /**
   * Copies rows [r0, r1) of {@code from} into the same rows of {@code to}, a tensor of the same
   * shape that its caller owns (floating point only).
   */
  static void copyRows(Tensor from, Tensor to, int r0, int r1) {
    int row = to.size() / to.shape().dim(0);
    if (to.dtype() == DType.FLOAT32) {
      System.arraycopy(TensorAccess.floats(from), r0 * row, TensorAccess.floats(to), r0 * row, (r1 - r0) * row);
    } else {
      System.arraycopy(TensorAccess.doubles(from), r0 * row, TensorAccess.doubles(to), r0 * row, (r1 - r0) * row);
    }
  }

  /**
   * Copies rows [r0, r1) of step {@code from}'s value, of a step of {@code batch} rows, to step
   * {@code to} (floating point only).
   */
  void copyRows(int from, int to, int r0, int r1, int batch) {
    int row = n / batch;
    if (f != null) {
      System.arraycopy(f, from * n + r0 * row, f, to * n + r0 * row, (r1 - r0) * row);
    } else if (d != null) {
      System.arraycopy(d, from * n + r0 * row, d, to * n + r0 * row, (r1 - r0) * row);
    } else {
      throw new IllegalStateException("scan compiler: rows of a " + dtype + " value are not copied");
    }
  }

  Tensor build() {
    Shape s = Lift.stacked(t, shape);
    if (f != null) {
      return n == 0 ? Tensor.zeros(dtype, s) : TensorAccess.wrap(f, s);
    }
    if (d != null) {
      return n == 0 ? Tensor.zeros(dtype, s) : TensorAccess.wrap(d, s);
    }
    return Tensor.stack(0, Arrays.asList(other));
  }
}
