package dev.cellgraph.core;

import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.core.kernel.PackedMatrix;

/**
 * Matrix products of {@link Tensor}: the shape rule, the dispatch of a (batched) product onto
 * GEMM calls, and packing a right operand once for many products.
 *
 * <p>The output array of a product comes from the calling thread's current {@link Workspace}
 * when one is open, so it may hold an earlier step's values: that is safe because every GEMM call
 * here passes {@code accumulate = false} (C is stored, never read) and the calls together cover
 * every element of the output (one call over the stacked rows, or one per matrix of the batch).
 */
final class MatrixProducts {
  private MatrixProducts() {}

  static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
    Shape shape = a.shape;
    String name = "matmul";
    a.requireFloating(name);
    if (b.dtype != a.dtype) {
      throw new IllegalArgumentException(name + " of " + a.dtype.lowerName() + " " + shape + " and "
          + b.dtype.lowerName() + " " + b.shape + ": dtypes differ");
    }
    Shape out = matmulShape(shape, b.shape, transA, transB);
    int ra = a.rank();
    int rb = b.rank();
    int m = transA ? shape.dim(ra - 1) : shape.dim(ra - 2);
    int k = transA ? shape.dim(ra - 2) : shape.dim(ra - 1);
    int n = transB ? b.shape.dim(rb - 2) : b.shape.dim(rb - 1);
    int lda = shape.dim(ra - 1);
    int ldb = b.shape.dim(rb - 1);
    // every element is written: the array may come from the thread's workspace, uncleared
    Tensor c = a.dtype == DType.FLOAT32 ? Tensor.wrap(Workspace.newFloats(out.size()), out)
        : Tensor.wrap(Workspace.newDoubles(out.size()), out);
    if (rb == 2 && !transA && ra > 2) {
      // every matrix of the batch times the same b: one GEMM over the stacked rows
      int rows = shape.product(0, ra - 1);
      gemm(false, transB, rows, n, k, a, 0, lda, b, 0, ldb, c, 0, n);
      return c;
    }
    int batch = ra == 2 ? 1 : shape.product(0, ra - 2);
    int strideA = m * k;
    int strideB = rb == 2 ? 0 : k * n;
    for (int i = 0; i < batch; i++) {
      gemm(transA, transB, m, n, k, a, i * strideA, lda, b, i * strideB, ldb, c, i * m * n, n);
    }
    return c;
  }

  static Tensor packedForMatmul(Tensor t, boolean transposed) {
    if (t.packed != null || t.rank() != 2 || !t.dtype.isFloating()) {
      return t;
    }
    int rows = t.shape.dim(0);
    int cols = t.shape.dim(1);
    int k = transposed ? cols : rows;
    int n = transposed ? rows : cols;
    PackedMatrix p = t.dtype == DType.FLOAT32 ? Kernels.pack(transposed, k, n, t.f, 0, Math.max(1, cols))
        : Kernels.pack(transposed, k, n, t.d, 0, Math.max(1, cols));
    return new Tensor(t.dtype, t.shape, t.f, t.d, t.l, p, transposed);
  }

  /** C = op(A) op(B), stored (never accumulated): C's previous contents are not read. */
  private static void gemm(boolean ta, boolean tb, int m, int n, int k,
      Tensor a, int aOff, int lda, Tensor b, int bOff, int ldb, Tensor c, int cOff, int ldc) {
    if (b.packed != null && tb == b.packedTransposed && bOff == 0) {
      if (a.dtype == DType.FLOAT32) {
        Kernels.gemm(ta, m, n, k, a.f, aOff, lda, b.packed, c.f, cOff, ldc, false);
      } else {
        Kernels.gemm(ta, m, n, k, a.d, aOff, lda, b.packed, c.d, cOff, ldc, false);
      }
      return;
    }
    if (a.dtype == DType.FLOAT32) {
      Kernels.gemm(ta, tb, m, n, k, a.f, aOff, lda, b.f, bOff, ldb, c.f, cOff, ldc, false);
    } else {
      Kernels.gemm(ta, tb, m, n, k, a.d, aOff, lda, b.d, bOff, ldb, c.d, cOff, ldc, false);
    }
  }

  static Shape matmulShape(Shape a, Shape b, boolean transA, boolean transB) {
    int ra = a.rank();
    int rb = b.rank();
    String desc = "matmul" + (transA ? " (a transposed)" : "") + (transB ? " (b transposed)" : "");
    if (ra < 2 || rb < 2) {
      throw new IllegalArgumentException(
          desc + ": operands must have rank at least 2, got " + a + " and " + b);
    }
    int m = transA ? a.dim(ra - 1) : a.dim(ra - 2);
    int k = transA ? a.dim(ra - 2) : a.dim(ra - 1);
    int kb = transB ? b.dim(rb - 1) : b.dim(rb - 2);
    int n = transB ? b.dim(rb - 2) : b.dim(rb - 1);
    if (k != kb) {
      throw new IllegalArgumentException(
          desc + ": inner dimensions differ, " + a + " and " + b + " (" + k + " vs " + kb + ")");
    }
    if (rb > 2) {
      if (ra != rb) {
        throw new IllegalArgumentException(
            desc + ": batch dimensions differ, " + a + " and " + b);
      }
      for (int i = 0; i < ra - 2; i++) {
        if (a.dim(i) != b.dim(i)) {
          throw new IllegalArgumentException(desc + ": batch dimensions differ, " + a + " and " + b);
        }
      }
    } else if (ra > 2 && transA) {
      // allowed: batched transposed a times a shared b
    }
    int[] out = a.toArray();
    out[ra - 2] = m;
    out[ra - 1] = n;
    return Shape.of(out);
  }
}
