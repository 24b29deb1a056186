package dev.cellgraph.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The front class rejects bad arguments with exact messages before any kernel runs. */
class KernelsValidationTest {

  private static void assertRejected(String message, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertEquals(message, e.getMessage());
  }

  @Test
  void gemmRejectsNegativeSizes() {
    float[] x = new float[4];
    assertRejected("gemm sizes m=-1, n=2, k=2 must not be negative",
        () -> Kernels.gemm(false, false, -1, 2, 2, x, 0, 2, x, 0, 2, x, 0, 2, false));
  }

  @Test
  void gemmRejectsShortLeadingDimension() {
    double[] x = new double[100];
    assertRejected("leading dimension of A (2) must be at least its column count (3)",
        () -> Kernels.gemm(false, false, 2, 2, 3, x, 0, 2, x, 0, 2, x, 0, 2, false));
    // Transposed, op(B) is k x n but B itself is n x k, so its column count is k.
    assertRejected("leading dimension of B (2) must be at least its column count (3)",
        () -> Kernels.gemm(false, true, 2, 2, 3, x, 0, 3, x, 0, 2, x, 0, 2, false));
    assertRejected("leading dimension of C (1) must be at least its column count (2)",
        () -> Kernels.gemm(false, false, 2, 2, 3, x, 0, 3, x, 0, 2, x, 0, 1, false));
  }

  @Test
  void gemmRejectsMatricesOutsideTheirArrays() {
    float[] small = new float[5];
    float[] big = new float[100];
    assertRejected("A (2 x 3, offset 0, leading dimension 3) does not fit in an array of length 5",
        () -> Kernels.gemm(false, false, 2, 2, 3, small, 0, 3, big, 0, 2, big, 0, 2, false));
    assertRejected("B (3 x 2, offset 96, leading dimension 2) does not fit in an array of length 100",
        () -> Kernels.gemm(false, false, 2, 2, 3, big, 0, 3, big, 96, 2, big, 0, 2, false));
    assertRejected("C (2 x 2, offset -1, leading dimension 2) does not fit in an array of length 100",
        () -> Kernels.gemm(false, false, 2, 2, 3, big, 0, 3, big, 0, 2, big, -1, 2, false));
  }

  @Test
  void elementwiseRejectsRangesOutsideArrays() {
    double[] x = new double[10];
    assertRejected("x range [8, 12) is outside an array of length 10",
        () -> Kernels.unary(UnaryOp.TANH, x, 8, new double[10], 0, 4));
    assertRejected("out range [0, 4) is outside an array of length 3",
        () -> Kernels.unary(UnaryOp.TANH, x, 0, new double[3], 0, 4));
    assertRejected("b range [-1, 3) is outside an array of length 10",
        () -> Kernels.binary(BinaryOp.ADD, x, 0, x, -1, x, 0, 4));
    assertRejected("a range [0, 11) is outside an array of length 10",
        () -> Kernels.binaryScalar(BinaryOp.MUL, new float[10], 0, 2f, new float[20], 0, 11));
    assertRejected("x range [0, -1) is outside an array of length 10",
        () -> Kernels.sum(x, 0, -1));
  }

  @Test
  void threadCountMustBePositive() {
    assertRejected("threads (0) must be at least 1", () -> Kernels.withThreads(0, () -> null));
  }

  @Test
  void aThreadCountIsTheComputationsOwnAndRestoredAfterIt() throws Exception {
    int outside = Kernels.threads();
    assertEquals(3, (int) Kernels.withThreads(3, () -> Kernels.withThreads(1, Kernels::threads) + Kernels.threads() - 1));
    assertEquals(outside, Kernels.threads());
    // another thread, meanwhile, keeps the default
    java.util.concurrent.CompletableFuture<Integer> other = new java.util.concurrent.CompletableFuture<>();
    Kernels.withThreads(5, () -> {
      Thread t = new Thread(() -> other.complete(Kernels.threads()));
      t.start();
      t.join();
      return null;
    });
    assertEquals(Kernels.defaultThreads(), (int) other.get());
  }
}
