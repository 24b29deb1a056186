package dev.cellgraph.autodiff;

import dev.cellgraph.core.Tensor;
import java.util.List;

/**
 * An operation: its name, its type rule, its forward computation and its backward rule.
 *
 * <p>An {@code Op} instance is an immutable value that carries its own attributes (the axis of a
 * slice, the transposes of a matrix product); attribute-free ops are singletons. Each primitive
 * op is defined in one place, in the table of its family ({@link Ops}: arithmetic,
 * {@link LayoutOps}: shape and layout, {@link IndexOps}: indexing, {@link GraphOps}: leaves,
 * constants and output projections), so that a reader can check a forward computation against its
 * backward rule at a glance; {@link CallOp} and {@link Scan.ScanOp} run graphs of their own.
 *
 * <p>Backward rules are written with graph operations, so a gradient is itself a graph that can be
 * drawn, compiled and differentiated again.
 *
 * <p>Implementations must be thread-safe (immutable, or with concurrent caches as {@link
 * Scan.ScanOp}'s compilations): a {@link Plan} runs its ops from several threads at once.
 */
public abstract class Op {

  /**
   * The op's name, e.g. {@code "tanh"} or {@code "matmul"}.
   *
   * @return the op's name, without attributes
   */
  public abstract String name();

  /**
   * A short label with attributes, for diagrams and messages; defaults to the name.
   *
   * @return the label drawn and reported for the op
   */
  public String label() {
    return name();
  }

  /**
   * What this op is to the compiler's passes; see {@link OpKind}.
   *
   * @return the op's kind
   */
  public abstract OpKind kind();

  /**
   * The symbol diagrams draw for this op (σ, ⊙, ·, [ , ]); defaults to its {@link #label()}.
   *
   * @return the symbol drawn for the op
   */
  public String symbol() {
    return label();
  }

  /**
   * Whether recomputing this op's value from its one input costs no more than reading it back, so
   * that a backward pass recomputes it instead of saving it; by default, ops that only move data.
   *
   * @return true if a backward pass should recompute the value rather than save it
   */
  public boolean isFreeToRecompute() {
    return kind().isDataMovement();
  }

  /**
   * Whether the op is linear in its one input, so that a sum over time may be taken before it
   * ({@code Σ_t op(E_t) = op(Σ_t E_t)}, which the scan compiler uses for weight gradients). By
   * default reshapes, transposes, slices and pads; an op of another kind that is linear says so.
   *
   * @return true if the op is linear in its one input
   */
  public boolean isLinear() {
    return switch (kind()) {
      case RESHAPE, TRANSPOSE, SLICE, PAD -> true;
      default -> false;
    };
  }

  /**
   * How many values the op produces; ops with several are read through {@link Node#output(int)}.
   *
   * @return the number of outputs, 1 by default
   */
  public int outputCount() {
    return 1;
  }

  /**
   * The types of the outputs for inputs of the given types, or an {@link IllegalArgumentException}
   * whose message names the op and the offending shapes.
   *
   * @param inputs the types of the op's operands, in the order of its signature
   * @return one type per output
   */
  public abstract List<TensorType> inferTypes(List<TensorType> inputs);

  /**
   * Computes the outputs from input values whose types passed {@link #inferTypes}.
   *
   * @param inputs the op's operand values, in the order of its signature
   * @return one value per output
   */
  public abstract List<Tensor> compute(List<Tensor> inputs);

  /**
   * Computes the outputs when only some are read: {@code used[i]} is false for an output nobody
   * reads, which the op may then leave null instead of computing (a {@link Plan} passes this for
   * multi-output nodes). {@code used} null means every output is read. The default computes all.
   *
   * @param inputs the op's operand values, in the order of its signature
   * @param used which outputs are read, or null for all
   * @return one value per output, null allowed where {@code used} is false
   */
  public List<Tensor> compute(List<Tensor> inputs, boolean[] used) {
    return compute(inputs);
  }

  /**
   * Computes the outputs under the options of the plan that runs this op: ops that run graphs
   * of their own (calls, scans) pass them on; the default ignores them.
   *
   * @param inputs the op's operand values, in the order of its signature
   * @param used which outputs are read, or null for all
   * @param options the options of the plan running this op
   * @return one value per output, null allowed where {@code used} is false
   */
  public List<Tensor> compute(List<Tensor> inputs, boolean[] used, CompileOptions options) {
    return used == null ? compute(inputs) : compute(inputs, used);
  }

  /**
   * The vector-Jacobian product: given the node this op produced and one cotangent per output
   * (never null: a zero-filled node stands for an output that received no gradient), returns one
   * gradient per input, each the type of that input, or {@link Gradients#NONE} for an input the op
   * declares non-differentiable or whose derivative is identically zero.
   *
   * @param node the node this op produced, whose inputs the gradients are for
   * @param cotangents the gradient of the loss with respect to each output, one per output
   * @return one gradient node per input, or {@code Gradients.NONE} for an input without one
   * @throws UnsupportedOperationException naming the op, when the op has no backward rule
   */
  public abstract List<Node> backward(Node node, List<Node> cotangents);

  /**
   * Whether the op's value depends only on its inputs, so that constant inputs can be folded.
   *
   * @return true if the op has no side effects or hidden state
   */
  public boolean isPure() {
    return true;
  }

  /**
   * Check helper: the number of inputs.
   *
   * @param inputs the types of the op's operands
   * @param n the number of operands the op takes
   */
  protected final void checkArity(List<TensorType> inputs, int n) {
    if (inputs.size() != n) {
      throw new IllegalArgumentException(
          name() + " takes " + n + " input" + (n == 1 ? "" : "s") + ", got " + inputs.size());
    }
  }

  @Override
  public String toString() {
    return label();
  }
}
