package dev.cellgraph.core.kernel;

import dev.cellgraph.core.Setting;
import java.util.function.IntConsumer;
import java.util.logging.Logger;

/**
 * The numeric kernels: matrix multiply and elementwise operations for float32 and float64.
 *
 * <p>This front class validates arguments and delegates to an implementation chosen once at
 * start-up: the vectorized one when the JVM has the {@code jdk.incubator.vector} module, the
 * plain-Java one otherwise. The two give the same results to within float rounding. Set the
 * system property {@code cellgraph.kernels=plain} to force the plain implementation, and
 * {@code cellgraph.vector.bits=128|256} to run the vectorized one on narrower vectors than the
 * CPU's ({@link #describe()} says what was chosen).
 *
 * <p>Thread count for large matrix products: {@link #withThreads} for one computation, default the
 * number of available processors (system property {@code cellgraph.threads} overrides it).
 *
 * <p>Thread-safe: the implementation is chosen once, when the class is initialized; {@link
 * #withThreads} sets the count of the calling thread only; concurrent products share the helper
 * threads safely (the spinning team serves one caller at a time, the others go to a fork-join
 * pool).
 */
public final class Kernels {
  private static final Logger LOG = Logger.getLogger(Kernels.class.getName());
  private static final KernelImpl PLAIN = new PlainKernels();
  private static final KernelImpl IMPL = choose();
  private static final int DEFAULT_THREADS =
      Setting.THREADS.intValue(Runtime.getRuntime().availableProcessors(), 1, 1 << 12);
  /** A thread's own count while it runs {@link #withThreads}; 0 outside. */
  private static final ThreadLocal<int[]> SCOPED = ThreadLocal.withInitial(() -> new int[1]);

  private Kernels() {}

  private static KernelImpl choose() {
    if (Setting.KERNELS.choice("vector", "vector", "plain").equals("plain")) {
      return PLAIN;
    }
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      LOG.info("cellgraph: the Vector API is not enabled, using plain-Java kernels; "
          + "run java with --add-modules jdk.incubator.vector for the fast path");
      return PLAIN;
    }
    try {
      Class<?> c = Class.forName("dev.cellgraph.core.kernel.VectorKernels");
      return (KernelImpl) c.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      LOG.warning("cellgraph: vectorized kernels unavailable (" + e + "), using plain-Java kernels");
      return PLAIN;
    }
  }

  /**
   * The name of the active implementation, e.g. {@code "Vector API (512-bit)"} or {@code "plain Java"}.
   *
   * @return a short description of the active kernels, such as {@code plain Java}
   */
  public static String implementation() {
    return IMPL.name();
  }

  /**
   * The active implementation and what it derived from this machine, one line per part: the
   * vector width and registers, the cache sizes and where they were read, and each dtype's GEMM
   * register tile and blocking ({@code cellgraph --verbose} prints it).
   *
   * @return a multi-line description of the active implementation and its tuning
   */
  public static String describe() {
    return IMPL.describe();
  }

  /**
   * Whether the vectorized implementation is active.
   *
   * @return {@code true} if the Vector API kernels are in use, {@code false} for plain Java
   */
  public static boolean isVectorized() {
    return IMPL != PLAIN;
  }

  static KernelImpl active() {
    return IMPL;
  }

  static KernelImpl plain() {
    return PLAIN;
  }

  /**
   * The threads large matrix products and elementwise passes may use: 1 on a thread that is
   * running one part of a {@link #parallel} call (the other threads are busy with the other
   * parts, so work inside a part runs on its own thread); inside {@link #withThreads} on this
   * thread, its count; otherwise the default ({@code cellgraph.threads}, else the processors).
   *
   * @return the number of threads available to a computation on this thread, at least 1
   */
  public static int threads() {
    if (Parallel.inPart()) {
      return 1;
    }
    int scoped = SCOPED.get()[0];
    return scoped > 0 ? scoped : DEFAULT_THREADS;
  }

  /**
   * The thread count outside {@link #withThreads}: {@code cellgraph.threads}, else the processors.
   *
   * @return the default thread count, at least 1
   */
  public static int defaultThreads() {
    return DEFAULT_THREADS;
  }

  /** Work that may throw, for {@link #withThreads}. */
  @FunctionalInterface
  public interface Work<T, E extends Exception> {
    /**
     * Does the work.
     *
     * @return the work's result
     * @throws E if the work fails
     */
    T run() throws E;
  }

  /**
   * Runs {@code work} on this thread with {@link #threads()} equal to {@code n} (at least 1), and
   * restores the previous count afterwards: the thread count is an argument of a computation,
   * not a process-wide switch, so concurrent callers may each use their own.
   *
   * @param <T> the type of the work's result
   * @param <E> the type of exception the work may throw
   * @param n the thread count for the duration of {@code work}, at least 1
   * @param work the work to run on this thread
   * @return what {@code work} returned
   * @throws E if {@code work} throws it; the count is restored first
   */
  public static <T, E extends Exception> T withThreads(int n, Work<T, E> work) throws E {
    if (n < 1) {
      throw new IllegalArgumentException("threads (" + n + ") must be at least 1");
    }
    int[] slot = SCOPED.get();
    int before = slot[0];
    slot[0] = n;
    try {
      return work.run();
    } finally {
      slot[0] = before;
    }
  }

  /**
   * Calls {@code part.accept(i)} for every i in [0, parts) concurrently on the pool that large
   * matrix products use (the calling thread runs part 0), and waits for all: for callers that
   * split elementwise work by rows. {@code parts} should not exceed {@link #threads()}.
   *
   * @param parts the number of parts, at least 1
   * @param part the work of one part, given the part's index
   */
  public static void parallel(int parts, IntConsumer part) {
    if (parts < 1) {
      throw new IllegalArgumentException("parts (" + parts + ") must be at least 1");
    }
    Parallel.forEach(parts, part);
  }

  private static void checkGemm(boolean transA, boolean transB, int m, int n, int k,
      int aLen, int aOff, int lda, int bLen, int bOff, int ldb, int cLen, int cOff, int ldc) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("gemm sizes m=" + m + ", n=" + n + ", k=" + k + " must not be negative");
    }
    int aRows = transA ? k : m;
    int aCols = transA ? m : k;
    int bRows = transB ? n : k;
    int bCols = transB ? k : n;
    checkMatrix("A", aLen, aOff, aRows, aCols, lda);
    checkMatrix("B", bLen, bOff, bRows, bCols, ldb);
    checkMatrix("C", cLen, cOff, m, n, ldc);
  }

  private static void checkMatrix(String name, int len, int off, int rows, int cols, int ld) {
    if (rows == 0 || cols == 0) {
      return;
    }
    if (ld < cols) {
      throw new IllegalArgumentException(
          "leading dimension of " + name + " (" + ld + ") must be at least its column count (" + cols + ")");
    }
    long last = (long) off + (long) (rows - 1) * ld + cols;
    if (off < 0 || last > len) {
      throw new IllegalArgumentException(
          name + " (" + rows + " x " + cols + ", offset " + off + ", leading dimension " + ld
              + ") does not fit in an array of length " + len);
    }
  }

  private static void checkRange(String name, int len, int off, int n) {
    if (n < 0 || off < 0 || (long) off + n > len) {
      throw new IllegalArgumentException(
          name + " range [" + off + ", " + ((long) off + n) + ") is outside an array of length " + len);
    }
  }

  /**
   * C = (accumulate ? C : 0) + op(A) op(B) in float32; op(A) is m x k, op(B) is k x n.
   *
   * @param transA whether A is stored transposed (k x m), so that op(A) = A^T
   * @param transB whether B is stored transposed (n x k), so that op(B) = B^T
   * @param m the number of rows of op(A) and C, at least 0
   * @param n the number of columns of op(B) and C, at least 0
   * @param k the number of columns of op(A) and rows of op(B), at least 0
   * @param a the array holding A, row-major
   * @param aOff the index of A's first element in {@code a}
   * @param lda the distance in {@code a} between the starts of two rows of A
   * @param b the array holding B, row-major
   * @param bOff the index of B's first element in {@code b}
   * @param ldb the distance in {@code b} between the starts of two rows of B
   * @param c the array holding C, row-major; the result is written there
   * @param cOff the index of C's first element in {@code c}
   * @param ldc the distance in {@code c} between the starts of two rows of C
   * @param accumulate whether to add the product to C's values instead of overwriting them
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    checkGemm(transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
    IMPL.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads());
  }

  /**
   * Packs op(B) (k x n, float32) once for many products by the active implementation
   * ({@link #gemm(boolean, int, int, int, float[], int, int, PackedMatrix, float[], int, int, boolean)}).
   *
   * @param transB whether B is stored transposed (n x k), so that op(B) = B^T
   * @param k the number of rows of op(B), the depth of the products
   * @param n the number of columns of op(B)
   * @param b the array holding B, row-major
   * @param bOff the index of B's first element in {@code b}
   * @param ldb the distance in {@code b} between the starts of two rows of B
   * @return a packed copy of op(B) in float32, for the active implementation
   */
  public static PackedMatrix pack(boolean transB, int k, int n, float[] b, int bOff, int ldb) {
    checkPack(transB, k, n, b.length, bOff, ldb);
    return IMPL.pack(transB, k, n, b, bOff, ldb);
  }

  /**
   * {@link #pack(boolean, int, int, float[], int, int)} in float64.
   *
   * @param transB whether B is stored transposed (n x k), so that op(B) = B^T
   * @param k the number of rows of op(B), the depth of the products
   * @param n the number of columns of op(B)
   * @param b the array holding B, row-major
   * @param bOff the index of B's first element in {@code b}
   * @param ldb the distance in {@code b} between the starts of two rows of B
   * @return a packed copy of op(B) in float64, for the active implementation
   */
  public static PackedMatrix pack(boolean transB, int k, int n, double[] b, int bOff, int ldb) {
    checkPack(transB, k, n, b.length, bOff, ldb);
    return IMPL.pack(transB, k, n, b, bOff, ldb);
  }

  /**
   * C = (accumulate ? C : 0) + op(A) B in float32, with B (k x n) packed by {@link #pack}.
   *
   * @param transA whether A is stored transposed (k x m), so that op(A) = A^T
   * @param m the number of rows of op(A) and C, at least 0
   * @param n the number of columns of op(B) and C, at least 0
   * @param k the number of columns of op(A) and rows of op(B), at least 0
   * @param a the array holding A, row-major
   * @param aOff the index of A's first element in {@code a}
   * @param lda the distance in {@code a} between the starts of two rows of A
   * @param b op(B), float32, packed by {@link #pack}; its rows and columns must be k and n
   * @param c the array holding C, row-major; the result is written there
   * @param cOff the index of C's first element in {@code c}
   * @param ldc the distance in {@code c} between the starts of two rows of C
   * @param accumulate whether to add the product to C's values instead of overwriting them
   */
  public static void gemm(boolean transA, int m, int n, int k, float[] a, int aOff, int lda,
      PackedMatrix b, float[] c, int cOff, int ldc, boolean accumulate) {
    checkPacked(b, true, m, n, k, transA, a.length, aOff, lda, c.length, cOff, ldc);
    b.owner().gemm(transA, m, n, k, a, aOff, lda, b, c, cOff, ldc, accumulate, threads());
  }

  /**
   * C = (accumulate ? C : 0) + op(A) B in float64, with B (k x n) packed by {@link #pack}.
   *
   * @param transA whether A is stored transposed (k x m), so that op(A) = A^T
   * @param m the number of rows of op(A) and C, at least 0
   * @param n the number of columns of op(B) and C, at least 0
   * @param k the number of columns of op(A) and rows of op(B), at least 0
   * @param a the array holding A, row-major
   * @param aOff the index of A's first element in {@code a}
   * @param lda the distance in {@code a} between the starts of two rows of A
   * @param b op(B), float64, packed by {@link #pack}; its rows and columns must be k and n
   * @param c the array holding C, row-major; the result is written there
   * @param cOff the index of C's first element in {@code c}
   * @param ldc the distance in {@code c} between the starts of two rows of C
   * @param accumulate whether to add the product to C's values instead of overwriting them
   */
  public static void gemm(boolean transA, int m, int n, int k, double[] a, int aOff, int lda,
      PackedMatrix b, double[] c, int cOff, int ldc, boolean accumulate) {
    checkPacked(b, false, m, n, k, transA, a.length, aOff, lda, c.length, cOff, ldc);
    b.owner().gemm(transA, m, n, k, a, aOff, lda, b, c, cOff, ldc, accumulate, threads());
  }

  private static void checkPack(boolean transB, int k, int n, int len, int off, int ld) {
    if (k < 0 || n < 0) {
      throw new IllegalArgumentException("pack sizes k=" + k + ", n=" + n + " must not be negative");
    }
    checkMatrix("B", len, off, transB ? n : k, transB ? k : n, ld);
  }

  private static void checkPacked(PackedMatrix b, boolean isFloat, int m, int n, int k, boolean transA,
      int aLen, int aOff, int lda, int cLen, int cOff, int ldc) {
    if (b.isFloat() != isFloat) {
      throw new IllegalArgumentException("packed B holds " + (b.isFloat() ? "float32" : "float64")
          + " values, the product is in " + (isFloat ? "float32" : "float64"));
    }
    if (b.rows() != k || b.cols() != n) {
      throw new IllegalArgumentException("packed B is " + b.rows() + " x " + b.cols() + ", the product needs "
          + k + " x " + n);
    }
    if (m < 0) {
      throw new IllegalArgumentException("gemm size m=" + m + " must not be negative");
    }
    checkMatrix("A", aLen, aOff, transA ? k : m, transA ? m : k, lda);
    checkMatrix("C", cLen, cOff, m, n, ldc);
  }

  /**
   * C = (accumulate ? C : 0) + op(A) op(B) in float64; op(A) is m x k, op(B) is k x n.
   *
   * @param transA whether A is stored transposed (k x m), so that op(A) = A^T
   * @param transB whether B is stored transposed (n x k), so that op(B) = B^T
   * @param m the number of rows of op(A) and C, at least 0
   * @param n the number of columns of op(B) and C, at least 0
   * @param k the number of columns of op(A) and rows of op(B), at least 0
   * @param a the array holding A, row-major
   * @param aOff the index of A's first element in {@code a}
   * @param lda the distance in {@code a} between the starts of two rows of A
   * @param b the array holding B, row-major
   * @param bOff the index of B's first element in {@code b}
   * @param ldb the distance in {@code b} between the starts of two rows of B
   * @param c the array holding C, row-major; the result is written there
   * @param cOff the index of C's first element in {@code c}
   * @param ldc the distance in {@code c} between the starts of two rows of C
   * @param accumulate whether to add the product to C's values instead of overwriting them
   */
  public static void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate) {
    checkGemm(transA, transB, m, n, k, a.length, aOff, lda, b.length, bOff, ldb, c.length, cOff, ldc);
    IMPL.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads());
  }

  /**
   * out[outOff + i] = op(x[xOff + i]) for i in {@code [0, n)}; throws if a range is outside its array.
   *
   * @param op the function to apply
   * @param x the input array
   * @param xOff the index in {@code x} of the first input
   * @param out the array the results are written to
   * @param outOff the index in {@code out} of the first output
   * @param n the number of elements, at least 0
   */
  public static void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
    checkRange("x", x.length, xOff, n);
    checkRange("out", out.length, outOff, n);
    IMPL.unary(op, x, xOff, out, outOff, n);
  }

  /**
   * out[outOff + i] = op(x[xOff + i]) for i in {@code [0, n)}; throws if a range is outside its array.
   *
   * @param op the function to apply
   * @param x the input array
   * @param xOff the index in {@code x} of the first input
   * @param out the array the results are written to
   * @param outOff the index in {@code out} of the first output
   * @param n the number of elements, at least 0
   */
  public static void unary(UnaryOp op, double[] x, int xOff, double[] out, int outOff, int n) {
    checkRange("x", x.length, xOff, n);
    checkRange("out", out.length, outOff, n);
    IMPL.unary(op, x, xOff, out, outOff, n);
  }

  /**
   * out[outOff + i] = a[aOff + i] op b[bOff + i] for i in {@code [0, n)}; throws if a range is outside its array.
   *
   * @param op the function to apply
   * @param a the array of left operands
   * @param aOff the index in {@code a} of the first left operand
   * @param b the array of right operands
   * @param bOff the index in {@code b} of the first right operand
   * @param out the array the results are written to
   * @param outOff the index in {@code out} of the first output
   * @param n the number of elements, at least 0
   */
  public static void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    checkRange("a", a.length, aOff, n);
    checkRange("b", b.length, bOff, n);
    checkRange("out", out.length, outOff, n);
    IMPL.binary(op, a, aOff, b, bOff, out, outOff, n);
  }

  /**
   * out[outOff + i] = a[aOff + i] op b[bOff + i] for i in {@code [0, n)}; throws if a range is outside its array.
   *
   * @param op the function to apply
   * @param a the array of left operands
   * @param aOff the index in {@code a} of the first left operand
   * @param b the array of right operands
   * @param bOff the index in {@code b} of the first right operand
   * @param out the array the results are written to
   * @param outOff the index in {@code out} of the first output
   * @param n the number of elements, at least 0
   */
  public static void binary(BinaryOp op, double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    checkRange("a", a.length, aOff, n);
    checkRange("b", b.length, bOff, n);
    checkRange("out", out.length, outOff, n);
    IMPL.binary(op, a, aOff, b, bOff, out, outOff, n);
  }

  /**
   * out[i] = a[i] op s.
   *
   * @param op the function to apply
   * @param a the array of left operands
   * @param aOff the index in {@code a} of the first array operand
   * @param s the right operand of every element
   * @param out the array the results are written to
   * @param outOff the index in {@code out} of the first output
   * @param n the number of elements, at least 0
   */
  public static void binaryScalar(BinaryOp op, float[] a, int aOff, float s, float[] out, int outOff, int n) {
    checkRange("a", a.length, aOff, n);
    checkRange("out", out.length, outOff, n);
    IMPL.binaryScalar(op, a, aOff, s, out, outOff, n);
  }

  /**
   * out[i] = a[i] op s.
   *
   * @param op the function to apply
   * @param a the array of left operands
   * @param aOff the index in {@code a} of the first array operand
   * @param s the right operand of every element
   * @param out the array the results are written to
   * @param outOff the index in {@code out} of the first output
   * @param n the number of elements, at least 0
   */
  public static void binaryScalar(BinaryOp op, double[] a, int aOff, double s, double[] out, int outOff, int n) {
    checkRange("a", a.length, aOff, n);
    checkRange("out", out.length, outOff, n);
    IMPL.binaryScalar(op, a, aOff, s, out, outOff, n);
  }

  /**
   * out[i] = s op a[i].
   *
   * @param op the function to apply
   * @param s the left operand of every element
   * @param a the array of right operands
   * @param aOff the index in {@code a} of the first array operand
   * @param out the array the results are written to
   * @param outOff the index in {@code out} of the first output
   * @param n the number of elements, at least 0
   */
  public static void scalarBinary(BinaryOp op, float s, float[] a, int aOff, float[] out, int outOff, int n) {
    checkRange("a", a.length, aOff, n);
    checkRange("out", out.length, outOff, n);
    IMPL.scalarBinary(op, s, a, aOff, out, outOff, n);
  }

  /**
   * out[i] = s op a[i].
   *
   * @param op the function to apply
   * @param s the left operand of every element
   * @param a the array of right operands
   * @param aOff the index in {@code a} of the first array operand
   * @param out the array the results are written to
   * @param outOff the index in {@code out} of the first output
   * @param n the number of elements, at least 0
   */
  public static void scalarBinary(BinaryOp op, double s, double[] a, int aOff, double[] out, int outOff, int n) {
    checkRange("a", a.length, aOff, n);
    checkRange("out", out.length, outOff, n);
    IMPL.scalarBinary(op, s, a, aOff, out, outOff, n);
  }

  /**
   * The sum of {@code x[off, off + n)}, as a double.
   *
   * @param x the array holding the values
   * @param off the index in {@code x} of the first value
   * @param n the number of values to add, at least 0
   * @return the sum of the values, as a double
   */
  public static double sum(float[] x, int off, int n) {
    checkRange("x", x.length, off, n);
    return IMPL.sum(x, off, n);
  }

  /**
   * The sum of {@code x[off, off + n)}.
   *
   * @param x the array holding the values
   * @param off the index in {@code x} of the first value
   * @param n the number of values to add, at least 0
   * @return the sum of the values
   */
  public static double sum(double[] x, int off, int n) {
    checkRange("x", x.length, off, n);
    return IMPL.sum(x, off, n);
  }

  /**
   * The sum of one row {@code x[off, off + n)} in float32, in the one order every row sum of the
   * project uses (core's sums over the last axis and down to {@code [..., 1]}, the scan
   * compiler's fused row sums): element i is added, left to right, to accumulator {@code i % 8},
   * starting from 0, and the eight are then added pairwise, {@code ((a0 + a1) + (a2 + a3)) +
   * ((a4 + a5) + (a6 + a7))}. The eight independent additions run about as fast as a vector
   * loop, where one chain of dependent additions waits for each; the order is the same in every
   * kernel implementation and on every machine, so fused and unfused sums have the same bits.
   *
   * @param x the array holding the values
   * @param off the index in {@code x} of the first value
   * @param n the number of values to add, at least 0
   * @return the sum in float32, in the fixed eight-accumulator order; 0 when {@code n} is 0
   */
  public static float rowSum(float[] x, int off, int n) {
    checkRange("x", x.length, off, n);
    float a0 = 0f, a1 = 0f, a2 = 0f, a3 = 0f, a4 = 0f, a5 = 0f, a6 = 0f, a7 = 0f;
    int i = off;
    for (int end = off + n - 7; i < end; i += 8) {
      a0 += x[i];
      a1 += x[i + 1];
      a2 += x[i + 2];
      a3 += x[i + 3];
      a4 += x[i + 4];
      a5 += x[i + 5];
      a6 += x[i + 6];
      a7 += x[i + 7];
    }
    // the tail's elements go to the accumulators of their index, as in the loop
    int rest = off + n - i;
    if (rest > 0) { a0 += x[i]; }
    if (rest > 1) { a1 += x[i + 1]; }
    if (rest > 2) { a2 += x[i + 2]; }
    if (rest > 3) { a3 += x[i + 3]; }
    if (rest > 4) { a4 += x[i + 4]; }
    if (rest > 5) { a5 += x[i + 5]; }
    if (rest > 6) { a6 += x[i + 6]; }
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
  }

  /**
   * {@link #rowSum(float[], int, int)} in float64, in the same order.
   *
   * @param x the array holding the values
   * @param off the index in {@code x} of the first value
   * @param n the number of values to add, at least 0
   * @return the sum in float64, in the fixed eight-accumulator order; 0 when {@code n} is 0
   */
  public static double rowSum(double[] x, int off, int n) {
    checkRange("x", x.length, off, n);
    double a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    int i = off;
    for (int end = off + n - 7; i < end; i += 8) {
      a0 += x[i];
      a1 += x[i + 1];
      a2 += x[i + 2];
      a3 += x[i + 3];
      a4 += x[i + 4];
      a5 += x[i + 5];
      a6 += x[i + 6];
      a7 += x[i + 7];
    }
    int rest = off + n - i;
    if (rest > 0) { a0 += x[i]; }
    if (rest > 1) { a1 += x[i + 1]; }
    if (rest > 2) { a2 += x[i + 2]; }
    if (rest > 3) { a3 += x[i + 3]; }
    if (rest > 4) { a4 += x[i + 4]; }
    if (rest > 5) { a5 += x[i + 5]; }
    if (rest > 6) { a6 += x[i + 6]; }
    return ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7));
  }
}
