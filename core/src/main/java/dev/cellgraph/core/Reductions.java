package dev.cellgraph.core;

import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.kernel.Kernels;

/**
 * Reductions of {@link Tensor}: sums and maxima over all elements or one axis, the sum down to a
 * broadcast shape (the adjoint of broadcasting), and log-softmax. Every sum adds in the same
 * order whatever the path or the thread count, so results are the same to the bit.
 */
final class Reductions {
  private Reductions() {}

  /**
   * Sums of rows split their columns over the kernel threads only from this many elements: a
   * 1600 x 256 sum took 0.053-0.061 ms on one thread and 0.14-0.18 ms on two, 800 x 1024 0.18 and
   * 0.20-0.24; 6400 x 2048 2.8 and 2.3 (in a loop, one JVM, threads alternating).
   */
  private static final int SUM_PARALLEL_MIN_ELEMENTS = 1 << 22;

  static Tensor sum(Tensor x) {
    x.requireFloating("sum");
    double s = x.f != null ? Kernels.sum(x.f, 0, x.size()) : Kernels.sum(x.d, 0, x.size());
    return Tensor.scalar(x.dtype, s);
  }

  static Tensor sum(Tensor x, int axis, boolean keepDims) {
    x.requireFloating("sum");
    Shape shape = x.shape;
    float[] f = x.f;
    double[] d = x.d;
    int a = shape.normalizeAxis(axis);
    int outer = shape.product(0, a);
    int len = shape.dim(a);
    int inner = shape.product(a + 1, x.rank());
    Shape out = keepDims ? shape.with(a, 1) : shape.without(a);
    Tensor res = Tensor.zeros(x.dtype, out);
    if (inner == 1) {
      rowSums(x, res, len);
      return res;
    }
    for (int o = 0; o < outer; o++) {
      for (int k = 0; k < len; k++) {
        int base = (o * len + k) * inner;
        int ob = o * inner;
        if (inner >= 8) {
          // the same additions in the same order, a row at a time through the vector kernels
          if (f != null) {
            Kernels.binary(BinaryOp.ADD, res.f, ob, f, base, res.f, ob, inner);
          } else {
            Kernels.binary(BinaryOp.ADD, res.d, ob, d, base, res.d, ob, inner);
          }
        } else if (f != null) {
          for (int i = 0; i < inner; i++) {
            res.f[ob + i] += f[base + i];
          }
        } else {
          for (int i = 0; i < inner; i++) {
            res.d[ob + i] += d[base + i];
          }
        }
      }
    }
    return res;
  }

  static Tensor max(Tensor x, int axis, boolean keepDims) {
    x.requireFloating("max");
    Shape shape = x.shape;
    float[] f = x.f;
    double[] d = x.d;
    int a = shape.normalizeAxis(axis);
    int outer = shape.product(0, a);
    int len = shape.dim(a);
    int inner = shape.product(a + 1, x.rank());
    if (len == 0) {
      throw new IllegalArgumentException("max over an empty axis " + axis + " of shape " + shape);
    }
    Shape out = keepDims ? shape.with(a, 1) : shape.without(a);
    Tensor res = Tensor.full(x.dtype, Double.NEGATIVE_INFINITY, out);
    for (int o = 0; o < outer; o++) {
      for (int k = 0; k < len; k++) {
        for (int i = 0; i < inner; i++) {
          int src = (o * len + k) * inner + i;
          int dst = o * inner + i;
          if (f != null) {
            res.f[dst] = Math.max(res.f[dst], f[src]);
          } else {
            res.d[dst] = Math.max(res.d[dst], d[src]);
          }
        }
      }
    }
    return res;
  }

  /** Each row of {@code len} elements of x summed into its element of res, in {@link Kernels#rowSum}'s order. */
  private static void rowSums(Tensor x, Tensor res, int len) {
    for (int o = 0, n = res.size(); o < n; o++) {
      if (x.f != null) {
        res.f[o] = Kernels.rowSum(x.f, o * len, len);
      } else {
        res.d[o] = Kernels.rowSum(x.d, o * len, len);
      }
    }
  }

  /** Columns [c0, c1) of {@code res} (one row's worth) += those of every row of {@code x}, row by row. */
  private static void sumRows(Tensor x, Tensor res, int c0, int c1) {
    int m = res.size();
    for (int o = 0, n = x.size(); o < n; o += m) {
      if (x.f != null) {
        Kernels.binary(BinaryOp.ADD, res.f, c0, x.f, o + c0, res.f, c0, c1 - c0);
      } else {
        Kernels.binary(BinaryOp.ADD, res.d, c0, x.d, o + c0, res.d, c0, c1 - c0);
      }
    }
  }

  static Tensor sumTo(Tensor x, Shape target) {
    Shape shape = x.shape;
    if (target.equals(shape)) {
      return x;
    }
    Shape check = Shape.broadcast(target, shape);
    if (check == null || !check.equals(shape)) {
      throw new IllegalArgumentException("cannot sum " + shape + " down to " + target + ": it does not broadcast to it");
    }
    x.requireFloating("sumTo");
    if (target.size() >= 8 && Elementwise.isTrailingBlock(target, shape)) {
      // sum of whole rows, in the same order as the general loop below; a large one splits its
      // columns over the kernel threads (each element is still summed over the rows in order)
      int m = target.size();
      Tensor res = Tensor.zeros(x.dtype, target);
      int parts = x.size() < SUM_PARALLEL_MIN_ELEMENTS ? 1 : Elementwise.parts(x.size(), m / 64);
      if (parts == 1) {
        sumRows(x, res, 0, m);
      } else {
        Kernels.parallel(parts, p -> sumRows(x, res, (int) ((long) m * p / parts), (int) ((long) m * (p + 1) / parts)));
      }
      return res;
    }
    int last = shape.rank() - 1;
    if (last >= 0 && target.rank() == shape.rank() && target.dim(last) == 1
        && target.without(last).equals(shape.without(last))) {
      // [..., N] to [..., 1]: the row sums of sum(-1, true), in the same order
      Tensor res = Tensor.zeros(x.dtype, target);
      rowSums(x, res, shape.dim(last));
      return res;
    }
    float[] f = x.f;
    double[] d = x.d;
    int[] st = Elementwise.broadcastStrides(target, shape);
    int r = x.rank();
    int[] dims = shape.toArray();
    int[] idx = new int[r];
    int ti = 0;
    Tensor res = Tensor.zeros(x.dtype, target);
    for (int i = 0, n = x.size(); i < n; i++) {
      if (f != null) {
        res.f[ti] += f[i];
      } else {
        res.d[ti] += d[i];
      }
      for (int ax = r - 1; ax >= 0; ax--) {
        idx[ax]++;
        ti += st[ax];
        if (idx[ax] < dims[ax]) {
          break;
        }
        ti -= st[ax] * dims[ax];
        idx[ax] = 0;
      }
    }
    return res;
  }

  static Tensor logSoftmax(Tensor x) {
    x.requireFloating("logSoftmax");
    Tensor shifted = x.sub(x.max(-1, true));
    Tensor lse = shifted.exp().sum(-1, true).log();
    return shifted.sub(lse);
  }
}
