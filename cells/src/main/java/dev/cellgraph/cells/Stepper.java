package dev.cellgraph.cells;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.Workspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link Recurrent} layer run one time step at a time, as an online model runs: stateful, as
 * PyTorch's {@code nn.LSTMCell} called in a loop with its state carried, or a Keras layer with
 * {@code stateful=True}. Each {@link #step} takes one input {@code [B, I]}, runs one step of every
 * layer (each reading the one below's new output), keeps the new states and returns the last
 * layer's output {@code [B, O]}. Stepping through a sequence gives what {@link Recurrent#run}
 * gives for the whole of it, to the bit: the same kernels in the same order.
 *
 * <p>Made by {@link Recurrent#stepper}. The step is planned once: one graph of every layer's step
 * (each cell's body copied in, {@link Function#inline}), compiled to a {@link Plan}; what depends
 * on the weights alone (a formula cell's gate weights stacked into one matrix) is computed once,
 * and the weights are packed once for their products ({@link Tensor#packedForMatmul(boolean)}); the gate
 * products' arrays are reused from step to step (a {@link Workspace} of its own). Dropout between
 * layers is a training device and is not applied (an evaluation pass). A bidirectional layer
 * cannot be stepped: its reverse direction starts at the sequence's end.
 *
 * <p>States are seen as {@link Recurrent} shows them: {@code [layers, B, size]} per state name,
 * layer {@code l} at index {@code l}; they start at zero.
 *
 * <p>Not thread-safe: a stepper holds the states of one stream; use one per thread (they may share
 * the {@link Recurrent} and the parameter tensors).
 */
public final class Stepper {
  private final Recurrent layer;
  private final String what;
  private final DType dtype;
  private final int batch;
  private final List<String> states;
  private final Plan plan;
  private final Tensor[] feeds;
  private final List<Tensor> feedList;
  private final int stateFeeds;       // feeds [1, 1 + stateFeeds) are the states, layer by layer
  private final Shape inputShape;
  private final Workspace workspace = Workspace.detached(Integer.MAX_VALUE);
  private long steps;

  Stepper(Recurrent layer, Map<String, Tensor> params, int batch, CompileOptions options) {
    this.layer = layer;
    Cell cell = layer.cell();
    this.what = "recurrent " + cell.name() + " stepper";
    if (layer.bidirectional()) {
      throw new InvalidInputException(what + ": a bidirectional layer cannot run one step at a time (its reverse"
          + " direction starts at the end of the sequence); run the whole sequence with Recurrent.run");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch (" + batch + ") must be at least 1");
    }
    Objects.requireNonNull(params, "params");
    this.batch = batch;
    this.states = cell.stateNames();
    this.inputShape = Shape.of(batch, layer.inputSize());
    LinkedHashMap<String, Shape> shapes = layer.parameterShapes();
    DType dt = null;
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      Tensor p = params.get(e.getKey());
      if (p == null) {
        throw new InvalidInputException(what + ": parameter '" + e.getKey() + "' is missing");
      }
      if (dt == null) {
        dt = p.dtype();
      }
      if (!p.shape().equals(e.getValue()) || p.dtype() != dt || !dt.isFloating()) {
        throw new InvalidInputException(what + ": parameter '" + e.getKey() + "' is " + p.dtype().lowerName()
            + p.shape() + ", expected " + (dt.isFloating() ? dt : DType.FLOAT32).lowerName() + e.getValue());
      }
    }
    this.dtype = dt == null ? DType.FLOAT32 : dt;

    Graph g = new Graph(what);
    List<Node> feedNodes = new ArrayList<>();
    Node x = g.input("x", new TensorType(dtype, inputShape));
    feedNodes.add(x);
    List<Node> outputs = new ArrayList<>();
    Node layerInput = x;
    List<List<Node>> stateNodes = new ArrayList<>();
    for (int l = 0; l < layer.layers(); l++) {
      List<Node> ls = new ArrayList<>();
      for (String s : states) {
        Node n = g.input(s + "_l" + l, TensorType.of(dtype, batch, stateSize(s)));
        ls.add(n);
        feedNodes.add(n);
      }
      stateNodes.add(ls);
    }
    this.stateFeeds = feedNodes.size() - 1;
    Map<String, Node> paramNodes = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      Node n = g.parameter(e.getKey(), new TensorType(dtype, e.getValue()));
      paramNodes.put(e.getKey(), n);
      feedNodes.add(n);
    }
    List<Node> newStates = new ArrayList<>();
    for (int l = 0; l < layer.layers(); l++) {
      int in = l == 0 ? layer.inputSize() : cell.outputSize(layer.inputSize(), layer.hiddenSize());
      Function step = cell.step(dtype, batch, in, layer.hiddenSize());
      List<Node> args = new ArrayList<>(stateNodes.get(l));
      args.add(layerInput);
      for (String base : cell.parameterShapes(in, layer.hiddenSize()).keySet()) {
        args.add(paramNodes.get(layer.parameterName(base, l, 0)));
      }
      List<Node> results = step.inline(args);
      newStates.addAll(results.subList(0, states.size()));
      layerInput = results.get(states.size());
    }
    outputs.add(layerInput);
    outputs.addAll(newStates);

    // What depends on the weights alone (a formula cell's gate weights concatenated, say) is
    // computed once, here; the step plan is fed those values where it reads them.
    List<Node> nodes = g.nodes();
    boolean[] dynamic = new boolean[nodes.size()];
    boolean[] weighted = new boolean[nodes.size()];
    for (int i = 0; i < 1 + stateFeeds; i++) {
      dynamic[feedNodes.get(i).id()] = true;
    }
    for (Node p : paramNodes.values()) {
      weighted[p.id()] = true;
    }
    List<Node> fromWeights = new ArrayList<>();
    boolean[] isFromWeights = new boolean[nodes.size()];
    for (Node n : nodes) {
      boolean dyn = dynamic[n.id()];
      for (Node in : n.inputs()) {
        dyn |= dynamic[in.id()];
        weighted[n.id()] |= weighted[in.id()];
      }
      dynamic[n.id()] = dyn;
      if (dyn) {
        for (Node in : n.inputs()) {
          if (weighted[in.id()] && !dynamic[in.id()] && !isFromWeights[in.id()]) {
            isFromWeights[in.id()] = true;
            fromWeights.add(in);
          }
        }
      }
    }
    for (Node o : outputs) {
      if (!dynamic[o.id()] && !isFromWeights[o.id()]) {
        isFromWeights[o.id()] = true;   // an output of the weights alone, computed once too
        fromWeights.add(o);
      }
    }
    List<Node> stepFeeds = new ArrayList<>(feedNodes.subList(0, 1 + stateFeeds));
    stepFeeds.addAll(fromWeights);
    this.plan = Plan.compile(outputs, stepFeeds, options);
    List<Tensor> weightValues = List.of();
    if (!fromWeights.isEmpty()) {
      // in a workspace of its own, so that no array of a caller's workspace outlives its step here
      try (Workspace w = workspace.enter()) {
        weightValues = Plan.compile(fromWeights, new ArrayList<>(paramNodes.values()), options)
            .run(shapes.keySet().stream().map(params::get).toList());
        w.release(weightValues.toArray(new Tensor[0]));
      }
    }

    // each weight packed once, the way the step's products read it
    Map<Node, Boolean> transposedUse = new LinkedHashMap<>();
    for (Node n : plan.scheduled()) {
      if (n.op() instanceof Ops.MatMul m && !m.transA() && isFromWeights[n.input(1).id()]) {
        transposedUse.putIfAbsent(n.input(1), m.transB());
      }
    }
    this.feeds = new Tensor[stepFeeds.size()];
    for (int k = 0; k < fromWeights.size(); k++) {
      Tensor w = weightValues.get(k);
      Boolean transposed = transposedUse.get(fromWeights.get(k));
      feeds[1 + stateFeeds + k] = transposed == null ? w : w.packedForMatmul(transposed);
    }
    this.feedList = Arrays.asList(feeds);
    reset();
  }

  private int stateSize(String s) {
    return layer.cell().stateSize(s, layer.inputSize(), layer.hiddenSize());
  }

  /**
   * The layer this stepper runs.
   *
   * @return the stepped layer
   */
  public Recurrent layer() {
    return layer;
  }

  /**
   * The dtype of the parameters, and so of inputs, outputs and states.
   *
   * @return the parameters' dtype
   */
  public DType dtype() {
    return dtype;
  }

  /**
   * The number of streams stepped together (the batch B).
   *
   * @return the batch size B
   */
  public int batch() {
    return batch;
  }

  /**
   * The number of steps run since the stepper was made or last {@link #reset}.
   *
   * @return the steps since the last reset
   */
  public long steps() {
    return steps;
  }

  /**
   * Runs one time step of every layer on {@code x [B, I]} and returns the last layer's output
   * {@code [B, O]} (for a one-layer LSTM, the new {@code h}); the states move on.
   *
   * @param x the input of this step, {@code [B, I]}
   * @return the last layer's new output, {@code [B, O]}
   * @throws InvalidInputException if {@code x} is not {@code [B, I]} in the parameters' dtype
   */
  public Tensor step(Tensor x) {
    Objects.requireNonNull(x, "x");
    if (x.dtype() != dtype || !x.shape().equals(inputShape)) {
      throw new InvalidInputException(what + ": input must be " + dtype.lowerName() + inputShape
          + " (batch, input size), got " + x.dtype().lowerName() + x.shape());
    }
    feeds[0] = x;
    List<Tensor> out;
    try (Workspace w = workspace.enter()) {
      out = plan.run(feedList);
      // the output and the states leave the workspace's care: the caller may keep them
      Tensor[] kept = new Tensor[out.size()];
      w.release(out.toArray(kept));
    }
    for (int i = 0; i < stateFeeds; i++) {
      feeds[1 + i] = out.get(1 + i);
    }
    steps++;
    return out.get(0);
  }

  /**
   * The current value of state {@code name}: {@code [layers, B, size]}, layer {@code l} at index
   * {@code l} (the final state {@link Recurrent#run} returns after the same steps).
   *
   * @param name the state's name, e.g. {@code h}
   * @return the state of every layer, {@code [layers, B, size]}
   * @throws InvalidInputException if the cell has no state of that name
   */
  public Tensor state(String name) {
    int s = stateIndex(name);
    List<Tensor> parts = new ArrayList<>();
    for (int l = 0; l < layer.layers(); l++) {
      parts.add(feeds[1 + l * states.size() + s]);
    }
    return Tensor.stack(0, parts);
  }

  /**
   * Sets state {@code name} to {@code value [layers, B, size]} (as {@link Recurrent#run}'s
   * initial states are given); the next step starts from it.
   *
   * @param name the state's name, e.g. {@code h}
   * @param value the new state of every layer, {@code [layers, B, size]} in the parameters' dtype
   * @throws InvalidInputException if the cell has no state of that name, or the value's shape or
   *     dtype is not the state's
   */
  public void setState(String name, Tensor value) {
    int s = stateIndex(name);
    Objects.requireNonNull(value, "value");
    Shape want = Shape.of(layer.layers(), batch, stateSize(name));
    if (value.dtype() != dtype || !value.shape().equals(want)) {
      throw new InvalidInputException(what + ": state '" + name + "' must be " + dtype.lowerName() + want
          + " (layers, batch, size), got " + value.dtype().lowerName() + value.shape());
    }
    for (int l = 0; l < layer.layers(); l++) {
      feeds[1 + l * states.size() + s] = value.select(0, l);
    }
  }

  /** Sets every state to zero and the step count to 0, as at the start of a new stream. */
  public void reset() {
    for (int l = 0; l < layer.layers(); l++) {
      for (int s = 0; s < states.size(); s++) {
        feeds[1 + l * states.size() + s] = Tensor.zeros(dtype, batch, stateSize(states.get(s)));
      }
    }
    steps = 0;
  }

  private int stateIndex(String name) {
    Objects.requireNonNull(name, "name");
    int s = states.indexOf(name);
    if (s < 0) {
      throw new InvalidInputException(what + ": unknown state '" + name + "', the cell's states are " + states);
    }
    return s;
  }

  @Override
  public String toString() {
    return "Stepper of " + layer + ", batch " + batch + ", " + dtype.lowerName() + ", " + steps + " steps";
  }
}
