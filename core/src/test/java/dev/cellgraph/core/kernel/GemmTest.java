package dev.cellgraph.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.commons.math3.linear.BlockRealMatrix;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both GEMM implementations against Commons Math's {@link BlockRealMatrix} (computed in double)
 * and against each other, on awkward sizes, every transpose combination, accumulate, offsets and
 * leading dimensions larger than the column count, one and two threads.
 */
class GemmTest {

  /** m, n, k: ones, primes, below and above the register tile and the blocking sizes. */
  private static final int[][] SIZES = {
      {1, 1, 1}, {7, 7, 7}, {33, 33, 33}, {1, 257, 7}, {257, 1, 33}, {7, 33, 257},
      {16, 64, 256}, {49, 95, 300}, {13, 300, 17}, {26, 33, 9}, {48, 70, 300}, {20, 33, 5},
      // Large enough for two threads (2^18 multiply-adds in float64, 2^19 in float32): split by
      // columns, then by rows.
      {60, 300, 120}, {300, 40, 180},
  };

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (int[] s : SIZES) {
      for (int t = 0; t < 4; t++) {
        boolean transA = (t & 1) != 0;
        boolean transB = (t & 2) != 0;
        out.add(Arguments.of(s[0], s[1], s[2], transA, transB, t % 2 == 0, 1 + (s[0] + t) % 2));
      }
    }
    out.add(Arguments.of(257, 130, 257, false, false, false, 2));
    out.add(Arguments.of(130, 257, 257, true, true, true, 2));
    // More rows than one packed block of A (MC): several row blocks, shared by two threads or not.
    out.add(Arguments.of(1100, 1200, 20, false, false, true, 2));
    // Column split with few rows (each thread packs its own A), large enough for float32 too.
    out.add(Arguments.of(64, 2048, 64, false, false, false, 2));
    out.add(Arguments.of(1100, 130, 300, true, false, false, 1));
    // Few rows split by ragged column chunks, B read in place; more rows than columns but enough
    // panels of B to split by columns.
    out.add(Arguments.of(32, 1030, 40, false, false, true, 2));
    out.add(Arguments.of(300, 260, 30, true, false, false, 2));
    return out.stream();
  }

  /** A row-major matrix stored at an offset in a larger array, with a padded leading dimension. */
  private static final class Stored {
    final int rows;
    final int cols;
    final int off;
    final int ld;
    final double[] values;

    Stored(int rows, int cols, Random random) {
      this.rows = rows;
      this.cols = cols;
      this.off = 3;
      this.ld = cols + 2;
      this.values = new double[off + rows * ld + 5];
      for (int i = 0; i < values.length; i++) {
        // Padding gets values too, so a kernel that reads or writes it shows up; multiples of
        // 1/1024 are exact in float32, so both precisions start from the same numbers.
        values[i] = random.nextInt(2049) / 1024.0 - 1;
      }
    }

    double get(int i, int j) {
      return values[off + i * ld + j];
    }

    float[] floats() {
      float[] f = new float[values.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) values[i];
      }
      return f;
    }

    /** op(this) as a Commons Math matrix; absolute values if abs. */
    RealMatrix op(boolean trans, boolean abs) {
      RealMatrix m = new BlockRealMatrix(trans ? cols : rows, trans ? rows : cols);
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          double v = abs ? Math.abs(get(i, j)) : get(i, j);
          if (trans) {
            m.setEntry(j, i, v);
          } else {
            m.setEntry(i, j, v);
          }
        }
      }
      return m;
    }
  }

  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} accumulate={5} threads={6}")
  @MethodSource("cases")
  void bothImplementationsMatchCommonsMath(int m, int n, int k, boolean transA, boolean transB,
      boolean accumulate, int threads) {
    Random random = new Random(31L * m + 7L * n + k);
    Stored a = new Stored(transA ? k : m, transA ? m : k, random);
    Stored b = new Stored(transB ? n : k, transB ? k : n, random);
    Stored c = new Stored(m, n, random);

    RealMatrix expected = a.op(transA, false).multiply(b.op(transB, false));
    RealMatrix magnitude = a.op(transA, true).multiply(b.op(transB, true));
    if (accumulate) {
      expected = expected.add(c.op(false, false));
      magnitude = magnitude.add(c.op(false, true));
    }

    for (KernelImpl impl : List.of(Kernels.plain(), Kernels.active())) {
      double[] cd = c.values.clone();
      impl.gemm(transA, transB, m, n, k, a.values, a.off, a.ld, b.values, b.off, b.ld,
          cd, c.off, c.ld, accumulate, threads);
      check(impl.name() + " float64", c, cd, expected, magnitude, 0x1p-52);

      float[] cf = c.floats();
      impl.gemm(transA, transB, m, n, k, a.floats(), a.off, a.ld, b.floats(), b.off, b.ld,
          cf, c.off, c.ld, accumulate, threads);
      double[] cfd = new double[cf.length];
      for (int i = 0; i < cf.length; i++) {
        cfd[i] = cf[i];
      }
      // Same inputs (exact in float32); float rounding is the unit.
      check(impl.name() + " float32", c, cfd, expected, magnitude, 0x1p-23);
    }
  }

  /**
   * A packed B (packed once, used for many products) gives exactly the unpacked product's values:
   * the same blocks, micro-kernels and order of additions.
   */
  @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} accumulate={5} threads={6}")
  @MethodSource("cases")
  void packedOperandGivesTheSameValues(int m, int n, int k, boolean transA, boolean transB,
      boolean accumulate, int threads) {
    Random random = new Random(17L * m + 5L * n + k);
    Stored a = new Stored(transA ? k : m, transA ? m : k, random);
    Stored b = new Stored(transB ? n : k, transB ? k : n, random);
    Stored c = new Stored(m, n, random);
    for (KernelImpl impl : List.of(Kernels.plain(), Kernels.active())) {
      double[] want = c.values.clone();
      impl.gemm(transA, transB, m, n, k, a.values, a.off, a.ld, b.values, b.off, b.ld,
          want, c.off, c.ld, accumulate, threads);
      PackedMatrix pd = impl.pack(transB, k, n, b.values, b.off, b.ld);
      double[] got = c.values.clone();
      impl.gemm(transA, m, n, k, a.values, a.off, a.ld, pd, got, c.off, c.ld, accumulate, threads);
      assertArrayEquals(want, got, impl.name() + " float64");

      float[] wantF = c.floats();
      impl.gemm(transA, transB, m, n, k, a.floats(), a.off, a.ld, b.floats(), b.off, b.ld,
          wantF, c.off, c.ld, accumulate, threads);
      PackedMatrix pf = impl.pack(transB, k, n, b.floats(), b.off, b.ld);
      float[] gotF = c.floats();
      impl.gemm(transA, m, n, k, a.floats(), a.off, a.ld, pf, gotF, c.off, c.ld, accumulate, threads);
      assertArrayEquals(wantF, gotF, impl.name() + " float32");
    }
  }

  @Test
  void packedOperandOfTheWrongShapeOrDtypeIsRejected() {
    PackedMatrix p = Kernels.pack(false, 3, 4, new float[12], 0, 4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Kernels.gemm(false, 2, 4, 5, new float[10], 0, 5, p, new float[8], 0, 4, false));
    assertEquals("packed B is 3 x 4, the product needs 5 x 4", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Kernels.gemm(false, 2, 4, 3, new double[6], 0, 3, p, new double[8], 0, 4, false));
    assertEquals("packed B holds float32 values, the product is in float64", e.getMessage());
  }

  /** Every element within (k + 2) rounding units of its magnitude; padding untouched. */
  private static void check(String what, Stored c, double[] actual, RealMatrix expected,
      RealMatrix magnitude, double unit) {
    int k = Math.max(1, expected.getColumnDimension());
    for (int i = 0; i < actual.length; i++) {
      int r = (i - c.off) / c.ld;
      int j = (i - c.off) % c.ld;
      boolean inside = i >= c.off && r < c.rows && j < c.cols;
      if (!inside) {
        assertEquals(c.values[i], actual[i], 0.0, what + ": wrote outside C at index " + i);
        continue;
      }
      double tol = (k + 2) * unit * magnitude.getEntry(r, j) * 4 + 1e-300;
      double value = actual[i];
      double diff = Math.abs(value - expected.getEntry(r, j));
      assertTrue(diff <= tol, () -> what + ": C[" + r + "][" + j + "] = " + value + ", expected "
          + expected.getEntry(r, j) + " (tolerance " + tol + ")");
    }
  }

  @Test
  void emptyDepthZeroesOrKeepsC() {
    for (KernelImpl impl : List.of(Kernels.plain(), Kernels.active())) {
      float[] c = {1, 2, 3, 4};
      impl.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 0, 2, true, 1);
      assertEquals(List.of(1f, 2f, 3f, 4f), List.of(c[0], c[1], c[2], c[3]), impl.name());
      impl.gemm(false, false, 2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 0, 2, false, 1);
      assertEquals(List.of(0f, 0f, 0f, 0f), List.of(c[0], c[1], c[2], c[3]), impl.name());
    }
  }

  @Test
  void vectorAndPlainAgreeOnLargeProductWithTwoThreads() {
    int m = 100;
    int n = 300;
    int k = 200;
    Random random = new Random(5);
    double[] a = random.doubles((long) m * k, -1, 1).toArray();
    double[] b = random.doubles((long) k * n, -1, 1).toArray();
    double[] plain = new double[m * n];
    double[] vector = new double[m * n];
    Kernels.plain().gemm(false, true, m, n, k, a, 0, k, b, 0, k, plain, 0, n, false, 2);
    Kernels.active().gemm(false, true, m, n, k, a, 0, k, b, 0, k, vector, 0, n, false, 2);
    for (int i = 0; i < plain.length; i++) {
      assertEquals(plain[i], vector[i], 1e-12, "element " + i);
    }
  }

  /**
   * Every element of C is one chain of multiply-adds in depth order: one thread or two, B packed
   * in advance (depth blocks of 256) or packed per product (one block of up to 1024 depths for
   * products this tall), ragged edge tiles included, give the same bits.
   */
  @ParameterizedTest(name = "transA={0} accumulate={1}")
  @MethodSource("transAndAccumulate")
  void resultsDoNotDependOnBlockingThreadsOrPacking(boolean transA, boolean accumulate) {
    int m = 150;
    int n = 230;
    int k = 1300;
    Random random = new Random(11);
    Stored a = new Stored(transA ? k : m, transA ? m : k, random);
    Stored b = new Stored(k, n, random);
    Stored c = new Stored(m, n, random);
    KernelImpl impl = Kernels.active();
    float[] one = c.floats();
    impl.gemm(transA, false, m, n, k, a.floats(), a.off, a.ld, b.floats(), b.off, b.ld, one, c.off, c.ld, accumulate, 1);
    float[] two = c.floats();
    impl.gemm(transA, false, m, n, k, a.floats(), a.off, a.ld, b.floats(), b.off, b.ld, two, c.off, c.ld, accumulate, 2);
    float[] packed = c.floats();
    impl.gemm(transA, m, n, k, a.floats(), a.off, a.ld, impl.pack(false, k, n, b.floats(), b.off, b.ld),
        packed, c.off, c.ld, accumulate, 2);
    assertArrayEquals(one, two, "two threads");
    assertArrayEquals(one, packed, "packed B");
    double[] oneD = c.values.clone();
    impl.gemm(transA, false, m, n, k, a.values, a.off, a.ld, b.values, b.off, b.ld, oneD, c.off, c.ld, accumulate, 1);
    double[] packedD = c.values.clone();
    impl.gemm(transA, m, n, k, a.values, a.off, a.ld, impl.pack(false, k, n, b.values, b.off, b.ld),
        packedD, c.off, c.ld, accumulate, 2);
    assertArrayEquals(oneD, packedD, "float64, packed B, two threads");
  }

  /**
   * One row of A times a packed B, the product of a streaming step, runs its own loop (four panels
   * at a time, no padded rows): the same bits as the tiles of the unpacked product, for widths
   * below, at and past four panels, ragged last panels, and depths past one block (KC).
   */
  @ParameterizedTest(name = "transA={0} accumulate={1}")
  @MethodSource("transAndAccumulate")
  void oneRowTimesAPackedMatrixGivesTheTilesBits(boolean transA, boolean accumulate) {
    KernelImpl impl = Kernels.active();
    int nr = FloatGemm.NR;
    for (int n : new int[] {1, nr - 1, nr, 3 * nr + 5, 4 * nr, 8 * nr + 3, 1024}) {
      for (int k : new int[] {1, 9, FloatGemm.KC + 44, 2 * DoubleGemm.KC + 1}) {
        Random random = new Random(31L * n + k);
        Stored a = new Stored(transA ? k : 1, transA ? 1 : k, random);
        Stored b = new Stored(k, n, random);
        Stored c = new Stored(1, n, random);
        String where = "n=" + n + " k=" + k;
        float[] want = c.floats();
        impl.gemm(transA, false, 1, n, k, a.floats(), a.off, a.ld, b.floats(), b.off, b.ld, want, c.off, c.ld,
            accumulate, 1);
        // on two threads the one-row loop splits its columns when the product is large enough
        for (int threads = 1; threads <= 2; threads++) {
          float[] got = c.floats();
          impl.gemm(transA, 1, n, k, a.floats(), a.off, a.ld, impl.pack(false, k, n, b.floats(), b.off, b.ld), got,
              c.off, c.ld, accumulate, threads);
          assertArrayEquals(want, got, "float32 " + where + " threads=" + threads);
        }
        double[] wantD = c.values.clone();
        impl.gemm(transA, false, 1, n, k, a.values, a.off, a.ld, b.values, b.off, b.ld, wantD, c.off, c.ld,
            accumulate, 2);
        double[] gotD = c.values.clone();
        impl.gemm(transA, 1, n, k, a.values, a.off, a.ld, impl.pack(true, k, n, transposed(b), 0, k), gotD, c.off,
            c.ld, accumulate, 2);
        assertArrayEquals(wantD, gotD, "float64 " + where);
        // and the values: the row times B, plus C when accumulating
        for (int j = 0; j < n; j++) {
          double dot = accumulate ? c.get(0, j) : 0;
          for (int p = 0; p < k; p++) {
            dot += (transA ? a.get(p, 0) : a.get(0, p)) * b.get(p, j);
          }
          assertEquals(dot, gotD[c.off + j], 1e-12 * k, "float64 " + where + " column " + j);
        }
      }
    }
  }

  /** B's values transposed into a dense {@code cols x rows} array. */
  private static double[] transposed(Stored b) {
    double[] t = new double[b.rows * b.cols];
    for (int i = 0; i < b.rows; i++) {
      for (int j = 0; j < b.cols; j++) {
        t[j * b.rows + i] = b.get(i, j);
      }
    }
    return t;
  }

  static Stream<Arguments> transAndAccumulate() {
    return Stream.of(Arguments.of(false, false), Arguments.of(false, true), Arguments.of(true, true));
  }
}
