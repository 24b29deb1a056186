package dev.cellgraph.core.kernel;

/**
 * One implementation of the numeric kernels. {@link Kernels} validates arguments and delegates to
 * the implementation chosen at start-up; implementations may assume valid arguments.
 *
 * <p>All arrays are row-major with explicit offsets and leading dimensions, as in BLAS.
 */
interface KernelImpl {
  String name();

  /** What the implementation chose for this machine (vector width, GEMM tile and blocking), for logs. */
  default String describe() {
    return name();
  }

  /** C = (accumulate ? C : 0) + op(A) op(B), with op(A) m x k and op(B) k x n. */
  void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate, int threads);

  void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate, int threads);

  /** op(B) (k x n) packed for {@link #gemm(boolean, int, int, int, float[], int, int, PackedMatrix, float[], int, int, boolean, int)}. */
  PackedMatrix pack(boolean transB, int k, int n, float[] b, int bOff, int ldb);

  PackedMatrix pack(boolean transB, int k, int n, double[] b, int bOff, int ldb);

  /** C = (accumulate ? C : 0) + op(A) B, with B packed by this implementation. */
  void gemm(boolean transA, int m, int n, int k, float[] a, int aOff, int lda, PackedMatrix b,
      float[] c, int cOff, int ldc, boolean accumulate, int threads);

  void gemm(boolean transA, int m, int n, int k, double[] a, int aOff, int lda, PackedMatrix b,
      double[] c, int cOff, int ldc, boolean accumulate, int threads);

  void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n);

  void unary(UnaryOp op, double[] x, int xOff, double[] out, int outOff, int n);

  void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n);

  void binary(BinaryOp op, double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n);

  /** out[i] = a[i] op s. */
  void binaryScalar(BinaryOp op, float[] a, int aOff, float s, float[] out, int outOff, int n);

  void binaryScalar(BinaryOp op, double[] a, int aOff, double s, double[] out, int outOff, int n);

  /** out[i] = s op a[i]. */
  void scalarBinary(BinaryOp op, float s, float[] a, int aOff, float[] out, int outOff, int n);

  void scalarBinary(BinaryOp op, double s, double[] a, int aOff, double[] out, int outOff, int n);

  /** The sum of n elements, accumulated in double. */
  double sum(float[] x, int off, int n);

  double sum(double[] x, int off, int n);
}
