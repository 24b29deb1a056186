package dev.cellgraph.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link Tensor#matmul} writes its result into an array reused from the current
 * {@link Workspace}, uncleared: every element must be stored, none read. Each case fills the
 * array the product will get with NaN first, so any element read before it is written (an
 * accumulating first block, an edge tile started from C, a part of the output no GEMM call
 * covers) turns the result into NaN, and compares it bit for bit with the same product into a
 * new array.
 */
@Tag("fuzz")
class MatmulIntoReusedArraysTest {

  /** How the right operand is given: as it is, packed the way it is read, or packed the other way. */
  enum Packing { NONE, AS_READ, OTHER_WAY }

  /** The three product forms: two matrices, two batches, a batch times one shared matrix. */
  enum Form { MATRICES, BATCHES, BATCH_TIMES_SHARED }

  @Property(seed = "171717")
  void aProductIntoAReusedArrayHasTheBitsOfOneIntoANewArray(
      @ForAll boolean float32, @ForAll Form form, @ForAll boolean transA, @ForAll boolean transB,
      @ForAll Packing packing, @ForAll @IntRange(min = 0, max = 70) int m,
      @ForAll @IntRange(min = 0, max = 70) int k, @ForAll @IntRange(min = 0, max = 70) int n,
      @ForAll @IntRange(min = 1, max = 3) int batch, @ForAll long seed) {
    checkReusedArray(float32 ? DType.FLOAT32 : DType.FLOAT64, form, transA, transB, packing, m, k, n, batch, seed);
  }

  @Example
  void largeProductsSplitOverThreadsStoreEveryElementToo() {
    // above the GEMM's parallel threshold, with more rows than one shared block of A
    for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      checkReusedArray(dtype, Form.MATRICES, false, false, Packing.NONE, 300, 130, 200, 1, 1);
      checkReusedArray(dtype, Form.MATRICES, true, true, Packing.AS_READ, 130, 300, 250, 1, 2);
      checkReusedArray(dtype, Form.BATCH_TIMES_SHARED, false, true, Packing.AS_READ, 40, 120, 300, 4, 3);
      checkReusedArray(dtype, Form.BATCHES, true, false, Packing.NONE, 100, 70, 90, 2, 4);
    }
  }

  private static void checkReusedArray(DType dtype, Form form, boolean transA, boolean transB,
      Packing packing, int m, int k, int n, int batch, long seed) {
    Random rng = new Random(seed);
    int[] aMatrix = transA ? new int[] {k, m} : new int[] {m, k};
    int[] bMatrix = transB ? new int[] {n, k} : new int[] {k, n};
    Tensor a = random(rng, dtype, form == Form.MATRICES ? aMatrix : batched(batch, aMatrix));
    Tensor plainB = random(rng, dtype, form == Form.BATCHES ? batched(batch, bMatrix) : bMatrix);
    Tensor b = packing == Packing.NONE ? plainB
        : plainB.packedForMatmul(packing == Packing.AS_READ ? transB : !transB);
    Tensor fresh = a.matmul(b, transA, transB);
    try (Workspace w = Workspace.open()) {
      Object poisoned;
      if (dtype == DType.FLOAT32) {
        float[] p = Workspace.newFloats(fresh.size());
        Arrays.fill(p, Float.NaN);
        poisoned = p;
      } else {
        double[] p = Workspace.newDoubles(fresh.size());
        Arrays.fill(p, Double.NaN);
        poisoned = p;
      }
      w.endStep();
      Tensor reused = a.matmul(b, transA, transB);
      assertSame(poisoned, dtype == DType.FLOAT32 ? reused.rawFloats() : reused.rawDoubles(),
          "the product did not get the poisoned array: the case tests nothing");
      assertEquals(fresh, reused, () -> "op(" + a.shape() + (transA ? "ᵀ" : "") + ") op(" + b.shape()
          + (transB ? "ᵀ" : "") + "), " + packing);
    }
  }

  private static int[] batched(int batch, int[] matrix) {
    return new int[] {batch, matrix[0], matrix[1]};
  }

  private static Tensor random(Random rng, DType dtype, int[] dims) {
    Shape s = Shape.of(dims);
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = rng.nextGaussian();
    }
    return Tensor.of(dtype, v, s);
  }
}
