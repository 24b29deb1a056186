package dev.cellgraph.core;

import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.core.kernel.UnaryOp;

/**
 * Elementwise maps and zips of {@link Tensor}, and the broadcasting they share with
 * {@link Reductions#sumTo} and {@link ShapeOps#broadcastTo}. A zip of two tensors picks one of four
 * strategies: equal shapes (one kernel call), a one-element operand (a scalar kernel), an operand
 * repeated along leading axes (whole rows, split over the kernel threads when large), and the
 * general index walk through broadcast strides.
 */
final class Elementwise {
  private Elementwise() {}

  /** Elementwise passes over at least this many elements split over the kernel threads. */
  private static final int PARALLEL_MIN_ELEMENTS = 1 << 16;

  static Tensor map(Tensor x, UnaryOp op) {
    x.requireFloating(op.name().toLowerCase(java.util.Locale.ROOT));
    int n = x.size();
    if (x.dtype == DType.FLOAT32) {
      float[] out = new float[n];
      Kernels.unary(op, x.f, 0, out, 0, n);
      return Tensor.wrap(out, x.shape);
    }
    double[] out = new double[n];
    Kernels.unary(op, x.d, 0, out, 0, n);
    return Tensor.wrap(out, x.shape);
  }

  static Tensor zip(Tensor a, BinaryOp op, Tensor other) {
    String name = op.name().toLowerCase(java.util.Locale.ROOT);
    a.requireFloating(name);
    if (other.dtype != a.dtype) {
      throw new IllegalArgumentException(
          name + " of " + a.dtype.lowerName() + " " + a.shape + " and " + other.dtype.lowerName() + " "
              + other.shape + ": dtypes differ");
    }
    Shape out = Shape.broadcast(a.shape, other.shape);
    if (out == null) {
      throw new IllegalArgumentException(
          name + ": shapes " + a.shape + " and " + other.shape + " do not broadcast");
    }
    int n = out.size();
    if (a.shape.equals(other.shape)) {
      if (a.dtype == DType.FLOAT32) {
        float[] r = new float[n];
        Kernels.binary(op, a.f, 0, other.f, 0, r, 0, n);
        return Tensor.wrap(r, out);
      }
      double[] r = new double[n];
      Kernels.binary(op, a.d, 0, other.d, 0, r, 0, n);
      return Tensor.wrap(r, out);
    }
    if (other.size() == 1 && out.equals(a.shape)) {
      return zip(a, op, other.getFlat(0));
    }
    if (a.size() == 1 && out.equals(other.shape)) {
      return zipLeft(other, op, a.getFlat(0));
    }
    // One operand repeats along leading axes ([B, N] + [N], [T, B, N] + [B, N]): whole rows.
    if (out.equals(a.shape) && other.size() >= 8 && isTrailingBlock(other.shape, out)) {
      return zipRows(op, a, other, false, out);
    }
    if (out.equals(other.shape) && a.size() >= 8 && isTrailingBlock(a.shape, out)) {
      return zipRows(op, other, a, true, out);
    }
    // General case: map every output position to both inputs through broadcast strides.
    int[] sa = broadcastStrides(a.shape, out);
    int[] sb = broadcastStrides(other.shape, out);
    int rank = out.rank();
    int[] dims = out.toArray();
    int[] idx = new int[rank];
    int ia = 0;
    int ib = 0;
    Tensor res = Tensor.zeros(a.dtype, out);
    for (int i = 0; i < n; i++) {
      if (a.dtype == DType.FLOAT32) {
        res.f[i] = op.apply(a.f[ia], other.f[ib]);
      } else {
        res.d[i] = op.apply(a.d[ia], other.d[ib]);
      }
      for (int ax = rank - 1; ax >= 0; ax--) {
        idx[ax]++;
        ia += sa[ax];
        ib += sb[ax];
        if (idx[ax] < dims[ax]) {
          break;
        }
        ia -= sa[ax] * dims[ax];
        ib -= sb[ax] * dims[ax];
        idx[ax] = 0;
      }
    }
    return res;
  }

  /** {@code a op s} elementwise. */
  static Tensor zip(Tensor a, BinaryOp op, double s) {
    a.requireFloating(op.name().toLowerCase(java.util.Locale.ROOT));
    int n = a.size();
    if (a.dtype == DType.FLOAT32) {
      float[] r = new float[n];
      Kernels.binaryScalar(op, a.f, 0, (float) s, r, 0, n);
      return Tensor.wrap(r, a.shape);
    }
    double[] r = new double[n];
    Kernels.binaryScalar(op, a.d, 0, s, r, 0, n);
    return Tensor.wrap(r, a.shape);
  }

  /** {@code s op a} elementwise. */
  static Tensor zipLeft(Tensor a, BinaryOp op, double s) {
    a.requireFloating(op.name().toLowerCase(java.util.Locale.ROOT));
    int n = a.size();
    if (a.dtype == DType.FLOAT32) {
      float[] r = new float[n];
      Kernels.scalarBinary(op, (float) s, a.f, 0, r, 0, n);
      return Tensor.wrap(r, a.shape);
    }
    double[] r = new double[n];
    Kernels.scalarBinary(op, s, a.d, 0, r, 0, n);
    return Tensor.wrap(r, a.shape);
  }

  /** {@code big op small} (or {@code small op big} when {@code smallFirst}), small repeated. */
  private static Tensor zipRows(BinaryOp op, Tensor big, Tensor small, boolean smallFirst, Shape out) {
    int n = out.size();
    int m = small.size();
    Tensor res = big.dtype == DType.FLOAT32 ? Tensor.wrap(new float[n], out) : Tensor.wrap(new double[n], out);
    int rows = n / m;
    int parts = parts(n, rows);
    if (parts == 1) {
      zipRows(op, big, small, smallFirst, res, 0, rows);
    } else {
      Kernels.parallel(parts, p -> zipRows(op, big, small, smallFirst, res,
          (int) ((long) rows * p / parts), (int) ((long) rows * (p + 1) / parts)));
    }
    return res;
  }

  /** Rows [r0, r1) of {@link #zipRows}: each row of {@code big} with {@code small}. */
  private static void zipRows(BinaryOp op, Tensor big, Tensor small, boolean smallFirst, Tensor res, int r0, int r1) {
    int m = small.size();
    for (int o = r0 * m; o < r1 * m; o += m) {
      if (big.dtype == DType.FLOAT32) {
        if (smallFirst) {
          Kernels.binary(op, small.f, 0, big.f, o, res.f, o, m);
        } else {
          Kernels.binary(op, big.f, o, small.f, 0, res.f, o, m);
        }
      } else if (smallFirst) {
        Kernels.binary(op, small.d, 0, big.d, o, res.d, o, m);
      } else {
        Kernels.binary(op, big.d, o, small.d, 0, res.d, o, m);
      }
    }
  }

  /**
   * Whether {@code s}, broadcast to {@code out}, is one contiguous block repeated: its dims after
   * leading ones equal the trailing dims of {@code out}.
   */
  static boolean isTrailingBlock(Shape s, Shape out) {
    int r = out.rank();
    int off = r - s.rank();
    int i = 0;
    while (i < s.rank() && s.dim(i) == 1) {
      i++;
    }
    for (; i < s.rank(); i++) {
      if (s.dim(i) != out.dim(i + off)) {
        return false;
      }
    }
    return true;
  }

  /** Threads for an elementwise pass over {@code n} elements in {@code units} independent parts. */
  static int parts(int n, int units) {
    return n < PARALLEL_MIN_ELEMENTS ? 1 : Math.max(1, Math.min(Kernels.threads(), units));
  }

  /** Strides of {@code s} as seen from the broadcast shape {@code out}: 0 on broadcast axes. */
  static int[] broadcastStrides(Shape s, Shape out) {
    int r = out.rank();
    int off = r - s.rank();
    int[] own = s.strides();
    int[] st = new int[r];
    for (int i = off; i < r; i++) {
      st[i] = s.dim(i - off) == 1 && out.dim(i) != 1 ? 0 : own[i - off];
    }
    return st;
  }
}
