package dev.cellgraph.core.kernel;

/** The plain-Java kernels: correct everywhere, used when the Vector API is not available. */
final class PlainKernels implements KernelImpl {

  @Override
  public String name() {
    return "plain Java";
  }

  // GEMM: C[i][j] += A[i][p] * B[p][j] with j innermost, which the JIT vectorizes (SuperWord).
  // Blocked so that a KC x NC block of B stays in L2 while every row of A passes over it; a
  // transposed B is copied into that layout block by block, so the inner loop is always
  // contiguous. Large products are split over threads by rows or columns, as the Vector API
  // GEMM does. Rounding: each C element is a sum in order of p, as in the naive loop.

  /** Depth and width of a block of B: 256 x 512 floats is 512 KiB, half of L2. */
  private static final int KC = 256;
  private static final int NC = 512;
  /** Products with fewer multiply-adds than this run on the calling thread only. */
  private static final long PARALLEL_MIN = 1L << 20;

  private static final ThreadLocal<float[]> FLOAT_BLOCK = ThreadLocal.withInitial(() -> new float[KC * NC]);
  private static final ThreadLocal<double[]> DOUBLE_BLOCK = ThreadLocal.withInitial(() -> new double[KC * NC]);

  private static int parts(int m, int n, int k, int threads) {
    if (threads <= 1 || (long) m * n * k < PARALLEL_MIN) {
      return 1;
    }
    return Math.min(threads, Math.max(m, n));
  }

  @Override
  public PackedMatrix pack(boolean transB, int k, int n, float[] b, int bOff, int ldb) {
    float[] copy = new float[k * n];
    for (int p = 0; p < k; p++) {
      for (int j = 0; j < n; j++) {
        copy[p * n + j] = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
      }
    }
    return new PackedMatrix(this, k, n, copy, null);
  }

  @Override
  public PackedMatrix pack(boolean transB, int k, int n, double[] b, int bOff, int ldb) {
    double[] copy = new double[k * n];
    for (int p = 0; p < k; p++) {
      for (int j = 0; j < n; j++) {
        copy[p * n + j] = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
      }
    }
    return new PackedMatrix(this, k, n, null, copy);
  }

  /** The plain packing is a row-major copy of op(B). */
  @Override
  public void gemm(boolean transA, int m, int n, int k, float[] a, int aOff, int lda, PackedMatrix b,
      float[] c, int cOff, int ldc, boolean accumulate, int threads) {
    gemm(transA, false, m, n, k, a, aOff, lda, b.floats(), 0, Math.max(1, n), c, cOff, ldc, accumulate, threads);
  }

  @Override
  public void gemm(boolean transA, int m, int n, int k, double[] a, int aOff, int lda, PackedMatrix b,
      double[] c, int cOff, int ldc, boolean accumulate, int threads) {
    gemm(transA, false, m, n, k, a, aOff, lda, b.doubles(), 0, Math.max(1, n), c, cOff, ldc, accumulate, threads);
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate, int threads) {
    int parts = parts(m, n, k, threads);
    if (parts == 1) {
      gemmBlock(transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, 0, m, 0, n);
    } else if (n >= m) {
      Parallel.forEach(parts, t -> gemmBlock(transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
          accumulate, 0, m, Parallel.split(n, 16, parts, t), Parallel.split(n, 16, parts, t + 1)));
    } else {
      Parallel.forEach(parts, t -> gemmBlock(transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
          accumulate, Parallel.split(m, 1, parts, t), Parallel.split(m, 1, parts, t + 1), 0, n));
    }
  }

  /** Rows [i0, i1) and columns [j0, j1) of C. */
  private static void gemmBlock(boolean transA, boolean transB, int k,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate, int i0, int i1, int j0, int j1) {
    if (!accumulate) {
      for (int i = i0; i < i1; i++) {
        java.util.Arrays.fill(c, cOff + i * ldc + j0, cOff + i * ldc + j1, 0f);
      }
    }
    float[] block = transB ? FLOAT_BLOCK.get() : null;
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        float[] bb = b;
        int bStart = bOff + pc * ldb + jc;
        int bStride = ldb;
        if (transB) {
          for (int j = 0; j < nc; j++) {
            int src = bOff + (jc + j) * ldb + pc;
            for (int p = 0; p < kc; p++) {
              block[p * nc + j] = b[src + p];
            }
          }
          bb = block;
          bStart = 0;
          bStride = nc;
        }
        for (int i = i0; i < i1; i++) {
          int ci = cOff + i * ldc + jc;
          for (int p = 0; p < kc; p++) {
            float aip = transA ? a[aOff + (pc + p) * lda + i] : a[aOff + i * lda + pc + p];
            axpy(nc, aip, bb, bStart + p * bStride, c, ci);
          }
        }
      }
    }
  }

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate, int threads) {
    int parts = parts(m, n, k, threads);
    if (parts == 1) {
      gemmBlock(transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, 0, m, 0, n);
    } else if (n >= m) {
      Parallel.forEach(parts, t -> gemmBlock(transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
          accumulate, 0, m, Parallel.split(n, 16, parts, t), Parallel.split(n, 16, parts, t + 1)));
    } else {
      Parallel.forEach(parts, t -> gemmBlock(transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
          accumulate, Parallel.split(m, 1, parts, t), Parallel.split(m, 1, parts, t + 1), 0, n));
    }
  }

  /** Rows [i0, i1) and columns [j0, j1) of C. */
  private static void gemmBlock(boolean transA, boolean transB, int k,
      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
      double[] c, int cOff, int ldc, boolean accumulate, int i0, int i1, int j0, int j1) {
    if (!accumulate) {
      for (int i = i0; i < i1; i++) {
        java.util.Arrays.fill(c, cOff + i * ldc + j0, cOff + i * ldc + j1, 0.0);
      }
    }
    double[] block = transB ? DOUBLE_BLOCK.get() : null;
    for (int jc = j0; jc < j1; jc += NC) {
      int nc = Math.min(NC, j1 - jc);
      for (int pc = 0; pc < k; pc += KC) {
        int kc = Math.min(KC, k - pc);
        double[] bb = b;
        int bStart = bOff + pc * ldb + jc;
        int bStride = ldb;
        if (transB) {
          for (int j = 0; j < nc; j++) {
            int src = bOff + (jc + j) * ldb + pc;
            for (int p = 0; p < kc; p++) {
              block[p * nc + j] = b[src + p];
            }
          }
          bb = block;
          bStart = 0;
          bStride = nc;
        }
        for (int i = i0; i < i1; i++) {
          int ci = cOff + i * ldc + jc;
          for (int p = 0; p < kc; p++) {
            double aip = transA ? a[aOff + (pc + p) * lda + i] : a[aOff + i * lda + pc + p];
            axpy(nc, aip, bb, bStart + p * bStride, c, ci);
          }
        }
      }
    }
  }

  /** y[yOff + j] += alpha * x[xOff + j]: a loop of its own, so the JIT vectorizes it. */
  private static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
    for (int j = 0; j < n; j++) {
      y[yOff + j] += alpha * x[xOff + j];
    }
  }

  private static void axpy(int n, double alpha, double[] x, int xOff, double[] y, int yOff) {
    for (int j = 0; j < n; j++) {
      y[yOff + j] += alpha * x[xOff + j];
    }
  }

  @Override
  public void unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(x[xOff + i]);
    }
  }

  @Override
  public void unary(UnaryOp op, double[] x, int xOff, double[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(x[xOff + i]);
    }
  }

  @Override
  public void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(a[aOff + i], b[bOff + i]);
    }
  }

  @Override
  public void binary(BinaryOp op, double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(a[aOff + i], b[bOff + i]);
    }
  }

  @Override
  public void binaryScalar(BinaryOp op, float[] a, int aOff, float s, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(a[aOff + i], s);
    }
  }

  @Override
  public void binaryScalar(BinaryOp op, double[] a, int aOff, double s, double[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(a[aOff + i], s);
    }
  }

  @Override
  public void scalarBinary(BinaryOp op, float s, float[] a, int aOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(s, a[aOff + i]);
    }
  }

  @Override
  public void scalarBinary(BinaryOp op, double s, double[] a, int aOff, double[] out, int outOff, int n) {
    for (int i = 0; i < n; i++) {
      out[outOff + i] = op.apply(s, a[aOff + i]);
    }
  }

  @Override
  public double sum(float[] x, int off, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += x[off + i];
    }
    return s;
  }

  @Override
  public double sum(double[] x, int off, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s += x[off + i];
    }
    return s;
  }
}
