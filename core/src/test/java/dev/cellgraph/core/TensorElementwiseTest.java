package dev.cellgraph.core;

import static dev.cellgraph.core.TensorFixtures.assertMessage;
import static dev.cellgraph.core.TensorFixtures.dims;
import static dev.cellgraph.core.TensorFixtures.naiveZip;
import static dev.cellgraph.core.TensorFixtures.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Elementwise operations on tensors and their broadcasting. */
class TensorElementwiseTest {
  /** Each class draws its own sequence, so that its data does not depend on which classes ran before. */
  private static final Rng RNG = Rng.seeded(20240101);

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
    Tensor x = random(RNG, dims(a));
    Tensor y = random(RNG, dims(b)).add(2.0); // away from zero for div
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
    assertMessage("add: shapes [2, 3] and [4] do not broadcast", () -> random(RNG, 2, 3).add(random(RNG, 4)));
    assertMessage("mul of float64 [2] and float32 [2]: dtypes differ",
        () -> random(RNG, 2).mul(random(RNG, 2).to(DType.FLOAT32)));
    assertMessage("add is not defined for int32 tensors",
        () -> Tensor.ofInts(new int[] {1}, 1).add(Tensor.ofInts(new int[] {1}, 1)));
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
}
