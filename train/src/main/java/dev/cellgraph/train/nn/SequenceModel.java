package dev.cellgraph.train.nn;

import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The network of the classic sequence experiments: an optional {@link Embedding} of token ids (or
 * real-valued features fed directly), a {@link Recurrent} layer of any {@link Cell} (one by
 * default; stacked or bidirectional with {@link #withRecurrent}), optional {@link Dropout} on its
 * outputs, and a {@link Dense} head applied at every step. With two layers or more, the dropout
 * probability also acts between the layers ({@code nn.LSTM(dropout=p)}, {@link Recurrent#withDropout}),
 * as in PyTorch's word language model, which gives one {@code p} to both.
 *
 * <p>Parameters are named {@code embedding.weight}, {@code rnn.<the layer's names>},
 * {@code head.weight} and {@code head.bias}, in that order. Immutable and thread-safe.
 */
public final class SequenceModel {
  private final Cell cell;
  private final int vocab;          // 0: real-valued input of size inputSize
  private final int inputSize;      // the recurrent layer's input size
  private final int hiddenSize;
  private final int outputs;
  private final Dropout dropout;
  private final Recurrent rnn;
  private final Embedding embedding;
  private final Dense head;

  private SequenceModel(Cell cell, int vocab, int inputSize, int hiddenSize, int outputs, double dropout) {
    this(cell, vocab, inputSize, hiddenSize, outputs, dropout, 1, false);
  }

  private SequenceModel(Cell cell, int vocab, int inputSize, int hiddenSize, int outputs, double dropout, int layers,
      boolean bidirectional) {
    this.cell = Objects.requireNonNull(cell, "cell");
    this.vocab = vocab;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputs = outputs;
    this.dropout = Dropout.of(dropout);
    Recurrent stack = Recurrent.of(cell, inputSize, hiddenSize, layers, bidirectional);
    this.rnn = layers > 1 && dropout > 0 ? stack.withDropout(dropout) : stack;
    this.embedding = vocab > 0 ? Embedding.of(vocab, inputSize) : null;
    this.head = Dense.of(rnn.outputSize(), outputs);
  }

  /**
   * A model reading real-valued features {@code [T, B, inputSize]}.
   *
   * @param cell the recurrent cell
   * @param inputSize the number of features I per step (positive)
   * @param hiddenSize the hidden size H
   * @param outputs the number of outputs of the head (classes or values)
   * @param dropout the dropout probability on the recurrent outputs, in [0, 1)
   * @return the model, with one recurrent layer
   */
  public static SequenceModel ofFeatures(Cell cell, int inputSize, int hiddenSize, int outputs, double dropout) {
    Checks.positive("input size", inputSize);
    return new SequenceModel(cell, 0, inputSize, hiddenSize, outputs, dropout);
  }

  /**
   * A model reading token ids {@code [T, B]} through an embedding of size {@code embeddingSize}.
   *
   * @param cell the recurrent cell
   * @param vocab the vocabulary size (positive)
   * @param embeddingSize the size of a token's embedding, the recurrent layer's input size
   * @param hiddenSize the hidden size H
   * @param outputs the number of outputs of the head (classes or values)
   * @param dropout the dropout probability on the recurrent outputs, in [0, 1)
   * @return the model, with one recurrent layer
   */
  public static SequenceModel ofTokens(Cell cell, int vocab, int embeddingSize, int hiddenSize, int outputs,
      double dropout) {
    Checks.positive("vocabulary size", vocab);
    return new SequenceModel(cell, vocab, embeddingSize, hiddenSize, outputs, dropout);
  }

  /**
   * The same model with {@code layers} stacked recurrent layers, each read in both directions when
   * {@code bidirectional} (PyTorch's {@code num_layers} and {@code bidirectional}); the head then
   * reads the last layer's outputs of both directions.
   *
   * @param layers the number of stacked recurrent layers (positive)
   * @param bidirectional whether each layer also runs backwards in time
   * @return a new model, otherwise the same as this one
   */
  public SequenceModel withRecurrent(int layers, boolean bidirectional) {
    Checks.positive("layers", layers);
    return new SequenceModel(cell, vocab, inputSize, hiddenSize, outputs, dropout.probability(), layers,
        bidirectional);
  }

  /**
   * The number of stacked recurrent layers.
   *
   * @return the number of stacked recurrent layers
   */
  public int layers() {
    return rnn.layers();
  }

  /**
   * Whether the recurrent layers also run backwards in time.
   *
   * @return true if the recurrent layers are bidirectional
   */
  public boolean bidirectional() {
    return rnn.bidirectional();
  }

  /**
   * The recurrent cell.
   *
   * @return the recurrent cell
   */
  public Cell cell() {
    return cell;
  }

  /**
   * Whether the input is token ids, embedded before the recurrent layers.
   *
   * @return true for token-id input, false for real-valued features
   */
  public boolean tokenInput() {
    return vocab > 0;
  }

  /**
   * The vocabulary size for token input, 0 for real-valued input.
   *
   * @return the vocabulary size, or 0 for real-valued input
   */
  public int vocab() {
    return vocab;
  }

  /**
   * The recurrent layer's input size (the embedding size for token input).
   *
   * @return the recurrent layer's input size
   */
  public int inputSize() {
    return inputSize;
  }

  /**
   * The hidden size H.
   *
   * @return the hidden size H
   */
  public int hiddenSize() {
    return hiddenSize;
  }

  /**
   * The number of outputs of the head (classes or values).
   *
   * @return the number of outputs of the head
   */
  public int outputs() {
    return outputs;
  }

  /**
   * The dropout between stacked layers.
   *
   * @return the dropout applied to the recurrent outputs in training
   */
  public Dropout dropout() {
    return dropout;
  }

  /**
   * The recurrent layers.
   *
   * @return the recurrent layers
   */
  public Recurrent recurrent() {
    return rnn;
  }

  /**
   * Every parameter with its shape, in a fixed order.
   *
   * @return a new map of every parameter's name to its shape, in the order of the parameters
   */
  public LinkedHashMap<String, Shape> parameterShapes() {
    LinkedHashMap<String, Shape> m = new LinkedHashMap<>();
    if (embedding != null) {
      m.put("embedding.weight", embedding.tableShape());
    }
    for (Map.Entry<String, Shape> e : rnn.parameterShapes().entrySet()) {
      m.put("rnn." + e.getKey(), e.getValue());
    }
    m.put("head.weight", head.weightShape());
    m.put("head.bias", head.biasShape());
    return m;
  }

  /**
   * The number of scalar parameters, embedding and head included.
   *
   * @return the number of scalar parameters
   */
  public long parameterCount() {
    long n = 0;
    for (Shape s : parameterShapes().values()) {
      n += s.size();
    }
    return n;
  }

  /**
   * Fresh parameters (PyTorch's defaults for each layer), drawn in {@link #parameterShapes()} order.
   *
   * @param rng the generator the parameters are drawn from
   * @param dtype the parameters' dtype
   * @return a new map of fresh parameters by name
   */
  public LinkedHashMap<String, Tensor> initialize(Rng rng, DType dtype) {
    LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
    if (embedding != null) {
      m.put("embedding.weight", embedding.initialize(rng, dtype));
    }
    for (Map.Entry<String, Tensor> e : rnn.initialize(rng, dtype).entrySet()) {
      m.put("rnn." + e.getKey(), e.getValue());
    }
    m.put("head.weight", head.initializeWeight(rng, dtype));
    m.put("head.bias", head.initializeBias(rng, dtype));
    return m;
  }

  /**
   * Fresh parameters with the forget gate's bias raised by {@code forgetBias} (Gers et al. 2000;
   * Jozefowicz et al. 2015 recommend 1): the LSTM then starts out remembering, which shortens the
   * plateau on long-range tasks. Applies to the built-in LSTM (the second quarter of
   * {@code bias_ih}) and to formula cells with a parameter named {@code b_f}; other cells have no
   * forget gate and are unchanged.
   *
   * @param rng the generator the parameters are drawn from
   * @param dtype the parameters' dtype
   * @param forgetBias the amount added to the forget gate's bias (0: none)
   * @return a new map of fresh parameters by name
   */
  public LinkedHashMap<String, Tensor> initialize(Rng rng, DType dtype, double forgetBias) {
    LinkedHashMap<String, Tensor> m = initialize(rng, dtype);
    if (forgetBias == 0) {
      return m;
    }
    for (Map.Entry<String, Tensor> e : m.entrySet()) {
      String name = e.getKey();
      boolean builtinLstm = cell instanceof dev.cellgraph.cells.BuiltinCell
          && ((dev.cellgraph.cells.BuiltinCell) cell).kind() == dev.cellgraph.cells.BuiltinCell.Kind.LSTM;
      double[] v = e.getValue().toDoubleArray();
      if (builtinLstm && name.startsWith("rnn.bias_ih_")) {
        for (int i = hiddenSize; i < 2 * hiddenSize; i++) {
          v[i] += forgetBias;
        }
      } else if (name.matches("rnn\\.b_f(_l\\d+)?(_reverse)?")) {
        for (int i = 0; i < v.length; i++) {
          v[i] += forgetBias;
        }
      } else {
        continue;
      }
      e.setValue(Tensor.of(dtype, v, e.getValue().shape()));
    }
    return m;
  }

  /**
   * The cell's states, each {@code [layers * directions, B, size]}.
   *
   * @return the names of the cell's states
   */
  public List<String> stateNames() {
    return cell.stateNames();
  }

  /**
   * The shape of state {@code state} for a batch of {@code batch}.
   *
   * @param state the state's name, one of {@link #stateNames()}
   * @param batch the batch size B
   * @return the state's shape, {@code [layers * directions, B, size]}
   */
  public Shape stateShape(String state, int batch) {
    return rnn.stateShape(state, batch);
  }

  /**
   * The shape of the dropout mask for a batch: the recurrent outputs {@code [T, B, H']}.
   *
   * @param steps the number of steps T
   * @param batch the batch size B
   * @return the mask's shape, {@code [T, B, H']}
   */
  public Shape dropoutMaskShape(int steps, int batch) {
    return Shape.of(steps, batch, rnn.outputSize());
  }

  /**
   * The shapes of the dropout masks between stacked layers for a training batch (one per layer but
   * the last; none with one layer or without dropout): {@link Recurrent#dropoutMaskShapes}.
   *
   * @param steps the number of steps T
   * @param batch the batch size B
   * @return the masks' shapes, one per layer but the last (empty without them)
   */
  public List<Shape> layerDropoutMaskShapes(int steps, int batch) {
    return rnn.dropoutMaskShapes(steps, batch);
  }

  /**
   * What {@link #build} adds: per-step outputs of the head, the hidden sequence, the final states
   * and the step mask {@code [T, B]} (1 at real steps, 0 in the padding; null when every sequence
   * has all T steps), which a loss over steps multiplies by.
   */
  public record Forward(Node outputs, Node hidden, Map<String, Node> finalStates, Node stepMask) {
    /**
     * A forward pass of sequences that all have every step.
     *
     * @param outputs the head's per-step outputs, {@code [T, B, outputs]}
     * @param hidden the recurrent layers' output sequence
     * @param finalStates the final recurrent states by name
     */
    public Forward(Node outputs, Node hidden, Map<String, Node> finalStates) {
      this(outputs, hidden, finalStates, null);
    }
  }

  /**
   * Adds the model to a graph. {@code input} is {@code [T, B]} integer ids or {@code [T, B, I]}
   * features; {@code initialStates} may omit states (zeros); {@code dropoutMask} is needed only in
   * training with dropout. The outputs are {@code [T, B, outputs]}.
   *
   * @param g the graph to add the model to
   * @param input the input, integer ids {@code [T, B]} or features {@code [T, B, I]}
   * @param initialStates the initial states by name; an omitted one is zeros
   * @param params the parameter nodes by name, as {@link #parameterShapes()}
   * @param dropoutMask the dropout mask of {@link #dropoutMaskShape}, or null when not needed
   * @param training whether the graph is for training (with dropout)
   * @return the forward pass, without a step mask
   */
  public Forward build(Graph g, Node input, Map<String, Node> initialStates, Map<String, Node> params,
      Node dropoutMask, boolean training) {
    return build(g, input, null, initialStates, params, dropoutMask, List.of(), training);
  }

  /**
   * Adds the model to a graph as {@link #build(Graph, Node, Map, Map, Node, boolean)} does, for
   * sequences of different lengths when {@code stepMask} (the input's {@code [T, B]}, in the
   * parameters' dtype, from {@link Recurrent#lengthMask}) is not null: the recurrence then has
   * PyTorch's packed semantics (each sequence's final state is the one at its own last step, the
   * reverse direction starts there, outputs in the padding are zero). {@code layerDropoutMasks}
   * are the masks of {@link #layerDropoutMaskShapes} in training (empty: none).
   *
   * @param g the graph to add the model to
   * @param input the input, integer ids {@code [T, B]} or features {@code [T, B, I]}
   * @param stepMask the step mask {@code [T, B]} of sequences with lengths, or null when all have T steps
   * @param initialStates the initial states by name; an omitted one is zeros
   * @param params the parameter nodes by name, as {@link #parameterShapes()}
   * @param dropoutMask the dropout mask of {@link #dropoutMaskShape}, or null when not needed
   * @param layerDropoutMasks the masks between stacked layers in training (empty: none)
   * @param training whether the graph is for training (with dropout)
   * @return the forward pass, with {@code stepMask} as its step mask
   */
  public Forward build(Graph g, Node input, Node stepMask, Map<String, Node> initialStates, Map<String, Node> params,
      Node dropoutMask, List<Node> layerDropoutMasks, boolean training) {
    Node x;
    if (embedding != null) {
      if (input.shape().rank() != 2 || input.dtype().isFloating()) {
        throw new IllegalArgumentException("sequence model: input must be integer ids [T, B], got " + input.type());
      }
      x = embedding.apply(param(params, "embedding.weight"), input);
    } else {
      x = input;
    }
    Map<String, Node> rp = new LinkedHashMap<>();
    for (String name : rnn.parameterShapes().keySet()) {
      rp.put(name, param(params, "rnn." + name));
    }
    Recurrent.Output r = rnn.build(g, x, stepMask, initialStates, rp, training ? layerDropoutMasks : List.of());
    Node h = dropout.apply(r.output(), dropoutMask, training);
    Node y = head.apply(h, param(params, "head.weight"), param(params, "head.bias"));
    return new Forward(y, r.output(), r.finalStates(), stepMask);
  }

  private static Node param(Map<String, Node> params, String name) {
    Node p = params.get(name);
    if (p == null) {
      throw new IllegalArgumentException("sequence model: parameter '" + name + "' is missing");
    }
    return p;
  }

  @Override
  public String toString() {
    return "SequenceModel(" + cell.name() + ", " + (vocab > 0 ? "vocab " + vocab + ", embedding " : "input ")
        + inputSize + ", hidden " + hiddenSize + (rnn.layers() > 1 ? ", layers " + rnn.layers() : "")
        + (rnn.bidirectional() ? ", bidirectional" : "") + ", outputs " + outputs
        + (dropout.active() ? ", dropout " + dropout.probability() : "") + ")";
  }
}
