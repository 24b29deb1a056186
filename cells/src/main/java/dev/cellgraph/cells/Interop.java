package dev.cellgraph.cells;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The interop contract with PyTorch behind {@code cellgraph run}: a weights map (PyTorch's names
 * for the built-in cells, canonical names for formula cells), an inputs map ({@code input},
 * optional initial states, optional {@code grad_output}), and the results under the names
 * PyTorch's reference scripts use ({@code output}, {@code h_n}, {@code grad.input},
 * {@code grad.<parameter>}, ...).
 *
 * <p>Sizes, layer count, direction and bias come from the weights; requested values that
 * disagree with them are an error, as is any weight or input of the wrong shape or dtype. Errors
 * are {@link IllegalArgumentException}s whose messages name the tensor and both shapes.
 *
 * <p>Thread-safe: its static methods share no mutable state, and a {@link Configured} holds a
 * {@link Recurrent}, which is thread-safe.
 */
public final class Interop {
  private static final Pattern LAYER = Pattern.compile("^(.*?)_l(\\d+)(_reverse)?$");

  private Interop() {}

  /** What the caller asks for; null fields mean "take it from the weights". */
  public record Request(Integer layers, Boolean bidirectional, String nonlinearity) {
    /**
     * A request that takes everything from the weights.
     *
     * @return a request with every field null
     */
    public static Request none() {
      return new Request(null, null, null);
    }
  }

  /** The layer a weights map describes, with its cell. */
  public record Configured(Recurrent layer, DType dtype) {}

  /**
   * Builds the layer for {@code cell} that the weights describe. For the built-in names
   * {@code rnn}, {@code lstm} and {@code gru}, {@code cell} may be null and is made from the
   * weights (bias or not; an LSTM's projection, {@code proj_size}, from the presence and shape
   * {@code [P, H]} of {@code weight_hr_l0}; the nonlinearity of {@code rnn} from the request). The
   * input's feature size is only a preference here: a wrong one is reported as the input's fault
   * by {@link #run}.
   *
   * @param cellName the cell's name: a built-in {@code rnn}, {@code lstm} or {@code gru}, or a formula cell's
   * @param formulaCell the formula cell, or null for a built-in cell made from the weights
   * @param weights the weights by name, PyTorch's for the built-in cells and canonical for formula cells
   * @param input the input tensor, whose feature size (axis 2 of a rank-3 input) is preferred for I
   * @param req the layer count, direction and nonlinearity asked for, null where the weights decide
   * @return the layer the weights describe, with the weights' dtype
   */
  public static Configured configure(String cellName, Cell formulaCell, Map<String, Tensor> weights,
      Tensor input, Request req) {
    if (weights.isEmpty()) {
      throw new InvalidInputException("the weights file holds no tensors");
    }
    DType dtype = FromWeights.dtype(weights);
    // layers and directions from the names
    int maxLayer = 0;
    boolean reverse = false;
    for (String n : weights.keySet()) {
      Matcher m = LAYER.matcher(n);
      if (m.matches()) {
        maxLayer = Math.max(maxLayer, Integer.parseInt(m.group(2)));
      }
      reverse |= n.endsWith("_reverse");
    }
    int layers = maxLayer + 1;
    if (req.layers() != null && req.layers() != layers) {
      throw new InvalidInputException("--layers " + req.layers() + " disagrees with the weights, which hold "
          + layers + " layer" + (layers == 1 ? "" : "s"));
    }
    if (req.bidirectional() != null && req.bidirectional() != reverse) {
      throw new InvalidInputException(req.bidirectional()
          ? "--bidirectional was given but the weights have no '_reverse' parameters"
          : "the weights are bidirectional ('_reverse' parameters) but --bidirectional was not given");
    }
    // the input's feature size is a preference only: a wrong input is blamed when it is run
    int inputSize = input.rank() == 3 ? input.shape().dim(2) : -1;
    Recurrent layer;
    if (formulaCell == null) {
      String base = cellName;
      String nl = req.nonlinearity();
      if (nl != null && !nl.equals("tanh") && !nl.equals("relu")) {
        throw new InvalidInputException("--nonlinearity must be tanh or relu, got '" + nl + "'");
      }
      if (nl != null && !base.equals("rnn")) {
        throw new InvalidInputException("--nonlinearity applies to the rnn cell, not to " + base);
      }
      if (base.equals("rnn") && "relu".equals(nl)) {
        base = "rnn-relu";
      }
      boolean bias = weights.containsKey("bias_ih_l0");
      BuiltinCell b = BuiltinCell.named(base, bias);
      if (b == null) {
        throw new InvalidInputException("unknown built-in cell '" + cellName + "'");
      }
      Tensor whh = weights.get("weight_hh_l0");
      if (whh == null || whh.rank() != 2) {
        throw new InvalidInputException("the " + base + " weights need 'weight_hh_l0' [" + b.kind().gates()
            + "*H, H]" + (whh == null ? "; it is missing" : ", got " + whh.shape()));
      }
      Tensor whr = weights.get("weight_hr_l0");
      if (whr != null) {
        if (b.kind() != BuiltinCell.Kind.LSTM) {
          throw new InvalidInputException("weight 'weight_hr_l0' is the projection of an LSTM with proj_size, which a "
              + base + " does not have");
        }
        if (whr.rank() != 2 || whr.shape().dim(0) >= whr.shape().dim(1)) {
          throw new InvalidInputException("weight 'weight_hr_l0' (an LSTM's projection) must be [P, H] with proj_size P"
              + " smaller than the hidden size H, got " + whr.shape());
        }
        b = BuiltinCell.projectedLstm(bias, whr.shape().dim(0));
      }
      layer = FromWeights.builtinLayer(b, weights, inputSize, layers, reverse);
      try {
        checkWeights(layer, weights);
      } catch (InvalidInputException e) {
        throw new InvalidInputException(e.getMessage() + FromWeights.otherBuiltinHint(layer, weights));
      }
    } else {
      int[] sizes = FromWeights.formulaSizes(formulaCell, weights, inputSize);
      layer = Recurrent.of(formulaCell, sizes[0], sizes[1], layers, reverse);
      checkWeights(layer, weights);
    }
    return new Configured(layer, dtype);
  }

  private static void checkWeights(Recurrent layer, Map<String, Tensor> weights) {
    LinkedHashMap<String, Shape> want = layer.parameterShapes();
    for (Map.Entry<String, Shape> e : want.entrySet()) {
      Tensor w = weights.get(e.getKey());
      if (w == null) {
        throw new InvalidInputException("weight '" + e.getKey() + "' " + e.getValue() + " is missing (" + layer + ")");
      }
      if (!w.shape().equals(e.getValue())) {
        throw new InvalidInputException("weight '" + e.getKey() + "' is " + w.shape() + ", expected " + e.getValue()
            + " (" + layer + ")");
      }
    }
    for (String n : weights.keySet()) {
      if (!want.containsKey(n)) {
        throw new InvalidInputException("weight '" + n + "' is not a parameter of " + layer
            + "; expected " + want.keySet());
      }
    }
  }

  /**
   * Runs the contract: {@code inputs} holds {@code input}, optional {@code <state>0}
   * ({@code [layers*directions, B, H]}, or {@code [B, H]} for a single-layer one-direction
   * layer), optional {@code lengths} (int64 or int32 {@code [B]}: sequences of different
   * lengths, as PyTorch's {@code pack_padded_sequence(enforce_sorted=False)} runs them) and
   * optional {@code grad_output}. Returns {@code output}, {@code <state>_n}, and with
   * {@code grad_output} also {@code grad.input}, {@code grad.<state>0}, {@code grad.<param>}.
   *
   * @param conf the layer and dtype from {@link #configure}
   * @param weights the layer's weights by name, as given to {@link #configure}
   * @param inputs the input tensors by name: {@code input}, optional initial states, {@code lengths}, {@code grad_output}
   * @return the results by name: {@code output}, the final states and, with {@code grad_output}, gradients
   */
  public static Map<String, Tensor> run(Configured conf, Map<String, Tensor> weights, Map<String, Tensor> inputs) {
    return run(conf, weights, inputs, SequenceLayout.TIME_MAJOR);
  }

  /**
   * Runs the contract as {@link #run(Configured, Map, Map)} does with {@code input},
   * {@code grad_output}, {@code output} and {@code grad.input} in {@code layout}.
   *
   * @param conf the layer and dtype from {@link #configure}
   * @param weights the layer's weights by name, as given to {@link #configure}
   * @param inputs the input tensors by name: {@code input}, optional initial states, {@code lengths}, {@code grad_output}
   * @param layout the layout of {@code input}, {@code grad_output}, {@code output} and {@code grad.input}
   * @return the results by name: {@code output}, the final states and, with {@code grad_output}, gradients
   */
  public static Map<String, Tensor> run(Configured conf, Map<String, Tensor> weights, Map<String, Tensor> inputs,
      SequenceLayout layout) {
    Recurrent layer = conf.layer();
    DType dtype = conf.dtype();
    Tensor given = inputs.get("input");
    if (given == null) {
      throw new InvalidInputException("the inputs need a tensor 'input' " + layout.axes());
    }
    checkDtype("input", given, dtype);
    if (given.rank() != 3) {
      throw new InvalidInputException("input must be " + layout.description() + ", got " + given.shape());
    }
    Tensor input = layout.toTimeMajor(given);
    if (input.shape().dim(2) != layer.inputSize()) {
      throw new InvalidInputException("input is " + given.shape() + ": " + input.shape().dim(2) + " features, but the"
          + " weights take " + layer.inputSize() + inputWeight(layer, weights) + "; expected "
          + layout.axes().replace("I", Integer.toString(layer.inputSize())));
    }
    int batch = input.shape().dim(1);
    Map<String, Tensor> states = new LinkedHashMap<>();
    for (String s : layer.cell().stateNames()) {
      Tensor v = inputs.get(s + "0");
      if (v == null) {
        continue;
      }
      checkDtype(s + "0", v, dtype);
      Shape want = layer.stateShape(s, batch);
      if (v.rank() == 2 && want.dim(0) == 1) {
        v = v.reshape(want);
      }
      if (!v.shape().equals(want)) {
        throw new InvalidInputException("initial state '" + s + "0' is " + v.shape() + ", expected " + want
            + " (the input " + given.shape() + " read as " + layout.description() + ")");
      }
      states.put(s, v);
    }
    List<String> known = new ArrayList<>(List.of("input", "lengths", "grad_output"));
    for (String s : layer.cell().stateNames()) {
      known.add(s + "0");
    }
    for (String n : inputs.keySet()) {
      if (!known.contains(n)) {
        throw new InvalidInputException("unexpected input tensor '" + n + "'; expected " + known);
      }
    }
    Tensor go = inputs.get("grad_output");
    if (go != null) {
      checkDtype("grad_output", go, dtype);
      Shape want = layout.shape(input.shape().dim(0), batch, layer.outputSize());
      if (!go.shape().equals(want)) {
        throw new InvalidInputException("grad_output is " + go.shape() + ", expected the output's shape " + want);
      }
      go = layout.toTimeMajor(go);
    }
    int[] lengths = lengths(inputs.get("lengths"), input.shape().dim(0), batch, given.shape(), layout);
    Recurrent.Result r = layer.run(weights, input, lengths, states, go);
    boolean flat = layer.layers() * layer.directions() == 1 && !layer.cell().pytorchNaming();
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("output", layout.fromTimeMajor(r.output()));
    for (Map.Entry<String, Tensor> e : r.finalStates().entrySet()) {
      Tensor v = e.getValue();
      out.put(e.getKey() + "_n", flat ? v.reshape(v.shape().without(0)) : v);
    }
    for (Map.Entry<String, Tensor> e : r.gradients().entrySet()) {
      Tensor v = e.getValue();
      String k = e.getKey();
      // an initial state the caller gave as [B, H] gets its gradient in that shape too
      boolean givenState = k.endsWith("0") && states.containsKey(k.substring(0, k.length() - 1));
      if (givenState && inputs.get(k).rank() == 2) {
        v = v.reshape(v.shape().without(0));
      }
      if (k.equals("input")) {
        v = layout.fromTimeMajor(v);
      }
      out.put("grad." + k, v);
    }
    return out;
  }

  /** The {@code lengths} tensor as one length per sequence, each checked to be 1 to T; null when there is none. */
  private static int[] lengths(Tensor t, int steps, int batch, Shape input, SequenceLayout layout) {
    if (t == null) {
      return null;
    }
    if (t.dtype().isFloating()) {
      throw new InvalidInputException("'lengths' is " + t.dtype().lowerName() + ", expected int64 (or int32)");
    }
    if (t.rank() != 1 || t.shape().dim(0) != batch) {
      throw new InvalidInputException("'lengths' is " + t.shape() + ", expected [" + batch + "]: one length per sequence"
          + " of the input " + input + " read as " + layout.description());
    }
    int[] r = new int[batch];
    for (int b = 0; b < batch; b++) {
      long n = t.getLong(b);
      if (n < 1 || n > steps) {
        throw new InvalidInputException("lengths[" + b + "] is " + n + ", expected 1 to " + steps
            + " (the steps of the input " + input + " read as " + layout.description() + ")");
      }
      r[b] = (int) n;
    }
    return r;
  }

  /** Which weight says the layer's input size, as " (weight_ih_l0 is [16, 3])", or "". */
  private static String inputWeight(Recurrent layer, Map<String, Tensor> weights) {
    for (Map.Entry<String, Shape> e : layer.cell().parameterShapes(layer.inputSize(), layer.hiddenSize()).entrySet()) {
      String name = layer.parameterName(e.getKey(), 0, 0);
      Shape s = e.getValue();
      if (s.rank() == 2 && s.dim(1) == layer.inputSize() && weights.containsKey(name)) {
        return " (" + name + " is " + s + ")";
      }
    }
    return "";
  }

  private static void checkDtype(String name, Tensor t, DType dtype) {
    if (t.dtype() != dtype) {
      throw new InvalidInputException("'" + name + "' is " + t.dtype().lowerName() + " but the weights are "
          + dtype.lowerName() + "; computation runs in the weights' dtype");
    }
  }
}
