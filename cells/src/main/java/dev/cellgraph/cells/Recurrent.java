package dev.cellgraph.cells;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.core.ShapeCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * A recurrent layer: a {@link Cell} scanned over time-major input {@code [T, B, I]}, optionally
 * stacked ({@code layers > 1}, each layer reading the previous one's output) and bidirectional
 * (a second scan from T-1 down to 0, outputs of the two directions concatenated), with
 * PyTorch's semantics.
 *
 * <p>Stacked layers may have dropout between them ({@link #withDropout}, as
 * {@code nn.LSTM(dropout=p)}): in training, the output of every layer but the last is multiplied
 * elementwise by a mask of {@code 0} and {@code 1/(1-p)}. The masks are fed values, drawn by
 * {@link #dropoutMasks} from the caller's seeded {@link Rng}, so a plan stays a pure function of
 * its inputs and the same seed gives the same numbers; a pass without masks is an evaluation pass.
 *
 * <p>Initial and final states are {@code [layers * directions, B, size]} per state (the cell's
 * {@link Cell#stateSize}: H, or P for the {@code h} of a projected LSTM), index
 * {@code layer * directions + direction}, as in PyTorch. Parameters are named
 * {@code weight_ih_l0}, {@code weight_ih_l0_reverse}, ... for cells that use PyTorch's naming,
 * and otherwise by their canonical names for layer 0's forward direction and with the suffixes
 * {@code _l<k>} (layers after the first) and {@code _reverse} for the rest.
 *
 * <p>Sequences of different lengths ({@link #run(Map, Tensor, int[], Map, Tensor)}, or
 * a mask in {@link #build(Graph, Node, Node, Map, Map)}) follow PyTorch's
 * {@code pack_padded_sequence(enforce_sorted=False)}: outputs past a sequence's length are zero,
 * its final state is the state at its own last step, the reverse direction starts at its own
 * last step, and its gradients are those of running it alone ({@link MaskedStep}).
 *
 * <p>Immutable and thread-safe; compiled plans are cached per sequence length, batch and dtype.
 */
public final class Recurrent {
  private final Cell cell;
  private final int inputSize;
  private final int hiddenSize;
  private final int layers;
  private final boolean bidirectional;
  private final double dropout;
  private final Map<String, Runner> runners = ShapeCache.newMap();
  private final Map<Function, MaskedStep> maskedSteps = new ConcurrentHashMap<>();

  private Recurrent(Cell cell, int inputSize, int hiddenSize, int layers, boolean bidirectional) {
    this(cell, inputSize, hiddenSize, layers, bidirectional, 0);
  }

  private Recurrent(Cell cell, int inputSize, int hiddenSize, int layers, boolean bidirectional, double dropout) {
    this.cell = Objects.requireNonNull(cell, "cell");
    if (inputSize < 1) {
      throw new IllegalArgumentException("input size (" + inputSize + ") must be at least 1");
    }
    if (hiddenSize < 1) {
      throw new IllegalArgumentException("hidden size (" + hiddenSize + ") must be at least 1");
    }
    if (layers < 1) {
      throw new IllegalArgumentException("layers (" + layers + ") must be at least 1");
    }
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.layers = layers;
    this.bidirectional = bidirectional;
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout (" + dropout + ") must be in [0, 1)");
    }
    if (dropout > 0 && layers == 1) {
      throw new IllegalArgumentException("dropout (" + dropout + ") acts between stacked layers, and this layer has"
          + " only 1; for dropout on its output, apply one to the output");
    }
    this.dropout = dropout;
  }

  /**
   * One unidirectional layer of {@code cell}.
   *
   * @param cell the cell the layer runs
   * @param inputSize the size I of an input vector (at least 1)
   * @param hiddenSize the size H of the hidden state (at least 1)
   * @return the one-layer, one-direction layer
   * @throws IllegalArgumentException if a size is less than 1
   */
  public static Recurrent of(Cell cell, int inputSize, int hiddenSize) {
    return new Recurrent(cell, inputSize, hiddenSize, 1, false);
  }

  /**
   * {@code layers} stacked layers of {@code cell}, each bidirectional if asked, without dropout.
   *
   * @param cell the cell every layer and direction runs
   * @param inputSize the size I of an input vector (at least 1)
   * @param hiddenSize the size H of the hidden state (at least 1)
   * @param layers the number of stacked layers (at least 1)
   * @param bidirectional whether each layer also runs backwards in time
   * @return the layer
   * @throws IllegalArgumentException if a size or {@code layers} is less than 1
   */
  public static Recurrent of(Cell cell, int inputSize, int hiddenSize, int layers, boolean bidirectional) {
    return new Recurrent(cell, inputSize, hiddenSize, layers, bidirectional);
  }

  /**
   * The cell every layer and direction runs.
   *
   * @return the cell
   */
  public Cell cell() {
    return cell;
  }

  /**
   * The size I of an input vector.
   *
   * @return the input size I
   */
  public int inputSize() {
    return inputSize;
  }

  /**
   * The size H of the hidden state.
   *
   * @return the hidden size H
   */
  public int hiddenSize() {
    return hiddenSize;
  }

  /**
   * The number of stacked layers.
   *
   * @return the number of layers (at least 1)
   */
  public int layers() {
    return layers;
  }

  /**
   * Whether each layer also runs backwards in time.
   *
   * @return true for a bidirectional layer
   */
  public boolean bidirectional() {
    return bidirectional;
  }

  /**
   * 2 for a bidirectional layer, else 1.
   *
   * @return the number of directions, 1 or 2
   */
  public int directions() {
    return bidirectional ? 2 : 1;
  }

  /**
   * The same layer with dropout {@code p} on the outputs of every layer but the last in training
   * ({@code nn.LSTM(dropout=p)}); {@code p} is in [0, 1), and above 0 only for two layers or more.
   *
   * @param p the dropout probability, in [0, 1), above 0 only for two layers or more
   * @return a new layer like this one, with dropout {@code p}
   */
  public Recurrent withDropout(double p) {
    return new Recurrent(cell, inputSize, hiddenSize, layers, bidirectional, p);
  }

  /**
   * The dropout probability between stacked layers (0: none).
   *
   * @return the dropout probability, in [0, 1)
   */
  public double dropout() {
    return dropout;
  }

  /**
   * The shapes of the masks a training pass takes: one per layer but the last, each that layer's
   * output {@code [T, B, directions * output size]}; none without dropout.
   *
   * @param steps the sequence length T
   * @param batch the batch size B
   * @return the mask shapes, one per layer but the last; empty without dropout
   */
  public List<Shape> dropoutMaskShapes(int steps, int batch) {
    List<Shape> shapes = new ArrayList<>();
    for (int l = 0; dropout > 0 && l < layers - 1; l++) {
      shapes.add(Shape.of(steps, batch, layerInputSize(l + 1)));
    }
    return shapes;
  }

  /**
   * Fresh dropout masks for a training pass over {@code [steps, batch]}: in
   * {@link #dropoutMaskShapes} order, each element drawn from {@code rng} in row-major order, kept
   * ({@code 1/(1-p)}, inverted dropout, so that the expected value is unchanged) with probability
   * {@code 1 - p} and otherwise 0. Empty without dropout.
   *
   * @param rng the generator the masks are drawn from
   * @param dtype the masks' dtype
   * @param steps the sequence length T
   * @param batch the batch size B
   * @return the masks, one per layer but the last; empty without dropout
   */
  public List<Tensor> dropoutMasks(Rng rng, DType dtype, int steps, int batch) {
    Objects.requireNonNull(rng, "rng");
    List<Tensor> masks = new ArrayList<>();
    for (Shape shape : dropoutMaskShapes(steps, batch)) {
      masks.add(Initializers.dropoutMask(rng, dtype, shape, dropout));
    }
    return masks;
  }

  /**
   * The size of each step's output: directions times the cell's output size.
   *
   * @return the size of the last layer's output at each step
   */
  public int outputSize() {
    return directions() * cell.outputSize(layerInputSize(layers - 1), hiddenSize);
  }

  private int layerInputSize(int layer) {
    return layer == 0 ? inputSize : directions() * cell.outputSize(inputSize, hiddenSize);
  }

  /**
   * The name of a cell parameter {@code base} in the given layer and direction.
   *
   * @param base the parameter's name in the cell, e.g. {@code weight_ih} or {@code W_f}
   * @param layer the layer, 0 for the first
   * @param direction the direction: 0 forward, 1 reverse
   * @return the layer's name for it, e.g. {@code weight_ih_l1_reverse}
   */
  public String parameterName(String base, int layer, int direction) {
    String rev = direction == 1 ? "_reverse" : "";
    if (cell.pytorchNaming()) {
      return base + "_l" + layer + rev;
    }
    return base + (layer > 0 ? "_l" + layer : "") + rev;
  }

  /**
   * Every parameter of the layer with its shape, in a fixed order (layer, direction, cell order).
   *
   * @return the parameter shapes by name
   */
  public LinkedHashMap<String, Shape> parameterShapes() {
    LinkedHashMap<String, Shape> m = new LinkedHashMap<>();
    for (int l = 0; l < layers; l++) {
      for (int d = 0; d < directions(); d++) {
        for (Map.Entry<String, Shape> e : cell.parameterShapes(layerInputSize(l), hiddenSize).entrySet()) {
          m.put(parameterName(e.getKey(), l, d), e.getValue());
        }
      }
    }
    return m;
  }

  /**
   * The number of scalar parameters over all layers and directions.
   *
   * @return the total number of scalars in all the parameters
   */
  public long parameterCount() {
    long n = 0;
    for (Shape s : parameterShapes().values()) {
      n += s.size();
    }
    return n;
  }

  /**
   * Fresh parameters with PyTorch's default for recurrent layers: every parameter uniform in
   * (-1/sqrt(H), 1/sqrt(H)), drawn in {@link #parameterShapes()} order from {@code rng}.
   *
   * @param rng the generator the values are drawn from
   * @param dtype the parameters' dtype
   * @return the new parameters by name, in {@link #parameterShapes()} order
   */
  public Map<String, Tensor> initialize(Rng rng, DType dtype) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : parameterShapes().entrySet()) {
      m.put(e.getKey(), Initializers.pytorchRecurrent(rng, dtype, e.getValue(), hiddenSize));
    }
    return m;
  }

  /**
   * The shape of a state's initial or final value: {@code [layers * directions, B, size]}.
   *
   * @param state the name of one of the cell's states
   * @param batch the batch size B
   * @return the shape {@code [layers * directions, B, size]}
   */
  public Shape stateShape(String state, int batch) {
    return Shape.of(layers * directions(), batch, cell.stateSize(state, inputSize, hiddenSize));
  }

  /** The nodes a layer adds to a graph: the output sequence and each state's final value. */
  public record Output(Node output, Map<String, Node> finalStates) {}

  /**
   * Adds the layer to a graph. {@code input} is {@code [T, B, I]}; {@code initialStates} maps state
   * names to {@code [layers * directions, B, size]} nodes (a missing state starts at zero);
   * {@code params} maps every name of {@link #parameterShapes()} to a node.
   *
   * @param g the graph to add the layer to
   * @param input the input sequence node, {@code [T, B, I]}
   * @param initialStates the initial state nodes by state name; a missing state starts at zero
   * @param params the parameter nodes by name
   * @return the output sequence node and the final state nodes
   */
  public Output build(Graph g, Node input, Map<String, Node> initialStates, Map<String, Node> params) {
    return build(g, input, null, initialStates, params, List.of());
  }

  /**
   * Adds the layer to a graph as {@link #build(Graph, Node, Map, Map)} does, for sequences of
   * different lengths when {@code mask} is not null: {@code mask [T, B]}, in the input's dtype, is
   * 1 at each sequence's real steps and 0 past its length ({@link #lengthMask}). A step where it
   * is 0 leaves the states as they are and outputs zeros, in both directions and every layer.
   *
   * @param g the graph to add the layer to
   * @param input the input sequence node, {@code [T, B, I]}
   * @param mask the lengths' mask {@code [T, B]}, or null for sequences of full length
   * @param initialStates the initial state nodes by state name; a missing state starts at zero
   * @param params the parameter nodes by name
   * @return the output sequence node and the final state nodes
   */
  public Output build(Graph g, Node input, Node mask, Map<String, Node> initialStates, Map<String, Node> params) {
    return build(g, input, mask, initialStates, params, List.of());
  }

  /**
   * Adds the layer to a graph as {@link #build(Graph, Node, Map, Map)} does, in training when
   * {@code dropoutMasks} holds the masks of {@link #dropoutMaskShapes} (empty: evaluation, no
   * dropout).
   *
   * @param g the graph to add the layer to
   * @param input the input sequence node, {@code [T, B, I]}
   * @param initialStates the initial state nodes by state name; a missing state starts at zero
   * @param params the parameter nodes by name
   * @param dropoutMasks the dropout mask nodes, one per layer but the last, or empty for evaluation
   * @return the output sequence node and the final state nodes
   */
  public Output build(Graph g, Node input, Map<String, Node> initialStates, Map<String, Node> params,
      List<Node> dropoutMasks) {
    return build(g, input, null, initialStates, params, dropoutMasks);
  }

  /**
   * Adds the layer to a graph with both kinds of mask: {@code mask} for sequence lengths (or
   * null), {@code dropoutMasks} for dropout between layers (or empty).
   *
   * @param g the graph to add the layer to
   * @param input the input sequence node, {@code [T, B, I]}
   * @param mask the lengths' mask {@code [T, B]}, or null for sequences of full length
   * @param initialStates the initial state nodes by state name; a missing state starts at zero
   * @param params the parameter nodes by name
   * @param dropoutMasks the dropout mask nodes, one per layer but the last, or empty for evaluation
   * @return the output sequence node and the final state nodes
   */
  public Output build(Graph g, Node input, Node mask, Map<String, Node> initialStates, Map<String, Node> params,
      List<Node> dropoutMasks) {
    return build(g, input, mask, initialStates, params, dropoutMasks, false, null);
  }

  /**
   * The layer as {@link #build(Graph, Node, Node, Map, Map, List)} adds it; with {@code packed},
   * its masked scans are packed ({@link Scan#packed}): a step computes only the rows up to the
   * last one running, which pays when the batch is sorted longest first. Only for a run whose
   * padding is zero in the input and in the output's cotangent, as the packed scan's promise asks.
   * With {@code maskOfWidth} (and {@code mask} null), the lengths' mask broadcast to each width the
   * masked steps read is that function's node, a feed of the caller's.
   */
  Output build(Graph g, Node input, Node mask, Map<String, Node> initialStates, Map<String, Node> params,
      List<Node> dropoutMasks, boolean packed, IntFunction<Node> maskOfWidth) {
    Shape is = input.shape();
    if (is.rank() != 3 || is.dim(2) != inputSize) {
      throw new InvalidInputException("recurrent " + cell.name() + ": input must be [T, B, " + inputSize
          + "] (time-major), got " + is);
    }
    int batch = is.dim(1);
    DType dtype = input.dtype();
    if (mask != null && (!mask.shape().equals(is.without(2)) || mask.dtype() != dtype)) {
      throw new InvalidInputException("recurrent " + cell.name() + ": the mask is " + mask.type() + ", expected "
          + dtype.lowerName() + is.without(2) + " (one 0 or 1 per step and sequence)");
    }
    Map<Integer, Node> masks = new LinkedHashMap<>();
    IntFunction<Node> widened = maskOfWidth != null ? maskOfWidth : w -> mask.reshape(is.dim(0), batch, 1)
        .broadcastTo(Shape.of(is.dim(0), batch, w));
    checkMasks(dropoutMasks.stream().map(Node::type).toList(), is.dim(0), batch, dtype);
    for (Map.Entry<String, Shape> e : parameterShapes().entrySet()) {
      Node p = params.get(e.getKey());
      if (p == null) {
        throw new InvalidInputException("recurrent " + cell.name() + ": parameter '" + e.getKey() + "' is missing");
      }
      if (!p.shape().equals(e.getValue()) || p.dtype() != dtype) {
        throw new InvalidInputException("recurrent " + cell.name() + ": parameter '" + e.getKey() + "' is "
            + p.type() + ", expected " + dtype.lowerName() + e.getValue());
      }
    }
    List<String> states = cell.stateNames();
    Map<String, List<Node>> finals = new LinkedHashMap<>();
    for (String s : states) {
      Node init = initialStates.get(s);
      Shape want = stateShape(s, batch);
      if (init != null && (!init.shape().equals(want) || init.dtype() != dtype)) {
        throw new InvalidInputException("recurrent " + cell.name() + ": initial state '" + s + "' is "
            + init.type() + ", expected " + dtype.lowerName() + want);
      }
      finals.put(s, new ArrayList<>());
    }
    Node layerInput = input;
    for (int l = 0; l < layers; l++) {
      int in = layerInputSize(l);
      Function step = cell.step(dtype, batch, in, hiddenSize);
      List<Node> dirOutputs = new ArrayList<>();
      for (int d = 0; d < directions(); d++) {
        int index = l * directions() + d;
        List<Node> init = initialCarries(g, initialStates, index, batch, dtype);
        List<Node> consts = layerParameters(params, l, d, in);
        Scan scan = mask == null && maskOfWidth == null ? Scan.of(step, init, List.of(layerInput), consts, d == 1)
            : maskedScan(step, init, layerInput, widened, masks, consts, d == 1, packed);
        dirOutputs.add(scan.outputs().get(0));
        for (int k = 0; k < states.size(); k++) {
          Node fin = scan.finalCarries().get(k);
          finals.get(states.get(k)).add(fin.reshape(1, fin.shape().dim(0), fin.shape().dim(1)));
        }
      }
      layerInput = Node.concat(2, dirOutputs);
      if (l < layers - 1 && !dropoutMasks.isEmpty()) {
        layerInput = layerInput.mul(dropoutMasks.get(l));
      }
    }
    Map<String, Node> fin = new LinkedHashMap<>();
    for (String s : states) {
      fin.put(s, Node.concat(0, finals.get(s)));
    }
    return new Output(layerInput, fin);
  }

  /**
   * A scan of the masked form of {@code step}, reading the lengths' mask {@code [T, B, W]} for each
   * width W the step needs ({@code widened}); {@code masks} keeps them by width, shared by all
   * layers and directions.
   */
  private Scan maskedScan(Function step, List<Node> init, Node layerInput, IntFunction<Node> widened,
      Map<Integer, Node> masks, List<Node> consts, boolean reverse, boolean packed) {
    MaskedStep masked = maskedSteps.computeIfAbsent(step, s -> MaskedStep.of(s, init.size()));
    List<Node> seqs = new ArrayList<>(List.of(layerInput));
    for (int w : masked.widths()) {
      seqs.add(masks.computeIfAbsent(w, widened::apply));
    }
    // the first mask marks the padded rows: at them the masked step keeps the carries, and the
    // input there is zero (or a layer's zero output)
    return packed ? Scan.packed(masked.function(), init, seqs, consts, reverse, 1)
        : Scan.of(masked.function(), init, seqs, consts, reverse);
  }

  /** Layer and direction {@code index}'s initial states: given ones, or zeros. */
  private List<Node> initialCarries(Graph g, Map<String, Node> initialStates, int index, int batch, DType dtype) {
    List<Node> init = new ArrayList<>();
    for (String s : cell.stateNames()) {
      Node all = initialStates.get(s);
      int size = cell.stateSize(s, inputSize, hiddenSize);
      init.add(all != null ? all.select(0, index) : g.zeros(TensorType.of(dtype, batch, size)));
    }
    return init;
  }

  /** The parameters of layer {@code l}, direction {@code d} (input size {@code in}), in the cell's order. */
  private List<Node> layerParameters(Map<String, Node> params, int l, int d, int in) {
    List<Node> consts = new ArrayList<>();
    for (String base : cell.parameterShapes(in, hiddenSize).keySet()) {
      consts.add(params.get(parameterName(base, l, d)));
    }
    return consts;
  }

  /**
   * The mask of {@link #build(Graph, Node, Node, Map, Map)} for sequences of the given lengths
   * over {@code steps} steps: {@code [steps, B]}, 1 where {@code t < lengths[b]}, else 0.
   *
   * @param lengths the length of each sequence of the batch, each 1 to {@code steps}
   * @param steps the number of time steps T
   * @param dtype the mask's dtype
   * @return the mask, {@code [steps, B]}
   */
  public static Tensor lengthMask(int[] lengths, int steps, DType dtype) {
    return Lengths.mask(lengths, steps, dtype);
  }

  private void checkMasks(List<TensorType> masks, int steps, int batch, DType dtype) {
    if (masks.isEmpty()) {
      return;
    }
    List<Shape> want = dropoutMaskShapes(steps, batch);
    if (want.isEmpty()) {
      throw new IllegalArgumentException("recurrent " + cell.name() + ": dropout masks were given, but the layer has no"
          + " dropout");
    }
    if (masks.size() != want.size()) {
      throw new IllegalArgumentException("recurrent " + cell.name() + ": " + masks.size() + " dropout mask"
          + (masks.size() == 1 ? "" : "s") + " given, expected " + want.size() + " (one per layer but the last)");
    }
    for (int l = 0; l < want.size(); l++) {
      TensorType m = masks.get(l);
      if (!m.shape().equals(want.get(l)) || m.dtype() != dtype) {
        throw new IllegalArgumentException("recurrent " + cell.name() + ": dropout mask " + l + " is " + m
            + ", expected " + dtype.lowerName() + want.get(l));
      }
    }
  }

  /**
   * A {@link Stepper} of this layer for one stream (batch 1): {@code step(x)} runs one time step
   * of every layer on {@code x [1, I]} and keeps the states, as an online model runs. The dtype is
   * the parameters'.
   *
   * @param params every parameter of the layer by name, as {@link #parameterShapes()} names them
   * @return a new stepper with its states at zero
   * @throws InvalidInputException if the layer is bidirectional, or a parameter is missing or
   *     misshapen
   */
  public Stepper stepper(Map<String, Tensor> params) {
    return stepper(params, 1);
  }

  /**
   * A {@link Stepper} of this layer for {@code batch} streams stepped together
   * ({@code x [batch, I]} per step).
   *
   * @param params every parameter of the layer by name, as {@link #parameterShapes()} names them
   * @param batch the number B of streams (at least 1)
   * @return a new stepper with its states at zero
   * @throws InvalidInputException if the layer is bidirectional, or a parameter is missing or
   *     misshapen
   * @throws IllegalArgumentException if {@code batch} is less than 1
   */
  public Stepper stepper(Map<String, Tensor> params, int batch) {
    return new Stepper(this, params, batch, CompileOptions.defaults());
  }

  /** What {@link #run} computes. Gradients are keyed {@code input}, {@code <state>0} and parameter names. */
  public record Result(Tensor output, Map<String, Tensor> finalStates, Map<String, Tensor> gradients) {}

  /**
   * Runs the layer on concrete values: {@code input [T, B, I]}, optional initial states (by state
   * name, {@code [layers * directions, B, size]}), and every parameter. When {@code gradOutput}
   * (shaped like the output) is given, also computes the gradients of
   * {@code sum(output * gradOutput)} with respect to the input, the initial states and every
   * parameter.
   *
   * @param params every parameter of the layer by name
   * @param input the input sequences, {@code [T, B, I]}
   * @param initialStates the initial states by state name; a missing state starts at zero
   * @param gradOutput the output's cotangent, shaped like the output, or null for no gradients
   * @return the output, the final states and, with {@code gradOutput}, the gradients
   */
  public Result run(Map<String, Tensor> params, Tensor input, Map<String, Tensor> initialStates, Tensor gradOutput) {
    return run(params, input, initialStates, gradOutput, CompileOptions.defaults());
  }

  /**
   * Runs the layer as {@link #run(Map, Tensor, Map, Tensor)} does, its plan compiled with {@code options}.
   *
   * @param params every parameter of the layer by name
   * @param input the input sequences, {@code [T, B, I]}
   * @param initialStates the initial states by state name; a missing state starts at zero
   * @param gradOutput the output's cotangent, shaped like the output, or null for no gradients
   * @param options how the plan is compiled
   * @return the output, the final states and, with {@code gradOutput}, the gradients
   */
  public Result run(Map<String, Tensor> params, Tensor input, Map<String, Tensor> initialStates, Tensor gradOutput,
      CompileOptions options) {
    return run(params, input, initialStates, gradOutput, options, List.of());
  }

  /**
   * Runs the layer as {@link #run(Map, Tensor, Map, Tensor, CompileOptions)} does, as a training
   * pass with the given dropout masks ({@link #dropoutMasks}; empty: an evaluation pass).
   *
   * @param params every parameter of the layer by name
   * @param input the input sequences, {@code [T, B, I]}
   * @param initialStates the initial states by state name; a missing state starts at zero
   * @param gradOutput the output's cotangent, shaped like the output, or null for no gradients
   * @param options how the plan is compiled
   * @param dropoutMasks the dropout masks, one per layer but the last, or empty for an evaluation pass
   * @return the output, the final states and, with {@code gradOutput}, the gradients
   */
  public Result run(Map<String, Tensor> params, Tensor input, Map<String, Tensor> initialStates, Tensor gradOutput,
      CompileOptions options, List<Tensor> dropoutMasks) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(dropoutMasks, "dropoutMasks");
    Objects.requireNonNull(options, "options");
    if (input.rank() != 3) {
      throw new InvalidInputException("recurrent " + cell.name() + ": input must be [T, B, " + inputSize
          + "] (time-major), got " + input.shape());
    }
    checkMasks(dropoutMasks.stream().map(t -> new TensorType(t.dtype(), t.shape())).toList(), input.shape().dim(0),
        input.shape().dim(1), input.dtype());
    return runner(input, givenStates(initialStates), gradOutput != null, false, false, options, dropoutMasks.size())
        .run(params, input, null, initialStates, gradOutput, dropoutMasks);
  }

  /** The cell's states that {@code initialStates} gives, in the cell's order; an unknown name is an error. */
  private List<String> givenStates(Map<String, Tensor> initialStates) {
    List<String> given = new ArrayList<>();
    for (String s : cell.stateNames()) {
      if (initialStates.containsKey(s)) {
        given.add(s);
      }
    }
    for (String s : initialStates.keySet()) {
      if (!cell.stateNames().contains(s)) {
        throw new InvalidInputException("recurrent " + cell.name() + ": unknown state '" + s + "', the cell's states are "
            + cell.stateNames());
      }
    }
    return given;
  }

  /** How many input shapes this layer keeps a compiled runner for (at most {@link ShapeCache#SIZE}). */
  int cachedRunners() {
    return runners.size();
  }

  private Runner runner(Tensor input, List<String> given, boolean withGrad, boolean masked, boolean packed,
      CompileOptions options, int dropoutMasks) {
    String key = input.dtype() + "/" + input.shape() + "/" + given + "/" + withGrad + "/" + masked + "/" + packed
        + "/" + options + "/" + dropoutMasks;
    return runners.computeIfAbsent(key,
        k -> new Runner(input.dtype(), input.shape(), given, withGrad, masked, packed, options, dropoutMasks));
  }

  /**
   * Runs the layer on sequences of different lengths, as PyTorch runs a packed batch
   * ({@code pack_padded_sequence(input, lengths, enforce_sorted=False)}): {@code lengths} holds one
   * length per sequence of the batch, each from 1 to T (null: all T). The output keeps the
   * input's T steps and is zero past each sequence's length ({@code pad_packed_sequence} with
   * {@code total_length=T}); the final states are each sequence's state at its own last step; the
   * gradients are those of running each sequence alone, zero for the input past its length.
   * Input values past a sequence's length are never read. The batch runs packed: sorted longest
   * first, each layer and direction one packed scan ({@link Scan#packed}) whose step t computes
   * only the sequences still running at t, so a padded step costs next to nothing; a batch whose
   * lengths are all equal runs as one unmasked scan.
   *
   * @param params every parameter of the layer by name
   * @param input the input sequences, {@code [T, B, I]}
   * @param lengths the length of each sequence of the batch, 1 to T, or null for all T
   * @param initialStates the initial states by state name; a missing state starts at zero
   * @param gradOutput the output's cotangent, shaped like the output, or null for no gradients
   * @return the output, the final states and, with {@code gradOutput}, the gradients
   */
  public Result run(Map<String, Tensor> params, Tensor input, int[] lengths, Map<String, Tensor> initialStates,
      Tensor gradOutput) {
    return run(params, input, lengths, initialStates, gradOutput, CompileOptions.defaults());
  }

  /**
   * Runs the layer as {@link #run(Map, Tensor, int[], Map, Tensor)} does, its plan compiled with {@code options}.
   *
   * @param params every parameter of the layer by name
   * @param input the input sequences, {@code [T, B, I]}
   * @param lengths the length of each sequence of the batch, 1 to T, or null for all T
   * @param initialStates the initial states by state name; a missing state starts at zero
   * @param gradOutput the output's cotangent, shaped like the output, or null for no gradients
   * @param options how the plan is compiled
   * @return the output, the final states and, with {@code gradOutput}, the gradients
   */
  public Result run(Map<String, Tensor> params, Tensor input, int[] lengths, Map<String, Tensor> initialStates,
      Tensor gradOutput, CompileOptions options) {
    return runLengths(params, input, lengths, initialStates, gradOutput, options, true);
  }

  /**
   * Runs the layer as {@link #run(Map, Tensor, int[], Map, Tensor, CompileOptions)} does, with the
   * same numbers, but as a graph built with a mask runs it ({@link #build(Graph, Node, Node, Map,
   * Map)}): every sequence computed at every step up to the longest one's, the masked carry keeping
   * the state of those that ended. For comparison: {@code run} packs the batch instead, computing
   * only the steps of sequences still running (the batch sorted longest first, each step over
   * the prefix of it still running).
   *
   * @param params every parameter of the layer by name
   * @param input the input sequences, {@code [T, B, I]}
   * @param lengths the length of each sequence of the batch, 1 to T, or null for all T
   * @param initialStates the initial states by state name; a missing state starts at zero
   * @param gradOutput the output's cotangent, shaped like the output, or null for no gradients
   * @param options how the plan is compiled
   * @return the output, the final states and, with {@code gradOutput}, the gradients
   */
  public Result runMasked(Map<String, Tensor> params, Tensor input, int[] lengths, Map<String, Tensor> initialStates,
      Tensor gradOutput, CompileOptions options) {
    return runLengths(params, input, lengths, initialStates, gradOutput, options, false);
  }

  /** The run of sequences of these lengths, packed or with the masked carry over every step. */
  private Result runLengths(Map<String, Tensor> params, Tensor input, int[] lengths, Map<String, Tensor> initialStates,
      Tensor gradOutput, CompileOptions options, boolean packed) {
    if (lengths == null) {
      return run(params, input, initialStates, gradOutput, options);
    }
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(options, "options");
    if (input.rank() != 3) {
      throw new InvalidInputException("recurrent " + cell.name() + ": input must be [T, B, " + inputSize
          + "] (time-major), got " + input.shape());
    }
    int steps = input.shape().dim(0);
    int batch = input.shape().dim(1);
    int longest = Lengths.check("recurrent " + cell.name(), lengths, steps, batch);
    Shape outShape = Shape.of(steps, batch, outputSize());
    if (gradOutput != null && !gradOutput.shape().equals(outShape)) {
      throw new InvalidInputException("recurrent " + cell.name() + ": grad_output is " + gradOutput.shape()
          + ", expected the output's shape " + outShape);
    }
    Tensor x = longest == steps ? input : input.slice(0, 0, longest);
    Tensor go = gradOutput == null || longest == steps ? gradOutput : gradOutput.slice(0, 0, longest);
    boolean uniform = Arrays.stream(lengths).allMatch(n -> n == longest);
    Result r;
    if (uniform) {
      r = run(params, x, initialStates, go, options);
    } else {
      // zero padding: what a packed scan asks, and no NaN there is read by the masked one either
      Tensor xz = Lengths.withoutPadding(x, lengths);
      Tensor gz = go == null ? null : Lengths.withoutPadding(go, lengths);
      r = packed ? runPacked(params, xz, Packing.of(lengths), initialStates, gz, options)
          : runner(x, givenStates(initialStates), go != null, true, false, options, 0)
              .run(params, xz, lengthMask(lengths, longest, x.dtype()), initialStates, gz, List.of());
    }
    return longest == steps ? r : Lengths.padded(r, steps);
  }

  /**
   * The run of a packed batch: the batch sorted longest first outside the plan, the plan's packed
   * scans computing each step over the sequences running at it ({@link Packing}), the results put
   * back in the caller's order.
   */
  private Result runPacked(Map<String, Tensor> params, Tensor x, Packing packing, Map<String, Tensor> initialStates,
      Tensor gradOutput, CompileOptions options) {
    List<String> given = givenStates(initialStates);
    Runner runner = runner(x, given, gradOutput != null, true, true, options, 0);
    Map<String, Tensor> states = new LinkedHashMap<>();
    initialStates.forEach((name, t) -> states.put(name, packing.sorted(t, 1)));
    Result r = runner.run(params, packing.sorted(x, 1), packing.mask(x.dtype()), states, gradOutput == null ? null
        : packing.sorted(gradOutput, 1), List.of());
    Map<String, Tensor> fin = new LinkedHashMap<>();
    r.finalStates().forEach((name, t) -> fin.put(name, packing.unsorted(t, 1)));
    Map<String, Tensor> grads = new LinkedHashMap<>();
    // the gradients of the input and the initial states have a batch axis; the parameters' do not
    List<String> batched = new ArrayList<>(List.of("input"));
    given.forEach(st -> batched.add(st + "0"));
    r.gradients().forEach((name, t) -> grads.put(name, batched.contains(name) ? packing.unsorted(t, 1) : t));
    return new Result(packing.unsorted(r.output(), 1), fin, grads);
  }

  /** What a plan's feed or output is to a run: the input, a state, a parameter, a gradient, ... */
  private enum Role { INPUT, MASK, GRAD_OUTPUT, STATE, PARAMETER, DROPOUT_MASK, OUTPUT, GRADIENT }

  /** A feed or output of a runner's plan: its role and, for a state, parameter or gradient, whose. */
  private record Slot(Role role, String name) {
    static final Slot INPUT = new Slot(Role.INPUT, "input");
    static final Slot GRAD_OUTPUT = new Slot(Role.GRAD_OUTPUT, "grad_output");
    static final Slot OUTPUT = new Slot(Role.OUTPUT, "output");
  }

  /** A compiled forward (and backward) pass for one input shape. */
  private final class Runner {
    private final Plan plan;
    private final List<Slot> feedSlots = new ArrayList<>();
    private final List<Slot> outSlots = new ArrayList<>();

    /** With {@code packed}, the masked plan's scans are packed ({@link Scan#packed}), for a batch sorted longest first. */
    Runner(DType dtype, Shape inputShape, List<String> givenStates, boolean withGrad, boolean masked, boolean packed,
        CompileOptions options, int maskCount) {
      Graph g = new Graph("recurrent " + cell.name());
      List<Node> feeds = new ArrayList<>();
      Node input = g.input("input", new TensorType(dtype, inputShape));
      feeds.add(input);
      feedSlots.add(Slot.INPUT);
      int batch = inputShape.dim(1);
      // the lengths' mask comes in broadcast to each width the masked steps read, widened outside
      // the plan (a fill) rather than by the plan's general broadcast
      IntFunction<Node> maskOfWidth = !masked ? null : w -> {
        Node m = g.input("mask" + w, TensorType.of(dtype, inputShape.dim(0), batch, w));
        feeds.add(m);
        feedSlots.add(new Slot(Role.MASK, Integer.toString(w)));
        return m;
      };
      Map<String, Node> init = new LinkedHashMap<>();
      for (String s : givenStates) {
        Node n = g.input(s + "0", new TensorType(dtype, stateShape(s, batch)));
        init.put(s, n);
        feeds.add(n);
        feedSlots.add(new Slot(Role.STATE, s));
      }
      Map<String, Node> params = new LinkedHashMap<>();
      for (Map.Entry<String, Shape> e : parameterShapes().entrySet()) {
        Node n = g.parameter(e.getKey(), new TensorType(dtype, e.getValue()));
        params.put(e.getKey(), n);
        feeds.add(n);
        feedSlots.add(new Slot(Role.PARAMETER, e.getKey()));
      }
      List<Node> masks = new ArrayList<>();
      List<Shape> maskShapes = dropoutMaskShapes(inputShape.dim(0), batch);
      for (int l = 0; l < maskCount; l++) {
        Node n = g.input("dropout_mask" + l, new TensorType(dtype, maskShapes.get(l)));
        masks.add(n);
        feeds.add(n);
        feedSlots.add(new Slot(Role.DROPOUT_MASK, Integer.toString(l)));
      }
      Output out = build(g, input, null, init, params, masks, packed, maskOfWidth);
      List<Node> outputs = new ArrayList<>();
      outputs.add(out.output());
      outSlots.add(Slot.OUTPUT);
      for (Map.Entry<String, Node> e : out.finalStates().entrySet()) {
        outputs.add(e.getValue());
        outSlots.add(new Slot(Role.STATE, e.getKey()));
      }
      if (withGrad) {
        Node go = g.input("grad_output", out.output().type());
        feeds.add(go);
        feedSlots.add(Slot.GRAD_OUTPUT);
        List<Node> wrt = new ArrayList<>();
        List<Slot> wrtSlots = new ArrayList<>();
        wrt.add(input);
        wrtSlots.add(new Slot(Role.GRADIENT, "input"));
        for (Map.Entry<String, Node> e : init.entrySet()) {
          wrt.add(e.getValue());
          wrtSlots.add(new Slot(Role.GRADIENT, e.getKey() + "0"));
        }
        for (Map.Entry<String, Node> e : params.entrySet()) {
          wrt.add(e.getValue());
          wrtSlots.add(new Slot(Role.GRADIENT, e.getKey()));
        }
        Gradients grads = Gradients.vjp(List.of(out.output()), List.of(go), wrt);
        outputs.addAll(grads.list());
        outSlots.addAll(wrtSlots);
      }
      this.plan = Plan.compile(outputs, feeds, options);
    }

    Result run(Map<String, Tensor> params, Tensor input, Tensor mask, Map<String, Tensor> states, Tensor gradOutput,
        List<Tensor> masks) {
      List<Tensor> vals = new ArrayList<>();
      for (Slot f : feedSlots) {
        Tensor v = switch (f.role()) {
          case INPUT -> input;
          case MASK -> Lengths.widened(mask, Integer.parseInt(f.name()));
          case GRAD_OUTPUT -> gradOutput;
          case STATE -> states.get(f.name());
          case PARAMETER -> params.get(f.name());
          case DROPOUT_MASK -> masks.get(Integer.parseInt(f.name()));
          case OUTPUT, GRADIENT -> throw new IllegalStateException("a plan's output is no feed: " + f);
        };
        if (v == null && f.role() == Role.PARAMETER) {
          throw new InvalidInputException("recurrent " + cell.name() + ": parameter '" + f.name() + "' is missing");
        }
        vals.add(v);
      }
      List<Tensor> out = plan.run(vals);
      Tensor output = null;
      Map<String, Tensor> fin = new LinkedHashMap<>();
      Map<String, Tensor> grads = new LinkedHashMap<>();
      for (int i = 0; i < outSlots.size(); i++) {
        Slot n = outSlots.get(i);
        switch (n.role()) {
          case OUTPUT -> output = out.get(i);
          case STATE -> fin.put(n.name(), out.get(i));
          case GRADIENT -> grads.put(n.name(), out.get(i));
          case INPUT, MASK, GRAD_OUTPUT, PARAMETER, DROPOUT_MASK ->
              throw new IllegalStateException("a plan's feed is no output: " + n);
        }
      }
      return new Result(output, fin, grads);
    }
  }

  @Override
  public String toString() {
    // the projection is shown by the name PyTorch gives it; other sizes are the cell's to check, later
    int proj = cell instanceof BuiltinCell b ? b.projSize() : 0;
    return "Recurrent " + cell.name() + " (input " + inputSize + ", hidden " + hiddenSize
        + (proj > 0 ? ", proj_size " + proj : "") + ", " + layers
        + " layer" + (layers == 1 ? "" : "s") + (bidirectional ? ", bidirectional" : "")
        + (dropout > 0 ? ", dropout " + dropout : "") + ")";
  }
}
