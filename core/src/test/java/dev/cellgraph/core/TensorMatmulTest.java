package dev.cellgraph.core;

import static dev.cellgraph.core.TensorFixtures.assertMessage;
import static dev.cellgraph.core.TensorFixtures.naiveMatmul;
import static dev.cellgraph.core.TensorFixtures.naiveTranspose;
import static dev.cellgraph.core.TensorFixtures.random;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.random.Rng;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Matrix products: every transpose form, batches, packed operands. */
class TensorMatmulTest {
  /** Each class draws its own sequence, so that its data does not depend on which classes ran before. */
  private static final Rng RNG = Rng.seeded(20240101);

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
  @CsvSource({"1,1,1", "2,3,4", "7,5,3", "1,9,1", "33,17,9", "4,0,3", "0,3,2"})
  void matmulMatchesTheTripleLoopInEveryTransposeForm(int m, int k, int n) {
    Tensor a = random(RNG, m, k);
    Tensor b = random(RNG, k, n);
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
    Tensor a = ta ? random(RNG, batch, k, m) : random(RNG, batch, m, k);
    Tensor b = tb ? random(RNG, batch, n, k) : random(RNG, batch, k, n);
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
    Tensor a = ta ? random(RNG, 2, 3, k, m) : random(RNG, 2, 3, m, k);
    Tensor b = tb ? random(RNG, n, k) : random(RNG, k, n);
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
    assertMessage("matmul: inner dimensions differ, [2, 3] and [4, 5] (3 vs 4)", () -> random(RNG, 2, 3).matmul(random(RNG, 4, 5)));
    assertMessage("matmul (b transposed): inner dimensions differ, [2, 3] and [3, 5] (3 vs 5)",
        () -> random(RNG, 2, 3).matmul(random(RNG, 3, 5), false, true));
    assertMessage("matmul (a transposed): inner dimensions differ, [2, 3] and [3, 5] (2 vs 3)",
        () -> random(RNG, 2, 3).matmul(random(RNG, 3, 5), true, false));
    assertMessage("matmul: operands must have rank at least 2, got [3] and [3, 2]", () -> random(RNG, 3).matmul(random(RNG, 3, 2)));
    assertMessage("matmul: batch dimensions differ, [2, 2, 3] and [3, 3, 4]", () -> random(RNG, 2, 2, 3).matmul(random(RNG, 3, 3, 4)));
    assertMessage("matmul: batch dimensions differ, [2, 3] and [2, 3, 4]", () -> random(RNG, 2, 3).matmul(random(RNG, 2, 3, 4)));
    assertMessage("matmul of float64 [2, 2] and float32 [2, 2]: dtypes differ",
        () -> random(RNG, 2, 2).matmul(random(RNG, 2, 2).to(DType.FLOAT32)));
  }
}
