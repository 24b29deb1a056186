package dev.cellgraph.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Vector API GEMM against the plain-Java one at whatever vector width and register count the
 * JVM runs it with: core's pom runs this class again with {@code cellgraph.vector.bits=256} and
 * with 128 bits and 16 registers (AVX2- and NEON-like tiles: 6-row slivers, 8-float panels), so
 * the kernels are checked on every width, not only the widest one of this machine.
 */
class GemmAnyWidthTest {

  @BeforeAll
  static void vectorized() {
    Assumptions.assumeTrue(Kernels.isVectorized(), "the Vector API is not enabled");
    String bits = System.getProperty("cellgraph.vector.bits");
    if (bits != null) {
      assertEquals(Integer.parseInt(bits), VectorWidth.BITS, "the forced width is the one in use");
      assertEquals(VectorWidth.BITS, FloatGemm.BLOCKING.vectorBits);
    }
    String registers = System.getProperty("cellgraph.vector.registers");
    if (registers != null) {
      assertEquals(Integer.parseInt(registers) >= 32 ? 12 : 6, FloatGemm.MR);
    }
  }

  /**
   * Shapes that reach every path: in-place A (at most 48 rows, a multiple of 4), B read in place,
   * ragged edges and padded slivers, blocks deeper than KC, two threads by rows and by columns,
   * and a shared packed A (96 rows or more).
   */
  @ParameterizedTest(name = "{0} x {1} x {2}, transA={3}, transB={4}, accumulate={5}, threads={6}")
  @CsvSource({
      "1, 1, 1, false, false, false, 1",
      "5, 7, 3, true, false, true, 1",
      "16, 64, 256, false, false, false, 1",
      "20, 33, 5, false, true, true, 1",
      "48, 70, 300, false, false, false, 1",
      "13, 300, 17, true, true, false, 1",
      "31, 17, 600, false, false, true, 1",
      "64, 2048, 64, false, false, false, 2",
      "150, 230, 1300, false, false, true, 2",
      "150, 230, 300, true, true, false, 2",
      "300, 40, 180, false, false, false, 2",
      "97, 61, 257, true, false, true, 1",
  })
  void vectorGemmMatchesPlainJava(int m, int n, int k, boolean transA, boolean transB, boolean accumulate,
      int threads) {
    Random random = new Random(m * 31 + n * 7 + k);
    double[] a = values(m * k, random);
    double[] b = values(k * n, random);
    double[] c0 = values(m * n, random);
    int lda = transA ? m : k;
    int ldb = transB ? k : n;

    double[] plain = c0.clone();
    Kernels.plain().gemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, plain, 0, n, accumulate, threads);
    double[] vector = c0.clone();
    Kernels.active().gemm(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, vector, 0, n, accumulate, threads);
    close(plain, vector, k, 0x1p-50, "float64");

    float[] af = floats(a);
    float[] bf = floats(b);
    float[] plainF = floats(c0);
    Kernels.plain().gemm(transA, transB, m, n, k, af, 0, lda, bf, 0, ldb, plainF, 0, n, accumulate, threads);
    float[] vectorF = floats(c0);
    Kernels.active().gemm(transA, transB, m, n, k, af, 0, lda, bf, 0, ldb, vectorF, 0, n, accumulate, threads);
    double[] pf = new double[plainF.length];
    double[] vf = new double[vectorF.length];
    for (int i = 0; i < pf.length; i++) {
      pf[i] = plainF[i];
      vf[i] = vectorF[i];
    }
    close(pf, vf, k, 0x1p-21, "float32");

    if (!transB) {
      // one chain of multiply-adds per element: one thread, two, or B packed in advance, same bits
      float[] one = floats(c0);
      Kernels.active().gemm(transA, false, m, n, k, af, 0, lda, bf, 0, ldb, one, 0, n, accumulate, 1);
      float[] packed = floats(c0);
      Kernels.active().gemm(transA, m, n, k, af, 0, lda, Kernels.active().pack(false, k, n, bf, 0, ldb),
          packed, 0, n, accumulate, 2);
      assertArrayEquals(one, vectorF, "threads");
      assertArrayEquals(one, packed, "packed B");
    }
  }

  /** Within {@code eps} times the depth of the plain result, scaled by the values' size (at most 1). */
  private static void close(double[] expected, double[] actual, int k, double eps, String what) {
    for (int i = 0; i < expected.length; i++) {
      double tolerance = eps * (k + 2) * 2;
      assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance,
          what + ": element " + i + " is " + actual[i] + ", plain Java gives " + expected[i]);
    }
  }

  private static double[] values(int n, Random random) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextInt(2049) / 1024.0 - 1;
    }
    return v;
  }

  private static float[] floats(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }
}
