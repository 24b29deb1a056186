package dev.cellgraph.autodiff;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A value in a {@link Graph}: an op applied to input nodes, with a static dtype and shape known
 * when the node is built (a mismatch is an error at build time, naming the op and both shapes).
 *
 * <p>A node's id is its position in its graph, so ids are stable across runs and a graph's nodes
 * in id order are already in topological order. Nodes compare by identity.
 *
 * <p>The fluent methods build new nodes in the same graph: {@code x.matmul(w).add(b).sigmoid()}.
 *
 * <p>A node's op, inputs and type never change once built; building new nodes from it is not
 * thread-safe, like its {@link Graph}.
 */
public final class Node {
  private final Graph graph;
  private final int id;
  private final Op op;
  private final List<Node> inputs;
  private final List<TensorType> types;
  private final String name;
  private Node[] outputs; // projections of a multi-output node, built on first use

  Node(Graph graph, int id, Op op, List<Node> inputs, List<TensorType> types, String name) {
    this.graph = graph;
    this.id = id;
    this.op = op;
    this.inputs = inputs;
    this.types = types;
    this.name = name;
  }

  /** The graph this node belongs to. */
  public Graph graph() {
    return graph;
  }

  /** The node's position in its graph: stable, deterministic, topologically ordered. */
  public int id() {
    return id;
  }

  /** The op that computes this node. */
  public Op op() {
    return op;
  }

  /** The input nodes, in the op's order. */
  public List<Node> inputs() {
    return inputs;
  }

  /** Input {@code i} (0-based). */
  public Node input(int i) {
    return inputs.get(i);
  }

  /** The user's name for this node, or null. */
  public String name() {
    return name;
  }

  /** The types of all outputs (one for ordinary nodes). */
  public List<TensorType> types() {
    return types;
  }

  /** Whether the op has several outputs (select one with an output node). */
  public boolean isMultiOutput() {
    return op.outputCount() != 1;
  }

  /** The type of a single-output node. */
  public TensorType type() {
    if (isMultiOutput()) {
      throw new IllegalStateException(
          "node " + this + " of op '" + op.name() + "' has " + op.outputCount()
              + " outputs; read one with output(i)");
    }
    return types.get(0);
  }

  /** The shape of the value (of a single-output node). */
  public Shape shape() {
    return type().shape();
  }

  /** The dtype of the value (of a single-output node). */
  public DType dtype() {
    return type().dtype();
  }

  /** The rank of the value. */
  public int rank() {
    return shape().rank();
  }

  /** Output {@code i} of a multi-output node (the node itself for a single-output node and i = 0). */
  public Node output(int i) {
    if (!isMultiOutput()) {
      if (i != 0) {
        throw new IllegalArgumentException("node " + this + " has one output, asked for output " + i);
      }
      return this;
    }
    if (i < 0 || i >= types.size()) {
      throw new IllegalArgumentException(
          "node " + this + " has " + types.size() + " outputs, asked for output " + i);
    }
    synchronized (this) {
      if (outputs == null) {
        outputs = new Node[types.size()];
      }
      if (outputs[i] == null) {
        outputs[i] = graph.add(new GraphOps.GetOutput(i), List.of(this), null);
      }
      return outputs[i];
    }
  }

  /** Gives this node a name for diagrams and messages; returns a named identity node if it has one. */
  public Node named(String newName) {
    return graph.add(LayoutOps.IDENTITY, List.of(this), Objects.requireNonNull(newName, "name"));
  }

  // ------------------------------------------------------------------ fluent API

  private Node unary(Op op) {
    return graph.add(op, List.of(this), null);
  }

  private Node binary(Op op, Node other) {
    graph.checkSameGraph(other);
    return graph.add(op, List.of(this, other), null);
  }

  /** {@code this + o}, broadcasting. */
  public Node add(Node o) { return binary(Ops.ADD, o); }
  /** {@code this - o}, broadcasting. */
  public Node sub(Node o) { return binary(Ops.SUB, o); }
  /** {@code this * o} elementwise, broadcasting. */
  public Node mul(Node o) { return binary(Ops.MUL, o); }
  /** {@code this / o} elementwise, broadcasting. */
  public Node div(Node o) { return binary(Ops.DIV, o); }
  /** {@code -x} elementwise. */
  public Node neg() { return unary(Ops.NEG); }
  /** {@code e^x} elementwise. */
  public Node exp() { return unary(Ops.EXP); }
  /** The natural logarithm elementwise. */
  public Node log() { return unary(Ops.LOG); }
  /** {@code tanh(x)} elementwise. */
  public Node tanh() { return unary(Ops.TANH); }
  /** The logistic function elementwise. */
  public Node sigmoid() { return unary(Ops.SIGMOID); }
  /** {@code max(x, 0)} elementwise. */
  public Node relu() { return unary(Ops.RELU); }
  /** {@code log(1 + e^x)} elementwise. */
  public Node softplus() { return unary(Ops.SOFTPLUS); }
  /** {@code x / (1 + |x|)} elementwise. */
  public Node softsign() { return unary(Ops.SOFTSIGN); }
  /** {@code |x|} elementwise. */
  public Node abs() { return unary(Ops.ABS); }
  /** {@code x * x} elementwise. */
  public Node square() { return unary(Ops.SQUARE); }
  /** The square root elementwise. */
  public Node sqrt() { return unary(Ops.SQRT); }
  /** {@code 1 / x} elementwise. */
  public Node reciprocal() { return unary(Ops.RECIPROCAL); }
  /** The error function elementwise. */
  public Node erf() { return unary(Ops.ERF); }
  /** Elementwise max(this, o), as torch.maximum (a tie gives each operand half the gradient). */
  public Node maximum(Node o) { return binary(Ops.MAXIMUM, o); }
  /** Elementwise min(this, o), as torch.minimum. */
  public Node minimum(Node o) { return binary(Ops.MINIMUM, o); }
  /** max(this, c), as torch.clamp(min=c): the gradient passes at the tie. */
  public Node max(double c) { return unary(new Ops.MaxScalar(c)); }
  /** min(this, c), as torch.clamp(max=c): the gradient passes at the tie. */
  public Node min(double c) { return unary(new Ops.MinScalar(c)); }
  /** 1 where this > c, else 0 (no gradient): a mask for backward rules and piecewise functions. */
  public Node above(double c) { return Ops.above(this, c); }
  /** 1 where {@code this < c}, else 0 (no gradient). */
  public Node below(double c) { return Ops.below(this, c); }

  /** {@code this + c}. */
  public Node add(double c) { return unary(new Ops.AddScalar(c)); }
  /** {@code this * c}. */
  public Node mul(double c) { return unary(new Ops.MulScalar(c)); }
  /** {@code c - this}. */
  public Node rsub(double c) { return unary(new Ops.RsubScalar(c)); }
  /** {@code 1 - this}. */
  public Node oneMinus() { return rsub(1.0); }
  /** {@code this ^ p}, elementwise. */
  public Node pow(double p) { return unary(new Ops.PowScalar(p)); }

  /** The matrix product; see {@link Tensor#matmul(Tensor, boolean, boolean)} for the shapes. */
  public Node matmul(Node b) { return matmul(b, false, false); }

  /** op(this) op(b), where op transposes the last two axes when asked. */
  public Node matmul(Node b, boolean transA, boolean transB) {
    return binary(Ops.matmul(transA, transB), b);
  }

  /** Swaps the last two axes. */
  public Node t() { return unary(LayoutOps.TRANSPOSE); }

  /** Reorders the axes: axis i of the result is axis {@code perm[i]} of this node. */
  public Node permute(int... perm) { return unary(new LayoutOps.Permute(perm)); }

  /** The same elements in a new shape; one dimension may be -1 and is then inferred. */
  public Node reshape(int... dims) { return reshape(Shape.of(resolveReshape(dims))); }

  /** The same elements in shape {@code s}; this node itself when the shape is already {@code s}. */
  public Node reshape(Shape s) {
    if (s.equals(shape())) {
      return this;
    }
    return unary(new LayoutOps.Reshape(s));
  }

  private int[] resolveReshape(int[] dims) {
    int[] nd = dims.clone();
    int known = 1;
    int infer = -1;
    for (int i = 0; i < nd.length; i++) {
      if (nd[i] == -1 && infer < 0) {
        infer = i;
      } else {
        known *= nd[i];
      }
    }
    if (infer >= 0 && known > 0) {
      nd[infer] = shape().size() / known;
    }
    return nd;
  }

  /** Elements {@code [start, end)} along {@code axis}. */
  public Node slice(int axis, int start, int end) {
    return unary(new LayoutOps.Slice(shape().normalizeAxis(axis), start, end));
  }

  /** Index {@code i} along {@code axis}, the axis removed. */
  public Node select(int axis, int i) {
    int a = shape().normalizeAxis(axis);
    return slice(a, i, i + 1).reshape(shape().without(a));
  }

  /** The sum of all elements, a scalar. */
  public Node sum() { return unary(Ops.SUM_ALL); }

  /** The sum over one axis. */
  public Node sum(int axis, boolean keepDims) {
    return unary(new Ops.SumAxis(shape().normalizeAxis(axis), keepDims));
  }

  /** The mean of all elements, as a scalar. */
  public Node mean() { return sum().mul(1.0 / shape().size()); }

  /** The mean over {@code axis}, which is removed unless {@code keepDims}. */
  public Node mean(int axis, boolean keepDims) {
    return sum(axis, keepDims).mul(1.0 / shape().dim(axis));
  }

  /** Sums down to {@code target}: the adjoint of broadcasting {@code target} to this shape. */
  public Node sumTo(Shape target) {
    if (target.equals(shape())) {
      return this;
    }
    return unary(new Ops.SumTo(target));
  }

  /** Broadcasts to {@code target} under NumPy's rules. */
  public Node broadcastTo(Shape target) {
    if (target.equals(shape())) {
      return this;
    }
    return unary(new LayoutOps.BroadcastTo(target));
  }

  /** log(softmax(this)) over the last axis, numerically stable. */
  public Node logSoftmax() { return unary(Ops.LOG_SOFTMAX); }

  /** Rows of this table {@code [V, D]} gathered by integer {@code ids}: {@code ids.shape + [D]}. */
  public Node gather(Node ids) { return binary(IndexOps.GATHER, ids); }

  /** This tensor converted to another dtype. */
  public Node cast(DType to) {
    if (to == dtype()) {
      return this;
    }
    return unary(new LayoutOps.Cast(to));
  }

  /** Joins nodes along an axis. */
  public static Node concat(int axis, Node... parts) {
    return concat(axis, Arrays.asList(parts));
  }

  /**
   * Joins nodes along an axis.
   *
   * @throws IllegalArgumentException if {@code parts} is empty
   */
  public static Node concat(int axis, List<Node> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("concat needs at least one node");
    }
    Node first = parts.get(0);
    if (parts.size() == 1) {
      return first;
    }
    for (Node p : parts) {
      first.graph.checkSameGraph(p);
    }
    return first.graph.add(new LayoutOps.Concat(first.shape().normalizeAxis(axis)), List.copyOf(parts), null);
  }

  /** {@code n12:tanh float64[2, 3]} or with the node's name. */
  @Override
  public String toString() {
    String t = isMultiOutput() ? types.toString() : types.get(0).toString();
    return "n" + id + (name != null ? " '" + name + "'" : "") + ":" + op.label() + " " + t;
  }
}
