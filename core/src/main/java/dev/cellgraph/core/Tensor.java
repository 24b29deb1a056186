package dev.cellgraph.core;

import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.kernel.PackedMatrix;
import dev.cellgraph.core.kernel.UnaryOp;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A dense, row-major, n-dimensional array of float32, float64, int32 or int64 values.
 *
 * <p>Guarantees: a tensor's values never change after it is made: no public method changes it,
 * factories copy the arrays they are given, and accessors return copies (the zero-copy access of
 * {@link dev.cellgraph.core.internal.TensorAccess}, which is not API, is the exception, and its
 * callers promise not to write). Every operation returns a new tensor. Arguments are never null
 * (a null argument throws {@link NullPointerException}); a caller mistake (mismatched shapes, an
 * axis out of range, arithmetic on an integer tensor) throws {@link IllegalArgumentException} with
 * a message naming the operation and the shapes.
 *
 * <p>What a tensor holds besides its values, and why sharing it between threads is still safe:
 * <ul>
 *   <li>A tensor made by {@link #packedForMatmul()} also holds a packed copy of itself for matrix
 *       products. It is computed once, before the tensor is constructed, and held in a final
 *       field; it is never changed afterwards, so every thread sees it whole.
 *   <li>The result of {@link #matmul} may be an array reused from the calling thread's current
 *       {@link Workspace}; such a tensor is immutable only as long as the workspace's owner keeps
 *       it live across {@link Workspace#endStep} (which is that owner's contract, not the
 *       tensor's).
 * </ul>
 *
 * <p>Binary elementwise operations broadcast under NumPy's rules. Arithmetic on two tensors
 * requires equal dtypes.
 *
 * <p>The package-private methods {@code wrap}, {@code rawFloats}, {@code rawDoubles} and
 * {@code rawLongs} give this package zero-copy access; cellgraph's other modules use
 * {@link dev.cellgraph.core.internal.TensorAccess}, which is not API.
 *
 * <p>The implementations live beside this class, one job each: {@link Elementwise} (maps, zips,
 * broadcasting), {@link MatrixProducts}, {@link ShapeOps} and {@link Reductions}; they read the
 * package-private fields directly, so that delegation costs nothing on hot paths.
 */
public final class Tensor {
  final DType dtype;
  final Shape shape;
  /** The values of a float32 tensor, else null. */
  final float[] f;
  /** The values of a float64 tensor, else null. */
  final double[] d;
  /** The values of an integer tensor, else null. */
  final long[] l;
  /** This matrix packed as the right operand of products ({@link #packedForMatmul}), or null. */
  final PackedMatrix packed;
  /** Whether {@link #packed} holds this matrix transposed (for products that read it transposed). */
  final boolean packedTransposed;

  static {
    // other packages of cellgraph reach the zero-copy methods through TensorAccess, not through API
    dev.cellgraph.core.internal.TensorAccess.install(new TensorBridge());
  }

  Tensor(DType dtype, Shape shape, float[] f, double[] d, long[] l) {
    this(dtype, shape, f, d, l, null, false);
  }

  Tensor(DType dtype, Shape shape, float[] f, double[] d, long[] l, PackedMatrix packed,
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

  /**
   * A tensor of zeros.
   *
   * @param dtype the element type
   * @param shape the shape of the result
   * @return a new tensor of zeros
   */
  public static Tensor zeros(DType dtype, Shape shape) {
    switch (dtype) {
      case FLOAT32: return new Tensor(dtype, shape, new float[shape.size()], null, null);
      case FLOAT64: return new Tensor(dtype, shape, null, new double[shape.size()], null);
      default: return new Tensor(dtype, shape, null, null, new long[shape.size()]);
    }
  }

  /**
   * A tensor of zeros of shape {@code dims}.
   *
   * @param dtype the element type
   * @param dims the dimensions of the result, outermost first
   * @return a new tensor of zeros
   */
  public static Tensor zeros(DType dtype, int... dims) {
    return zeros(dtype, Shape.of(dims));
  }

  /**
   * A tensor of ones of shape {@code dims}.
   *
   * @param dtype the element type
   * @param dims the dimensions of the result, outermost first
   * @return a new tensor of ones
   */
  public static Tensor ones(DType dtype, int... dims) {
    return full(dtype, 1.0, Shape.of(dims));
  }

  /**
   * A tensor with every element {@code value} (truncated toward zero for integer dtypes).
   *
   * @param dtype the element type
   * @param value the value of every element
   * @param shape the shape of the result
   * @return a new tensor filled with {@code value}
   */
  public static Tensor full(DType dtype, double value, Shape shape) {
    Tensor t = zeros(dtype, shape);
    switch (dtype) {
      case FLOAT32: Arrays.fill(t.f, (float) value); break;
      case FLOAT64: Arrays.fill(t.d, value); break;
      default: Arrays.fill(t.l, (long) value);
    }
    return t;
  }

  /**
   * A tensor of shape {@code dims} with every element {@code value}.
   *
   * @param dtype the element type
   * @param value the value of every element
   * @param dims the dimensions of the result, outermost first
   * @return a new tensor filled with {@code value}
   */
  public static Tensor full(DType dtype, double value, int... dims) {
    return full(dtype, value, Shape.of(dims));
  }

  /**
   * A rank-0 tensor.
   *
   * @param dtype the element type
   * @param value the tensor's only element
   * @return a new tensor of shape {@code []} holding {@code value}
   */
  public static Tensor scalar(DType dtype, double value) {
    return full(dtype, value, Shape.scalar());
  }

  /**
   * A float64 tensor holding a copy of {@code data}, shaped {@code dims}.
   *
   * @param data the elements in row-major order
   * @param dims the dimensions, whose product must be {@code data.length}
   * @return a new float64 tensor
   */
  public static Tensor of(double[] data, int... dims) {
    return of(DType.FLOAT64, data, Shape.of(dims));
  }

  /**
   * A float32 tensor holding a copy of {@code data}, shaped {@code dims}.
   *
   * @param data the elements in row-major order
   * @param dims the dimensions, whose product must be {@code data.length}
   * @return a new float32 tensor
   */
  public static Tensor ofFloats(float[] data, int... dims) {
    Shape s = Shape.of(dims);
    checkLength(data.length, s);
    return new Tensor(DType.FLOAT32, s, data.clone(), null, null);
  }

  /**
   * An int64 tensor holding a copy of {@code data}, shaped {@code dims}.
   *
   * @param data the elements in row-major order
   * @param dims the dimensions, whose product must be {@code data.length}
   * @return a new int64 tensor
   */
  public static Tensor ofLongs(long[] data, int... dims) {
    Shape s = Shape.of(dims);
    checkLength(data.length, s);
    return new Tensor(DType.INT64, s, null, null, data.clone());
  }

  /**
   * An int32 tensor holding {@code data}, shaped {@code dims}.
   *
   * @param data the elements in row-major order
   * @param dims the dimensions, whose product must be {@code data.length}
   * @return a new int32 tensor
   */
  public static Tensor ofInts(int[] data, int... dims) {
    Shape s = Shape.of(dims);
    checkLength(data.length, s);
    long[] v = new long[data.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = data[i];
    }
    return new Tensor(DType.INT32, s, null, null, v);
  }

  /**
   * A tensor of the given dtype holding {@code data} (converted, copied), shaped {@code shape}.
   *
   * @param dtype the element type; values are rounded or truncated toward zero to fit it
   * @param data the elements in row-major order
   * @param shape the shape, whose size must be {@code data.length}
   * @return a new tensor of {@code dtype}
   */
  public static Tensor of(DType dtype, double[] data, Shape shape) {
    checkLength(data.length, shape);
    Tensor t = zeros(dtype, shape);
    for (int i = 0; i < data.length; i++) {
      t.setFlat(i, data[i]);
    }
    return t;
  }

  /**
   * A 2-D float64 tensor from rows of equal length.
   *
   * @param rows the rows of the matrix, all of the same length
   * @return a new float64 tensor of shape {@code [rows.length, rows[0].length]}
   */
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

  /**
   * <em>Internal</em>: wraps {@code data} without copying; the caller
   * gives up the array. Outside this package use
   * {@link dev.cellgraph.core.internal.TensorAccess#wrap(float[], Shape)}.
   */
  static Tensor wrap(float[] data, Shape shape) {
    checkLength(data.length, shape);
    return new Tensor(DType.FLOAT32, shape, data, null, null);
  }

  /**
   * <em>Internal</em>: wraps {@code data} without copying; the caller
   * gives up the array. Outside this package use
   * {@link dev.cellgraph.core.internal.TensorAccess#wrap(double[], Shape)}.
   */
  static Tensor wrap(double[] data, Shape shape) {
    checkLength(data.length, shape);
    return new Tensor(DType.FLOAT64, shape, null, data, null);
  }

  /**
   * <em>Internal</em>: wraps {@code data} without copying; the caller
   * gives up the array. Outside this package use
   * {@link dev.cellgraph.core.internal.TensorAccess#wrap(DType, long[], Shape)}.
   */
  static Tensor wrap(DType intType, long[] data, Shape shape) {
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

  /**
   * The element type.
   *
   * @return the dtype of the elements
   */
  public DType dtype() {
    return dtype;
  }

  /**
   * The dimensions.
   *
   * @return the shape of this tensor
   */
  public Shape shape() {
    return shape;
  }

  /**
   * The number of dimensions.
   *
   * @return the rank, 0 for a scalar
   */
  public int rank() {
    return shape.rank();
  }

  /**
   * The number of elements.
   *
   * @return the number of elements, the product of the dimensions
   */
  public int size() {
    return shape.size();
  }

  /**
   * The element at the given index (one index per axis), as a double.
   *
   * @param index one coordinate per axis, each in {@code [0, dim)}
   * @return the element, converted to double
   */
  public double get(int... index) {
    return getFlat(flatIndex(index));
  }

  /**
   * The only element of a one-element tensor.
   *
   * @return the element, converted to double
   */
  public double item() {
    if (size() != 1) {
      throw new IllegalArgumentException("item() needs a tensor of one element, got shape " + shape);
    }
    return getFlat(0);
  }

  /**
   * The element at row-major position {@code i}.
   *
   * @param i the row-major position, in {@code [0, size)}
   * @return the element, converted to double
   */
  public double getFlat(int i) {
    switch (dtype) {
      case FLOAT32: return f[i];
      case FLOAT64: return d[i];
      default: return l[i];
    }
  }

  /**
   * The element at row-major position {@code i} of an integer tensor.
   *
   * @param i the row-major position, in {@code [0, size)}
   * @return the element; a floating one is truncated toward zero
   */
  public long getLong(int i) {
    return l != null ? l[i] : (long) getFlat(i);
  }

  void setFlat(int i, double v) {
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

  /**
   * A copy of the elements, converted to double.
   *
   * @return a new array of the elements in row-major order
   */
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

  /**
   * A copy of the elements, converted to float.
   *
   * @return a new array of the elements in row-major order
   */
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

  /**
   * A copy of the elements of an integer tensor (floating values are truncated).
   *
   * @return a new array of the elements in row-major order
   */
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

  /**
   * <em>Internal</em>: the backing array of a float32 tensor; must not
   * be modified. Outside this package use {@link dev.cellgraph.core.internal.TensorAccess#floats}.
   */
  float[] rawFloats() {
    requireType(DType.FLOAT32, "rawFloats");
    return f;
  }

  /**
   * <em>Internal</em>: the backing array of a float64 tensor; must not
   * be modified. Outside this package use {@link dev.cellgraph.core.internal.TensorAccess#doubles}.
   */
  double[] rawDoubles() {
    requireType(DType.FLOAT64, "rawDoubles");
    return d;
  }

  /**
   * <em>Internal</em>: the backing array of an integer tensor; must not
   * be modified. Outside this package use {@link dev.cellgraph.core.internal.TensorAccess#longs}.
   */
  long[] rawLongs() {
    if (l == null) {
      throw new IllegalArgumentException("rawLongs needs an integer tensor, got " + dtype.lowerName());
    }
    return l;
  }

  void requireType(DType t, String op) {
    if (dtype != t) {
      throw new IllegalArgumentException(op + " needs a " + t.lowerName() + " tensor, got " + dtype.lowerName());
    }
  }

  void requireFloating(String op) {
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException(op + " is not defined for " + dtype.lowerName() + " tensors");
    }
  }

  /**
   * This tensor converted to {@code target} (itself when already of that type).
   *
   * @param target the dtype to convert to
   * @return a tensor of {@code target} with the converted elements, or this tensor
   */
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

  /**
   * Applies an elementwise function.
   *
   * @param op the function to apply to each element
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor map(UnaryOp op) {
    return Elementwise.map(this, op);
  }

  /**
   * {@code -x} elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor neg() { return map(UnaryOp.NEG); }
  /**
   * {@code e^x} elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor exp() { return map(UnaryOp.EXP); }
  /**
   * The natural logarithm elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor log() { return map(UnaryOp.LOG); }
  /**
   * {@code tanh(x)} elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor tanh() { return map(UnaryOp.TANH); }
  /**
   * The logistic function {@code 1 / (1 + e^-x)} elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor sigmoid() { return map(UnaryOp.SIGMOID); }
  /**
   * {@code max(x, 0)} elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor relu() { return map(UnaryOp.RELU); }
  /**
   * {@code log(1 + e^x)} elementwise, without overflow.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor softplus() { return map(UnaryOp.SOFTPLUS); }
  /**
   * {@code x / (1 + |x|)} elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor softsign() { return map(UnaryOp.SOFTSIGN); }
  /**
   * {@code |x|} elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor abs() { return map(UnaryOp.ABS); }
  /**
   * {@code x * x} elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor square() { return map(UnaryOp.SQUARE); }
  /**
   * The square root elementwise.
   *
   * @return a tensor of this shape and dtype holding the function of each element
   */
  public Tensor sqrt() { return map(UnaryOp.SQRT); }

  /**
   * Combines with {@code other} elementwise, broadcasting both to a common shape.
   *
   * @param op the function, with this tensor's elements on the left
   * @param other the right operand, broadcast together with this tensor
   * @return the elementwise result, of the broadcast shape
   */
  public Tensor zip(BinaryOp op, Tensor other) {
    return Elementwise.zip(this, op, other);
  }

  /**
   * {@code this op s} elementwise.
   *
   * @param op the function, with this tensor's elements on the left
   * @param s the right operand for every element
   * @return the elementwise result, of this tensor's shape
   */
  public Tensor zip(BinaryOp op, double s) {
    return Elementwise.zip(this, op, s);
  }

  /**
   * {@code s op this} elementwise.
   *
   * @param op the function, with {@code s} on the left
   * @param s the left operand for every element
   * @return the elementwise result, of this tensor's shape
   */
  public Tensor zipLeft(BinaryOp op, double s) {
    return Elementwise.zipLeft(this, op, s);
  }

  /**
   * {@code this + o}, broadcasting.
   *
   * @param o the other operand, broadcast together with this tensor
   * @return the elementwise result, of the broadcast shape
   */
  public Tensor add(Tensor o) { return zip(BinaryOp.ADD, o); }
  /**
   * {@code this - o}, broadcasting.
   *
   * @param o the other operand, broadcast together with this tensor
   * @return the elementwise result, of the broadcast shape
   */
  public Tensor sub(Tensor o) { return zip(BinaryOp.SUB, o); }
  /**
   * {@code this * o} elementwise, broadcasting.
   *
   * @param o the other operand, broadcast together with this tensor
   * @return the elementwise result, of the broadcast shape
   */
  public Tensor mul(Tensor o) { return zip(BinaryOp.MUL, o); }
  /**
   * {@code this / o} elementwise, broadcasting.
   *
   * @param o the other operand, broadcast together with this tensor
   * @return the elementwise result, of the broadcast shape
   */
  public Tensor div(Tensor o) { return zip(BinaryOp.DIV, o); }
  /**
   * The larger of {@code this} and {@code o} elementwise, broadcasting.
   *
   * @param o the other operand, broadcast together with this tensor
   * @return the elementwise result, of the broadcast shape
   */
  public Tensor maximum(Tensor o) { return zip(BinaryOp.MAX, o); }
  /**
   * {@code this + s} elementwise.
   *
   * @param s the scalar operand, applied to every element
   * @return the elementwise result, of this tensor's shape
   */
  public Tensor add(double s) { return zip(BinaryOp.ADD, s); }
  /**
   * {@code this * s} elementwise.
   *
   * @param s the scalar operand, applied to every element
   * @return the elementwise result, of this tensor's shape
   */
  public Tensor mul(double s) { return zip(BinaryOp.MUL, s); }
  /**
   * {@code s - this}.
   *
   * @param s the scalar operand, applied to every element
   * @return the elementwise result, of this tensor's shape
   */
  public Tensor rsub(double s) { return zipLeft(BinaryOp.SUB, s); }

  // ---------------------------------------------------------------- matrix products

  /**
   * The matrix product; see {@link #matmul(Tensor, boolean, boolean)}.
   *
   * @param b the right operand
   * @return the product; see {@link #matmul(Tensor, boolean, boolean)} for the shapes
   */
  public Tensor matmul(Tensor b) {
    return matmul(b, false, false);
  }

  /**
   * The matrix product op(this) op(b), where op transposes the last two axes when asked.
   * Shapes: {@code [m, k] x [k, n]}; batched {@code [..., m, k] x [..., k, n]} with equal batch
   * dimensions; or {@code [..., m, k] x [k, n]}, which multiplies every matrix of the batch
   * by the same {@code b}.
   *
   * <p>While a {@link Workspace} is current on the calling thread, the result's array is taken
   * from it, uncleared, and every element of it is written; the result then lives only as long
   * as the workspace's owner keeps it live ({@link Workspace#endStep}). Without one, it is new.
   *
   * @param b the right operand
   * @param transA whether to transpose the last two axes of this tensor
   * @param transB whether to transpose the last two axes of {@code b}
   * @return the product, of shape {@code [..., m, n]}
   */
  public Tensor matmul(Tensor b, boolean transA, boolean transB) {
    Objects.requireNonNull(b, "b");
    return MatrixProducts.matmul(this, b, transA, transB);
  }

  /**
   * This matrix, with a copy packed for use as the right operand {@code b} of
   * {@code a.matmul(b)} (not transposed): products by it then skip the packing every product
   * otherwise does, which pays off when one matrix multiplies many others (a recurrent weight
   * at every step of a sequence). Same values, same results to the bit; costs one more copy
   * of the matrix in memory. Only for rank-2 float tensors; other tensors are returned as they are.
   *
   * @return a tensor with this tensor's values and a packed copy, or this tensor if it is not a
   *     rank-2 float tensor
   */
  public Tensor packedForMatmul() {
    return packedForMatmul(false);
  }

  /**
   * {@link #packedForMatmul()} for products that read this matrix transposed
   * ({@code a.matmul(b, transA, true)}, as {@code h W_hhᵀ}) when {@code transposed}: the copy
   * holds its transpose, packed straight from this matrix. Products that read it the other way
   * pack as usual.
   *
   * <p>The packed copy is taken now, from the values this tensor has now; it is made before the
   * returned tensor and never changed, so the returned tensor is as safe to share between threads
   * as any other. (Were this tensor's array one that a {@link Workspace} later reuses, the copy
   * would keep the old values: pack only tensors that outlive every workspace step, as weights do.)
   *
   * @param transposed whether products read this matrix transposed ({@code transB})
   * @return a tensor with this tensor's values and a packed copy, or this tensor if it is not a
   *     rank-2 float tensor
   */
  public Tensor packedForMatmul(boolean transposed) {
    return MatrixProducts.packedForMatmul(this, transposed);
  }

  /**
   * The shape of op(a) op(b), or an {@link IllegalArgumentException} naming both shapes.
   *
   * @param a the shape of the left operand
   * @param b the shape of the right operand
   * @param transA whether the last two axes of {@code a} are transposed
   * @param transB whether the last two axes of {@code b} are transposed
   * @return the shape of the product
   */
  public static Shape matmulShape(Shape a, Shape b, boolean transA, boolean transB) {
    return MatrixProducts.matmulShape(a, b, transA, transB);
  }

  // ---------------------------------------------------------------- shape ops

  /**
   * The same elements in a new shape; one dimension may be -1 and is then inferred.
   *
   * @param dims the new dimensions, whose product must equal {@link #size()}; at most one is -1
   * @return a tensor of the new shape with the same elements in row-major order
   */
  public Tensor reshape(int... dims) {
    return ShapeOps.reshape(this, dims);
  }

  /**
   * The same elements in shape {@code s}, sharing the values (no copy).
   *
   * @param s the new shape, of the same size
   * @return a tensor of shape {@code s} that shares this tensor's values
   * @throws IllegalArgumentException if {@code s} has a different number of elements
   */
  public Tensor reshape(Shape s) {
    if (s.size() != size()) {
      throw new IllegalArgumentException(
          "cannot reshape " + shape + " (" + size() + " elements) to " + s + " (" + s.size() + " elements)");
    }
    return new Tensor(dtype, s, f, d, l);
  }

  /**
   * Swaps the last two axes.
   *
   * @return a tensor of rank at least 2 with the last two axes swapped
   */
  public Tensor transpose() {
    return ShapeOps.transpose(this);
  }

  /**
   * Reorders the axes: axis i of the result is axis {@code perm[i]} of this tensor.
   *
   * @param perm a permutation of {@code 0 .. rank-1}
   * @return a tensor whose axis i is axis {@code perm[i]} of this tensor
   */
  public Tensor permute(int... perm) {
    return ShapeOps.permute(this, perm);
  }

  /**
   * Elements {@code [start, end)} along {@code axis}.
   *
   * @param axis the axis to slice, negative counting from the end
   * @param start the first index kept, inclusive
   * @param end the index after the last one kept
   * @return a tensor of the same rank, {@code end - start} long along {@code axis}
   */
  public Tensor slice(int axis, int start, int end) {
    return ShapeOps.slice(this, axis, start, end);
  }

  /**
   * Index {@code i} along {@code axis}, with that axis removed; a negative {@code i} counts from the end.
   *
   * @param axis the axis to index, negative counting from the end
   * @param i the index along {@code axis}; negative counts from the end
   * @return a tensor of rank one less
   */
  public Tensor select(int axis, int i) {
    return ShapeOps.select(this, axis, i);
  }

  /**
   * Joins tensors of equal dtype and shape (except along {@code axis}).
   *
   * @param axis the axis to join along, negative counting from the end
   * @param parts the tensors to join, in order, at least one
   * @return a tensor whose length along {@code axis} is the sum of the parts' lengths
   */
  public static Tensor concat(int axis, List<Tensor> parts) {
    return ShapeOps.concat(axis, parts);
  }

  /**
   * Joins tensors of equal dtype and shape (except along {@code axis}).
   *
   * @param axis the axis to join along, negative counting from the end
   * @param parts the tensors to join, in order, at least one
   * @return a tensor whose length along {@code axis} is the sum of the parts' lengths
   */
  public static Tensor concat(int axis, Tensor... parts) {
    return concat(axis, Arrays.asList(parts));
  }

  /**
   * Stacks tensors of equal shape along a new axis.
   *
   * @param axis the position of the new axis in the result, negative counting from the end
   * @param parts the tensors to stack, in order, at least one
   * @return a tensor of rank one more, {@code parts.size()} long along {@code axis}
   */
  public static Tensor stack(int axis, List<Tensor> parts) {
    return ShapeOps.stack(axis, parts);
  }

  /**
   * Broadcasts this tensor to {@code target} (copying).
   *
   * @param target a shape this tensor's shape broadcasts to
   * @return a tensor of shape {@code target}, this tensor if it already has that shape
   */
  public Tensor broadcastTo(Shape target) {
    return ShapeOps.broadcastTo(this, target);
  }

  // ---------------------------------------------------------------- reductions

  /**
   * The sum of all elements, as a scalar tensor of the same dtype.
   *
   * @return a rank-0 tensor holding the sum
   */
  public Tensor sum() {
    return Reductions.sum(this);
  }

  /**
   * The sum over {@code axis}, which is removed unless {@code keepDims}.
   *
   * @param axis the axis to reduce, negative counting from the end
   * @param keepDims whether to keep the reduced axis with length 1
   * @return the sums, of this dtype
   */
  public Tensor sum(int axis, boolean keepDims) {
    return Reductions.sum(this, axis, keepDims);
  }

  /**
   * The mean of all elements, as a scalar tensor.
   *
   * @return a rank-0 tensor holding the mean
   */
  public Tensor mean() {
    return sum().mul(1.0 / size());
  }

  /**
   * The mean over {@code axis}, which is removed unless {@code keepDims}.
   *
   * @param axis the axis to reduce, negative counting from the end
   * @param keepDims whether to keep the reduced axis with length 1
   * @return the means
   */
  public Tensor mean(int axis, boolean keepDims) {
    return sum(axis, keepDims).mul(1.0 / shape.dim(axis));
  }

  /**
   * The maximum over {@code axis}, which is removed unless {@code keepDims}.
   *
   * @param axis the axis to reduce, negative counting from the end
   * @param keepDims whether to keep the reduced axis with length 1
   * @return the maxima, of this dtype
   */
  public Tensor max(int axis, boolean keepDims) {
    return Reductions.max(this, axis, keepDims);
  }

  /**
   * Sums this tensor down to {@code target}, the inverse of broadcasting {@code target} to this
   * tensor's shape (what the gradient of a broadcast needs).
   *
   * @param target a shape that broadcasts to this tensor's shape
   * @return a tensor of shape {@code target}
   */
  public Tensor sumTo(Shape target) {
    return Reductions.sumTo(this, target);
  }

  /**
   * log(softmax(x)) over the last axis, computed stably as x - max - log(sum(exp(x - max))).
   *
   * @return the log-probabilities, of this tensor's shape and dtype
   */
  public Tensor logSoftmax() {
    return Reductions.logSoftmax(this);
  }

  // ---------------------------------------------------------------- indexing

  /**
   * Rows of a table gathered by integer ids: {@code table [V, D]} and ids of any shape give
   * {@code ids.shape + [D]} (an embedding lookup).
   *
   * @param table the embedding table, of shape {@code [V, D]}
   * @param ids integer ids in {@code [0, V)}, of any shape
   * @return the gathered rows, of shape {@code ids.shape + [D]}
   */
  public static Tensor gather(Tensor table, Tensor ids) {
    return ShapeOps.gather(table, ids);
  }

  /**
   * One-hot rows: ids of any shape give {@code ids.shape + [depth]} of the given dtype.
   *
   * @param ids integer ids in {@code [0, depth)}, of any shape
   * @param depth the length of each one-hot row
   * @param dtype the element type of the result
   * @return the one-hot rows, of shape {@code ids.shape + [depth]}
   */
  public static Tensor oneHot(Tensor ids, int depth, DType dtype) {
    return ShapeOps.oneHot(ids, depth, dtype);
  }

  // ---------------------------------------------------------------- comparison

  /**
   * Whether both tensors have the same shape and every pair of elements satisfies
   * {@code |a - b| <= atol + rtol * |b|} (NumPy's {@code allclose}: equal infinities are close,
   * NaNs never are).
   *
   * @param other the tensor to compare with; its elements are the {@code b} of the formula
   * @param rtol the relative tolerance
   * @param atol the absolute tolerance
   * @return {@code true} if the shapes are equal and every pair of elements is close
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

  /**
   * The largest |a - b| over all elements of two tensors of equal shape.
   *
   * @param other a tensor of the same shape
   * @return the largest absolute difference, 0 for empty tensors, NaN if any pair gives NaN
   */
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

  /**
   * The Euclidean norm of all elements, in double.
   *
   * @return the square root of the sum of squares of the elements
   */
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
