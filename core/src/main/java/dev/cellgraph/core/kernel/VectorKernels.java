package dev.cellgraph.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vectorized kernels (JDK incubator Vector API). {@link Kernels} loads this class by name,
 * only when the JVM has the module.
 *
 * <p>Agreement with the scalar meaning of each op ({@link UnaryOp}, {@link BinaryOp}):
 * <ul>
 *   <li>Bit for bit: every binary op, and NEG, ABS, SQUARE, SQRT, RECIPROCAL, RELU, SIGN, STEP,
 *       SOFTSIGN (in float32 these give the same bits as the double-then-round scalar meaning:
 *       SOFTSIGN is evaluated in double for that reason).
 *   <li>Within a few ulp: EXP, TANH, SIGMOID, by the polynomial code in {@link VectorMath}
 *       (float64 within 4 ulp; float32 by float polynomials of its own, within 2 float ulp).
 *   <li>Scalar loops: LOG and SOFTPLUS, whose vector versions would need log polynomials for
 *       ops no hot path uses.
 *   <li>{@code sum} adds in a different order, so it agrees to within float rounding.
 * </ul>
 */
final class VectorKernels implements KernelImpl {
  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final VectorSpecies<Double> D = VectorMath.D;
  private static final VectorSpecies<Float> FD = VectorMath.FLOATS_PER_DOUBLE_VECTOR;
  private static final int DL = D.length();

  private final PlainKernels scalar = new PlainKernels();

  @Override
  public String name() {
    return "Vector API (" + F.vectorBitSize() + "-bit)";
  }

  @Override
  public String describe() {
    return name() + ": " + VectorWidth.describe() + "\n" + FloatGemm.BLOCKING.describe() + "\n"
        + DoubleGemm.BLOCKING.describe();
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate, int threads) {
    FloatGemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads);
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate, int threads) {
    DoubleGemm.gemm(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, threads);
  }

  @Override
  public PackedMatrix pack(boolean transB, int k, int n, float[] b, int bOff, int ldb) {
    return new PackedMatrix(this, k, n, FloatGemm.pack(transB, b, bOff, ldb, k, n), null);
  }

  @Override
  public PackedMatrix pack(boolean transB, int k, int n, double[] b, int bOff, int ldb) {
    return new PackedMatrix(this, k, n, null, DoubleGemm.pack(transB, b, bOff, ldb, k, n));
  }

  @Override
  public void gemm(boolean transA, int m, int n, int k, float[] a, int aOff, int lda, PackedMatrix b,
      float[] c, int cOff, int ldc, boolean accumulate, int threads) {
    FloatGemm.gemmPacked(transA, m, n, k, a, aOff, lda, b.floats(), c, cOff, ldc, accumulate, threads);
  }

  @Override
  public void gemm(boolean transA, int m, int n, int k, double[] a, int aOff, int lda, PackedMatrix b,
      double[] c, int cOff, int ldc, boolean accumulate, int threads) {
    DoubleGemm.gemmPacked(transA, m, n, k, a, aOff, lda, b.doubles(), c, cOff, ldc, accumulate, threads);
  }

  // ---- unary and binary: one loop per op, see FloatLoops for why ---------------------------------

  @Override
  public void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
    if (!FloatLoops.unary(op, x, xOff, out, outOff, n)) {
      scalar.unary(op, x, xOff, out, outOff, n);
    }
  }

  @Override
  public void unary(UnaryOp op, double[] x, int xOff, double[] out, int outOff, int n) {
    if (!DoubleLoops.unary(op, x, xOff, out, outOff, n)) {
      scalar.unary(op, x, xOff, out, outOff, n);
    }
  }

  @Override
  public void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    FloatLoops.binary(op, a, aOff, b, bOff, out, outOff, n);
  }

  @Override
  public void binary(BinaryOp op, double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    DoubleLoops.binary(op, a, aOff, b, bOff, out, outOff, n);
  }

  @Override
  public void binaryScalar(BinaryOp op, float[] a, int aOff, float s, float[] out, int outOff, int n) {
    FloatLoops.binaryScalar(op, a, aOff, s, out, outOff, n);
  }

  @Override
  public void binaryScalar(BinaryOp op, double[] a, int aOff, double s, double[] out, int outOff, int n) {
    DoubleLoops.binaryScalar(op, a, aOff, s, out, outOff, n);
  }

  @Override
  public void scalarBinary(BinaryOp op, float s, float[] a, int aOff, float[] out, int outOff, int n) {
    FloatLoops.binaryScalarFirst(op, s, a, aOff, out, outOff, n);
  }

  @Override
  public void scalarBinary(BinaryOp op, double s, double[] a, int aOff, double[] out, int outOff, int n) {
    DoubleLoops.binaryScalarFirst(op, s, a, aOff, out, outOff, n);
  }

  // ---- reductions -----------------------------------------------------------------------------

  @Override
  public double sum(float[] x, int off, int n) {
    DoubleVector acc0 = DoubleVector.zero(D);
    DoubleVector acc1 = DoubleVector.zero(D);
    int step = FD.length();
    int i = 0;
    for (int upper = n - 2 * step; i <= upper; i += 2 * step) {
      acc0 = acc0.add(FloatVector.fromArray(FD, x, off + i).convertShape(VectorOperators.F2D, D, 0));
      acc1 = acc1.add(FloatVector.fromArray(FD, x, off + i + step).convertShape(VectorOperators.F2D, D, 0));
    }
    return inOrder(acc0.add(acc1)) + scalar.sum(x, off + i, n - i);
  }

  /**
   * The lanes' sum, left to right. {@code reduceLanes(ADD)} may add floating-point lanes in any
   * order, and does so differently interpreted and compiled by C2, so a sum (a gradient norm for
   * clipping, say) could change in its last bit as the JIT warmed up: same seed, other numbers.
   */
  private static double inOrder(DoubleVector v) {
    double s = 0;
    for (int k = 0; k < v.length(); k++) {
      s += v.lane(k);
    }
    return s;
  }

  @Override
  public double sum(double[] x, int off, int n) {
    DoubleVector acc0 = DoubleVector.zero(D);
    DoubleVector acc1 = DoubleVector.zero(D);
    int i = 0;
    for (int upper = n - 2 * DL; i <= upper; i += 2 * DL) {
      acc0 = acc0.add(DoubleVector.fromArray(D, x, off + i));
      acc1 = acc1.add(DoubleVector.fromArray(D, x, off + i + DL));
    }
    return inOrder(acc0.add(acc1)) + scalar.sum(x, off + i, n - i);
  }
}
