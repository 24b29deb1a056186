package dev.cellgraph.core;

import java.util.Arrays;

/**
 * The dimensions of a tensor: an immutable, validated value type. A rank-0 shape is a scalar.
 * Every dimension is non-negative and the product of the non-zero dimensions (so the element
 * count, and every stride) fits in an {@code int}.
 *
 * <p>Thread-safe: its dimensions are a private copy that no method exposes.
 */
public final class Shape {
  private static final Shape SCALAR = new Shape(new int[0]);

  private final int[] dims;
  private final int size;

  private Shape(int[] dims) {
    this.dims = dims;
    // Sub-products serve as strides and loop bounds, so the product of the non-zero dimensions
    // must fit in an int even when a zero makes the size 0; otherwise whether a shape is
    // accepted would depend on where its zero is.
    boolean empty = false;
    long n = 1;
    for (int d : dims) {
      empty |= d == 0;
      n = Math.min(n * Math.max(d, 1), 1L << 32); // saturate: n stays far from long overflow
    }
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(empty
          ? "shape " + Arrays.toString(dims) + " is too large: the product of its non-zero dimensions exceeds "
              + Integer.MAX_VALUE
          : "shape " + Arrays.toString(dims) + " has more than " + Integer.MAX_VALUE + " elements");
    }
    this.size = empty ? 0 : (int) n;
  }

  /**
   * A shape of these dimensions (copied); no dimensions gives the scalar shape.
   *
   * @param dims the dimensions, outermost first, each at least 0
   * @return the shape with those dimensions
   * @throws IllegalArgumentException if a dimension is negative or the element count exceeds {@code Integer.MAX_VALUE}
   */
  public static Shape of(int... dims) {
    if (dims.length == 0) {
      return SCALAR;
    }
    for (int i = 0; i < dims.length; i++) {
      if (dims[i] < 0) {
        throw new IllegalArgumentException(
            "dimension " + i + " (" + dims[i] + ") of shape " + Arrays.toString(dims)
                + " must not be negative");
      }
    }
    return new Shape(dims.clone());
  }

  /**
   * The rank-0 shape {@code []} of a scalar.
   *
   * @return the shared scalar shape, of rank 0 and size 1
   */
  public static Shape scalar() {
    return SCALAR;
  }

  /**
   * The number of dimensions.
   *
   * @return the rank, 0 for a scalar
   */
  public int rank() {
    return dims.length;
  }

  /**
   * Dimension {@code axis}; negative axes count from the end.
   *
   * @param axis the axis, in {@code [-rank, rank)}
   * @return the length of that dimension
   */
  public int dim(int axis) {
    return dims[normalizeAxis(axis)];
  }

  /**
   * The number of elements.
   *
   * @return the product of the dimensions: 1 for a scalar, 0 if any dimension is 0
   */
  public int size() {
    return size;
  }

  /**
   * The dimensions (a copy).
   *
   * @return a new array holding the dimensions, outermost first
   */
  public int[] toArray() {
    return dims.clone();
  }

  /**
   * Whether the rank is 0.
   *
   * @return {@code true} if this shape has no dimensions
   */
  public boolean isScalar() {
    return dims.length == 0;
  }

  /**
   * Maps a possibly negative axis to {@code [0, rank)}, or throws naming the shape.
   *
   * @param axis the axis, in {@code [-rank, rank)}
   * @return the equivalent axis in {@code [0, rank)}
   */
  public int normalizeAxis(int axis) {
    int a = axis < 0 ? axis + dims.length : axis;
    if (a < 0 || a >= dims.length) {
      throw new IllegalArgumentException(
          "axis " + axis + " is out of range for shape " + this + " of rank " + dims.length);
    }
    return a;
  }

  /**
   * Row-major strides in elements.
   *
   * @return a new array of the row-major stride of each dimension, in elements
   */
  public int[] strides() {
    int[] s = new int[dims.length];
    int acc = 1;
    for (int i = dims.length - 1; i >= 0; i--) {
      s[i] = acc;
      acc *= dims[i];
    }
    return s;
  }

  /**
   * This shape with dimension {@code axis} replaced by {@code value}.
   *
   * @param axis the dimension to replace, negative counting from the end
   * @param value the new length of that dimension, at least 0
   * @return a new shape of the same rank
   */
  public Shape with(int axis, int value) {
    int[] d = dims.clone();
    d[normalizeAxis(axis)] = value;
    return of(d);
  }

  /**
   * This shape without dimension {@code axis}.
   *
   * @param axis the dimension to remove, negative counting from the end
   * @return a new shape of rank one less
   */
  public Shape without(int axis) {
    int a = normalizeAxis(axis);
    int[] d = new int[dims.length - 1];
    for (int i = 0, j = 0; i < dims.length; i++) {
      if (i != a) {
        d[j++] = dims[i];
      }
    }
    return of(d);
  }

  /**
   * The product of dimensions {@code [from, to)}.
   *
   * @param from the first dimension of the range, inclusive
   * @param to the end of the range, exclusive
   * @return the product of those dimensions, 1 for an empty range
   */
  public int product(int from, int to) {
    int p = 1;
    for (int i = from; i < to; i++) {
      p *= dims[i];
    }
    return p;
  }

  /**
   * The shape two operands broadcast to under NumPy's rules (dimensions aligned from the right;
   * equal, or one of them 1), or {@code null} when they do not broadcast.
   *
   * @param a the first operand's shape
   * @param b the second operand's shape
   * @return the broadcast shape, or {@code null} if the shapes are incompatible
   */
  public static Shape broadcast(Shape a, Shape b) {
    int r = Math.max(a.rank(), b.rank());
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
      int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
      if (da == db || db == 1) {
        out[i] = da;
      } else if (da == 1) {
        out[i] = db;
      } else {
        return null;
      }
    }
    return of(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code [2, 3]}; a scalar is {@code []}. */
  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
