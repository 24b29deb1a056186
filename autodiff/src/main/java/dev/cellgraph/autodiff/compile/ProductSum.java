package dev.cellgraph.autodiff.compile;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Op;
import dev.cellgraph.autodiff.OpKind;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.Workspace;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.kernel.Kernels;
import java.util.Arrays;
import java.util.List;

/**
 * {@code sum_to(a ⊙ b, [N])} for a and b of one shape {@code [..., N]}: the sum over all rows of
 * the rows' elementwise products (a layer normalisation's gain gradient, Σ over steps and batch of
 * dy ⊙ x̂), built by {@link Fusion} in place of the product and its sum. The product is never
 * stored: each row's product goes through a small buffer into the running sum. Same bits as the
 * two ops: each product is the {@link Kernels#binary} multiply, and each element of the sum adds
 * the rows in order from 0, as core's {@code sumTo} does. It exists only in compiled plans (it has
 * no backward rule).
 */
final class ProductSum extends Op {
  /** Columns of one part of the sum: the buffer of one row's product stays in L1. */
  private static final int BLOCK = 1024;
  /** Elements of a below which the sum stays on the calling thread. */
  private static final long PARALLEL_MIN = 1L << 16;

  private final TensorType type;
  private final String label;

  ProductSum(TensorType type, String label) {
    this.type = type;
    this.label = label;
  }

  @Override public OpKind kind() { return OpKind.FUSED; }
  @Override public String name() { return "product_sum"; }

  /** {@code mul Σ→[N]}: the two ops it computes. */
  @Override public String label() { return label; }

  @Override public List<TensorType> inferTypes(List<TensorType> in) { return List.of(type); }

  @Override public List<Node> backward(Node node, List<Node> cotangents) {
    throw new UnsupportedOperationException("product_sum: a compiled product and sum has no backward rule");
  }

  @Override public List<Tensor> compute(List<Tensor> in) {
    Tensor a = in.get(0);
    Tensor b = in.get(1);
    Shape out = type.shape();
    int m = out.size();
    int rows = a.size() / m;
    int blocks = (m + BLOCK - 1) / BLOCK;
    // columns split between threads: each element still sums its rows in order
    int parts = a.size() < PARALLEL_MIN ? 1 : Math.min(Kernels.threads(), blocks);
    if (type.dtype() == DType.FLOAT32) {
      float[] x = TensorAccess.floats(a);
      float[] y = TensorAccess.floats(b);
      float[] r = Workspace.newFloats(m);
      Arrays.fill(r, 0f);
      Kernels.parallel(parts, p -> {
        float[] t = new float[BLOCK];
        for (int k = blocks * p / parts; k < blocks * (p + 1) / parts; k++) {
          int c0 = k * BLOCK;
          int w = Math.min(BLOCK, m - c0);
          for (int o = 0; o < rows; o++) {
            Kernels.binary(BinaryOp.MUL, x, o * m + c0, y, o * m + c0, t, 0, w);
            Kernels.binary(BinaryOp.ADD, r, c0, t, 0, r, c0, w);
          }
        }
      });
      return List.of(TensorAccess.wrap(r, out));
    }
    double[] x = TensorAccess.doubles(a);
    double[] y = TensorAccess.doubles(b);
    double[] r = Workspace.newDoubles(m);
    Arrays.fill(r, 0.0);
    Kernels.parallel(parts, p -> {
      double[] t = new double[BLOCK];
      for (int k = blocks * p / parts; k < blocks * (p + 1) / parts; k++) {
        int c0 = k * BLOCK;
        int w = Math.min(BLOCK, m - c0);
        for (int o = 0; o < rows; o++) {
          Kernels.binary(BinaryOp.MUL, x, o * m + c0, y, o * m + c0, t, 0, w);
          Kernels.binary(BinaryOp.ADD, r, c0, t, 0, r, c0, w);
        }
      }
    });
    return List.of(TensorAccess.wrap(r, out));
  }

  @Override public String toString() {
    return label;
  }
}
