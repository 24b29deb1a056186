package dev.cellgraph.render.cells;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.render.Diagram;
import dev.cellgraph.render.DiagramStyle;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.core.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * T steps of a recurrent cell written out as T calls of its step function, so that every step's
 * states are nodes of their own ({@code h_1}, {@code h_2}, ...): for drawing a sequence and for
 * measuring the gradient that reaches each step. A {@link dev.cellgraph.cells.Recurrent} layer
 * scans instead (one node whatever T); this is the same computation, one batch example, laid out
 * in time.
 *
 * <p>Nodes: an input leaf {@code x_k} per step, an initial-state leaf per state ({@code h_0}), the
 * step's parameters as leaves under their canonical names, one call per step, and each new state
 * as a named node. Built in a graph the caller gives, so several cells can share one drawing.
 */
public final class Unrolled {
  private final Cell cell;
  private final Function step;
  private final List<Node> inputs;
  private final List<Node> initialStates;
  private final List<Node> parameters;
  private final List<Node> calls;
  private final List<List<Node>> states;
  private final List<Node> outputs;

  private Unrolled(Cell cell, Function step, List<Node> inputs, List<Node> initialStates, List<Node> parameters,
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

  /** {@code steps} steps of {@code cell} in a graph of their own (float64, one example). */
  public static Unrolled of(Cell cell, int steps, int inputSize, int hiddenSize) {
    return build(new Graph(cell.name() + " unrolled"), cell, steps, inputSize, hiddenSize, DType.FLOAT64);
  }

  /** Adds {@code steps} steps of {@code cell} to {@code g}. */
  public static Unrolled build(Graph g, Cell cell, int steps, int inputSize, int hiddenSize, DType dtype) {
    Objects.requireNonNull(g, "graph");
    Objects.requireNonNull(cell, "cell");
    if (steps < 1 || steps > 1000) {
      throw new IllegalArgumentException("steps (" + steps + ") must be between 1 and 1000");
    }
    // drawn as the formulas write it: one product per matrix
    Function step = (cell instanceof FormulaCell f ? f.asWritten() : cell).step(dtype, 1, inputSize, hiddenSize);
    Spelling sp = cell instanceof FormulaCell ? Spelling.of(((FormulaCell) cell).spec()) : null;
    List<String> names = cell.stateNames();
    int s = names.size();
    List<Node> formals = step.params();
    List<Node> carry = new ArrayList<>();
    for (int k = 0; k < s; k++) {
      carry.add(g.input(at(sp, names.get(k), 0), formals.get(k).type()));
    }
    List<Node> init = List.copyOf(carry);
    List<Node> xs = new ArrayList<>();
    String in = cell instanceof FormulaCell ? ((FormulaCell) cell).spec().inputs().get(0) : "x";
    for (int t = 1; t <= steps; t++) {
      xs.add(g.input(at(sp, in, t), formals.get(s).type()));
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
        carry.add(call.output(k).named(at(sp, names.get(k), t)));
      }
      states.add(List.copyOf(carry));
      outputs.add(outputState >= 0 ? carry.get(outputState) : call.output(s).named(at(sp, outName, t)));
    }
    return new Unrolled(cell, step, xs, init, params, calls, states, outputs);
  }

  private static String at(Spelling sp, String name, int t) {
    return sp != null ? sp.atStep(name, t) : name + "_" + (t < 10 ? "" + t : "{" + t + "}");
  }

  public Cell cell() {
    return cell;
  }

  public Function step() {
    return step;
  }

  public Graph graph() {
    return calls.get(0).graph();
  }

  public int steps() {
    return calls.size();
  }

  /** The input leaf of each step, {@code x_1} first. */
  public List<Node> inputs() {
    return inputs;
  }

  /** The initial value of each state, in the cell's state order. */
  public List<Node> initialStates() {
    return initialStates;
  }

  /** The parameter leaves, in the step's parameter order. */
  public List<Node> parameters() {
    return parameters;
  }

  /** The call of the step at each time. */
  public List<Node> calls() {
    return calls;
  }

  /** The states after each step ({@code states().get(t - 1)} after step t), in the cell's state order. */
  public List<List<Node>> states() {
    return states;
  }

  /** The output of each step (the state node itself when the output is a state). */
  public List<Node> outputs() {
    return outputs;
  }

  /**
   * The sequence drawn left to right: initial states, then each step as one box ({@code depth} 0)
   * or a cluster showing its body ({@code depth} 1 and more), the states between them. Weights,
   * shared by every step, are left out of the drawing.
   */
  public Diagram diagram(int depth) {
    return Diagram.of(outputsAndStates()).expand(depth).compact(true).perExample(true)
        .style(style(depth).build());
  }

  /**
   * The backward graph of {@code L = Σ} (last output), with respect to the inputs, the initial
   * states and the weights: each step's backward is a call of the step's derived gradient.
   */
  public Diagram backward(int depth) {
    Node loss = outputs.get(outputs.size() - 1).sum().named("L");
    List<Node> wrt = new ArrayList<>(inputs);
    wrt.addAll(initialStates);
    wrt.addAll(parameters);
    Gradients grads = Gradients.of(loss, wrt);
    return Diagram.of(loss).backward(grads).expand(depth).compact(true).perExample(true)
        .style(style(depth).build());
  }

  private List<Node> outputsAndStates() {
    List<Node> r = new ArrayList<>(states.get(states.size() - 1));
    for (Node o : outputs) {
      if (!r.contains(o)) {
        r.add(o);
      }
    }
    return r;
  }

  DiagramStyle.Builder style(int depth) {
    DiagramStyle.Builder b = DiagramStyle.builder();
    for (Node p : parameters) {
      b.hide(p);
    }
    for (Node h : initialStates) {
      b.stateIn(h);
    }
    if (depth == 0) {
      // the first state's line straight through the boxes: time runs along one row
      List<Node> line = new ArrayList<>();
      line.add(initialStates.get(0));
      for (int t = 0; t < calls.size(); t++) {
        line.add(calls.get(t));
        line.add(states.get(t).get(0));
      }
      b.spine(line);
    }
    return b;
  }
}
