package dev.cellgraph.autodiff;

import static dev.cellgraph.autodiff.Ops.fmt;

import dev.cellgraph.core.Tensor;
import java.util.List;

/**
 * The ops a {@link Graph} makes itself rather than computes: its leaves (inputs and parameters
 * fed at run time), constants and fills, and the projection of one output of a multi-output node.
 * None passes a gradient on by a rule of its own: leaves, constants and fills have no inputs,
 * and {@link Gradients} routes a projection's gradient to its node.
 *
 * <p>Thread-safe: its ops are immutable values (see {@link Op}) and it holds no other state.
 */
public final class GraphOps {
  private GraphOps() {}

  /** A value fed at run time: an input or a parameter. */
  public static final class Leaf extends Op {
    @Override public OpKind kind() { return OpKind.LEAF; }

    /** What a fed value is. */
    public enum Role { /** Data, fed anew for each batch. */ INPUT, /** A weight, which training changes. */ PARAMETER }

    private final Role role;
    private final TensorType type;

    Leaf(Role role, TensorType type) {
      this.role = role;
      this.type = type;
    }

    /**
     * Whether the value is an input or a parameter.
     *
     * @return {@code INPUT} for an input, {@code PARAMETER} for a parameter
     */
    public Role role() { return role; }

    @Override public String name() { return role == Role.INPUT ? "input" : "parameter"; }
    @Override public List<TensorType> inferTypes(List<TensorType> in) { checkArity(in, 0); return List.of(type); }

    @Override public List<Tensor> compute(List<Tensor> in) {
      throw new IllegalStateException("a " + name() + " is fed, not computed");
    }

    @Override public List<Node> backward(Node node, List<Node> g) { return List.of(); }
    @Override public boolean isPure() { return false; }
  }

  /** A constant tensor held by the graph. */
  public static final class Constant extends Op {
    @Override public OpKind kind() { return OpKind.CONSTANT; }

    private final Tensor value;

    Constant(Tensor value) { this.value = value; }

    /**
     * The constant's value.
     *
     * @return the tensor this constant always produces
     */
    public Tensor value() { return value; }

    @Override public String name() { return "constant"; }

    @Override public String label() {
      return value.size() == 1 ? fmt(value.getFlat(0)) : "constant " + value.shape();
    }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 0);
      return List.of(new TensorType(value.dtype(), value.shape()));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(value); }
    @Override public List<Node> backward(Node node, List<Node> g) { return List.of(); }
  }

  /** A tensor filled with one value. */
  public static final class Fill extends Op {
    @Override public OpKind kind() { return OpKind.CONSTANT; }

    private final double value;
    private final TensorType type;

    Fill(double value, TensorType type) {
      this.value = value;
      this.type = type;
    }

    /**
     * The value every element has.
     *
     * @return the fill value of every element
     */
    public double value() { return value; }

    @Override public String name() { return "fill"; }
    @Override public String label() { return value == 0 ? "0" : fmt(value); }
    @Override public List<TensorType> inferTypes(List<TensorType> in) { checkArity(in, 0); return List.of(type); }
    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(Tensor.full(type.dtype(), value, type.shape())); }
    @Override public List<Node> backward(Node node, List<Node> g) { return List.of(); }
  }

  /** Output i of a multi-output node. Its gradient is handled by {@link Gradients} directly. */
  public static final class GetOutput extends Op {
    @Override public OpKind kind() { return OpKind.GET_OUTPUT; }

    private final int index;

    GetOutput(int index) { this.index = index; }

    /**
     * Which output of the multi-output input node this selects (0-based).
     *
     * @return the 0-based index of the selected output
     */
    public int index() { return index; }

    @Override public String name() { return "output"; }
    @Override public String label() { return "#" + index; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      throw new IllegalStateException("GetOutput is typed by its multi-output input");
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      throw new IllegalStateException("GetOutput is evaluated by the plan");
    }

    @Override public List<Node> backward(Node node, List<Node> g) {
      throw new IllegalStateException("GetOutput is differentiated by Gradients");
    }
  }
}
