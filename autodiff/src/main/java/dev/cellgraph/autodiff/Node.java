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

  /**
   * The graph this node belongs to.
   *
   * @return the graph that created this node
   */
  public Graph graph() {
    return graph;
  }

  /**
   * The node's position in its graph: stable, deterministic, topologically ordered.
   *
   * @return the node's id, unique within its graph
   */
  public int id() {
    return id;
  }

  /**
   * The op that computes this node.
   *
   * @return the op that computes this node
   */
  public Op op() {
    return op;
  }

  /**
   * The input nodes, in the op's order.
   *
   * @return the input nodes, in the order of the op's signature
   */
  public List<Node> inputs() {
    return inputs;
  }

  /**
   * Input {@code i} (0-based).
   *
   * @param i the 0-based index of the input
   * @return the input node at position {@code i}
   */
  public Node input(int i) {
    return inputs.get(i);
  }

  /**
   * The user's name for this node, or null.
   *
   * @return the node's name, or null if it was never named
   */
  public String name() {
    return name;
  }

  /**
   * The types of all outputs (one for ordinary nodes).
   *
   * @return one type per output of the op
   */
  public List<TensorType> types() {
    return types;
  }

  /**
   * Whether the op has several outputs (select one with an output node).
   *
   * @return true if the op's output count is not one
   */
  public boolean isMultiOutput() {
    return op.outputCount() != 1;
  }

  /**
   * The type of a single-output node.
   *
   * @return the type of the node's only output
   */
  public TensorType type() {
    if (isMultiOutput()) {
      throw new IllegalStateException(
          "node " + this + " of op '" + op.name() + "' has " + op.outputCount()
              + " outputs; read one with output(i)");
    }
    return types.get(0);
  }

  /**
   * The shape of the value (of a single-output node).
   *
   * @return the shape of the node's only output
   */
  public Shape shape() {
    return type().shape();
  }

  /**
   * The dtype of the value (of a single-output node).
   *
   * @return the element type of the node's only output
   */
  public DType dtype() {
    return type().dtype();
  }

  /**
   * The rank of the value.
   *
   * @return the number of dimensions of the node's only output
   */
  public int rank() {
    return shape().rank();
  }

  /**
   * Output {@code i} of a multi-output node (the node itself for a single-output node and i = 0).
   *
   * @param i the 0-based index of the output
   * @return the output-selecting node for output {@code i}, or this node for a single-output node
   */
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

  /**
   * Gives this node a name for diagrams and messages; returns a named identity node if it has one.
   *
   * @param newName the name to give, not null
   * @return a new identity node carrying the name
   */
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

  /**
   * {@code this + o}, broadcasting.
   *
   * @param o the right operand
   * @return a node computing the sum
   */
  public Node add(Node o) { return binary(Ops.ADD, o); }
  /**
   * {@code this - o}, broadcasting.
   *
   * @param o the subtrahend
   * @return a node computing the difference
   */
  public Node sub(Node o) { return binary(Ops.SUB, o); }
  /**
   * {@code this * o} elementwise, broadcasting.
   *
   * @param o the right operand
   * @return a node computing the elementwise product
   */
  public Node mul(Node o) { return binary(Ops.MUL, o); }
  /**
   * {@code this / o} elementwise, broadcasting.
   *
   * @param o the divisor
   * @return a node computing the elementwise quotient
   */
  public Node div(Node o) { return binary(Ops.DIV, o); }
  /**
   * {@code -x} elementwise.
   *
   * @return a node computing the negation
   */
  public Node neg() { return unary(Ops.NEG); }
  /**
   * {@code e^x} elementwise.
   *
   * @return a node computing the exponential
   */
  public Node exp() { return unary(Ops.EXP); }
  /**
   * The natural logarithm elementwise.
   *
   * @return a node computing the natural logarithm
   */
  public Node log() { return unary(Ops.LOG); }
  /**
   * {@code tanh(x)} elementwise.
   *
   * @return a node computing the hyperbolic tangent
   */
  public Node tanh() { return unary(Ops.TANH); }
  /**
   * The logistic function elementwise.
   *
   * @return a node computing the sigmoid
   */
  public Node sigmoid() { return unary(Ops.SIGMOID); }
  /**
   * {@code max(x, 0)} elementwise.
   *
   * @return a node computing the rectified value
   */
  public Node relu() { return unary(Ops.RELU); }
  /**
   * {@code log(1 + e^x)} elementwise.
   *
   * @return a node computing the softplus
   */
  public Node softplus() { return unary(Ops.SOFTPLUS); }
  /**
   * {@code x / (1 + |x|)} elementwise.
   *
   * @return a node computing the softsign
   */
  public Node softsign() { return unary(Ops.SOFTSIGN); }
  /**
   * {@code |x|} elementwise.
   *
   * @return a node computing the absolute value
   */
  public Node abs() { return unary(Ops.ABS); }
  /**
   * {@code x * x} elementwise.
   *
   * @return a node computing the square
   */
  public Node square() { return unary(Ops.SQUARE); }
  /**
   * The square root elementwise.
   *
   * @return a node computing the square root
   */
  public Node sqrt() { return unary(Ops.SQRT); }
  /**
   * {@code 1 / x} elementwise.
   *
   * @return a node computing the reciprocal
   */
  public Node reciprocal() { return unary(Ops.RECIPROCAL); }
  /**
   * The error function elementwise.
   *
   * @return a node computing the error function
   */
  public Node erf() { return unary(Ops.ERF); }
  /**
   * Elementwise max(this, o), as torch.maximum (a tie gives each operand half the gradient).
   *
   * @param o the other operand, broadcast against this node
   * @return a node computing the elementwise maximum
   */
  public Node maximum(Node o) { return binary(Ops.MAXIMUM, o); }
  /**
   * Elementwise min(this, o), as torch.minimum.
   *
   * @param o the other operand, broadcast against this node
   * @return a node computing the elementwise minimum
   */
  public Node minimum(Node o) { return binary(Ops.MINIMUM, o); }
  /**
   * max(this, c), as torch.clamp(min=c): the gradient passes at the tie.
   *
   * @param c the lower bound
   * @return a node computing this node clamped from below at {@code c}
   */
  public Node max(double c) { return unary(new Ops.MaxScalar(c)); }
  /**
   * min(this, c), as torch.clamp(max=c): the gradient passes at the tie.
   *
   * @param c the upper bound
   * @return a node computing this node clamped from above at {@code c}
   */
  public Node min(double c) { return unary(new Ops.MinScalar(c)); }
  /**
   * 1 where this > c, else 0 (no gradient): a mask for backward rules and piecewise functions.
   *
   * @param c the threshold
   * @return a 0/1 mask node of this node's shape
   */
  public Node above(double c) { return Ops.above(this, c); }
  /**
   * 1 where {@code this < c}, else 0 (no gradient).
   *
   * @param c the threshold
   * @return a 0/1 mask node of this node's shape
   */
  public Node below(double c) { return Ops.below(this, c); }

  /**
   * {@code this + c}.
   *
   * @param c the constant to add
   * @return a node computing the shifted values
   */
  public Node add(double c) { return unary(new Ops.AddScalar(c)); }
  /**
   * {@code this * c}.
   *
   * @param c the constant factor
   * @return a node computing the scaled values
   */
  public Node mul(double c) { return unary(new Ops.MulScalar(c)); }
  /**
   * {@code c - this}.
   *
   * @param c the constant to subtract from
   * @return a node computing {@code c} minus each element
   */
  public Node rsub(double c) { return unary(new Ops.RsubScalar(c)); }
  /**
   * {@code 1 - this}.
   *
   * @return a node computing one minus each element
   */
  public Node oneMinus() { return rsub(1.0); }
  /**
   * {@code this ^ p}, elementwise.
   *
   * @param p the exponent
   * @return a node computing each element raised to {@code p}
   */
  public Node pow(double p) { return unary(new Ops.PowScalar(p)); }

  /**
   * The matrix product; see {@link Tensor#matmul(Tensor, boolean, boolean)} for the shapes.
   *
   * @param b the right-hand matrix (or batch of matrices)
   * @return a node computing the product {@code this b}
   */
  public Node matmul(Node b) { return matmul(b, false, false); }

  /**
   * op(this) op(b), where op transposes the last two axes when asked.
   *
   * @param b the right-hand matrix (or batch of matrices)
   * @param transA whether to transpose the last two axes of this node first
   * @param transB whether to transpose the last two axes of {@code b} first
   * @return a node computing the product
   */
  public Node matmul(Node b, boolean transA, boolean transB) {
    return binary(Ops.matmul(transA, transB), b);
  }

  /**
   * Swaps the last two axes.
   *
   * @return a node holding the transpose over the last two axes
   */
  public Node t() { return unary(LayoutOps.TRANSPOSE); }

  /**
   * Reorders the axes: axis i of the result is axis {@code perm[i]} of this node.
   *
   * @param perm a permutation of this node's axes
   * @return a node holding the permuted tensor
   */
  public Node permute(int... perm) { return unary(new LayoutOps.Permute(perm)); }

  /**
   * The same elements in a new shape; one dimension may be -1 and is then inferred.
   *
   * @param dims the new dimensions, at most one of them -1
   * @return a node holding the reshaped tensor
   */
  public Node reshape(int... dims) { return reshape(Shape.of(resolveReshape(dims))); }

  /**
   * The same elements in shape {@code s}; this node itself when the shape is already {@code s}.
   *
   * @param s the new shape, of the same size as this node's
   * @return this node if its shape is already {@code s}, else a reshape node
   */
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

  /**
   * Elements {@code [start, end)} along {@code axis}.
   *
   * @param axis the axis to slice (negative counts from the end)
   * @param start the first index kept
   * @param end the index after the last one kept
   * @return a node holding the slice
   */
  public Node slice(int axis, int start, int end) {
    return unary(new LayoutOps.Slice(shape().normalizeAxis(axis), start, end));
  }

  /**
   * Index {@code i} along {@code axis}, the axis removed.
   *
   * @param axis the axis to index (negative counts from the end)
   * @param i the index along {@code axis}
   * @return a node holding the selected elements, one rank lower
   */
  public Node select(int axis, int i) {
    int a = shape().normalizeAxis(axis);
    return slice(a, i, i + 1).reshape(shape().without(a));
  }

  /**
   * The sum of all elements, a scalar.
   *
   * @return a scalar node holding the sum
   */
  public Node sum() { return unary(Ops.SUM_ALL); }

  /**
   * The sum over one axis.
   *
   * @param axis the axis to sum over (negative counts from the end)
   * @param keepDims whether to keep the summed axis with size 1
   * @return a node holding the sums
   */
  public Node sum(int axis, boolean keepDims) {
    return unary(new Ops.SumAxis(shape().normalizeAxis(axis), keepDims));
  }

  /**
   * The mean of all elements, as a scalar.
   *
   * @return a scalar node holding the mean
   */
  public Node mean() { return sum().mul(1.0 / shape().size()); }

  /**
   * The mean over {@code axis}, which is removed unless {@code keepDims}.
   *
   * @param axis the axis to average over
   * @param keepDims whether to keep the averaged axis with size 1
   * @return a node holding the means
   */
  public Node mean(int axis, boolean keepDims) {
    return sum(axis, keepDims).mul(1.0 / shape().dim(axis));
  }

  /**
   * Sums down to {@code target}: the adjoint of broadcasting {@code target} to this shape.
   *
   * @param target a shape this node's shape is a broadcast of
   * @return this node if it already has shape {@code target}, else a summing node
   */
  public Node sumTo(Shape target) {
    if (target.equals(shape())) {
      return this;
    }
    return unary(new Ops.SumTo(target));
  }

  /**
   * Broadcasts to {@code target} under NumPy's rules.
   *
   * @param target the shape to broadcast to
   * @return this node if it already has shape {@code target}, else a broadcasting node
   */
  public Node broadcastTo(Shape target) {
    if (target.equals(shape())) {
      return this;
    }
    return unary(new LayoutOps.BroadcastTo(target));
  }

  /**
   * log(softmax(this)) over the last axis, numerically stable.
   *
   * @return a node holding the log-probabilities, of this node's shape
   */
  public Node logSoftmax() { return unary(Ops.LOG_SOFTMAX); }

  /**
   * Rows of this table {@code [V, D]} gathered by integer {@code ids}: {@code ids.shape + [D]}.
   *
   * @param ids the integer row indices into this table
   * @return a node holding the gathered rows
   */
  public Node gather(Node ids) { return binary(IndexOps.GATHER, ids); }

  /**
   * This tensor converted to another dtype.
   *
   * @param to the target dtype
   * @return this node if it already has dtype {@code to}, else a cast node
   */
  public Node cast(DType to) {
    if (to == dtype()) {
      return this;
    }
    return unary(new LayoutOps.Cast(to));
  }

  /**
   * Joins nodes along an axis.
   *
   * @param axis the axis to join along
   * @param parts the nodes to join, in order
   * @return the joined node (the only part itself if there is one)
   */
  public static Node concat(int axis, Node... parts) {
    return concat(axis, Arrays.asList(parts));
  }

  /**
   * Joins nodes along an axis.
   *
   * @param axis the axis to join along
   * @param parts the nodes to join, in order, all in the same graph
   * @return the only part if there is one, else a node holding the concatenation
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
