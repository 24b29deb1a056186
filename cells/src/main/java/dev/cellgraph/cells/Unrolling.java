package dev.cellgraph.cells;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.core.DType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * T steps of a recurrent cell written out as T calls of its step function, so that every step's
 * states are nodes of their own ({@code h_1}, {@code h_2}, ...): for measuring the gradient that
 * reaches each step ({@code train.GradientFlow}) and for drawing a sequence ({@code render.cells}).
 * A {@link Recurrent} layer scans instead (one node whatever T); this is the same computation, one
 * batch example, laid out in time.
 *
 * <p>Nodes: an input leaf {@code x_k} per step, an initial-state leaf per state ({@code h_0}), the
 * step's parameters as leaves under their canonical names, one call per step, and each new state
 * as a named node. Built in a graph the caller gives, so several cells can share one drawing; the
 * names of the per-step values are the caller's ({@link Names}), a drawing's in the cell's notation.
 *
 * <p>Its fields never change once built, but it lives in a {@link Graph}, which other unrollings
 * may share and which is not thread-safe while nodes are added: one thread at a time builds on it.
 */
public final class Unrolling {
  /** How the value {@code name} at step {@code step} (0 for initial states) is named in the graph. */
  @FunctionalInterface
  public interface Names {
    /**
     * The node name of value {@code name} at step {@code step}.
     *
     * @param name the value's name in the cell, e.g. {@code h} or {@code x}
     * @param step the time step, 0 for an initial state
     * @return the node's name, e.g. {@code h_3}
     */
    String at(String name, int step);

    /** {@code h_3}, {@code h_{12}}: a subscript, braced when it has more than one digit. */
    Names PLAIN = (name, t) -> name + "_" + (t < 10 ? "" + t : "{" + t + "}");
  }

  private final Cell cell;
  private final Function step;
  private final List<Node> inputs;
  private final List<Node> initialStates;
  private final List<Node> parameters;
  private final List<Node> calls;
  private final List<List<Node>> states;
  private final List<Node> outputs;

  private Unrolling(Cell cell, Function step, List<Node> inputs, List<Node> initialStates, List<Node> parameters,
      List<Node> calls, List<List<Node>> states, List<Node> outputs) {
    this.cell = cell;
    this.step = step;
    this.inputs = List.copyOf(inputs);
    this.initialStates = List.copyOf(initialStates);
    this.parameters = List.copyOf(parameters);
    this.calls = List.copyOf(calls);
    this.states = List.copyOf(states);
    this.outputs = List.copyOf(outputs);
  }

  /**
   * Adds {@code steps} steps of {@code cell} (batch of one) to {@code g}, naming the values with {@code names}.
   *
   * @param g the graph the nodes are added to
   * @param cell the cell to unroll
   * @param steps the number of time steps T (1 to 1000)
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @param dtype the dtype of the values and parameters
   * @param names how the per-step values are named
   * @return the unrolled steps and their nodes
   */
  public static Unrolling build(Graph g, Cell cell, int steps, int inputSize, int hiddenSize, DType dtype,
      Names names) {
    Objects.requireNonNull(g, "graph");
    Objects.requireNonNull(cell, "cell");
    Objects.requireNonNull(names, "names");
    if (steps < 1 || steps > 1000) {
      throw new IllegalArgumentException("steps (" + steps + ") must be between 1 and 1000");
    }
    // as the formulas write it: one product per matrix
    Function step = (cell instanceof FormulaCell f ? f.asWritten() : cell).step(dtype, 1, inputSize, hiddenSize);
    List<String> stateNames = cell.stateNames();
    int s = stateNames.size();
    List<Node> formals = step.params();
    List<Node> carry = new ArrayList<>();
    for (int k = 0; k < s; k++) {
      carry.add(g.input(names.at(stateNames.get(k), 0), formals.get(k).type()));
    }
    List<Node> init = List.copyOf(carry);
    List<Node> xs = new ArrayList<>();
    String in = cell instanceof FormulaCell ? ((FormulaCell) cell).spec().inputs().get(0) : "x";
    for (int t = 1; t <= steps; t++) {
      xs.add(g.input(names.at(in, t), formals.get(s).type()));
    }
    List<Node> params = new ArrayList<>();
    for (Node p : formals.subList(s + 1, formals.size())) {
      params.add(g.parameter(p.name(), p.type()));
    }
    // the output is a state's value when the step returns the same node for both (h in an LSTM)
    int outputState = -1;
    for (int k = 0; k < s; k++) {
      if (step.results().get(k) == step.results().get(s)) {
        outputState = k;
      }
    }
    String outName = cell instanceof FormulaCell ? ((FormulaCell) cell).spec().output() : "y";
    List<Node> calls = new ArrayList<>();
    List<List<Node>> states = new ArrayList<>();
    List<Node> outputs = new ArrayList<>();
    for (int t = 1; t <= steps; t++) {
      List<Node> args = new ArrayList<>(carry);
      args.add(xs.get(t - 1));
      args.addAll(params);
      Node call = step.call(args);
      calls.add(call);
      carry = new ArrayList<>();
      for (int k = 0; k < s; k++) {
        carry.add(call.output(k).named(names.at(stateNames.get(k), t)));
      }
      states.add(List.copyOf(carry));
      outputs.add(outputState >= 0 ? carry.get(outputState) : call.output(s).named(names.at(outName, t)));
    }
    return new Unrolling(cell, step, xs, init, params, calls, states, outputs);
  }

  /**
   * The unrolled cell.
   *
   * @return the cell
   */
  public Cell cell() {
    return cell;
  }

  /**
   * The step function every call calls.
   *
   * @return the step function, a formula cell's with each product on its own
   */
  public Function step() {
    return step;
  }

  /**
   * The graph the steps were added to.
   *
   * @return the graph holding the nodes
   */
  public Graph graph() {
    return calls.get(0).graph();
  }

  /**
   * The number of time steps unrolled.
   *
   * @return the number of steps T
   */
  public int steps() {
    return calls.size();
  }

  /**
   * The input leaf of each step, {@code x_1} first.
   *
   * @return the T input leaves, in time order
   */
  public List<Node> inputs() {
    return inputs;
  }

  /**
   * The initial value of each state, in the cell's state order.
   *
   * @return the initial-state leaves
   */
  public List<Node> initialStates() {
    return initialStates;
  }

  /**
   * The parameter leaves, in the step's parameter order.
   *
   * @return the parameter leaves, shared by every call
   */
  public List<Node> parameters() {
    return parameters;
  }

  /**
   * The call of the step at each time.
   *
   * @return the T calls, in time order
   */
  public List<Node> calls() {
    return calls;
  }

  /**
   * The states after each step ({@code states().get(t - 1)} after step t), in the cell's state order.
   *
   * @return the new states of each of the T steps
   */
  public List<List<Node>> states() {
    return states;
  }

  /**
   * The output of each step (the state node itself when the output is a state).
   *
   * @return the T outputs, in time order
   */
  public List<Node> outputs() {
    return outputs;
  }

  /**
   * The shortest path in {@code step}'s body from a state's previous value to its new one that
   * passes no matrix product: the line a state's value runs along undisturbed (an LSTM's cell
   * state); empty when there is none.
   *
   * @param step the cell's step function
   * @param from the node of a state's previous value in {@code step}'s body
   * @param to the node of that state's new value in {@code step}'s body
   * @return the path from {@code from} to {@code to}, both included, or an empty list
   */
  public static List<Node> carryLine(Function step, Node from, Node to) {
    Map<Node, List<Node>> readers = new IdentityHashMap<>();
    List<Node> body = step.body().nodes();
    int limit = to.id();
    for (Node n : body.subList(0, limit + 1)) {
      for (Node in : n.inputs()) {
        readers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
      }
    }
    Map<Node, Node> cameFrom = new IdentityHashMap<>();
    Deque<Node> queue = new ArrayDeque<>();
    queue.add(from);
    cameFrom.put(from, from);
    while (!queue.isEmpty()) {
      Node n = queue.poll();
      if (n == to) {
        List<Node> path = new ArrayList<>();
        for (Node p = to; p != from; p = cameFrom.get(p)) {
          path.add(p);
        }
        path.add(from);
        Collections.reverse(path);
        return path;
      }
      for (Node r : readers.getOrDefault(n, List.of())) {
        if (!cameFrom.containsKey(r) && !(r.op() instanceof Ops.MatMul)) {
          cameFrom.put(r, n);
          queue.add(r);
        }
      }
    }
    return List.of();
  }
}
