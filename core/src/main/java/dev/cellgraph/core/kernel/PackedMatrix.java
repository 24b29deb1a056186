package dev.cellgraph.core.kernel;

/**
 * A matrix packed once for use as the right operand B of many products
 * ({@link Kernels#gemm(boolean, int, int, int, float[], int, int, PackedMatrix, float[], int, int, boolean)}):
 * the layout is the active kernel implementation's own (the vectorized GEMM's panels, a plain
 * row-major copy for the plain one), so packing costs once what every product would otherwise
 * pay. Immutable and thread-safe: a packed matrix is a copy, later changes to the source array do
 * not reach it.
 */
public final class PackedMatrix {
  private final KernelImpl owner;
  private final int rows;
  private final int cols;
  private final float[] f;
  private final double[] d;

  PackedMatrix(KernelImpl owner, int rows, int cols, float[] f, double[] d) {
    this.owner = owner;
    this.rows = rows;
    this.cols = cols;
    this.f = f;
    this.d = d;
  }

  /**
   * Rows of the packed op(B): the depth k of the products it serves.
   *
   * @return the number of rows of the packed op(B), the depth k
   */
  public int rows() {
    return rows;
  }

  /**
   * Columns of the packed op(B): the n of the products it serves.
   *
   * @return the number of columns of the packed op(B), the n of each product
   */
  public int cols() {
    return cols;
  }

  /**
   * Whether it holds float32 values (otherwise float64).
   *
   * @return {@code true} if the values are float32, {@code false} if they are float64
   */
  public boolean isFloat() {
    return f != null;
  }

  KernelImpl owner() {
    return owner;
  }

  float[] floats() {
    return f;
  }

  double[] doubles() {
    return d;
  }
}
