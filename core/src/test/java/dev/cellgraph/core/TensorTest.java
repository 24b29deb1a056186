package dev.cellgraph.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.random.Rng;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class TensorTest {

  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
  void aMatrixPackedEitherWayGivesTheSameBitsAsUnpackedProducts(DType dtype) {
    // 40 x 70 times W (70 x 90) and times Wᵀ (W' 90 x 70): packed as read, packed the other way
    // (then packed per product as usual), or not at all
    Rng rng = Rng.seeded(9);
    Tensor a = dev.cellgraph.core.random.Initializers.normal(rng, dtype, Shape.of(40, 70), 0, 1);
    Tensor w = dev.cellgraph.core.random.Initializers.normal(rng, dtype, Shape.of(70, 90), 0, 1);
    Tensor wt = dev.cellgraph.core.random.Initializers.normal(rng, dtype, Shape.of(90, 70), 0, 1);
    Tensor plain = a.matmul(w);
    Tensor plainT = a.matmul(wt, false, true);
    assertEquals(plain, a.matmul(w.packedForMatmul()));
    assertEquals(plain, a.matmul(w.packedForMatmul(true)));
    assertEquals(plainT, a.matmul(wt.packedForMatmul(true), false, true));
    assertEquals(plainT, a.matmul(wt.packedForMatmul(), false, true));
    assertEquals(wt, wt.packedForMatmul(true)); // same values
    // and Wᵀ packed is Wᵀ: the product is a product
    assertTrue(plainT.allClose(a.matmul(wt.transpose()), 1e-4, 1e-4));
  }

  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
  void largeRowBroadcastsAndSumsGiveTheSameBitsOnOneThreadAndOnTwo(DType dtype) {
    // large enough to split: rows of the broadcast (2^16 elements), columns of the sum (2^22)
    Rng rng = Rng.seeded(5);
    Tensor big = dev.cellgraph.core.random.Initializers.normal(rng, dtype, Shape.of(600, 300), 0, 1);
    Tensor bias = dev.cellgraph.core.random.Initializers.normal(rng, dtype, Shape.of(300), 0, 1);
    Tensor tall = dev.cellgraph.core.random.Initializers.normal(rng, dtype, Shape.of(14000, 300), 0, 1);
    Tensor sum1 = dev.cellgraph.core.kernel.Kernels.withThreads(1, () -> big.add(bias));
    Tensor firstBias1 = dev.cellgraph.core.kernel.Kernels.withThreads(1, () -> bias.sub(big));
    Tensor reduced1 = dev.cellgraph.core.kernel.Kernels.withThreads(1, () -> tall.sumTo(Shape.of(300)));
    dev.cellgraph.core.kernel.Kernels.withThreads(2, () -> {
      assertEquals(sum1, big.add(bias));
      assertEquals(firstBias1, bias.sub(big));
      assertEquals(reduced1, tall.sumTo(Shape.of(300)));
      return null;
    });
    // and the sum is the sum: column 7 added up in double
    double s = 0;
    for (int r = 0; r < 14000; r++) {
      s += tall.getFlat(r * 300 + 7);
    }
    assertEquals(s, reduced1.getFlat(7), dtype == DType.FLOAT32 ? 2e-2 : 1e-9);
  }
  private static final Rng RNG = Rng.seeded(20240101);

  // ---------------------------------------------------------------- helpers

  /** A float64 tensor of uniform(-1, 1) values, drawn from a fixed seed. */
  private static Tensor random(int... dims) {
    Shape s = Shape.of(dims);
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = 2 * RNG.nextDouble() - 1;
    }
    return Tensor.of(DType.FLOAT64, v, s);
  }

  private static Tensor arange(int... dims) {
    Shape s = Shape.of(dims);
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    return Tensor.of(DType.FLOAT64, v, s);
  }

  private static void assertMessage(String message, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertEquals(message, e.getMessage());
  }

  /** The row-major coordinates of flat position {@code flat} in {@code s}. */
  private static int[] coords(Shape s, int flat) {
    int[] c = new int[s.rank()];
    for (int ax = s.rank() - 1; ax >= 0; ax--) {
      c[ax] = flat % s.dim(ax);
      flat /= s.dim(ax);
    }
    return c;
  }

  /** NumPy broadcasting spelled out element by element: the reference for zip. */
  private static Tensor naiveZip(BinaryOp op, Tensor a, Tensor b) {
    Shape out = Shape.broadcast(a.shape(), b.shape());
    double[] v = new double[out.size()];
    for (int i = 0; i < v.length; i++) {
      int[] c = coords(out, i);
      v[i] = op.apply(a.get(project(c, a.shape())), b.get(project(c, b.shape())));
    }
    return Tensor.of(a.dtype(), v, out);
  }

  private static int[] project(int[] c, Shape s) {
    int[] p = new int[s.rank()];
    int off = c.length - s.rank();
    for (int i = 0; i < p.length; i++) {
      p[i] = s.dim(i) == 1 ? 0 : c[i + off];
    }
    return p;
  }

  /** The triple loop, on 2-D float64 matrices. */
  private static Tensor naiveMatmul(Tensor a, Tensor b) {
    int m = a.shape().dim(0);
    int k = a.shape().dim(1);
    int n = b.shape().dim(1);
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += a.get(i, p) * b.get(p, j);
        }
        c[i * n + j] = s;
      }
    }
    return Tensor.of(c, m, n);
  }

  private static Tensor naiveTranspose(Tensor a) {
    int r = a.shape().dim(0);
    int c = a.shape().dim(1);
    double[] v = new double[r * c];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        v[j * r + i] = a.get(i, j);
      }
    }
    return Tensor.of(v, c, r);
  }

  private static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) {
      s += a.getFlat(i) * b.getFlat(i);
    }
    return s;
  }

  // ---------------------------------------------------------------- Shape

  @Nested
  class ShapeTest {
    @Test
    void isAValidatedValueType() {
      Shape s = Shape.of(2, 3, 4);
      assertEquals(3, s.rank());
      assertEquals(24, s.size());
      assertEquals(4, s.dim(-1));
      assertArrayEquals(new int[] {12, 4, 1}, s.strides());
      assertEquals(Shape.of(2, 3, 4), s);
      assertEquals(Shape.of(2, 3, 4).hashCode(), s.hashCode());
      assertNotEquals(Shape.of(2, 3), s);
      assertEquals("[2, 3, 4]", s.toString());
      assertEquals(Shape.of(2, 5, 4), s.with(1, 5));
      assertEquals(Shape.of(2, 4), s.without(-2));
      assertEquals(12, s.product(1, 3));
      assertSame(Shape.scalar(), Shape.of());
      assertTrue(Shape.scalar().isScalar());
      assertEquals(1, Shape.scalar().size());
      assertEquals("[]", Shape.scalar().toString());
      assertEquals(0, Shape.of(3, 0).size());
    }

    @Test
    void isImmutable() {
      int[] dims = {2, 3};
      Shape s = Shape.of(dims);
      dims[0] = 7;
      assertEquals(2, s.dim(0));
      s.toArray()[1] = 9;
      assertEquals(3, s.dim(1));
    }

    @Test
    void rejectsBadDimensionsAndAxes() {
      assertMessage("dimension 1 (-2) of shape [3, -2] must not be negative", () -> Shape.of(3, -2));
      assertMessage("axis 2 is out of range for shape [2, 3] of rank 2", () -> Shape.of(2, 3).dim(2));
      assertMessage("axis -3 is out of range for shape [2, 3] of rank 2", () -> Shape.of(2, 3).normalizeAxis(-3));
      assertMessage("shape [65536, 65536] has more than 2147483647 elements", () -> Shape.of(65536, 65536));
    }

    @Test
    void sizeLimitDoesNotDependOnWhereAZeroIs() {
      // Sub-products of a shape serve as strides and loop bounds, so they must fit in an int
      // whichever dimension is zero.
      String msg = "shape %s is too large: the product of its non-zero dimensions exceeds 2147483647";
      assertMessage(String.format(msg, "[65536, 65536, 0]"), () -> Shape.of(65536, 65536, 0));
      assertMessage(String.format(msg, "[0, 65536, 65536]"), () -> Shape.of(0, 65536, 65536));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[2, 3] | [3]       | [2, 3]",
        "[2, 3] | []        | [2, 3]",
        "[3, 1] | [1, 4]    | [3, 4]",
        "[5, 1, 4] | [3, 1] | [5, 3, 4]",
        "[1] | [2, 1, 3]    | [2, 1, 3]",
        "[0, 3] | [1, 3]    | [0, 3]",
        "[2, 3] | [4]       | null",
        "[2, 3] | [3, 2, 2] | null"})
    void broadcastFollowsNumPy(String a, String b, String expected) {
      Shape out = Shape.broadcast(parse(a), parse(b));
      if (expected.equals("null")) {
        assertNull(out);
        assertNull(Shape.broadcast(parse(b), parse(a)));
      } else {
        assertEquals(parse(expected), out);
        assertEquals(parse(expected), Shape.broadcast(parse(b), parse(a)), "broadcast is symmetric");
      }
    }

    private Shape parse(String s) {
      String body = s.trim().substring(1, s.trim().length() - 1).trim();
      if (body.isEmpty()) {
        return Shape.scalar();
      }
      String[] parts = body.split(",\\s*");
      int[] d = new int[parts.length];
      for (int i = 0; i < d.length; i++) {
        d[i] = Integer.parseInt(parts[i]);
      }
      return Shape.of(d);
    }
  }

  // ---------------------------------------------------------------- creation and access

  @Test
  void factoriesMakeTheRequestedDtypeShapeAndValues() {
    assertEquals("float32[2, 2] [0.00000, 0.00000, 0.00000, 0.00000]", Tensor.zeros(DType.FLOAT32, 2, 2).toString());
    assertEquals(Tensor.of(new double[] {1, 1, 1}, 3), Tensor.ones(DType.FLOAT64, 3));
    assertEquals(7L, Tensor.full(DType.INT64, 7, 2).getLong(1));
    Tensor s = Tensor.scalar(DType.FLOAT32, 2.5);
    assertEquals(0, s.rank());
    assertEquals(2.5, s.item());
    assertEquals(2.5, s.get());
    Tensor m = Tensor.matrix(new double[][] {{1, 2, 3}, {4, 5, 6}});
    assertEquals(Shape.of(2, 3), m.shape());
    assertEquals(6.0, m.get(1, 2));
    assertEquals(DType.INT32, Tensor.ofInts(new int[] {1, -2}, 2).dtype());
    assertEquals(-2L, Tensor.ofInts(new int[] {1, -2}, 2).getLong(1));
    assertEquals(DType.FLOAT32, Tensor.ofFloats(new float[] {1}, 1).dtype());
    assertEquals(Tensor.of(new double[] {1, 2}, 2), Tensor.ofLongs(new long[] {1, 2}, 2).to(DType.FLOAT64));
    assertEquals("int64[3] [1, 2, 3]", Tensor.ofLongs(new long[] {1, 2, 3}, 3).toString());
    assertEquals("float64[9] [0.00000, 1.00000, 2.00000, 3.00000, 4.00000, 5.00000, 6.00000, 7.00000, ...]",
        arange(9).toString());
  }

  @Test
  void factoriesCheckLengthsAndIndices() {
    assertMessage("data of length 5 does not match shape [2, 3] of 6 elements",
        () -> Tensor.of(new double[5], 2, 3));
    assertMessage("row 1 has 2 elements, row 0 has 3", () -> Tensor.matrix(new double[][] {{1, 2, 3}, {4, 5}}));
    assertMessage("index [2, 0] is out of bounds for shape [2, 3]", () -> arange(2, 3).get(2, 0));
    assertMessage("index [1] has 1 coordinates, tensor of shape [2, 3] has rank 2", () -> arange(2, 3).get(1));
    assertMessage("item() needs a tensor of one element, got shape [2]", () -> arange(2).item());
    assertMessage("wrap(long[]) needs an integer dtype, got float32",
        () -> Tensor.wrap(DType.FLOAT32, new long[1], Shape.of(1)));
  }

  @Test
  void arraysPassedInOrReturnedAreCopies() {
    double[] data = {1, 2, 3};
    Tensor t = Tensor.of(data, 3);
    data[0] = 100;
    assertEquals(1.0, t.get(0));
    t.toDoubleArray()[1] = 100;
    assertEquals(2.0, t.get(1));

    float[] fd = {1, 2};
    Tensor f = Tensor.ofFloats(fd, 2);
    fd[0] = 100;
    f.toFloatArray()[1] = 100;
    assertEquals(Tensor.ofFloats(new float[] {1, 2}, 2), f);

    long[] ld = {1, 2};
    Tensor l = Tensor.ofLongs(ld, 2);
    ld[0] = 100;
    l.toLongArray()[1] = 100;
    assertEquals(Tensor.ofLongs(new long[] {1, 2}, 2), l);

    double[][] rows = {{1, 2}};
    Tensor m = Tensor.matrix(rows);
    rows[0][0] = 100;
    assertEquals(1.0, m.get(0, 0));

    // float64 to float64: toDoubleArray must still copy
    Tensor d = Tensor.of(new double[] {5}, 1);
    double[] out = d.toDoubleArray();
    out[0] = -1;
    assertEquals(5.0, d.get(0));
  }

  @Test
  void operationsNeverChangeTheirOperands() {
    Tensor a = random(3, 4);
    Tensor copy = Tensor.of(a.toDoubleArray(), 3, 4);
    a.add(a);
    a.reshape(4, 3);
    a.transpose();
    a.slice(0, 1, 2);
    a.sum(0, false);
    a.logSoftmax();
    a.matmul(a, false, true);
    assertEquals(copy, a);
  }

  @Test
  void conversionsRoundAndTruncate() {
    Tensor d = Tensor.of(new double[] {1.5, -2.7, 0.1}, 3);
    assertEquals(Tensor.ofFloats(new float[] {1.5f, -2.7f, 0.1f}, 3), d.to(DType.FLOAT32));
    assertArrayEquals(new long[] {1, -2, 0}, d.to(DType.INT64).toLongArray());
    assertSame(d, d.to(DType.FLOAT64));
  }

  // ---------------------------------------------------------------- elementwise and broadcasting

  @Test
  void unaryOpsMatchTheirDefinitions() {
    Tensor x = Tensor.of(new double[] {-2, -0.5, 0, 0.5, 3}, 5);
    double[] v = x.toDoubleArray();
    double[] tanh = x.tanh().toDoubleArray();
    double[] sig = x.sigmoid().toDoubleArray();
    double[] sp = x.softplus().toDoubleArray();
    for (int i = 0; i < v.length; i++) {
      assertEquals(Math.tanh(v[i]), tanh[i], 1e-15);
      assertEquals(1 / (1 + Math.exp(-v[i])), sig[i], 1e-15);
      assertEquals(Math.log(1 + Math.exp(v[i])), sp[i], 1e-15);
    }
    assertEquals(Tensor.of(new double[] {0, 0, 0, 0.5, 3}, 5), x.relu());
    assertEquals(Tensor.of(new double[] {2, 0.5, 0, 0.5, 3}, 5), x.abs());
    assertEquals(Tensor.of(new double[] {4, 0.25, 0, 0.25, 9}, 5), x.square());
    assertEquals(Tensor.of(new double[] {2, 0.5, -0.0, -0.5, -3}, 5), x.neg());
    // stable at the extremes
    Tensor big = Tensor.of(new double[] {-1000, 1000}, 2);
    assertEquals(Tensor.of(new double[] {0, 1}, 2), big.sigmoid());
    assertEquals(Tensor.of(new double[] {0, 1000}, 2), big.softplus());
  }

  @Test
  void unaryOpsRejectIntegerTensors() {
    assertMessage("exp is not defined for int64 tensors", () -> Tensor.ofLongs(new long[] {1}, 1).exp());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "2,3 | 2,3",       // same shape
      "2,3 | 3",         // bias over the last axis
      "2,3 | ''",        // scalar
      "'' | 2,3",        // scalar on the left
      "1 | 4,5",         // one element, lower rank
      "3,1 | 1,4",       // outer product
      "4,1,3 | 2,1",     // general: both operands broadcast on different axes
      "2,1,3,1 | 5,1,4", // rank 4 against rank 3
      "0,3 | 3"})        // empty
  void binaryOpsBroadcastLikeNumPy(String a, String b) {
    Tensor x = random(dims(a));
    Tensor y = random(dims(b)).add(2.0); // away from zero for div
    for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV, BinaryOp.MAX}) {
      Tensor expected = naiveZip(op, x, y);
      assertEquals(expected, x.zip(op, y), op + " " + x.shape() + " " + y.shape());
      assertEquals(naiveZip(op, y, x), y.zip(op, x), op + " reversed");
      // float32 takes the same paths
      Tensor xf = x.to(DType.FLOAT32);
      Tensor yf = y.to(DType.FLOAT32);
      assertEquals(naiveZip(op, xf, yf).to(DType.FLOAT32), xf.zip(op, yf), op + " float32");
    }
  }

  private static int[] dims(String s) {
    if (s.isBlank()) {
      return new int[0];
    }
    String[] parts = s.split(",");
    int[] d = new int[parts.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = Integer.parseInt(parts[i].trim());
    }
    return d;
  }

  @Test
  void scalarOpsAndNamedShortcuts() {
    Tensor x = Tensor.of(new double[] {1, 2, 4}, 3);
    assertEquals(Tensor.of(new double[] {3, 4, 6}, 3), x.add(2));
    assertEquals(Tensor.of(new double[] {0.5, 1, 2}, 3), x.mul(0.5));
    assertEquals(Tensor.of(new double[] {9, 8, 6}, 3), x.rsub(10));
    assertEquals(Tensor.of(new double[] {4, 2, 1}, 3), x.zipLeft(BinaryOp.DIV, 4));
    assertEquals(Tensor.of(new double[] {0, 0, 0}, 3), x.sub(x));
    assertEquals(Tensor.of(new double[] {1, 1, 1}, 3), x.div(x));
    assertEquals(Tensor.of(new double[] {1, 4, 16}, 3), x.mul(x));
    assertEquals(Tensor.of(new double[] {2, 2, 4}, 3), x.maximum(Tensor.scalar(DType.FLOAT64, 2)));
  }

  @Test
  void binaryOpsNameTheMismatch() {
    assertMessage("add: shapes [2, 3] and [4] do not broadcast", () -> random(2, 3).add(random(4)));
    assertMessage("mul of float64 [2] and float32 [2]: dtypes differ",
        () -> random(2).mul(random(2).to(DType.FLOAT32)));
    assertMessage("add is not defined for int32 tensors",
        () -> Tensor.ofInts(new int[] {1}, 1).add(Tensor.ofInts(new int[] {1}, 1)));
  }

  // ---------------------------------------------------------------- matmul

  @ParameterizedTest
  @CsvSource({"1,1,1", "2,3,4", "7,5,3", "1,9,1", "33,17,9", "4,0,3", "0,3,2"})
  void matmulMatchesTheTripleLoopInEveryTransposeForm(int m, int k, int n) {
    Tensor a = random(m, k);
    Tensor b = random(k, n);
    Tensor expected = naiveMatmul(a, b);
    assertTrue(a.matmul(b).allClose(expected, 1e-12, 1e-12));
    Tensor at = naiveTranspose(a);
    Tensor bt = naiveTranspose(b);
    assertTrue(at.matmul(b, true, false).allClose(expected, 1e-12, 1e-12));
    assertTrue(a.matmul(bt, false, true).allClose(expected, 1e-12, 1e-12));
    assertTrue(at.matmul(bt, true, true).allClose(expected, 1e-12, 1e-12));
    // float32 within float rounding
    Tensor f = a.to(DType.FLOAT32).matmul(b.to(DType.FLOAT32));
    assertEquals(DType.FLOAT32, f.dtype());
    assertTrue(f.to(DType.FLOAT64).allClose(expected, 1e-5, 1e-5));
  }

  @ParameterizedTest
  @CsvSource({"false,false", "true,false", "false,true", "true,true"})
  void batchedMatmulMultipliesEachPair(boolean ta, boolean tb) {
    int batch = 3, m = 4, k = 5, n = 2;
    Tensor a = ta ? random(batch, k, m) : random(batch, m, k);
    Tensor b = tb ? random(batch, n, k) : random(batch, k, n);
    Tensor c = a.matmul(b, ta, tb);
    assertEquals(Shape.of(batch, m, n), c.shape());
    for (int i = 0; i < batch; i++) {
      Tensor ai = a.select(0, i);
      Tensor bi = b.select(0, i);
      Tensor expected = naiveMatmul(ta ? naiveTranspose(ai) : ai, tb ? naiveTranspose(bi) : bi);
      assertTrue(c.select(0, i).allClose(expected, 1e-12, 1e-12), "batch " + i);
    }
  }

  @ParameterizedTest
  @CsvSource({"false,false", "true,false", "false,true", "true,true"})
  void batchTimesSharedMatrixUsesTheSameMatrixForEveryBatch(boolean ta, boolean tb) {
    int m = 3, k = 4, n = 5;
    Tensor a = ta ? random(2, 3, k, m) : random(2, 3, m, k);
    Tensor b = tb ? random(n, k) : random(k, n);
    Tensor c = a.matmul(b, ta, tb);
    assertEquals(Shape.of(2, 3, m, n), c.shape());
    Tensor bb = tb ? naiveTranspose(b) : b;
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        Tensor aij = a.select(0, i).select(0, j);
        Tensor expected = naiveMatmul(ta ? naiveTranspose(aij) : aij, bb);
        assertTrue(c.select(0, i).select(0, j).allClose(expected, 1e-12, 1e-12));
      }
    }
  }

  @Test
  void matmulNamesBothShapes() {
    assertMessage("matmul: inner dimensions differ, [2, 3] and [4, 5] (3 vs 4)", () -> random(2, 3).matmul(random(4, 5)));
    assertMessage("matmul (b transposed): inner dimensions differ, [2, 3] and [3, 5] (3 vs 5)",
        () -> random(2, 3).matmul(random(3, 5), false, true));
    assertMessage("matmul (a transposed): inner dimensions differ, [2, 3] and [3, 5] (2 vs 3)",
        () -> random(2, 3).matmul(random(3, 5), true, false));
    assertMessage("matmul: operands must have rank at least 2, got [3] and [3, 2]", () -> random(3).matmul(random(3, 2)));
    assertMessage("matmul: batch dimensions differ, [2, 2, 3] and [3, 3, 4]", () -> random(2, 2, 3).matmul(random(3, 3, 4)));
    assertMessage("matmul: batch dimensions differ, [2, 3] and [2, 3, 4]", () -> random(2, 3).matmul(random(2, 3, 4)));
    assertMessage("matmul of float64 [2, 2] and float32 [2, 2]: dtypes differ",
        () -> random(2, 2).matmul(random(2, 2).to(DType.FLOAT32)));
  }

  // ---------------------------------------------------------------- shape ops

  @Test
  void reshapeKeepsRowMajorOrderAndInfersOneDimension() {
    Tensor a = arange(2, 3, 4);
    assertEquals(arange(6, 4), a.reshape(6, 4));
    assertEquals(arange(4, 6), a.reshape(4, -1));
    assertEquals(arange(24), a.reshape(-1));
    assertEquals(Shape.of(0), Tensor.zeros(DType.FLOAT32, 0, 5).reshape(-1).shape());
    assertMessage("cannot reshape [2, 3, 4] (24 elements) to [5, 5] (25 elements)", () -> a.reshape(5, 5));
    assertMessage("reshape to [-1, -1]: only one dimension may be -1", () -> a.reshape(-1, -1));
    assertMessage("cannot reshape [2, 3, 4] (24 elements) to [-1, 5]: 24 is not a multiple of 5",
        () -> a.reshape(-1, 5));
    assertMessage("cannot reshape [0, 5] (0 elements) to [-1, 0]: the -1 is ambiguous",
        () -> Tensor.zeros(DType.FLOAT32, 0, 5).reshape(-1, 0));
  }

  @Test
  void blockedTransposeAgreesWithPermuteAcrossBlocksBatchesAndDtypes() {
    for (int[] dims : new int[][] {{70, 45}, {3, 33, 65}, {2, 1, 40}, {0, 5}, {4, 0}, {1, 1}}) {
      int[] perm = new int[dims.length];
      for (int i = 0; i < perm.length; i++) {
        perm[i] = i;
      }
      perm[perm.length - 1] = perm.length - 2;
      perm[perm.length - 2] = perm.length - 1;
      Tensor f = random(dims).to(DType.FLOAT32);
      assertEquals(f.permute(perm), f.transpose(), java.util.Arrays.toString(dims));
      Tensor d = random(dims);
      assertEquals(d.permute(perm), d.transpose(), java.util.Arrays.toString(dims));
    }
  }

  @Test
  void transposeAndPermuteMoveElements() {
    Tensor a = random(3, 5);
    assertEquals(naiveTranspose(a), a.transpose());
    assertEquals(a, a.transpose().transpose());
    Tensor b = random(2, 3, 4);
    Tensor p = b.permute(2, 0, 1);
    assertEquals(Shape.of(4, 2, 3), p.shape());
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          assertEquals(b.get(i, j, k), p.get(k, i, j));
        }
      }
    }
    assertEquals(b, p.permute(1, 2, 0));
    assertEquals(Shape.of(2, 4, 3), b.transpose().shape());
    assertEquals(Tensor.ofLongs(new long[] {1, 3, 2, 4}, 2, 2), Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2).transpose());
    assertMessage("transpose needs rank at least 2, got [3]", () -> random(3).transpose());
    assertMessage("permute [0, 0] is not a permutation of 2 axes", () -> random(2, 3).permute(0, 0));
    assertMessage("permute [0] needs 2 axes for shape [2, 3]", () -> random(2, 3).permute(0));
  }

  @Test
  void sliceSelectConcatAndStackAreConsistent() {
    Tensor a = arange(3, 4);
    assertEquals(Tensor.matrix(new double[][] {{1, 2}, {5, 6}, {9, 10}}), a.slice(1, 1, 3));
    assertEquals(Tensor.matrix(new double[][] {{4, 5, 6, 7}}), a.slice(0, 1, 2));
    assertEquals(Shape.of(3, 0), a.slice(-1, 2, 2).shape());
    assertEquals(Tensor.of(new double[] {2, 6, 10}, 3), a.select(1, 2));
    assertEquals(Tensor.of(new double[] {8, 9, 10, 11}, 4), a.select(0, -1));
    for (int axis : new int[] {0, 1, -1}) {
      int len = a.shape().dim(axis);
      Tensor joined = Tensor.concat(axis, a.slice(axis, 0, 1), a.slice(axis, 1, len - 1), a.slice(axis, len - 1, len));
      assertEquals(a, joined, "axis " + axis);
    }
    Tensor b = random(3, 4);
    Tensor s0 = Tensor.stack(0, List.of(a, b));
    assertEquals(Shape.of(2, 3, 4), s0.shape());
    assertEquals(b, s0.select(0, 1));
    Tensor s2 = Tensor.stack(-1, List.of(a, b));
    assertEquals(Shape.of(3, 4, 2), s2.shape());
    assertEquals(a, s2.select(2, 0));
    Tensor s1 = Tensor.stack(1, List.of(a, b, a));
    assertEquals(a, s1.select(1, 2));
    // integer tensors too
    Tensor ids = Tensor.ofLongs(new long[] {1, 2, 3, 4}, 2, 2);
    assertEquals(Tensor.ofLongs(new long[] {1, 2, 3, 4, 1, 2, 3, 4}, 4, 2), Tensor.concat(0, ids, ids));
  }

  @Test
  void shapeOpsNameTheMismatch() {
    Tensor a = arange(3, 4);
    assertMessage("slice [2, 5) is out of range for axis 1 of shape [3, 4]", () -> a.slice(1, 2, 5));
    assertMessage("slice [3, 2) is out of range for axis 0 of shape [3, 4]", () -> a.slice(0, 3, 2));
    assertMessage("select index 3 is out of range for axis 0 of shape [3, 4]", () -> a.select(0, 3));
    assertMessage("concat along axis 0: float64 [3, 4], float64 [3, 5] do not match", () -> Tensor.concat(0, a, random(3, 5)));
    assertMessage("concat along axis 0: float64 [3, 4], float32 [3, 4] do not match",
        () -> Tensor.concat(0, a, a.to(DType.FLOAT32)));
    assertMessage("concat needs at least one tensor", () -> Tensor.concat(0, List.of()));
    assertMessage("stack: float64 [3, 4], float64 [4, 3] differ in shape", () -> Tensor.stack(0, List.of(a, random(4, 3))));
    assertMessage("axis 3 is out of range for stacking shape [3, 4]", () -> Tensor.stack(3, List.of(a)));
  }

  // ---------------------------------------------------------------- reductions

  @Test
  void reductionsOverAxes() {
    Tensor a = arange(2, 3, 4);
    assertEquals(Tensor.scalar(DType.FLOAT64, 276), a.sum());
    assertEquals(Tensor.scalar(DType.FLOAT64, 11.5), a.mean());
    Tensor s1 = a.sum(1, false);
    assertEquals(Shape.of(2, 4), s1.shape());
    assertEquals(0 + 4 + 8.0, s1.get(0, 0));
    assertEquals(Shape.of(2, 1, 4), a.sum(1, true).shape());
    assertEquals(a.sum(-1, false), a.sum(2, false));
    assertEquals(Tensor.matrix(new double[][] {{1.5, 5.5, 9.5}, {13.5, 17.5, 21.5}}), a.mean(-1, false));
    assertEquals(a.select(0, 1), a.max(0, false));
    assertEquals(Tensor.matrix(new double[][] {{3, 7, 11}, {15, 19, 23}}).reshape(2, 3, 1), a.max(2, true));
    assertEquals(Tensor.scalar(DType.FLOAT32, 0), Tensor.zeros(DType.FLOAT32, 0).sum());
    // every axis of a random tensor against a plain loop
    Tensor r = random(3, 4, 5);
    for (int axis = 0; axis < 3; axis++) {
      Tensor s = r.sum(axis, false);
      for (int i = 0; i < s.size(); i++) {
        int[] c = coords(s.shape(), i);
        double expected = 0;
        for (int k = 0; k < r.shape().dim(axis); k++) {
          int[] full = new int[3];
          for (int ax = 0, j = 0; ax < 3; ax++) {
            full[ax] = ax == axis ? k : c[j++];
          }
          expected += r.get(full);
        }
        assertEquals(expected, s.getFlat(i), 1e-12);
      }
    }
    assertMessage("max over an empty axis 0 of shape [0, 2]", () -> Tensor.zeros(DType.FLOAT64, 0, 2).max(0, false));
    assertMessage("sum is not defined for int64 tensors", () -> Tensor.ofLongs(new long[] {1}, 1).sum());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"3 | 2,3", "1,3 | 4,3", "4,1 | 4,3", "'' | 2,3", "2,1,3 | 2,5,3", "1 | 3,1,2", "2,3 | 2,3"})
  void sumToIsTheAdjointOfBroadcastTo(String small, String big) {
    // <broadcastTo(x), y> = <x, sumTo(y)> for all x, y: sumTo is the transpose of broadcastTo
    Tensor x = random(dims(small));
    Tensor y = random(dims(big));
    Tensor bx = x.broadcastTo(y.shape());
    Tensor sy = y.sumTo(x.shape());
    assertEquals(y.shape(), bx.shape());
    assertEquals(x.shape(), sy.shape());
    assertEquals(dot(bx, y), dot(x, sy), 1e-12);
    assertEquals(naiveZip(BinaryOp.ADD, Tensor.zeros(DType.FLOAT64, y.shape()), x), bx);
  }

  @Test
  void broadcastToAndSumToCheckShapes() {
    assertMessage("cannot broadcast [2, 3] to [3, 3]", () -> random(2, 3).broadcastTo(Shape.of(3, 3)));
    assertMessage("cannot broadcast [2, 3] to [3]", () -> random(2, 3).broadcastTo(Shape.of(3)));
    assertMessage("cannot sum [2, 3] down to [2]: it does not broadcast to it", () -> random(2, 3).sumTo(Shape.of(2)));
    assertMessage("cannot sum [3] down to [2, 3]: it does not broadcast to it", () -> random(3).sumTo(Shape.of(2, 3)));
  }

  @Test
  void broadcastToWorksForIntegerTensors() {
    Tensor ids = Tensor.ofLongs(new long[] {5, 6}, 2);
    assertEquals(Tensor.ofLongs(new long[] {5, 6, 5, 6, 5, 6}, 3, 2), ids.broadcastTo(Shape.of(3, 2)));
    Tensor i32 = Tensor.ofInts(new int[] {1, 2}, 2, 1);
    assertEquals(Tensor.ofInts(new int[] {1, 1, 2, 2}, 2, 2), i32.broadcastTo(Shape.of(2, 2)));
  }

  // ---------------------------------------------------------------- log-softmax

  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
  void logSoftmaxIsStableForHugeValues(DType dtype) {
    Tensor x = Tensor.of(dtype, new double[] {1000, 1001, 1002, -1000, -1001, -1002, 3e38, 0, -3e38}, Shape.of(3, 3));
    Tensor y = x.logSoftmax();
    double lse = Math.log(1 + Math.exp(-1) + Math.exp(-2));
    double[] expected = {-2 - lse, -1 - lse, -lse, -lse, -1 - lse, -2 - lse, 0, -3e38, -6e38};
    double[] got = y.toDoubleArray();
    for (int i = 0; i < 6; i++) {
      assertEquals(expected[i], got[i], dtype == DType.FLOAT32 ? 1e-4 : 1e-12, "element " + i);
    }
    assertEquals(0.0, got[6]);
    assertTrue(got[7] < -1e38 && !Double.isNaN(got[8]), y.toString());
    // rows of exp(logSoftmax) sum to 1
    Tensor rows = random(4, 7).mul(50).logSoftmax().exp().sum(-1, false);
    assertTrue(rows.allClose(Tensor.ones(DType.FLOAT64, 4), 0, 1e-12));
  }

  @Test
  void logSoftmaxIsShiftInvariant() {
    Tensor x = random(2, 5);
    assertTrue(x.add(1e6).logSoftmax().allClose(x.logSoftmax(), 0, 1e-9));
  }

  // ---------------------------------------------------------------- gather and one-hot

  @Test
  void gatherLooksUpRowsByIdsOfAnyShape() {
    Tensor table = arange(5, 3);
    Tensor ids = Tensor.ofInts(new int[] {4, 0, 2, 2}, 2, 2);
    Tensor g = Tensor.gather(table, ids);
    assertEquals(Shape.of(2, 2, 3), g.shape());
    assertEquals(table.select(0, 4), g.select(0, 0).select(0, 0));
    assertEquals(table.select(0, 2), g.select(0, 1).select(0, 1));
    assertEquals(table.select(0, 3), Tensor.gather(table, Tensor.scalar(DType.INT64, 3)));
    // gather is a matmul with the one-hot rows
    Tensor oh = Tensor.oneHot(ids, 5, DType.FLOAT64);
    assertEquals(g, oh.matmul(table));
    assertMessage("id 5 at position 1 is outside the table of 5 rows",
        () -> Tensor.gather(table, Tensor.ofLongs(new long[] {0, 5}, 2)));
    assertMessage("gather needs a table of rank 2, got [5]", () -> Tensor.gather(arange(5), ids));
  }

  @Test
  void oneHotSetsOneElementPerId() {
    Tensor oh = Tensor.oneHot(Tensor.ofLongs(new long[] {2, 0}, 2), 3, DType.FLOAT32);
    assertEquals(Tensor.ofFloats(new float[] {0, 0, 1, 1, 0, 0}, 2, 3), oh);
    assertMessage("id -1 at position 0 is outside [0, 3)", () -> Tensor.oneHot(Tensor.ofLongs(new long[] {-1}, 1), 3, DType.FLOAT32));
  }

  // ---------------------------------------------------------------- comparison

  @Test
  void allCloseMaxAbsDiffNormAndEquals() {
    Tensor a = Tensor.of(new double[] {1, 2, 3}, 3);
    Tensor b = Tensor.of(new double[] {1, 2.001, 3}, 3);
    assertTrue(a.allClose(b, 0, 1e-2));
    assertFalse(a.allClose(b, 0, 1e-4));
    assertTrue(a.allClose(b, 1e-3, 0));
    assertFalse(a.allClose(a.reshape(3, 1), 1, 1), "shapes differ");
    assertEquals(0.001, a.maxAbsDiff(b), 1e-12);
    assertEquals(Math.sqrt(14), a.norm(), 1e-15);
    Tensor nan = Tensor.of(new double[] {Double.NaN}, 1);
    assertFalse(nan.allClose(nan, 1, 1), "NaN is never close");
    assertTrue(Double.isNaN(nan.maxAbsDiff(nan)));
    Tensor inf = Tensor.of(new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}, 2);
    assertTrue(inf.allClose(inf, 0, 0), "equal infinities are close, as in NumPy");
    assertEquals(0.0, inf.maxAbsDiff(inf));
    assertFalse(inf.allClose(inf.neg(), 0, 0));
    assertMessage("maxAbsDiff: shapes [3] and [3, 1] differ", () -> a.maxAbsDiff(a.reshape(3, 1)));

    assertEquals(a, Tensor.of(new double[] {1, 2, 3}, 3));
    assertEquals(a.hashCode(), Tensor.of(new double[] {1, 2, 3}, 3).hashCode());
    assertNotEquals(a, a.to(DType.FLOAT32), "dtype is part of equality");
    assertNotEquals(a, a.reshape(1, 3), "shape is part of equality");
    assertNotEquals(Tensor.of(new double[] {0.0}, 1), Tensor.of(new double[] {-0.0}, 1), "equality is bitwise");
  }
}
