package dev.cellgraph.core;

import static dev.cellgraph.core.TensorFixtures.arange;
import static dev.cellgraph.core.TensorFixtures.assertMessage;
import static dev.cellgraph.core.TensorFixtures.naiveTranspose;
import static dev.cellgraph.core.TensorFixtures.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellgraph.core.random.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shape operations (reshape, transpose, permute, slices, concat), gather and one-hot. */
class TensorShapeOpsTest {
  /** Each class draws its own sequence, so that its data does not depend on which classes ran before. */
  private static final Rng RNG = Rng.seeded(20240101);

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
      Tensor f = random(RNG, dims).to(DType.FLOAT32);
      assertEquals(f.permute(perm), f.transpose(), java.util.Arrays.toString(dims));
      Tensor d = random(RNG, dims);
      assertEquals(d.permute(perm), d.transpose(), java.util.Arrays.toString(dims));
    }
  }

  @Test
  void transposeAndPermuteMoveElements() {
    Tensor a = random(RNG, 3, 5);
    assertEquals(naiveTranspose(a), a.transpose());
    assertEquals(a, a.transpose().transpose());
    Tensor b = random(RNG, 2, 3, 4);
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
    assertMessage("transpose needs rank at least 2, got [3]", () -> random(RNG, 3).transpose());
    assertMessage("permute [0, 0] is not a permutation of 2 axes", () -> random(RNG, 2, 3).permute(0, 0));
    assertMessage("permute [0] needs 2 axes for shape [2, 3]", () -> random(RNG, 2, 3).permute(0));
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
    Tensor b = random(RNG, 3, 4);
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
    assertMessage("concat along axis 0: float64 [3, 4], float64 [3, 5] do not match", () -> Tensor.concat(0, a, random(RNG, 3, 5)));
    assertMessage("concat along axis 0: float64 [3, 4], float32 [3, 4] do not match",
        () -> Tensor.concat(0, a, a.to(DType.FLOAT32)));
    assertMessage("concat needs at least one tensor", () -> Tensor.concat(0, List.of()));
    assertMessage("stack: float64 [3, 4], float64 [4, 3] differ in shape", () -> Tensor.stack(0, List.of(a, random(RNG, 4, 3))));
    assertMessage("axis 3 is out of range for stacking shape [3, 4]", () -> Tensor.stack(3, List.of(a)));
  }

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
}
