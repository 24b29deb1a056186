package dev.cellgraph.core;

import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.core.kernel.PackedMatrix;
import dev.cellgraph.core.kernel.UnaryOp;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A dense, row-major, n-dimensional array of float32, float64, int32 or int64 values.
 *
 * <p>Guarantees: a tensor is immutable from the outside: no public method changes it, factories
 * copy the arrays they are given, and accessors return copies. It is therefore safe to share
 * between threads. Every operation returns a new tensor. Arguments are never null (a null
 * argument throws {@link NullPointerException}); a caller mistake (mismatched shapes, an axis
 * out of range, arithmetic on an integer tensor) throws {@link IllegalArgumentException} with a
 * message naming the operation and the shapes.
 *
 * <p>Binary elementwise operations broadcast under NumPy's rules. Arithmetic on two tensors
 * requires equal dtypes.
 *
 * <p>The methods marked <em>internal</em> give the kernels and the executor zero-copy access;
 * code outside cellgraph should not use them.
 */
public final class Tensor {
  private final DType dtype;
  private final Shape shape;
  private final float[] f;
  private final double[] d;
  private final long[] l;
  /** This matrix packed as the right operand of products ({@link #packedForMatmul}), or null. */
  private final PackedMatrix packed;
  /** Whether {@link #packed} holds this matrix transposed (for products that read it transposed). */
  private final boolean packedTransposed;

  private Tensor(DType dtype, Shape shape, float[] f, double[] d, long[] l) {
    this(dtype, shape, f, d, l, null, false);
  }

  private Tensor(DType dtype, Shape shape, float[] f, double[] d, long[] l, PackedMatrix packed,
      boolean packedTransposed) {
    this.dtype = dtype;
    this.shape = shape;
    this.f = f;
    this.d = d;
    this.l = l;
    this.packed = packed;
    this.packedTransposed = packedTransposed;
  }

  // ---------------------------------------------------------------- creation

  public static Tensor zeros(DType dtype, Shape shape) {
    switch (dtype) {
      case FLOAT32: return new Tensor(dtype, shape, new float[shape.size()], null, null);
      case FLOAT64: return new Tensor(dtype, shape, null, new double[shape.size()], null);
      default: return new Tensor(dtype, shape, null, null, new long[shape.size()]);
    }
  }

  public static Tensor zeros(DType dtype, int... dims) {
    return zeros(dtype, Shape.of(dims));
  }

  public static Tensor ones(DType dtype, int... dims) {
    return full(dtype, 1.0, Shape.of(dims));
  }

  public static Tensor full(DType dtype, double value, Shape shape) {
    Tensor t = zeros(dtype, shape);
    switch (dtype) {
      case FLOAT32: Arrays.fill(t.f, (float) value); break;
      case FLOAT64: Arrays.fill(t.d, value); break;
      default: Arrays.fill(t.l, (long) value);
    }
    return t;
  }

  public static Tensor full(DType dtype, double value, int... dims) {
    return full(dtype, value, Shape.of(dims));
  }

  /** A rank-0 tensor. */
  public static Tensor scalar(DType dtype, double value) {
    return full(dtype, value, Shape.scalar());
  }

  /** A float64 tensor holding a copy of {@code data}, shaped {@code dims}. */
  public static Tensor of(double[] data, int... dims) {
    return of(DType.FLOAT64, data, Shape.of(dims));
  }

  /** A float32 tensor holding a copy of {@code data}, shaped {@code dims}. */
  public static Tensor ofFloats(float[] data, int... dims) {
    Shape s = Shape.of(dims);
    checkLength(data.length, s);
    return new Tensor(DType.FLOAT32, s, data.clone(), null, null);
  }

  /** An int64 tensor holding a copy of {@code data}, shaped {@code dims}. */
  public static Tensor ofLongs(long[] data, int... dims) {
    Shape s = Shape.of(dims);
    checkLength(data.length, s);
    return new Tensor(DType.INT64, s, null, null, data.clone());
  }

  /** An int32 tensor holding {@code data}, shaped {@code dims}. */
  public static Tensor ofInts(int[] data, int... dims) {
    Shape s = Shape.of(dims);
    checkLength(data.length, s);
    long[] v = new long[data.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = data[i];
    }
    return new Tensor(DType.INT32, s, null, null, v);
  }

  /** A tensor of the given dtype holding {@code data} (converted, copied), shaped {@code shape}. */
  public static Tensor of(DType dtype, double[] data, Shape shape) {
    checkLength(data.length, shape);
    Tensor t = zeros(dtype, shape);
    for (int i = 0; i < data.length; i++) {
      t.setFlat(i, data[i]);
    }
    return t;
  }

  /** A 2-D float64 tensor from rows of equal length. */
  public static Tensor matrix(double[][] rows) {
    int r = rows.length;
    int c = r == 0 ? 0 : rows[0].length;
    double[] v = new double[r * c];
    for (int i = 0; i < r; i++) {
      if (rows[i].length != c) {
        throw new IllegalArgumentException(
            "row " + i + " has " + rows[i].length + " elements, row 0 has " + c);
      }
      System.arraycopy(rows[i], 0, v, i * c, c);
    }
    return new Tensor(DType.FLOAT64, Shape.of(r, c), null, v, null);
  }

  /** <em>Internal:</em> wraps {@code data} without copying; the caller gives up the array. */
  public static Tensor wrap(float[] data, Shape shape) {
    checkLength(data.length, shape);
    return new Tensor(DType.FLOAT32, shape, data, null, null);
  }

  /** <em>Internal:</em> wraps {@code data} without copying; the caller gives up the array. */
  public static Tensor wrap(double[] data, Shape shape) {
    checkLength(data.length, shape);
    return new Tensor(DType.FLOAT64, shape, null, data, null);
  }

  /** <em>Internal:</em> wraps {@code data} without copying; the caller gives up the array. */
  public static Tensor wrap(DType intType, long[] data, Shape shape) {
    checkLength(data.length, shape);
    if (intType.isFloating()) {
      throw new IllegalArgumentException("wrap(long[]) needs an integer dtype, got " + intType.lowerName());
    }
    return new Tensor(intType, shape, null, null, data);
  }

  private static void checkLength(int length, Shape shape) {
    if (length != shape.size()) {
      throw new IllegalArgumentException(
          "data of length " + length + " does not match shape " + shape + " of " + shape.size() + " elements");
    }
  }

  // ---------------------------------------------------------------- accessors

  public DType dtype() {
    return dtype;
  }

  public Shape shape() {
    return shape;
  }

  public int rank() {
    return shape.rank();
  }

  /** The number of elements. */
  public int size() {
    return shape.size();
  }

  /** The element at the given index (one index per axis), as a double. */
  public double get(int... index) {
    return getFlat(flatIndex(index));
  }

  /** The only element of a one-element tensor. */
  public double item() {
    if (size() != 1) {
      throw new IllegalArgumentException("item() needs a tensor of one element, got shape " + shape);
    }
    return getFlat(0);
  }

  /** The element at row-major position {@code i}. */
  public double getFlat(int i) {
    switch (dtype) {
      case FLOAT32: return f[i];
      case FLOAT64: return d[i];
      default: return l[i];
    }
  }

  /** The element at row-major position {@code i} of an integer tensor. */
  public long getLong(int i) {
    return l != null ? l[i] : (long) getFlat(i);
  }

  private void setFlat(int i, double v) {
    switch (dtype) {
      case FLOAT32: f[i] = (float) v; break;
      case FLOAT64: d[i] = v; break;
      default: l[i] = (long) v;
    }
  }

  private int flatIndex(int[] index) {
    if (index.length != shape.rank()) {
      throw new IllegalArgumentException(
          "index " + Arrays.toString(index) + " has " + index.length + " coordinates, tensor of shape "
              + shape + " has rank " + shape.rank());
    }
    int flat = 0;
    for (int i = 0; i < index.length; i++) {
      int di = shape.dim(i);
      if (index[i] < 0 || index[i] >= di) {
        throw new IllegalArgumentException(
            "index " + Arrays.toString(index) + " is out of bounds for shape " + shape);
      }
      flat = flat * di + index[i];
    }
    return flat;
  }

  /** A copy of the elements, converted to double. */
  public double[] toDoubleArray() {
    if (d != null) {
      return d.clone();
    }
    double[] out = new double[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = getFlat(i);
    }
    return out;
  }

  /** A copy of the elements, converted to float. */
  public float[] toFloatArray() {
    if (f != null) {
      return f.clone();
    }
    float[] out = new float[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) getFlat(i);
    }
    return out;
  }

  /** A copy of the elements of an integer tensor (floating values are truncated). */
  public long[] toLongArray() {
    if (l != null) {
      return l.clone();
    }
    long[] out = new long[size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (long) getFlat(i);
    }
    return out;
  }

  /** <em>Internal:</em> the backing array of a float32 tensor; must not be modified. */
  public float[] rawFloats() {
    requireType(DType.FLOAT32, "rawFloats");
    return f;
  }

  /** <em>Internal:</em> the backing array of a float64 tensor; must not be modified. */
  public double[] rawDoubles() {
    requireType(DType.FLOAT64, "rawDoubles");
    return d;
  }

  /** <em>Internal:</em> the backing array of an integer tensor; must not be modified. */
  public long[] rawLongs() {
    if (l == null) {
      throw new IllegalArgumentException("rawLongs needs an integer tensor, got " + dtype.lowerName());
    }
    return l;
  }

  private void requireType(DType t, String op) {
    if (dtype != t) {
      throw new IllegalArgumentException(op + " needs a " + t.lowerName() + " tensor, got " + dtype.lowerName());
    }
  }

  private void requireFloating(String op) {
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException(op + " is not defined for " + dtype.lowerName() + " tensors");
    }
  }

  /** This tensor converted to {@code target} (itself when already of that type). */
  public Tensor to(DType target) {
    if (target == dtype) {
      return this;
    }
    Tensor t = zeros(target, shape);
    for (int i = 0, n = size(); i < n; i++) {
      t.setFlat(i, getFlat(i));
    }
    return t;
  }

  // ---------------------------------------------------------------- elementwise

  /** Applies an elementwise function. */
  public Tensor map(UnaryOp op) {
    requireFloating(op.name().toLowerCase(java.util.Locale.ROOT));
    int n = size();
    if (dtype == DType.FLOAT32) {
      float[] out = new float[n];
      Kernels.unary(op, f, 0, out, 0, n);
      return wrap(out, shape);
    }
    double[] out = new double[n];
    Kernels.unary(op, d, 0, out, 0, n);
    return wrap(out, shape);
  }

  public Tensor neg() { return map(UnaryOp.NEG); }
  public Tensor exp() { return map(UnaryOp.EXP); }
  public Tensor log() { return map(UnaryOp.LOG); }
  public Tensor tanh() { return map(UnaryOp.TANH); }
  public Tensor sigmoid() { return map(UnaryOp.SIGMOID); }
  public Tensor relu() { return map(UnaryOp.RELU); }
  public Tensor softplus() { return map(UnaryOp.SOFTPLUS); }
  public Tensor softsign() { return map(UnaryOp.SOFTSIGN); }
  public Tensor abs() { return map(UnaryOp.ABS); }
  public Tensor square() { return map(UnaryOp.SQUARE); }
  public Tensor sqrt() { return map(UnaryOp.SQRT); }

  /** Combines with {@code other} elementwise, broadcasting both to a common shape. */
  public Tensor zip(BinaryOp op, Tensor other) {
    String name = op.name().toLowerCase(java.util.Locale.ROOT);
    requireFloating(name);
    if (other.dtype != dtype) {
      throw new IllegalArgumentException(
          name + " of " + dtype.lowerName() + " " + shape + " and " + other.dtype.lowerName() + " "
              + other.shape + ": dtypes differ");
    }
    Shape out = Shape.broadcast(shape, other.shape);
    if (out == null) {
      throw new IllegalArgumentException(
          name + ": shapes " + shape + " and " + other.shape + " do not broadcast");
    }
    int n = out.size();
    if (shape.equals(other.shape)) {
      if (dtype == DType.FLOAT32) {
        float[] r = new float[n];
        Kernels.binary(op, f, 0, other.f, 0, r, 0, n);
        return wrap(r, out);
      }
      double[] r = new double[n];
      Kernels.binary(op, d, 0, other.d, 0, r, 0, n);
      return wrap(r, out);
    }
    if (other.size() == 1 && out.equals(shape)) {
      return zip(op, other.getFlat(0));
    }
    if (size() == 1 && out.equals(other.shape)) {
      return other.zipLeft(op, getFlat(0));
    }
    // One operand repeats along leading axes ([B, N] + [N], [T, B, N] + [B, N]): whole rows.
    if (out.equals(shape) && other.size() >= 8 && isTrailingBlock(other.shape, out)) {
      return zipRows(op, this, other, false, out);
    }
    if (out.equals(other.shape) && size() >= 8 && isTrailingBlock(shape, out)) {
      return zipRows(op, other, this, true, out);
    }
    // General case: map every output position to both inputs through broadcast strides.
    int[] sa = broadcastStrides(shape, out);
    int[] sb = broadcastStrides(other.shape, out);
    int rank = out.rank();
    int[] dims = out.toArray();
    int[] idx = new int[rank];
    int ia = 0;
    int ib = 0;
    Tensor res = zeros(dtype, out);
    for (int i = 0; i < n; i++) {
      if (dtype == DType.FLOAT32) {
        res.f[i] = op.apply(f[ia], other.f[ib]);
      } else {
        res.d[i] = op.apply(d[ia], other.d[ib]);
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

  /**
   * Whether {@code s}, broadcast to {@code out}, is one contiguous block repeated: its dims after
   * leading ones equal the trailing dims of {@code out}.
   */
  private static boolean isTrailingBlock(Shape s, Shape out) {
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

  /** {@code big op small} (or {@code small op big} when {@code smallFirst}), small repeated. */
  private static Tensor zipRows(BinaryOp op, Tensor big, Tensor small, boolean smallFirst, Shape out) {
    int n = out.size();
    int m = small.size();
    Tensor res = big.dtype == DType.FLOAT32 ? wrap(new float[n], out) : wrap(new double[n], out);
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

  /** Elementwise passes over at least this many elements split over the kernel threads. */
  private static final int PARALLEL_MIN_ELEMENTS = 1 << 16;

  /**
   * Sums of rows split their columns over the kernel threads only from this many elements: a
   * 1600 x 256 sum took 0.053-0.061 ms on one thread and 0.14-0.18 ms on two, 800 x 1024 0.18 and
   * 0.20-0.24; 6400 x 2048 2.8 and 2.3 (in a loop, one JVM, threads alternating).
   */
  private static final int SUM_PARALLEL_MIN_ELEMENTS = 1 << 22;

  /** Threads for an elementwise pass over {@code n} elements in {@code units} independent parts. */
  private static int parts(int n, int units) {
    return n < PARALLEL_MIN_ELEMENTS ? 1 : Math.max(1, Math.min(Kernels.threads(), units));
  }

  /** Strides of {@code s} as seen from the broadcast shape {@code out}: 0 on broadcast axes. */
  private static int[] broadcastStrides(Shape s, Shape out) {
    int r = out.rank();
    int off = r - s.rank();
    int[] own = s.strides();
    int[] st = new int[r];
    for (int i = off; i < r; i++) {
      st[i] = s.dim(i - off) == 1 && out.dim(i) != 1 ? 0 : own[i - off];
    }
    return st;
  }

  /** {@code this op s} elementwise. */
  public Tensor zip(BinaryOp op, double s) {
    requireFloating(op.name().toLowerCase(java.util.Locale.ROOT));
    int n = size();
    if (dtype == DType.FLOAT32) {
      float[] r = new float[n];
      Kernels.binaryScalar(op, f, 0, (float) s, r, 0, n);
      return wrap(r, shape);
    }
    double[] r = new double[n];
    Kernels.binaryScalar(op, d, 0, s, r, 0, n);
    return wrap(r, shape);
  }

  /** {@code s op this} elementwise. */
  public Tensor zipLeft(BinaryOp op, double s) {
    requireFloating(op.name().toLowerCase(java.util.Locale.ROOT));
    int n = size();
    if (dtype == DType.FLOAT32) {
      float[] r = new float[n];
      Kernels.scalarBinary(op, (float) s, f, 0, r, 0, n);
      return wrap(r, shape);
    }
    double[] r = new double[n];
    Kernels.scalarBinary(op, s, d, 0, r, 0, n);
    return wrap(r, shape);
  }

  public Tensor add(Tensor o) { return zip(BinaryOp.ADD, o); }
  public Tensor sub(Tensor o) { return zip(BinaryOp.SUB, o); }
  public Tensor mul(Tensor o) { return zip(BinaryOp.MUL, o); }
  public Tensor div(Tensor o) { return zip(BinaryOp.DIV, o); }
  public Tensor maximum(Tensor o) { return zip(BinaryOp.MAX, o); }
  public Tensor add(double s) { return zip(BinaryOp.ADD, s); }
  public Tensor mul(double s) { return zip(BinaryOp.MUL, s); }
  /** {@code s - this}. */
  public Tensor rsub(double s) { return zipLeft(BinaryOp.SUB, s); }

  // ---------------------------------------------------------------- matrix products

  /** The matrix product; see {@link #matmul(Tensor, boolean, boolean)}. */
  public Tensor matmul(Tensor b) {
    return matmul(b, false, false);
  }

  /**
   * The matrix product op(this) op(b), where op transposes the last two axes when asked.
   * Shapes: {@code [m, k] x [k, n]}; batched {@code [..., m, k] x [..., k, n]} with equal batch
   * dimensions; or {@code [..., m, k] x [k, n]}, which multiplies every matrix of the batch
   * by the same {@code b}.
   */
  public Tensor matmul(Tensor b, boolean transA, boolean transB) {
    Objects.requireNonNull(b, "b");
    String name = "matmul";
    requireFloating(name);
    if (b.dtype != dtype) {
      throw new IllegalArgumentException(name + " of " + dtype.lowerName() + " " + shape + " and "
          + b.dtype.lowerName() + " " + b.shape + ": dtypes differ");
    }
    Shape out = matmulShape(shape, b.shape, transA, transB);
    int ra = rank();
    int rb = b.rank();
    int m = transA ? shape.dim(ra - 1) : shape.dim(ra - 2);
    int k = transA ? shape.dim(ra - 2) : shape.dim(ra - 1);
    int n = transB ? b.shape.dim(rb - 2) : b.shape.dim(rb - 1);
    int lda = shape.dim(ra - 1);
    int ldb = b.shape.dim(rb - 1);
    // every element is written: the array may come from the thread's workspace, uncleared
    Tensor c = dtype == DType.FLOAT32 ? wrap(Workspace.newFloats(out.size()), out)
        : wrap(Workspace.newDoubles(out.size()), out);
    if (rb == 2 && !transA && ra > 2) {
      // every matrix of the batch times the same b: one GEMM over the stacked rows
      int rows = shape.product(0, ra - 1);
      gemm(false, transB, rows, n, k, this, 0, lda, b, 0, ldb, c, 0, n);
      return c;
    }
    int batch = ra == 2 ? 1 : shape.product(0, ra - 2);
    int strideA = m * k;
    int strideB = rb == 2 ? 0 : k * n;
    for (int i = 0; i < batch; i++) {
      gemm(transA, transB, m, n, k, this, i * strideA, lda, b, i * strideB, ldb, c, i * m * n, n);
    }
    return c;
  }

  /**
   * This matrix, with a copy packed for use as the right operand {@code b} of
   * {@code a.matmul(b)} (not transposed): products by it then skip the packing every product
   * otherwise does, which pays off when one matrix multiplies many others (a recurrent weight
   * at every step of a sequence). Same values, same results to the bit; costs one more copy
   * of the matrix in memory. Only for rank-2 float tensors; other tensors are returned as they are.
   */
  public Tensor packedForMatmul() {
    return packedForMatmul(false);
  }

  /**
   * {@link #packedForMatmul()} for products that read this matrix transposed
   * ({@code a.matmul(b, transA, true)}, as {@code h W_hhᵀ}) when {@code transposed}: the copy
   * holds its transpose, packed straight from this matrix. Products that read it the other way
   * pack as usual.
   */
  public Tensor packedForMatmul(boolean transposed) {
    if (packed != null || rank() != 2 || !dtype.isFloating()) {
      return this;
    }
    int rows = shape.dim(0);
    int cols = shape.dim(1);
    int k = transposed ? cols : rows;
    int n = transposed ? rows : cols;
    PackedMatrix p = dtype == DType.FLOAT32 ? Kernels.pack(transposed, k, n, f, 0, Math.max(1, cols))
        : Kernels.pack(transposed, k, n, d, 0, Math.max(1, cols));
    return new Tensor(dtype, shape, f, d, l, p, transposed);
  }

  private static void gemm(boolean ta, boolean tb, int m, int n, int k,
      Tensor a, int aOff, int lda, Tensor b, int bOff, int ldb, Tensor c, int cOff, int ldc) {
    if (b.packed != null && tb == b.packedTransposed && bOff == 0) {
      if (a.dtype == DType.FLOAT32) {
        Kernels.gemm(ta, m, n, k, a.f, aOff, lda, b.packed, c.f, cOff, ldc, false);
      } else {
        Kernels.gemm(ta, m, n, k, a.d, aOff, lda, b.packed, c.d, cOff, ldc, false);
      }
      return;
    }
    if (a.dtype == DType.FLOAT32) {
      Kernels.gemm(ta, tb, m, n, k, a.f, aOff, lda, b.f, bOff, ldb, c.f, cOff, ldc, false);
    } else {
      Kernels.gemm(ta, tb, m, n, k, a.d, aOff, lda, b.d, bOff, ldb, c.d, cOff, ldc, false);
    }
  }

  /**
   * The shape of op(a) op(b), or an {@link IllegalArgumentException} naming both shapes.
   */
  public static Shape matmulShape(Shape a, Shape b, boolean transA, boolean transB) {
    int ra = a.rank();
    int rb = b.rank();
    String desc = "matmul" + (transA ? " (a transposed)" : "") + (transB ? " (b transposed)" : "");
    if (ra < 2 || rb < 2) {
      throw new IllegalArgumentException(
          desc + ": operands must have rank at least 2, got " + a + " and " + b);
    }
    int m = transA ? a.dim(ra - 1) : a.dim(ra - 2);
    int k = transA ? a.dim(ra - 2) : a.dim(ra - 1);
    int kb = transB ? b.dim(rb - 1) : b.dim(rb - 2);
    int n = transB ? b.dim(rb - 2) : b.dim(rb - 1);
    if (k != kb) {
      throw new IllegalArgumentException(
          desc + ": inner dimensions differ, " + a + " and " + b + " (" + k + " vs " + kb + ")");
    }
    if (rb > 2) {
      if (ra != rb) {
        throw new IllegalArgumentException(
            desc + ": batch dimensions differ, " + a + " and " + b);
      }
      for (int i = 0; i < ra - 2; i++) {
        if (a.dim(i) != b.dim(i)) {
          throw new IllegalArgumentException(desc + ": batch dimensions differ, " + a + " and " + b);
        }
      }
    } else if (ra > 2 && transA) {
      // allowed: batched transposed a times a shared b
    }
    int[] out = a.toArray();
    out[ra - 2] = m;
    out[ra - 1] = n;
    return Shape.of(out);
  }

  // ---------------------------------------------------------------- shape ops

  /** The same elements in a new shape; one dimension may be -1 and is then inferred. */
  public Tensor reshape(int... dims) {
    int[] nd = dims.clone();
    int infer = -1;
    int known = 1;
    for (int i = 0; i < nd.length; i++) {
      if (nd[i] == -1) {
        if (infer >= 0) {
          throw new IllegalArgumentException("reshape to " + Arrays.toString(dims) + ": only one dimension may be -1");
        }
        infer = i;
      } else {
        known *= nd[i];
      }
    }
    if (infer >= 0) {
      if (known == 0) {
        throw new IllegalArgumentException("cannot reshape " + shape + " (" + size() + " elements) to "
            + Arrays.toString(dims) + ": the -1 is ambiguous");
      }
      if (known < 0 || size() % known != 0) {
        throw new IllegalArgumentException("cannot reshape " + shape + " (" + size() + " elements) to "
            + Arrays.toString(dims) + ": " + size() + " is not a multiple of " + known);
      }
      nd[infer] = size() / known;
    }
    return reshape(Shape.of(nd));
  }

  public Tensor reshape(Shape s) {
    if (s.size() != size()) {
      throw new IllegalArgumentException(
          "cannot reshape " + shape + " (" + size() + " elements) to " + s + " (" + s.size() + " elements)");
    }
    return new Tensor(dtype, s, f, d, l);
  }

  /** Swaps the last two axes. */
  public Tensor transpose() {
    if (rank() < 2) {
      throw new IllegalArgumentException("transpose needs rank at least 2, got " + shape);
    }
    if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
      int[] perm = new int[rank()];
      for (int i = 0; i < perm.length; i++) {
        perm[i] = i;
      }
      perm[rank() - 1] = rank() - 2;
      perm[rank() - 2] = rank() - 1;
      return permute(perm); // token ids: rare, and not worth a third copy of the loop
    }
    int rows = shape.dim(-2);
    int cols = shape.dim(-1);
    int[] dims = shape.toArray();
    dims[dims.length - 1] = rows;
    dims[dims.length - 2] = cols;
    Tensor res = zeros(dtype, Shape.of(dims));
    int batch = rows * cols == 0 ? 0 : size() / (rows * cols);
    for (int b = 0, off = 0; b < batch; b++, off += rows * cols) {
      if (dtype == DType.FLOAT32) {
        transposeBlock(f, res.f, off, rows, cols);
      } else {
        transposeBlock(d, res.d, off, rows, cols);
      }
    }
    return res;
  }

  /**
   * Block by block, so that both the rows read and the rows written stay in cache (one element
   * at a time through {@link #permute}, a 1600 x 256 transpose in the scan's backward pass was 4%
   * of a medium RNN training step).
   */
  private static void transposeBlock(float[] src, float[] dst, int off, int rows, int cols) {
    for (int i0 = 0; i0 < rows; i0 += TRANSPOSE_BLOCK) {
      int i1 = Math.min(rows, i0 + TRANSPOSE_BLOCK);
      for (int j0 = 0; j0 < cols; j0 += TRANSPOSE_BLOCK) {
        int j1 = Math.min(cols, j0 + TRANSPOSE_BLOCK);
        for (int i = i0; i < i1; i++) {
          for (int j = j0, si = off + i * cols + j0; j < j1; j++, si++) {
            dst[off + j * rows + i] = src[si];
          }
        }
      }
    }
  }

  private static void transposeBlock(double[] src, double[] dst, int off, int rows, int cols) {
    for (int i0 = 0; i0 < rows; i0 += TRANSPOSE_BLOCK) {
      int i1 = Math.min(rows, i0 + TRANSPOSE_BLOCK);
      for (int j0 = 0; j0 < cols; j0 += TRANSPOSE_BLOCK) {
        int j1 = Math.min(cols, j0 + TRANSPOSE_BLOCK);
        for (int i = i0; i < i1; i++) {
          for (int j = j0, si = off + i * cols + j0; j < j1; j++, si++) {
            dst[off + j * rows + i] = src[si];
          }
        }
      }
    }
  }

  private static final int TRANSPOSE_BLOCK = 32;

  /** Reorders the axes: axis i of the result is axis {@code perm[i]} of this tensor. */
  public Tensor permute(int... perm) {
    int r = rank();
    if (perm.length != r) {
      throw new IllegalArgumentException(
          "permute " + Arrays.toString(perm) + " needs " + r + " axes for shape " + shape);
    }
    boolean[] seen = new boolean[r];
    int[] od = new int[r];
    for (int i = 0; i < r; i++) {
      int p = perm[i];
      if (p < 0 || p >= r || seen[p]) {
        throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " is not a permutation of " + r + " axes");
      }
      seen[p] = true;
      od[i] = shape.dim(p);
    }
    Shape out = Shape.of(od);
    int[] st = shape.strides();
    int[] src = new int[r];
    for (int i = 0; i < r; i++) {
      src[i] = st[perm[i]];
    }
    Tensor res = zeros(dtype, out);
    int n = size();
    int[] idx = new int[r];
    int si = 0;
    for (int i = 0; i < n; i++) {
      res.copyElement(i, this, si);
      for (int ax = r - 1; ax >= 0; ax--) {
        idx[ax]++;
        si += src[ax];
        if (idx[ax] < od[ax]) {
          break;
        }
        si -= src[ax] * od[ax];
        idx[ax] = 0;
      }
    }
    return res;
  }

  private void copyElement(int to, Tensor from, int fromIndex) {
    switch (dtype) {
      case FLOAT32: f[to] = from.f[fromIndex]; break;
      case FLOAT64: d[to] = from.d[fromIndex]; break;
      default: l[to] = from.l[fromIndex];
    }
  }

  private static void copyRange(Tensor from, int fromOff, Tensor to, int toOff, int n) {
    switch (from.dtype) {
      case FLOAT32: System.arraycopy(from.f, fromOff, to.f, toOff, n); break;
      case FLOAT64: System.arraycopy(from.d, fromOff, to.d, toOff, n); break;
      default: System.arraycopy(from.l, fromOff, to.l, toOff, n);
    }
  }

  /** Elements {@code [start, end)} along {@code axis}. */
  public Tensor slice(int axis, int start, int end) {
    int a = shape.normalizeAxis(axis);
    int len = shape.dim(a);
    if (start < 0 || end > len || start > end) {
      throw new IllegalArgumentException(
          "slice [" + start + ", " + end + ") is out of range for axis " + axis + " of shape " + shape);
    }
    Shape out = shape.with(a, end - start);
    Tensor res = zeros(dtype, out);
    int outer = shape.product(0, a);
    int inner = shape.product(a + 1, rank());
    int chunk = (end - start) * inner;
    for (int o = 0; o < outer; o++) {
      copyRange(this, (o * len + start) * inner, res, o * chunk, chunk);
    }
    return res;
  }

  /** Index {@code i} along {@code axis}, with that axis removed; a negative {@code i} counts from the end. */
  public Tensor select(int axis, int i) {
    int a = shape.normalizeAxis(axis);
    int len = shape.dim(a);
    int k = i < 0 ? i + len : i;
    if (k < 0 || k >= len) {
      throw new IllegalArgumentException(
          "select index " + i + " is out of range for axis " + axis + " of shape " + shape);
    }
    return slice(a, k, k + 1).reshape(shape.without(a));
  }

  /** Joins tensors of equal dtype and shape (except along {@code axis}). */
  public static Tensor concat(int axis, List<Tensor> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("concat needs at least one tensor");
    }
    Tensor first = parts.get(0);
    int a = first.shape.normalizeAxis(axis);
    int total = 0;
    for (Tensor t : parts) {
      if (t.dtype != first.dtype || t.rank() != first.rank()) {
        throw new IllegalArgumentException("concat along axis " + axis + ": " + describe(parts) + " do not match");
      }
      for (int i = 0; i < t.rank(); i++) {
        if (i != a && t.shape.dim(i) != first.shape.dim(i)) {
          throw new IllegalArgumentException("concat along axis " + axis + ": " + describe(parts) + " do not match");
        }
      }
      total += t.shape.dim(a);
    }
    Shape out = first.shape.with(a, total);
    Tensor res = zeros(first.dtype, out);
    int outer = first.shape.product(0, a);
    int inner = first.shape.product(a + 1, first.rank());
    int pos = 0;
    for (Tensor t : parts) {
      int chunk = t.shape.dim(a) * inner;
      for (int o = 0; o < outer; o++) {
        copyRange(t, o * chunk, res, o * total * inner + pos, chunk);
      }
      pos += chunk;
    }
    return res;
  }

  public static Tensor concat(int axis, Tensor... parts) {
    return concat(axis, Arrays.asList(parts));
  }

  /** Stacks tensors of equal shape along a new axis. */
  public static Tensor stack(int axis, List<Tensor> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("stack needs at least one tensor");
    }
    Shape s = parts.get(0).shape;
    int a = axis < 0 ? axis + s.rank() + 1 : axis;
    if (a < 0 || a > s.rank()) {
      throw new IllegalArgumentException("axis " + axis + " is out of range for stacking shape " + s);
    }
    int[] nd = new int[s.rank() + 1];
    for (int i = 0, j = 0; i < nd.length; i++) {
      nd[i] = i == a ? 1 : s.dim(j++);
    }
    Tensor[] r = new Tensor[parts.size()];
    for (int i = 0; i < r.length; i++) {
      if (!parts.get(i).shape.equals(s)) {
        throw new IllegalArgumentException("stack: " + describe(parts) + " differ in shape");
      }
      r[i] = parts.get(i).reshape(nd);
    }
    return concat(a, Arrays.asList(r));
  }

  private static String describe(List<Tensor> parts) {
    StringBuilder sb = new StringBuilder();
    for (Tensor t : parts) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(t.dtype.lowerName()).append(' ').append(t.shape);
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- reductions

  /** The sum of all elements, as a scalar tensor of the same dtype. */
  public Tensor sum() {
    requireFloating("sum");
    double s = f != null ? Kernels.sum(f, 0, size()) : Kernels.sum(d, 0, size());
    return scalar(dtype, s);
  }

  /** The sum over {@code axis}, which is removed unless {@code keepDims}. */
  public Tensor sum(int axis, boolean keepDims) {
    requireFloating("sum");
    int a = shape.normalizeAxis(axis);
    int outer = shape.product(0, a);
    int len = shape.dim(a);
    int inner = shape.product(a + 1, rank());
    Shape out = keepDims ? shape.with(a, 1) : shape.without(a);
    Tensor res = zeros(dtype, out);
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

  public Tensor mean() {
    return sum().mul(1.0 / size());
  }

  public Tensor mean(int axis, boolean keepDims) {
    return sum(axis, keepDims).mul(1.0 / shape.dim(axis));
  }

  /** The maximum over {@code axis}, which is removed unless {@code keepDims}. */
  public Tensor max(int axis, boolean keepDims) {
    requireFloating("max");
    int a = shape.normalizeAxis(axis);
    int outer = shape.product(0, a);
    int len = shape.dim(a);
    int inner = shape.product(a + 1, rank());
    if (len == 0) {
      throw new IllegalArgumentException("max over an empty axis " + axis + " of shape " + shape);
    }
    Shape out = keepDims ? shape.with(a, 1) : shape.without(a);
    Tensor res = full(dtype, Double.NEGATIVE_INFINITY, out);
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

  /** Columns [c0, c1) of {@code res} (one row's worth) += those of every row of this tensor, row by row. */
  private void sumRows(Tensor res, int c0, int c1) {
    int m = res.size();
    for (int o = 0, n = size(); o < n; o += m) {
      if (f != null) {
        Kernels.binary(BinaryOp.ADD, res.f, c0, f, o + c0, res.f, c0, c1 - c0);
      } else {
        Kernels.binary(BinaryOp.ADD, res.d, c0, d, o + c0, res.d, c0, c1 - c0);
      }
    }
  }

  /**
   * Sums this tensor down to {@code target}, the inverse of broadcasting {@code target} to this
   * tensor's shape (what the gradient of a broadcast needs).
   */
  public Tensor sumTo(Shape target) {
    if (target.equals(shape)) {
      return this;
    }
    Shape check = Shape.broadcast(target, shape);
    if (check == null || !check.equals(shape)) {
      throw new IllegalArgumentException("cannot sum " + shape + " down to " + target + ": it does not broadcast to it");
    }
    requireFloating("sumTo");
    if (target.size() >= 8 && isTrailingBlock(target, shape)) {
      // sum of whole rows, in the same order as the general loop below; a large one splits its
      // columns over the kernel threads (each element is still summed over the rows in order)
      int m = target.size();
      Tensor res = zeros(dtype, target);
      int parts = size() < SUM_PARALLEL_MIN_ELEMENTS ? 1 : parts(size(), m / 64);
      if (parts == 1) {
        sumRows(res, 0, m);
      } else {
        Kernels.parallel(parts, p -> sumRows(res, (int) ((long) m * p / parts), (int) ((long) m * (p + 1) / parts)));
      }
      return res;
    }
    int[] st = broadcastStrides(target, shape);
    int r = rank();
    int[] dims = shape.toArray();
    int[] idx = new int[r];
    int ti = 0;
    Tensor res = zeros(dtype, target);
    for (int i = 0, n = size(); i < n; i++) {
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

  /** Broadcasts this tensor to {@code target} (copying). */
  public Tensor broadcastTo(Shape target) {
    if (target.equals(shape)) {
      return this;
    }
    Shape check = Shape.broadcast(shape, target);
    if (check == null || !check.equals(target)) {
      throw new IllegalArgumentException("cannot broadcast " + shape + " to " + target);
    }
    // index mapping rather than zeros(target).add(this), so that integer tensors broadcast too
    int[] st = broadcastStrides(shape, target);
    int r = target.rank();
    int[] dims = target.toArray();
    int[] idx = new int[r];
    int si = 0;
    Tensor res = zeros(dtype, target);
    for (int i = 0, n = target.size(); i < n; i++) {
      res.copyElement(i, this, si);
      for (int ax = r - 1; ax >= 0; ax--) {
        idx[ax]++;
        si += st[ax];
        if (idx[ax] < dims[ax]) {
          break;
        }
        si -= st[ax] * dims[ax];
        idx[ax] = 0;
      }
    }
    return res;
  }

  /** log(softmax(x)) over the last axis, computed stably as x - max - log(sum(exp(x - max))). */
  public Tensor logSoftmax() {
    requireFloating("logSoftmax");
    Tensor shifted = sub(max(-1, true));
    Tensor lse = shifted.exp().sum(-1, true).log();
    return shifted.sub(lse);
  }

  // ---------------------------------------------------------------- indexing

  /**
   * Rows of a table gathered by integer ids: {@code table [V, D]} and ids of any shape give
   * {@code ids.shape + [D]} (an embedding lookup).
   */
  public static Tensor gather(Tensor table, Tensor ids) {
    if (table.rank() != 2) {
      throw new IllegalArgumentException("gather needs a table of rank 2, got " + table.shape);
    }
    int v = table.shape.dim(0);
    int dd = table.shape.dim(1);
    int[] od = Arrays.copyOf(ids.shape.toArray(), ids.rank() + 1);
    od[ids.rank()] = dd;
    Tensor res = zeros(table.dtype, Shape.of(od));
    for (int i = 0, n = ids.size(); i < n; i++) {
      long id = ids.getLong(i);
      if (id < 0 || id >= v) {
        throw new IllegalArgumentException("id " + id + " at position " + i + " is outside the table of " + v + " rows");
      }
      copyRange(table, (int) id * dd, res, i * dd, dd);
    }
    return res;
  }

  /** One-hot rows: ids of any shape give {@code ids.shape + [depth]} of the given dtype. */
  public static Tensor oneHot(Tensor ids, int depth, DType dtype) {
    int[] od = Arrays.copyOf(ids.shape.toArray(), ids.rank() + 1);
    od[ids.rank()] = depth;
    Tensor res = zeros(dtype, Shape.of(od));
    for (int i = 0, n = ids.size(); i < n; i++) {
      long id = ids.getLong(i);
      if (id < 0 || id >= depth) {
        throw new IllegalArgumentException("id " + id + " at position " + i + " is outside [0, " + depth + ")");
      }
      res.setFlat(i * depth + (int) id, 1.0);
    }
    return res;
  }

  // ---------------------------------------------------------------- comparison

  /**
   * Whether both tensors have the same shape and every pair of elements satisfies
   * {@code |a - b| <= atol + rtol * |b|} (NumPy's {@code allclose}: equal infinities are close,
   * NaNs never are).
   */
  public boolean allClose(Tensor other, double rtol, double atol) {
    if (!shape.equals(other.shape)) {
      return false;
    }
    for (int i = 0, n = size(); i < n; i++) {
      double a = getFlat(i);
      double b = other.getFlat(i);
      if (a != b && !(Math.abs(a - b) <= atol + rtol * Math.abs(b))) { // a == b: equal infinities
        return false;
      }
    }
    return true;
  }

  /** The largest |a - b| over all elements of two tensors of equal shape. */
  public double maxAbsDiff(Tensor other) {
    if (!shape.equals(other.shape)) {
      throw new IllegalArgumentException("maxAbsDiff: shapes " + shape + " and " + other.shape + " differ");
    }
    double m = 0;
    for (int i = 0, n = size(); i < n; i++) {
      double a = getFlat(i);
      double b = other.getFlat(i);
      double diff = a == b ? 0 : Math.abs(a - b); // equal infinities differ by 0, not NaN
      if (Double.isNaN(diff)) {
        return Double.NaN;
      }
      m = Math.max(m, diff);
    }
    return m;
  }

  /** The Euclidean norm of all elements, in double. */
  public double norm() {
    double s = 0;
    for (int i = 0, n = size(); i < n; i++) {
      double v = getFlat(i);
      s += v * v;
    }
    return Math.sqrt(s);
  }

  /** Exact equality: same dtype, shape and bits. */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Tensor)) {
      return false;
    }
    Tensor t = (Tensor) o;
    return dtype == t.dtype && shape.equals(t.shape)
        && Arrays.equals(f, t.f) && Arrays.equals(d, t.d) && Arrays.equals(l, t.l);
  }

  @Override
  public int hashCode() {
    return Objects.hash(dtype, shape, Arrays.hashCode(f), Arrays.hashCode(d), Arrays.hashCode(l));
  }

  /** {@code float64[2, 3] [0.1, 0.2, ...]}: dtype, shape and the first elements. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(dtype.lowerName()).append(shape).append(" [");
    int n = Math.min(size(), 8);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(dtype.isFloating() ? String.format(java.util.Locale.ROOT, "%.6g", getFlat(i)) : Long.toString(getLong(i)));
    }
    if (size() > n) {
      sb.append(", ...");
    }
    return sb.append(']').toString();
  }
}
