package dev.cellgraph.render.cells;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.render.Diagram;
import dev.cellgraph.render.DiagramStyle;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.Unrolling;
import dev.cellgraph.core.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A drawing of T steps of a recurrent cell written out as T calls of its step function (an
 * {@link Unrolling}), every value named in the cell's own notation ({@code h_1}, {@code C_{12}}):
 * the sequence and its backward graph.
 *
 * <p>Not thread-safe: it lives in a {@link Graph}, which other drawings may share and which is not
 * thread-safe while nodes are added, as {@link #backward} adds them.
 */
public final class Unrolled {
  private final Unrolling unrolling;

  private Unrolled(Unrolling u) {
    this.unrolling = u;
  }

  /**
   * {@code steps} steps of {@code cell} in a graph of their own (float64, one example).
   *
   * @param cell the cell to unroll
   * @param steps the number of time steps
   * @param inputSize the size I of each step's input
   * @param hiddenSize the hidden size H of the cell's states
   * @return the unrolled steps in a new float64 graph named after the cell
   */
  public static Unrolled of(Cell cell, int steps, int inputSize, int hiddenSize) {
    return build(new Graph(cell.name() + " unrolled"), cell, steps, inputSize, hiddenSize, DType.FLOAT64);
  }

  /**
   * Adds {@code steps} steps of {@code cell} to {@code g}.
   *
   * @param g the graph to add the steps to
   * @param cell the cell to unroll
   * @param steps the number of time steps
   * @param inputSize the size I of each step's input
   * @param hiddenSize the hidden size H of the cell's states
   * @param dtype the element type of the inputs, states and parameters
   * @return the unrolled steps
   */
  public static Unrolled build(Graph g, Cell cell, int steps, int inputSize, int hiddenSize, DType dtype) {
    Objects.requireNonNull(cell, "cell");
    return new Unrolled(Unrolling.build(g, cell, steps, inputSize, hiddenSize, dtype, names(cell)));
  }

  /** The names of values at a step in the cell's notation ({@code h_3}, {@code h^3}), for any cell. */
  static Unrolling.Names names(Cell cell) {
    if (!(cell instanceof FormulaCell f)) {
      return Unrolling.Names.PLAIN;
    }
    Spelling sp = Spelling.of(f.spec());
    return sp::atStep;
  }

  /**
   * The steps as the graph has them.
   *
   * @return the underlying unrolling of the steps
   */
  public Unrolling unrolling() {
    return unrolling;
  }

  /**
   * The unrolled cell.
   *
   * @return the cell that was unrolled
   */
  public Cell cell() {
    return unrolling.cell();
  }

  /**
   * The step function called at every time step.
   *
   * @return the step function every call node invokes
   */
  public Function step() {
    return unrolling.step();
  }

  /**
   * The graph of the unrolled steps.
   *
   * @return the graph holding the steps
   */
  public Graph graph() {
    return unrolling.graph();
  }

  /**
   * The number of time steps.
   *
   * @return the number of unrolled steps
   */
  public int steps() {
    return unrolling.steps();
  }

  /**
   * The input leaf of each step, {@code x_1} first.
   *
   * @return one input leaf per step, in time order
   */
  public List<Node> inputs() {
    return unrolling.inputs();
  }

  /**
   * The initial value of each state, in the cell's state order.
   *
   * @return one initial-value node per state of the cell
   */
  public List<Node> initialStates() {
    return unrolling.initialStates();
  }

  /**
   * The parameter leaves, in the step's parameter order.
   *
   * @return the parameter leaves shared by every step
   */
  public List<Node> parameters() {
    return unrolling.parameters();
  }

  /**
   * The call of the step at each time.
   *
   * @return one call node per step, in time order
   */
  public List<Node> calls() {
    return unrolling.calls();
  }

  /**
   * The states after each step ({@code states().get(t - 1)} after step t), in the cell's state
   * order.
   *
   * @return one list of state nodes per step, in time order
   */
  public List<List<Node>> states() {
    return unrolling.states();
  }

  /**
   * The output of each step (the state node itself when the output is a state).
   *
   * @return one output node per step, in time order
   */
  public List<Node> outputs() {
    return unrolling.outputs();
  }

  /**
   * The sequence drawn left to right: initial states, then each step as one box ({@code depth} 0)
   * or a cluster showing its body ({@code depth} 1 and more), the states between them. Weights,
   * shared by every step, are left out of the drawing.
   *
   * @param depth 0 to draw each step as a box, 1 or more to open the steps as clusters
   * @return the diagram of the unrolled forward sequence
   */
  public Diagram diagram(int depth) {
    return Diagram.of(outputsAndStates()).expand(depth).compact(true).perExample(true)
        .style(style(depth).build());
  }

  /**
   * The backward graph of {@code L = Σ} (last output), with respect to the inputs, the initial
   * states and the weights: each step's backward is a call of the step's derived gradient.
   *
   * @param depth 0 to draw each call as a box, 1 or more to open the calls as clusters
   * @return the diagram of the forward and backward graphs of the loss
   */
  public Diagram backward(int depth) {
    Node loss = unrolling.outputs().get(unrolling.steps() - 1).sum().named("L");
    List<Node> wrt = new ArrayList<>(unrolling.inputs());
    wrt.addAll(unrolling.initialStates());
    wrt.addAll(unrolling.parameters());
    Gradients grads = Gradients.of(loss, wrt);
    return Diagram.of(loss).backward(grads).expand(depth).compact(true).perExample(true)
        .style(style(depth).build());
  }

  private List<Node> outputsAndStates() {
    List<Node> r = new ArrayList<>(unrolling.states().get(unrolling.steps() - 1));
    for (Node o : unrolling.outputs()) {
      if (!r.contains(o)) {
        r.add(o);
      }
    }
    return r;
  }

  DiagramStyle.Builder style(int depth) {
    DiagramStyle.Builder b = DiagramStyle.builder();
    for (Node p : unrolling.parameters()) {
      b.hide(p);
    }
    for (Node h : unrolling.initialStates()) {
      b.stateIn(h);
    }
    if (depth == 0) {
      // the first state's line straight through the boxes: time runs along one row
      List<Node> line = new ArrayList<>();
      line.add(unrolling.initialStates().get(0));
      for (int t = 0; t < unrolling.steps(); t++) {
        line.add(unrolling.calls().get(t));
        line.add(unrolling.states().get(t).get(0));
      }
      b.spine(line);
    }
    return b;
  }
}
