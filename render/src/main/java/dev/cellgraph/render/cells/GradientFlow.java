package dev.cellgraph.render.cells;

import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.render.Diagram;
import dev.cellgraph.render.DiagramStyle;
import dev.cellgraph.render.Labels;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.core.Shape;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where gradients vanish: several cells unrolled over the same input sequence, the loss read at
 * the last step only, and for every step the norm of the gradient of the loss with respect to
 * that step's states, {@code ‖∂L/∂h_t‖}. Drawn as one row per cell, every edge between steps
 * coloured by the norm of the gradient it carries back, on one shared logarithmic scale: a
 * vanilla RNN's colour fades with distance from the loss, an LSTM's holds along its cell state.
 *
 * <p>The setting, fixed so that the picture is reproducible: float64, one example, every weight
 * and bias drawn from PyTorch's default for recurrent layers (uniform ±1/√H) with the seed, the
 * inputs {@code x_t} standard normal from the same seed and shared by all cells, initial states
 * zero, and {@code L = Σ_j y_T[j]} (the sum of the last output). Optionally a gate bias B is
 * added to the bias of each gate that multiplies a state's previous value on its carry line (an
 * LSTM's forget gate f, a GRU's update gate z): PyTorch initializes that bias like every other
 * (B = 0), which keeps the gate near σ(0) = ½; B = 1 is the forget-gate bias Gers et al. and
 * Jozefowicz et al. recommend and Keras uses by default.
 */
public final class GradientFlow {
  private static final DType DTYPE = DType.FLOAT64;

  /**
   * One cell's measurements: {@code norms[k][t-1]} is {@code ‖∂L/∂state_k after step t‖};
   * {@code shiftedBiases} the biases the gate bias was added to.
   */
  public record Row(String name, List<String> states, List<String> shiftedBiases, double[][] norms) {
    public Row {
      Objects.requireNonNull(name, "name");
      states = List.copyOf(states);
      shiftedBiases = List.copyOf(shiftedBiases);
      norms = norms.clone();
    }

    /** The norm of the gradient reaching state k after step t (1-based t). */
    public double norm(int state, int step) {
      return norms[state][step - 1];
    }
  }

  private final int steps;
  private final int inputSize;
  private final int hiddenSize;
  private final long seed;
  private final double gateBias;
  private final List<Row> rows;
  private final Diagram diagram;

  private GradientFlow(int steps, int inputSize, int hiddenSize, long seed, double gateBias, List<Row> rows,
      Diagram diagram) {
    this.steps = steps;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.seed = seed;
    this.gateBias = gateBias;
    this.rows = List.copyOf(rows);
    this.diagram = diagram;
  }

  /**
   * Runs each of {@code cells} (by display name) over {@code steps} steps of one input sequence and
   * measures the gradient reaching every step.
   */
  public static GradientFlow measure(Map<String, Cell> cells, int steps, int inputSize, int hiddenSize, long seed) {
    return measure(cells, steps, inputSize, hiddenSize, seed, 0);
  }

  /** As {@link #measure(Map, int, int, int, long)}, with {@code gateBias} added to the carry gates' biases. */
  public static GradientFlow measure(Map<String, Cell> cells, int steps, int inputSize, int hiddenSize, long seed,
      double gateBias) {
    if (!Double.isFinite(gateBias) || Math.abs(gateBias) > 20) {
      throw new IllegalArgumentException("gate bias (" + gateBias + ") must be between -20 and 20");
    }
    if (cells.isEmpty()) {
      throw new IllegalArgumentException("gradient flow needs at least one cell");
    }
    if (steps < 2 || steps > 200) {
      throw new IllegalArgumentException("steps (" + steps + ") must be between 2 and 200");
    }
    Graph g = new Graph("gradient flow");
    Rng inputRng = Rng.seeded(seed);
    List<Tensor> xs = new ArrayList<>();
    for (int t = 0; t < steps; t++) {
      xs.add(Initializers.normal(inputRng, DTYPE, Shape.of(1, inputSize), 0, 1));
    }
    Map<Node, Tensor> feeds = new IdentityHashMap<>();
    List<Node> feedOrder = new ArrayList<>();
    List<Node> wanted = new ArrayList<>();
    List<Unrolled> unrolled = new ArrayList<>();
    DiagramStyle.Builder style = DiagramStyle.builder();
    List<Node> losses = new ArrayList<>();
    List<List<String>> shifted = new ArrayList<>();
    int index = 0;
    for (Map.Entry<String, Cell> e : cells.entrySet()) {
      Cell cell = e.getValue();
      Unrolled u = Unrolled.build(g, cell, steps, inputSize, hiddenSize, DTYPE);
      unrolled.add(u);
      Map<String, Tensor> w = Recurrent.of(cell, inputSize, hiddenSize).initialize(Rng.seeded(seed + 1 + index), DTYPE);
      List<String> names = new ArrayList<>(cell.parameterShapes(inputSize, hiddenSize).keySet());
      shifted.add(gateBias != 0 ? carryGateBiases(u) : List.of());
      if (gateBias != 0) {
        for (String b : shifted.get(index)) {
          w.put(b, w.get(b).add(gateBias));
        }
      }
      for (int k = 0; k < names.size(); k++) {
        put(feeds, feedOrder, u.parameters().get(k), w.get(names.get(k)));
      }
      for (int t = 0; t < steps; t++) {
        put(feeds, feedOrder, u.inputs().get(t), xs.get(t));
      }
      for (Node h0 : u.initialStates()) {
        put(feeds, feedOrder, h0, Tensor.zeros(DTYPE, h0.shape()));
      }
      Node loss = u.outputs().get(steps - 1).sum().named("L");
      losses.add(loss);
      List<Node> wrt = new ArrayList<>(u.initialStates());
      wrt.addAll(u.inputs());
      Gradients grads = Gradients.of(loss, wrt);
      for (List<Node> st : u.states()) {
        for (Node s : st) {
          wanted.add(adjointOrZero(grads, s));
        }
      }
      for (Node h0 : u.initialStates()) {
        wanted.add(adjointOrZero(grads, h0));
      }
      List<Node> rowNodes = new ArrayList<>(u.initialStates());
      for (int t = 0; t < steps; t++) {
        rowNodes.add(u.calls().get(t));
        rowNodes.addAll(u.states().get(t));
      }
      rowNodes.add(u.outputs().get(steps - 1));
      rowNodes.add(loss);
      rowNodes.add(loss.input(0));
      for (Node p : u.parameters()) {
        style.hide(p);
      }
      for (Node x : u.inputs()) {
        style.hide(x);
      }
      style.group(e.getKey(), rowNodes);
      List<Node> line = new ArrayList<>();
      line.add(u.initialStates().get(0));
      for (int t = 0; t < steps; t++) {
        line.add(u.calls().get(t));
        line.add(u.states().get(t).get(0));
      }
      style.spine(line);
      index++;
    }
    List<Tensor> values = Plan.compile(wanted, feedOrder).run(feeds);
    Map<Node, Tensor> gradOf = new IdentityHashMap<>();
    List<Row> rows = new ArrayList<>();
    int at = 0;
    index = 0;
    for (Map.Entry<String, Cell> e : cells.entrySet()) {
      Unrolled u = unrolled.get(index++);
      int ns = u.initialStates().size();
      double[][] norms = new double[ns][steps];
      for (int t = 0; t < steps; t++) {
        for (int k = 0; k < ns; k++) {
          Tensor gt = values.get(at++);
          Node s = u.states().get(t).get(k);
          norms[k][t] = gt.norm();
          if (norms[k][t] > 0) {          // the last step's other states carry nothing back
            gradOf.put(s, gt);
            gradOf.put(s.input(0), gt);   // the step's output the state is read from
          }
        }
      }
      for (int k = 0; k < ns; k++) {
        gradOf.put(u.initialStates().get(k), values.get(at++));
      }
      rows.add(new Row(e.getKey(), u.cell().stateNames(), shifted.get(index - 1), norms));
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    for (Tensor t : gradOf.values()) {
      double n = t.norm();
      if (n > 0) {
        lo = Math.min(lo, n);
        hi = Math.max(hi, n);
      }
    }
    // whole decades, so the legend reads 1e-6 ... 1
    lo = Math.pow(10, Math.floor(Math.log10(lo)));
    hi = Math.pow(10, Math.ceil(Math.log10(hi)));
    if (hi <= lo) {
      hi = lo * 10;
    }
    Diagram d = Diagram.of(losses).compact(true).numbers(false).annotate(Map.of(), gradOf).gradientScale(lo, hi)
        .style(style.build());
    return new GradientFlow(steps, inputSize, hiddenSize, seed, gateBias, rows, d);
  }

  /**
   * For each state with a carry line, the first bias of the gate that multiplies the state's
   * previous value on it: {@code f} in {@code c' = f ⊙ c + ...}, found in the step's body as the
   * sigmoid whose sum of terms holds the bias. One bias per gate, so the gate's total bias moves by
   * exactly the amount added.
   */
  static List<String> carryGateBiases(Unrolled u) {
    List<String> r = new ArrayList<>();
    dev.cellgraph.autodiff.Function step = u.step();
    int ns = u.initialStates().size();
    for (int k = 0; k < ns; k++) {
      List<Node> line = CellDiagram.carryLine(step, step.params().get(k), step.results().get(k));
      for (int i = 1; i < line.size(); i++) {
        Node n = line.get(i);
        if (n.op() != dev.cellgraph.autodiff.Ops.MUL) {
          continue;
        }
        Node gate = n.input(0) == line.get(i - 1) ? n.input(1) : n.input(0);
        while (gate.op() == dev.cellgraph.autodiff.LayoutOps.IDENTITY) {
          gate = gate.input(0);
        }
        if (!gate.op().name().equals("sigmoid")) {
          continue;
        }
        String bias = firstBias(gate.input(0));
        if (bias != null && !r.contains(bias)) {
          r.add(bias);
        }
        break;
      }
    }
    return r;
  }

  /** The first vector parameter among the terms of a sum, or null. */
  private static String firstBias(Node sum) {
    java.util.ArrayDeque<Node> todo = new java.util.ArrayDeque<>();
    todo.push(sum);
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      if (n.op() == dev.cellgraph.autodiff.Ops.ADD || n.op() instanceof dev.cellgraph.autodiff.LayoutOps.BroadcastTo) {
        for (int i = n.inputs().size() - 1; i >= 0; i--) {
          todo.push(n.input(i));
        }
      } else if (n.op() instanceof dev.cellgraph.autodiff.GraphOps.Leaf
          && ((dev.cellgraph.autodiff.GraphOps.Leaf) n.op()).role() == dev.cellgraph.autodiff.GraphOps.Leaf.Role.PARAMETER
          && n.rank() == 1) {
        return n.name();
      }
    }
    return null;
  }

  /** The adjoint of a state, or zeros for one the loss does not depend on. */
  private static Node adjointOrZero(Gradients grads, Node state) {
    Node a = grads.adjoints().get(state);
    return a != null ? a : state.graph().zeros(state.type());
  }

  private static void put(Map<Node, Tensor> feeds, List<Node> order, Node n, Tensor v) {
    feeds.put(n, v);
    order.add(n);
  }

  /** One row per cell, in the order given. */
  public List<Row> rows() {
    return rows;
  }

  /** Every cell's row in one drawing, on one colour scale. */
  public Diagram diagram() {
    return diagram;
  }

  public int steps() {
    return steps;
  }

  public int inputSize() {
    return inputSize;
  }

  public int hiddenSize() {
    return hiddenSize;
  }

  public long seed() {
    return seed;
  }

  public double gateBias() {
    return gateBias;
  }

  /** A table of the norms, one line per cell and state, for a report or a terminal. */
  public String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(java.util.Locale.ROOT, "‖∂L/∂state_t‖ for t = 1..%d, L = Σ y_%d; I = %d, H = %d, seed %d,"
        + " PyTorch's default initialization, gate bias %s%n", steps, steps, inputSize, hiddenSize, seed,
        Labels.number(gateBias)));
    for (Row r : rows) {
      if (!r.shiftedBiases().isEmpty()) {
        sb.append(String.format(java.util.Locale.ROOT, "%-8s gate bias added to %s%n", r.name(),
            String.join(", ", r.shiftedBiases())));
      }
      for (int k = 0; k < r.states().size(); k++) {
        sb.append(String.format(java.util.Locale.ROOT, "%-8s %-3s", r.name(), r.states().get(k)));
        for (int t = 1; t <= steps; t++) {
          sb.append(String.format(java.util.Locale.ROOT, " %8.2e", r.norm(k, t)));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
