package dev.cellgraph.autodiff;

import static dev.cellgraph.autodiff.Gradients.NONE;
import static dev.cellgraph.autodiff.Ops.grads;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * The ops that read or write by integer index: gather (an embedding lookup), its adjoint
 * scatter_add, and one_hot. Each op is in one place with its name, type rule, forward computation
 * and backward rule, as in {@link Ops}; integer ids are never differentiable.
 *
 * <p>Thread-safe: its ops are immutable values (see {@link Op}) and it holds no other state.
 */
public final class IndexOps {
  private IndexOps() {}

  /** Rows of a table gathered by integer ids (an embedding lookup). */
  public static final Op GATHER = new Op() {
    @Override public OpKind kind() { return OpKind.INDEXING; }

    @Override public String name() { return "gather"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 2);
      TensorType table = in.get(0);
      TensorType ids = in.get(1);
      if (table.shape().rank() != 2) {
        throw new IllegalArgumentException("gather needs a table of rank 2, got " + table.shape());
      }
      if (ids.dtype().isFloating()) {
        throw new IllegalArgumentException("gather needs integer ids, got " + ids);
      }
      int[] d = Arrays.copyOf(ids.shape().toArray(), ids.shape().rank() + 1);
      d[d.length - 1] = table.shape().dim(1);
      return List.of(new TensorType(table.dtype(), Shape.of(d)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(Tensor.gather(in.get(0), in.get(1))); }

    @Override public List<Node> backward(Node node, List<Node> g) {
      Node table = node.input(0);
      Node ids = node.input(1);
      Node dt = g.get(0).graph().apply(new ScatterAdd(table.shape().dim(0)), List.of(g.get(0), ids));
      return grads(dt, NONE);   // ids: integer, not differentiable
    }
  };

  /** Rows added into a table of {@code rows} rows at integer ids: the adjoint of {@link #GATHER}. */
  public static final class ScatterAdd extends Op {
    @Override public OpKind kind() { return OpKind.INDEXING; }

    private final int rows;

    /**
     * Scatter-add into a table of {@code rows} rows.
     *
     * @param rows the number of rows of the output table
     */
    public ScatterAdd(int rows) { this.rows = rows; }

    @Override public String name() { return "scatter_add"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 2);
      TensorType v = in.get(0);
      TensorType ids = in.get(1);
      if (ids.dtype().isFloating()) {
        throw new IllegalArgumentException("scatter_add needs integer ids, got " + ids);
      }
      Shape vs = v.shape();
      if (vs.rank() != ids.shape().rank() + 1) {
        throw new IllegalArgumentException("scatter_add: values " + vs + " do not match ids " + ids.shape());
      }
      return List.of(new TensorType(v.dtype(), Shape.of(rows, vs.dim(-1))));
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      Tensor v = in.get(0);
      Tensor ids = in.get(1);
      int d = v.shape().dim(-1);
      double[] out = new double[rows * d];
      double[] src = v.toDoubleArray();
      for (int i = 0, n = ids.size(); i < n; i++) {
        int id = (int) ids.getLong(i);
        for (int j = 0; j < d; j++) {
          out[id * d + j] += src[i * d + j];
        }
      }
      return List.of(Tensor.of(v.dtype(), out, Shape.of(rows, d)));
    }

    @Override public List<Node> backward(Node node, List<Node> g) {
      return grads(g.get(0).gather(node.input(1)), NONE);
    }
  }

  /** One-hot rows of integer ids: {@code ids.shape + [depth]}; constant with respect to everything. */
  public static final class OneHot extends Op {
    @Override public OpKind kind() { return OpKind.INDEXING; }

    private final int depth;
    private final DType dtype;

    /**
     * One-hot rows of length {@code depth} and dtype {@code dtype}.
     *
     * @param depth the length of each one-hot row (the number of classes)
     * @param dtype the element type of the one-hot output
     */
    public OneHot(int depth, DType dtype) {
      this.depth = depth;
      this.dtype = dtype;
    }

    @Override public String name() { return "one_hot"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      if (in.get(0).dtype().isFloating()) {
        throw new IllegalArgumentException("one_hot needs integer ids, got " + in.get(0));
      }
      int[] d = Arrays.copyOf(in.get(0).shape().toArray(), in.get(0).shape().rank() + 1);
      d[d.length - 1] = depth;
      return List.of(new TensorType(dtype, Shape.of(d)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(Tensor.oneHot(in.get(0), depth, dtype)); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(NONE); }
  }
}
