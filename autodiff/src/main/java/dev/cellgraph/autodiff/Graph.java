package dev.cellgraph.autodiff;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A computation graph: an append-only list of {@link Node}s. Nodes are created through the
 * graph's leaf factories ({@link #input}, {@link #parameter}, {@link #constant}) and the fluent
 * methods of {@link Node}; each new node's inputs already exist, so creation order is a
 * topological order and node ids are deterministic.
 *
 * <p>A graph is not thread-safe while it is being built; a compiled {@link Plan} is.
 */
public final class Graph {
  private final String name;
  private final List<Node> nodes = new ArrayList<>();

  /** An empty graph named {@code graph}. */
  public Graph() {
    this("graph");
  }

  /**
   * An empty graph; {@code name} is used when it is drawn.
   *
   * @param name the graph's name, not null
   */
  public Graph(String name) {
    this.name = Objects.requireNonNull(name, "name");
  }

  /**
   * The graph's name.
   *
   * @return the name given at construction
   */
  public String name() {
    return name;
  }

  /**
   * All nodes in creation (topological) order; a read-only view.
   *
   * @return an unmodifiable view of the nodes, in the order they were added
   */
  public List<Node> nodes() {
    return Collections.unmodifiableList(nodes);
  }

  /**
   * The number of nodes.
   *
   * @return the number of nodes added so far
   */
  public int size() {
    return nodes.size();
  }

  /**
   * A value fed at run time.
   *
   * @param name the input's name, not null
   * @param dtype the element type of the fed value
   * @param dims the dimensions of the fed value
   * @return the new input node
   */
  public Node input(String name, DType dtype, int... dims) {
    return input(name, new TensorType(dtype, Shape.of(dims)));
  }

  /**
   * A value of {@code type} fed at run time.
   *
   * @param name the input's name, not null
   * @param type the type of the fed value
   * @return the new input node
   */
  public Node input(String name, TensorType type) {
    return add(new GraphOps.Leaf(GraphOps.Leaf.Role.INPUT, type), List.of(), Objects.requireNonNull(name, "name"));
  }

  /**
   * A trainable parameter, fed at run time like an input but drawn and treated as a weight.
   *
   * @param name the parameter's name, not null
   * @param dtype the element type of the parameter
   * @param dims the dimensions of the parameter
   * @return the new parameter node
   */
  public Node parameter(String name, DType dtype, int... dims) {
    return parameter(name, new TensorType(dtype, Shape.of(dims)));
  }

  /**
   * A trainable parameter of {@code type}, fed at run time like an input but drawn and treated as a weight.
   *
   * @param name the parameter's name, not null
   * @param type the type of the parameter
   * @return the new parameter node
   */
  public Node parameter(String name, TensorType type) {
    return add(new GraphOps.Leaf(GraphOps.Leaf.Role.PARAMETER, type), List.of(), Objects.requireNonNull(name, "name"));
  }

  /**
   * A constant value held by the graph.
   *
   * @param value the tensor the node always produces
   * @return the new constant node
   */
  public Node constant(Tensor value) {
    return add(new GraphOps.Constant(value), List.of(), null);
  }

  /**
   * A tensor of the given type filled with {@code value}.
   *
   * @param value the value of every element
   * @param type the dtype and shape of the tensor
   * @return the new fill node
   */
  public Node fill(double value, TensorType type) {
    return add(new GraphOps.Fill(value, type), List.of(), null);
  }

  /**
   * A tensor of the given type filled with zeros.
   *
   * @param type the dtype and shape of the tensor
   * @return the new all-zero fill node
   */
  public Node zeros(TensorType type) {
    return fill(0.0, type);
  }

  /**
   * A rank-0 constant.
   *
   * @param value the scalar's value
   * @param dtype the scalar's element type
   * @return the new rank-0 fill node
   */
  public Node scalar(double value, DType dtype) {
    return fill(value, new TensorType(dtype, Shape.scalar()));
  }

  /**
   * Applies an op to input nodes of this graph; the general form behind the fluent API.
   *
   * @param op the op to apply
   * @param inputs the op's operands, in the order of its signature, all in this graph
   * @return the new, unnamed node
   */
  public Node apply(Op op, List<Node> inputs) {
    return apply(op, inputs, null);
  }

  /**
   * Applies an op to input nodes of this graph; {@code name} (or null) is the user's name for the result.
   *
   * @param op the op to apply
   * @param inputs the op's operands, in the order of its signature, all in this graph
   * @param name the user's name for the new node, or null
   * @return the new node
   */
  public Node apply(Op op, List<Node> inputs, String name) {
    for (Node n : inputs) {
      checkSameGraph(n);
    }
    return add(op, List.copyOf(inputs), name);
  }

  Node add(Op op, List<Node> inputs, String name) {
    List<TensorType> out;
    if (op instanceof GraphOps.GetOutput) {
      out = List.of(inputs.get(0).types().get(((GraphOps.GetOutput) op).index()));
    } else {
      List<TensorType> in = new ArrayList<>(inputs.size());
      for (Node n : inputs) {
        in.add(n.type());
      }
      out = List.copyOf(op.inferTypes(in));
    }
    if (out.size() != op.outputCount()) {
      throw new IllegalStateException(
          "op '" + op.name() + "' declared " + op.outputCount() + " outputs but inferred " + out.size());
    }
    Node n = new Node(this, nodes.size(), op, List.copyOf(inputs), out, name);
    nodes.add(n);
    return n;
  }

  void checkSameGraph(Node n) {
    if (n.graph() != this) {
      throw new IllegalArgumentException(
          "node " + n + " belongs to graph '" + n.graph().name() + "', not to '" + name + "'");
    }
  }

  @Override
  public String toString() {
    return "Graph '" + name + "' (" + nodes.size() + " nodes)";
  }
}
