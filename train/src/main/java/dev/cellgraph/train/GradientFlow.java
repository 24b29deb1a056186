package dev.cellgraph.train;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.cells.Unrolling;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.SequenceModel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How far gradients reach back in time, measured on a cell unrolled step by step (one call of the
 * step per time step, so every state is a node of its own and its gradient sums the paths
 * through the next steps and through the output): the vanilla RNN's norms decay exponentially
 * with distance (Bengio et al. 1994; Hochreiter 1991), the gated cells' much less. Two
 * measurements:
 *
 * <ul>
 *   <li>{@link #norms}: after training, {@code ‖d loss / d h_t‖} of a model on a task's batch
 *       against the distance {@code T - 1 - t} from the end of the sequence (the demo's plot);
 *       the state measured is the cell's first ({@code h} for rnn, lstm, gru).
 *   <li>{@link #atInitialization}: several cells unrolled ({@link Unrolling}) over the same input
 *       sequence, the loss read at the last step only, and for every step the norm of the
 *       gradient of the loss with respect to each of that step's states, {@code ‖∂L/∂h_t‖} (what
 *       {@code cellgraph gradflow} prints and {@code render.cells.GradientFlowDiagram} draws).
 * </ul>
 *
 * <p>The setting of {@link #atInitialization}, fixed so that it is reproducible: float64, one
 * example, every weight and bias drawn from PyTorch's default for recurrent layers (uniform
 * ±1/√H) with the seed, the inputs {@code x_t} standard normal from the same seed and shared by
 * all cells, initial states zero, and {@code L = Σ_j y_T[j]} (the sum of the last output).
 * Optionally a gate bias B is added to the bias of each gate that multiplies a state's previous
 * value on its carry line (an LSTM's forget gate f, a GRU's update gate z): PyTorch initializes
 * that bias like every other (B = 0), which keeps the gate near σ(0) = ½; B = 1 is the
 * forget-gate bias Gers et al. and Jozefowicz et al. recommend and Keras uses by default.
 *
 * <p>A measurement is immutable and thread-safe; the static methods share no mutable state.
 */
public final class GradientFlow {
  private static final DType DTYPE = DType.FLOAT64;

  /**
   * One cell's measurements at initialization: {@code norms[k][t-1]} is
   * {@code ‖∂L/∂state_k after step t‖}; {@code shiftedBiases} the biases the gate bias was added to.
   */
  public record Row(String name, List<String> states, List<String> shiftedBiases, double[][] norms) {
    /**
     * Rejects a null name and copies the lists.
     *
     * @param name the cell's display name (not null)
     * @param states the cell's state names, in the order of the rows of {@code norms} (copied)
     * @param shiftedBiases the names of the biases the gate bias was added to, empty without one (copied)
     * @param norms the gradient norms, {@code norms[k][t-1]} for state k after step t (the outer array copied)
     */
    public Row {
      Objects.requireNonNull(name, "name");
      states = List.copyOf(states);
      shiftedBiases = List.copyOf(shiftedBiases);
      norms = norms.clone();
    }

    /**
     * The norm of the gradient reaching state k after step t (1-based t).
     *
     * @param state the index k of the state, in the order of {@link #states()}
     * @param step the step t, counting from 1
     * @return the norm of the gradient of L reaching that state after that step
     */
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
  private final List<Unrolling> unrollings;
  private final List<Node> losses;
  private final Map<Node, Tensor> gradients;

  private GradientFlow(int steps, int inputSize, int hiddenSize, long seed, double gateBias, List<Row> rows,
      List<Unrolling> unrollings, List<Node> losses, Map<Node, Tensor> gradients) {
    this.steps = steps;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.seed = seed;
    this.gateBias = gateBias;
    this.rows = List.copyOf(rows);
    this.unrollings = List.copyOf(unrollings);
    this.losses = List.copyOf(losses);
    this.gradients = Collections.unmodifiableMap(gradients);
  }

  /**
   * After training: for each distance {@code d = 0 .. T-1} from the last step, the mean over the batch of
   * {@code ‖d loss_b / d h_{T-1-d}‖}, where {@code loss_b} is example b's loss (the batch loss
   * times B, for a task whose loss is a batch mean).
   *
   * @param model the trained model, its first state the one measured
   * @param params the model's trained parameters by name
   * @param task the task whose loss is differentiated
   * @param batch a batch of the task without lengths (every sequence of T steps)
   * @return the mean gradient norm for each distance from the last step, index d for step T-1-d
   */
  public static double[] norms(SequenceModel model, Map<String, Tensor> params, Task task, Batch batch) {
    if (batch.hasLengths()) {
      throw new IllegalArgumentException("gradient flow measures distances from the last of T steps, so it needs "
          + "a batch whose sequences all have T steps, got " + batch);
    }
    Cell cell = model.cell();
    Recurrent rnn = model.recurrent();
    int t = batch.steps();
    int b = batch.batchSize();
    Graph g = new Graph("gradient flow " + cell.name());
    Map<String, Node> batchNodes = new LinkedHashMap<>();
    List<Node> feeds = new ArrayList<>();
    List<Tensor> values = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : batch.tensors().entrySet()) {
      Node n = g.input(e.getKey(), new TensorType(e.getValue().dtype(), e.getValue().shape()));
      batchNodes.put(e.getKey(), n);
      feeds.add(n);
      values.add(e.getValue());
    }
    Map<String, Node> pn = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      Node n = g.parameter(e.getKey(), new TensorType(e.getValue().dtype(), e.getValue().shape()));
      pn.put(e.getKey(), n);
      feeds.add(n);
      values.add(e.getValue());
    }
    var dtype = params.values().iterator().next().dtype();
    Node x = batchNodes.get("input");
    if (model.tokenInput()) {
      x = pn.get("embedding.weight").gather(x);
    } else if (x.dtype() != dtype) {
      x = x.cast(dtype);
    }
    Function step = cell.step(dtype, b, model.inputSize(), model.hiddenSize());
    List<String> states = cell.stateNames();
    List<Node> carry = new ArrayList<>();
    for (String s : states) {
      carry.add(g.zeros(TensorType.of(dtype, b, cell.stateSize(s, model.inputSize(), model.hiddenSize()))));
    }
    List<Node> cellParams = new ArrayList<>();
    for (String base : cell.parameterShapes(model.inputSize(), model.hiddenSize()).keySet()) {
      cellParams.add(pn.get("rnn." + rnn.parameterName(base, 0, 0)));
    }
    List<Node> hs = new ArrayList<>();
    List<Node> ys = new ArrayList<>();
    List<Node> ysStacked = new ArrayList<>();
    for (int i = 0; i < t; i++) {
      List<Node> args = new ArrayList<>(carry);
      args.add(x.select(0, i));
      args.addAll(cellParams);
      List<Node> r = step.apply(args);
      carry = new ArrayList<>(r.subList(0, states.size()));
      Node y = r.get(states.size());
      hs.add(carry.get(0));
      ys.add(y);
      ysStacked.add(y.reshape(1, y.shape().dim(0), y.shape().dim(1)));
    }
    Node hidden = Node.concat(0, ysStacked);
    Node out = hidden.matmul(pn.get("head.weight"), false, true).add(pn.get("head.bias"));
    Map<String, Node> fin = new LinkedHashMap<>();
    for (int i = 0; i < states.size(); i++) {
      fin.put(states.get(i), carry.get(i));
    }
    Map<String, Node> lossInputs = new LinkedHashMap<>(batchNodes);
    for (Map.Entry<String, Node> e : batchNodes.entrySet()) {
      if (e.getValue().dtype().isFloating() && e.getValue().dtype() != dtype) {
        lossInputs.put(e.getKey(), e.getValue().cast(dtype));
      }
    }
    Node loss = task.loss(new SequenceModel.Forward(out, hidden, fin), lossInputs);
    List<Node> wrt = new ArrayList<>(hs);
    wrt.addAll(ys);
    Gradients grads = Gradients.of(loss.reshape(Shape.scalar()), wrt);
    List<Node> outs = new ArrayList<>();
    for (int i = 0; i < t; i++) {
      Node dh = grads.get(hs.get(i));
      Node dy = grads.get(ys.get(i));
      // when the output is the state itself (rnn, lstm, gru) the two are one value's two uses
      outs.add(hs.get(i).shape().equals(ys.get(i).shape()) ? dh.add(dy) : dh);
    }
    List<Tensor> r = Plan.compile(outs, feeds).run(values);
    double[] norms = new double[t];
    for (int i = 0; i < t; i++) {
      double[] v = r.get(i).toDoubleArray();
      int h = v.length / b;
      double sum = 0;
      for (int e = 0; e < b; e++) {
        double s = 0;
        for (int j = 0; j < h; j++) {
          double d = v[e * h + j] * b;
          s += d * d;
        }
        sum += Math.sqrt(s);
      }
      norms[t - 1 - i] = sum / b;
    }
    return norms;
  }

  /**
   * Runs each of {@code cells} (by display name) over {@code steps} steps of one input sequence at
   * initialization and measures the gradient reaching every step.
   *
   * @param cells the cells to measure, by display name
   * @param steps the number of time steps, 2 to 200
   * @param inputSize the input size I of every cell
   * @param hiddenSize the hidden size H of every cell
   * @param seed the seed of the weights and the inputs
   * @return the measurement, one row per cell in the order of {@code cells}
   */
  public static GradientFlow atInitialization(Map<String, Cell> cells, int steps, int inputSize, int hiddenSize,
      long seed) {
    return atInitialization(cells, steps, inputSize, hiddenSize, seed, 0);
  }

  /**
   * As {@link #atInitialization(Map, int, int, int, long)}, with {@code gateBias} added to the carry gates' biases.
   *
   * @param cells the cells to measure, by display name
   * @param steps the number of time steps, 2 to 200
   * @param inputSize the input size I of every cell
   * @param hiddenSize the hidden size H of every cell
   * @param seed the seed of the weights and the inputs
   * @param gateBias the bias added to each carry gate's bias, -20 to 20 (0: none)
   * @return the measurement, one row per cell in the order of {@code cells}
   */
  public static GradientFlow atInitialization(Map<String, Cell> cells, int steps, int inputSize, int hiddenSize,
      long seed, double gateBias) {
    return atInitialization(cells, steps, inputSize, hiddenSize, seed, gateBias, c -> Unrolling.Names.PLAIN);
  }

  /**
   * As {@link #atInitialization(Map, int, int, int, long, double)}, the values of each cell's steps
   * named by {@code names} (a drawing's in the cell's own notation); names change no number.
   *
   * @param cells the cells to measure, by display name
   * @param steps the number of time steps, 2 to 200
   * @param inputSize the input size I of every cell
   * @param hiddenSize the hidden size H of every cell
   * @param seed the seed of the weights and the inputs
   * @param gateBias the bias added to each carry gate's bias, -20 to 20 (0: none)
   * @param names for each cell, how the values of its unrolled steps are named
   * @return the measurement, one row per cell in the order of {@code cells}
   */
  public static GradientFlow atInitialization(Map<String, Cell> cells, int steps, int inputSize, int hiddenSize,
      long seed, double gateBias, java.util.function.Function<Cell, Unrolling.Names> names) {
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
    List<Unrolling> unrolled = new ArrayList<>();
    List<Node> losses = new ArrayList<>();
    List<List<String>> shifted = new ArrayList<>();
    int index = 0;
    for (Cell cell : cells.values()) {
      Unrolling u = Unrolling.build(g, cell, steps, inputSize, hiddenSize, DTYPE, names.apply(cell));
      unrolled.add(u);
      Map<String, Tensor> w = Recurrent.of(cell, inputSize, hiddenSize).initialize(Rng.seeded(seed + 1 + index), DTYPE);
      List<String> paramNames = new ArrayList<>(cell.parameterShapes(inputSize, hiddenSize).keySet());
      shifted.add(gateBias != 0 ? carryGateBiases(u) : List.of());
      if (gateBias != 0) {
        for (String b : shifted.get(index)) {
          w.put(b, w.get(b).add(gateBias));
        }
      }
      for (int k = 0; k < paramNames.size(); k++) {
        put(feeds, feedOrder, u.parameters().get(k), w.get(paramNames.get(k)));
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
      index++;
    }
    List<Tensor> values = Plan.compile(wanted, feedOrder).run(feeds);
    Map<Node, Tensor> gradOf = new IdentityHashMap<>();
    List<Row> rows = new ArrayList<>();
    int at = 0;
    index = 0;
    for (String name : cells.keySet()) {
      Unrolling u = unrolled.get(index++);
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
      rows.add(new Row(name, u.cell().stateNames(), shifted.get(index - 1), norms));
    }
    return new GradientFlow(steps, inputSize, hiddenSize, seed, gateBias, rows, unrolled, losses, gradOf);
  }

  /**
   * For each state with a carry line, the first bias of the gate that multiplies the state's
   * previous value on it: {@code f} in {@code c' = f ⊙ c + ...}, found in the step's body as the
   * sigmoid whose sum of terms holds the bias. One bias per gate, so the gate's total bias moves by
   * exactly the amount added.
   */
  static List<String> carryGateBiases(Unrolling u) {
    List<String> r = new ArrayList<>();
    Function step = u.step();
    int ns = u.initialStates().size();
    for (int k = 0; k < ns; k++) {
      List<Node> line = Unrolling.carryLine(step, step.params().get(k), step.results().get(k));
      for (int i = 1; i < line.size(); i++) {
        Node n = line.get(i);
        if (n.op() != Ops.MUL) {
          continue;
        }
        Node gate = n.input(0) == line.get(i - 1) ? n.input(1) : n.input(0);
        while (gate.op() == LayoutOps.IDENTITY) {
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
    ArrayDeque<Node> todo = new ArrayDeque<>();
    todo.push(sum);
    while (!todo.isEmpty()) {
      Node n = todo.pop();
      if (n.op() == Ops.ADD || n.op() instanceof LayoutOps.BroadcastTo) {
        for (int i = n.inputs().size() - 1; i >= 0; i--) {
          todo.push(n.input(i));
        }
      } else if (n.op() instanceof GraphOps.Leaf leaf && leaf.role() == GraphOps.Leaf.Role.PARAMETER && n.rank() == 1) {
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

  /**
   * One row per cell, in the order given.
   *
   * @return the rows, one per cell in the order given (unmodifiable)
   */
  public List<Row> rows() {
    return rows;
  }

  /**
   * Each cell's steps as measured, in the order given; all in one graph.
   *
   * @return the unrolled steps, one per cell in the order given (unmodifiable)
   */
  public List<Unrolling> unrollings() {
    return unrollings;
  }

  /**
   * Each cell's loss {@code L}, in the order given.
   *
   * @return the loss nodes, one per cell in the order given (unmodifiable)
   */
  public List<Node> losses() {
    return losses;
  }

  /**
   * The gradient of the loss reaching each state after each step (and the step output it is read
   * from) where it is not zero, and each initial state.
   *
   * @return the nonzero gradients by state or step-output node, and those of the initial states (unmodifiable)
   */
  public Map<Node, Tensor> gradients() {
    return gradients;
  }

  /**
   * The number of time steps measured.
   *
   * @return the number of time steps T
   */
  public int steps() {
    return steps;
  }

  /**
   * The input size I of the cells measured.
   *
   * @return the input size I
   */
  public int inputSize() {
    return inputSize;
  }

  /**
   * The hidden size H of the cells measured.
   *
   * @return the hidden size H
   */
  public int hiddenSize() {
    return hiddenSize;
  }

  /**
   * The seed of the initialization and the inputs.
   *
   * @return the seed of the weights and the inputs
   */
  public long seed() {
    return seed;
  }

  /**
   * The gate bias added at initialization (0: PyTorch's initialization).
   *
   * @return the gate bias added to the carry gates' biases (0: none)
   */
  public double gateBias() {
    return gateBias;
  }
}
