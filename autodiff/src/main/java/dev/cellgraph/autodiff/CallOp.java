package dev.cellgraph.autodiff;

import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The call of a composite {@link Function}: one node in the caller's graph.
 *
 * <p>Immutable and thread-safe: it holds only its {@link Function}, which is thread-safe.
 */
public final class CallOp extends Op {
  private final Function fn;

  CallOp(Function fn) {
    this.fn = fn;
  }

  /**
   * The function this node calls.
   *
   * @return the composite function this call node invokes
   */
  public Function function() {
    return fn;
  }

  @Override
  public OpKind kind() {
    return OpKind.CALL;
  }

  @Override
  public String name() {
    return fn.name();
  }

  @Override
  public int outputCount() {
    return fn.results().size();
  }

  @Override
  public List<TensorType> inferTypes(List<TensorType> in) {
    List<TensorType> want = fn.paramTypes();
    if (in.size() != want.size()) {
      throw new IllegalArgumentException(
          "call of '" + fn.name() + "' with " + in.size() + " arguments, it takes " + want.size());
    }
    for (int i = 0; i < in.size(); i++) {
      if (!in.get(i).equals(want.get(i))) {
        Node p = fn.params().get(i);
        throw new IllegalArgumentException("call of '" + fn.name() + "': argument " + i
            + (p.name() != null ? " ('" + p.name() + "')" : "") + " is " + in.get(i)
            + ", expected " + want.get(i));
      }
    }
    return fn.resultTypes();
  }

  @Override
  public List<Tensor> compute(List<Tensor> in) {
    return compute(in, null, CompileOptions.defaults());
  }

  @Override
  public List<Tensor> compute(List<Tensor> in, boolean[] used, CompileOptions options) {
    if (fn.fused() != null) {
      return fn.fused().forward(in);
    }
    return fn.plan(options).run(in);
  }

  @Override
  public List<Node> backward(Node node, List<Node> cotangents) {
    List<Node> args = new ArrayList<>(node.inputs());
    if (fn.fused() != null) {
      for (int i = 0; i < outputCount(); i++) {
        args.add(node.output(i));
      }
      args.addAll(cotangents);
      Node b = node.graph().apply(new FusedBackward(fn), args);
      return outputsOf(b, node.inputs().size());
    }
    args.addAll(cotangents);
    Node v = fn.vjp().call(args);
    return outputsOf(v, node.inputs().size());
  }

  private static List<Node> outputsOf(Node n, int count) {
    List<Node> r = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      r.add(n.output(i));
    }
    return r;
  }

  /** The backward of a fused function: inputs, outputs and cotangents to input gradients. */
  public static final class FusedBackward extends Op {
    private final Function fn;

    FusedBackward(Function fn) {
      this.fn = fn;
    }

    /**
     * The fused function whose backward this is.
     *
     * @return the fused function whose backward this op computes
     */
    public Function function() {
      return fn;
    }

    @Override
    public String name() {
      return fn.name() + ".fused_backward";
    }

    @Override
    public OpKind kind() {
      return OpKind.FUSED;
    }

    @Override
    public int outputCount() {
      return fn.params().size();
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in) {
      int n = fn.params().size();
      int r = fn.results().size();
      if (in.size() != n + 2 * r) {
        throw new IllegalArgumentException(name() + " takes " + (n + 2 * r) + " inputs, got " + in.size());
      }
      return fn.paramTypes();
    }

    @Override
    public List<Tensor> compute(List<Tensor> in) {
      int n = fn.params().size();
      int r = fn.results().size();
      return fn.fused().backward(in.subList(0, n), in.subList(n, n + r), in.subList(n + r, n + 2 * r));
    }

    @Override
    public List<Node> backward(Node node, List<Node> cotangents) {
      throw new UnsupportedOperationException(
          "the fused rule of '" + fn.name() + "' is first order; differentiate the derived function instead");
    }
  }
}
