package dev.cellgraph.core;

import static dev.cellgraph.core.TensorFixtures.arange;
import static dev.cellgraph.core.TensorFixtures.assertMessage;
import static dev.cellgraph.core.TensorFixtures.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.random.Rng;
import org.junit.jupiter.api.Test;

/** {@link Tensor}: factories, access, copies, conversions and comparison. */
class TensorTest {
  /** Each class draws its own sequence, so that its data does not depend on which classes ran before. */
  private static final Rng RNG = Rng.seeded(20240101);

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
    Tensor a = random(RNG, 3, 4);
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
