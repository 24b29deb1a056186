package dev.cellgraph.cells.lang;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The shapes of one cell for one input size I and hidden size H: of every parameter,
 * every variable and every node of its equations. Nodes are looked up by identity (the very
 * {@link Expr} objects of {@link CellSpec#equations()}). Immutable and thread-safe.
 */
public final class ShapeInfo {
  private final int inputSize;
  private final int hiddenSize;
  private final IdentityHashMap<Expr, int[]> nodes;
  private final ImmutableMap<String, int[]> parameters;
  private final ImmutableMap<String, Integer> variables;

  ShapeInfo(int inputSize, int hiddenSize, IdentityHashMap<Expr, ImmutableList<Dim>> symbolic,
      ImmutableMap<String, Dim> variables, ImmutableList<Parameter> parameters) {
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.nodes = new IdentityHashMap<>();
    symbolic.forEach((e, dims) -> nodes.put(e, eval(dims)));
    ImmutableMap.Builder<String, int[]> p = ImmutableMap.builder();
    for (Parameter param : parameters) {
      p.put(param.name(), eval(param.dims()));
    }
    this.parameters = p.buildOrThrow();
    ImmutableMap.Builder<String, Integer> v = ImmutableMap.builder();
    for (Map.Entry<String, Dim> e : variables.entrySet()) {
      v.put(e.getKey(), Math.toIntExact(e.getValue().eval(inputSize, hiddenSize)));
    }
    this.variables = v.buildOrThrow();
  }

  private int[] eval(ImmutableList<Dim> dims) {
    int[] out = new int[dims.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = Math.toIntExact(dims.get(k).eval(inputSize, hiddenSize));
    }
    return out;
  }

  /**
   * The input size I the shapes were computed for.
   *
   * @return the input size I
   */
  public int inputSize() {
    return inputSize;
  }

  /**
   * The hidden size H the shapes were computed for.
   *
   * @return the hidden size H
   */
  public int hiddenSize() {
    return hiddenSize;
  }

  /**
   * The shape of a node of this cell's equations: {@code []} for a number (broadcast),
   * {@code [n]} for a vector, {@code [rows, cols]} for a matrix parameter.
   *
   * @param node a node of this cell's equations, the very object
   * @return a copy of the node's shape
   */
  public int[] of(Expr node) {
    int[] s = nodes.get(node);
    checkArgument(s != null, "'%s' is not a node of this cell's equations", node);
    return s.clone();
  }

  /**
   * The shape of a parameter, by canonical name.
   *
   * @param name the parameter's canonical name, e.g. {@code W_f}
   * @return a copy of the parameter's shape
   */
  public int[] ofParameter(String name) {
    int[] s = parameters.get(name);
    checkArgument(s != null, "'%s' is not a parameter of this cell", name);
    return s.clone();
  }

  /**
   * The size of the input, a state or an intermediate value, by canonical name.
   *
   * @param name the variable's canonical name, e.g. {@code h}
   * @return the variable's size
   */
  public int ofVariable(String name) {
    Integer n = variables.get(name);
    checkArgument(n != null, "'%s' is not a variable of this cell", name);
    return n;
  }
}
