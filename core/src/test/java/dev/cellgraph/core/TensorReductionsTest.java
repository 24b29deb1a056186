package dev.cellgraph.core;

import static dev.cellgraph.core.TensorFixtures.arange;
import static dev.cellgraph.core.TensorFixtures.assertMessage;
import static dev.cellgraph.core.TensorFixtures.coords;
import static dev.cellgraph.core.TensorFixtures.dims;
import static dev.cellgraph.core.TensorFixtures.dot;
import static dev.cellgraph.core.TensorFixtures.naiveZip;
import static dev.cellgraph.core.TensorFixtures.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Reductions over axes, sumTo, broadcastTo and log-softmax. */
class TensorReductionsTest {
  /** Each class draws its own sequence, so that its data does not depend on which classes ran before. */
  private static final Rng RNG = Rng.seeded(20240101);

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
    Tensor r = random(RNG, 3, 4, 5);
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

  @Test
  void rowSumsAddInEightLanesThenPairwiseInEveryPath() {
    // in float32 1e8 absorbs a 1 added to it: left to right the seven ones before -1e8 are lost
    // (10), in eight lanes 1e8 and -1e8 cancel in lane 0 before any one meets them (17, exact)
    float[] row = new float[19];
    row[0] = 1e8f;
    row[8] = -1e8f;
    for (int i = 1; i < 19; i++) {
      if (i != 8) {
        row[i] = 1f;
      }
    }
    float[] lane = new float[8];
    for (int i = 0; i < row.length; i++) {
      lane[i % 8] += row[i];
    }
    float expected = ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
    assertEquals(17f, expected);
    assertEquals(expected, dev.cellgraph.core.kernel.Kernels.rowSum(row, 0, row.length));
    Tensor t = Tensor.ofFloats(row, 1, 19);
    assertEquals(expected, t.sum(-1, true).getFlat(0));
    assertEquals(expected, t.sum(1, false).getFlat(0));
    assertEquals(expected, t.sumTo(Shape.of(1, 1)).getFlat(0));
    // a [B, N] sum to [B, 1] and a sum over the last axis agree to the bit, row by row
    Tensor r = random(RNG, 5, 37);
    assertEquals(r.sum(-1, true), r.sumTo(Shape.of(5, 1)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"3 | 2,3", "1,3 | 4,3", "4,1 | 4,3", "'' | 2,3", "2,1,3 | 2,5,3", "1 | 3,1,2", "2,3 | 2,3"})
  void sumToIsTheAdjointOfBroadcastTo(String small, String big) {
    // <broadcastTo(x), y> = <x, sumTo(y)> for all x, y: sumTo is the transpose of broadcastTo
    Tensor x = random(RNG, dims(small));
    Tensor y = random(RNG, dims(big));
    Tensor bx = x.broadcastTo(y.shape());
    Tensor sy = y.sumTo(x.shape());
    assertEquals(y.shape(), bx.shape());
    assertEquals(x.shape(), sy.shape());
    assertEquals(dot(bx, y), dot(x, sy), 1e-12);
    assertEquals(naiveZip(BinaryOp.ADD, Tensor.zeros(DType.FLOAT64, y.shape()), x), bx);
  }

  @Test
  void broadcastToAndSumToCheckShapes() {
    assertMessage("cannot broadcast [2, 3] to [3, 3]", () -> random(RNG, 2, 3).broadcastTo(Shape.of(3, 3)));
    assertMessage("cannot broadcast [2, 3] to [3]", () -> random(RNG, 2, 3).broadcastTo(Shape.of(3)));
    assertMessage("cannot sum [2, 3] down to [2]: it does not broadcast to it", () -> random(RNG, 2, 3).sumTo(Shape.of(2)));
    assertMessage("cannot sum [3] down to [2, 3]: it does not broadcast to it", () -> random(RNG, 3).sumTo(Shape.of(2, 3)));
  }

  @Test
  void broadcastToWorksForIntegerTensors() {
    Tensor ids = Tensor.ofLongs(new long[] {5, 6}, 2);
    assertEquals(Tensor.ofLongs(new long[] {5, 6, 5, 6, 5, 6}, 3, 2), ids.broadcastTo(Shape.of(3, 2)));
    Tensor i32 = Tensor.ofInts(new int[] {1, 2}, 2, 1);
    assertEquals(Tensor.ofInts(new int[] {1, 1, 2, 2}, 2, 2), i32.broadcastTo(Shape.of(2, 2)));
  }

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
    Tensor rows = random(RNG, 4, 7).mul(50).logSoftmax().exp().sum(-1, false);
    assertTrue(rows.allClose(Tensor.ones(DType.FLOAT64, 4), 0, 1e-12));
  }

  @Test
  void logSoftmaxIsShiftInvariant() {
    Tensor x = random(RNG, 2, 5);
    assertTrue(x.add(1e6).logSoftmax().allClose(x.logSoftmax(), 0, 1e-9));
  }
}
