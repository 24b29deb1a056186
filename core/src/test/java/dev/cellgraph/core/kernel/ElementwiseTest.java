package dev.cellgraph.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.DoubleStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Both implementations of every elementwise op against the ops' scalar meaning. */
class ElementwiseTest {
  /** Ops that the vectorized kernels approximate; all others must agree bit for bit. */
  private static final Set<UnaryOp> APPROXIMATED = EnumSet.of(UnaryOp.EXP, UnaryOp.TANH, UnaryOp.SIGMOID);
  private static final List<KernelImpl> IMPLS = List.of(Kernels.plain(), Kernels.active());

  private static final double[] SPECIAL = {
      0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1e-300, -1e-300, 0x1p-30, -0x1p-30, 1e-8, -1e-8, 0.1, -0.3,
      2.5, -2.5, 19.0, -19.5, 22.0, -40.0, 88.7, -87.3, 103.9, -104.0, 700.0, -700.0, 709.7, 709.8,
      -708.5, -745.0, -745.2, 710.0, -746.0, 1e10, -1e10, Double.MAX_VALUE, -Double.MAX_VALUE,
      Double.MIN_VALUE, -Double.MIN_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
  };

  /** Special values, a dense grid over [-40, 40], and a finer one near zero; 1 less than a lane multiple. */
  private static double[] inputs() {
    DoubleStream grid = DoubleStream.iterate(-40, x -> x + 0.0137).limit(5840);
    DoubleStream fine = DoubleStream.iterate(-1e-3, x -> x + 1.7e-6).limit(1200);
    return DoubleStream.concat(DoubleStream.of(SPECIAL), DoubleStream.concat(grid, fine)).toArray();
  }

  @ParameterizedTest
  @EnumSource(UnaryOp.class)
  void unaryFloat64MatchesScalarMeaning(UnaryOp op) {
    double[] x = inputs();
    int off = 3;
    double[] in = new double[x.length + off];
    System.arraycopy(x, 0, in, off, x.length);
    for (KernelImpl impl : IMPLS) {
      for (int n : new int[] {x.length, 1, 5, 17}) {
        double[] out = new double[n + 2];
        out[0] = 42;
        out[n + 1] = 42;
        impl.unary(op, in, off, out, 1, n);
        assertEquals(42, out[0]);
        assertEquals(42, out[n + 1]);
        for (int i = 0; i < n; i++) {
          double expected = op.apply(x[i]);
          double tol = APPROXIMATED.contains(op) && impl != Kernels.plain() ? 4 : 0;
          checkUlps(impl.name() + " " + op, x[i], expected, out[i + 1], tol);
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(UnaryOp.class)
  void unaryFloat32MatchesScalarMeaning(UnaryOp op) {
    double[] x = inputs();
    float[] in = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      in[i] = (float) x[i];
    }
    for (KernelImpl impl : IMPLS) {
      float[] out = new float[in.length];
      impl.unary(op, in, 0, out, 0, in.length);
      for (int i = 0; i < in.length; i++) {
        float expected = op.apply(in[i]);
        // Evaluated in float lanes by polynomials (VectorMath): within 2 float ulps.
        double tol = APPROXIMATED.contains(op) && impl != Kernels.plain() ? 2 : 0;
        checkUlps(impl.name() + " " + op, in[i], expected, out[i], tol);
      }
    }
  }

  /**
   * Same NaN-ness, same infinities, same sign of zero, and within tol ulps of the expected value.
   * The message is built only on failure: the suite checks about a million values.
   */
  private static void checkUlps(String op, Object input, double expected, double actual, double tol) {
    if (!withinUlps(expected, actual, tol)) {
      fail(op + "(" + input + ") = " + actual + ", expected " + expected);
    }
  }

  private static void checkUlps(String op, Object input, float expected, float actual, double tol) {
    if (!withinUlps(expected, actual, tol)) {
      fail(op + "(" + input + "f) = " + actual + "f, expected " + expected + "f");
    }
  }

  private static boolean withinUlps(double expected, double actual, double tol) {
    if (Double.isNaN(expected) || Double.isNaN(actual)) {
      return Double.isNaN(expected) && Double.isNaN(actual);
    }
    if (tol == 0 || Double.isInfinite(expected) || expected == 0) {
      return Double.doubleToLongBits(expected) == Double.doubleToLongBits(actual);
    }
    return Math.abs(actual - expected) / Math.ulp(expected) <= tol;
  }

  private static boolean withinUlps(float expected, float actual, double tol) {
    if (Float.isNaN(expected) || Float.isNaN(actual)) {
      return Float.isNaN(expected) && Float.isNaN(actual);
    }
    if (tol == 0 || Float.isInfinite(expected) || expected == 0) {
      return Float.floatToIntBits(expected) == Float.floatToIntBits(actual);
    }
    return Math.abs(actual - expected) / Math.ulp(expected) <= tol;
  }

  private static final double[] BINARY_VALUES = {
      0.0, -0.0, 1.0, -1.0, 2.5, -3.75, 1e-300, 1e300, -1e300, Double.MIN_VALUE,
      Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN,
  };

  @ParameterizedTest
  @EnumSource(BinaryOp.class)
  void binaryOpsAgreeBitForBitInEveryForm(BinaryOp op) {
    int v = BINARY_VALUES.length;
    int n = v * v;
    double[] a = new double[n];
    double[] b = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = BINARY_VALUES[i / v];
      b[i] = BINARY_VALUES[i % v];
    }
    float[] af = new float[n];
    float[] bf = new float[n];
    for (int i = 0; i < n; i++) {
      af[i] = (float) a[i];
      bf[i] = (float) b[i];
    }
    for (KernelImpl impl : IMPLS) {
      String name = impl.name() + " " + op;
      double[] out = new double[n];
      impl.binary(op, a, 0, b, 0, out, 0, n);
      float[] outf = new float[n];
      impl.binary(op, af, 0, bf, 0, outf, 0, n);
      for (int i = 0; i < n; i++) {
        checkUlps(name, a[i] + ", " + b[i], op.apply(a[i], b[i]), out[i], 0);
        checkUlps(name, af[i] + "f, " + bf[i], op.apply(af[i], bf[i]), outf[i], 0);
      }
      for (double s : BINARY_VALUES) {
        impl.binaryScalar(op, a, 0, s, out, 0, n);
        impl.binaryScalar(op, af, 0, (float) s, outf, 0, n);
        for (int i = 0; i < n; i++) {
          checkUlps(name, a[i] + ", scalar " + s, op.apply(a[i], s), out[i], 0);
          checkUlps(name, af[i] + "f, scalar " + s, op.apply(af[i], (float) s), outf[i], 0);
        }
        impl.scalarBinary(op, s, a, 0, out, 0, n);
        impl.scalarBinary(op, (float) s, af, 0, outf, 0, n);
        for (int i = 0; i < n; i++) {
          checkUlps(name, "scalar " + s + ", " + a[i], op.apply(s, a[i]), out[i], 0);
          checkUlps(name, "scalar " + s + "f, " + af[i], op.apply((float) s, af[i]), outf[i], 0);
        }
      }
    }
  }

  @Test
  void sumsAgreeWithinRounding() {
    for (int n : new int[] {0, 1, 7, 33, 257, 10007}) {
      double[] x = new double[n + 2];
      float[] xf = new float[n + 2];
      double sum = 0;
      double sumOfFloats = 0;
      for (int i = 0; i < n; i++) {
        x[i + 2] = Math.sin(i) * 1000;
        xf[i + 2] = (float) x[i + 2];
        sum += x[i + 2];
        sumOfFloats += xf[i + 2];
      }
      for (KernelImpl impl : IMPLS) {
        // Accumulated in double in another order: n additions of values up to 1000.
        double tol = 1e-13 * Math.max(1, n) * 1000;
        assertEquals(sumOfFloats, impl.sum(xf, 2, n), tol, impl.name() + " float32 n=" + n);
        assertEquals(sum, impl.sum(x, 2, n), tol, impl.name() + " float64 n=" + n);
      }
    }
  }

  @Test
  void activeImplementationIsVectorizedInThisBuild() {
    // The build passes --add-modules jdk.incubator.vector to the tests; without it this suite
    // would only test the plain kernels twice. CI's run on the plain kernels asks for them.
    boolean plainAsked = "plain".equals(System.getProperty("cellgraph.kernels"));
    if (Kernels.isVectorized() == plainAsked) {
      fail("expected the " + (plainAsked ? "plain" : "Vector API") + " kernels, got " + Kernels.implementation());
    }
  }
}
