package dev.cellgraph.cells;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
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
   */
  public static Configured configure(String cellName, Cell formulaCell, Map<String, Tensor> weights,
      Tensor input, Request req) {
    if (weights.isEmpty()) {
      throw new InvalidInputException("the weights file holds no tensors");
    }
    DType dtype = commonDtype(weights);
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
        throw new InvalidInputException("the weights of a " + base + " need 'weight_hh_l0' [" + b.kind().gates()
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
      layer = bestFit(b, weights, inputSize, layers, reverse);
      try {
        checkWeights(layer, weights);
      } catch (InvalidInputException e) {
        throw new InvalidInputException(e.getMessage() + otherBuiltinThatFits(layer, weights));
      }
    } else {
      int[] sizes = inferSizes(formulaCell, weights, inputSize);
      layer = Recurrent.of(formulaCell, sizes[0], sizes[1], layers, reverse);
      checkWeights(layer, weights);
    }
    return new Configured(layer, dtype);
  }

  /**
   * The input and hidden sizes {@code [I, H]} at which the weights are exactly the cell's
   * parameters, preferring the input's own feature size {@code inputSize} (-1: none).
   */
  private static int[] inferSizes(Cell cell, Map<String, Tensor> weights, int inputSize) {
    TreeSet<Integer> candidates = new TreeSet<>();
    for (Tensor t : weights.values()) {
      for (int d : t.shape().toArray()) {
        candidates.add(d);
      }
    }
    List<Integer> inputs = new ArrayList<>();
    if (inputSize > 0) {
      inputs.add(inputSize);
    }
    inputs.addAll(candidates);
    for (int in : inputs) {
      for (int h : candidates) {
        if (fitsExactly(cell, weights, in, h)) {
          return new int[] {in, h};
        }
      }
    }
    // no sizes fit: report against the first matrix parameter's own reading
    Map<String, Shape> at = cell.parameterShapes(Math.max(inputSize, 1), candidates.isEmpty() ? 1 : candidates.first());
    for (String n : at.keySet()) {
      if (!weights.containsKey(n)) {
        throw new InvalidInputException("parameter '" + n + "' of cell " + cell.name() + " is missing from the weights");
      }
    }
    throw new InvalidInputException("no hidden size fits the weights of cell " + cell.name() + " with input size "
        + inputSize + ": " + describe(weights));
  }

  private static boolean fitsExactly(Cell cell, Map<String, Tensor> weights, int in, int h) {
    Map<String, Shape> shapes;
    try {
      shapes = cell.parameterShapes(in, h);
    } catch (IllegalArgumentException e) {
      return false;   // the cell does not work with these sizes (e.g. it needs I = H)
    }
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      Tensor w = weights.get(e.getKey());
      if (w == null || !w.shape().equals(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The layer of a built-in cell whose parameter shapes agree with the most weights, so that the
   * one wrong tensor is the one reported: the hidden size is read from every layer-0 tensor (the
   * recurrent weight's, or the projection's, columns first), the input size from
   * {@code weight_ih_l0} and the input.
   */
  private static Recurrent bestFit(BuiltinCell cell, Map<String, Tensor> weights, int inputSize, int layers,
      boolean reverse) {
    int gates = cell.kind().gates();
    List<Integer> hiddens = new ArrayList<>();
    Tensor whr = weights.get("weight_hr_l0");
    if (whr != null) {
      hiddens.add(whr.shape().dim(1));
    } else {
      hiddens.add(weights.get("weight_hh_l0").shape().dim(1));
    }
    for (String n : List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")) {
      Tensor t = weights.get(n);
      if (t != null && t.rank() >= 1 && t.shape().dim(0) % gates == 0) {
        hiddens.add(t.shape().dim(0) / gates);
      }
    }
    List<Integer> inputs = new ArrayList<>();
    Tensor wih = weights.get("weight_ih_l0");
    if (wih != null && wih.rank() == 2) {
      inputs.add(wih.shape().dim(1));
    }
    if (inputSize > 0) {
      inputs.add(inputSize);
    }
    if (inputs.isEmpty()) {
      inputs.add(1);
    }
    Recurrent best = null;
    int bestScore = -1;
    for (int in : inputs) {
      for (int h : hiddens) {
        if (h < 1 || cell.projSize() >= h) {
          continue;
        }
        Recurrent r = Recurrent.of(cell, in, h, layers, reverse);
        int score = 0;
        for (Map.Entry<String, Shape> e : r.parameterShapes().entrySet()) {
          Tensor w = weights.get(e.getKey());
          score += w != null && w.shape().equals(e.getValue()) ? 1 : 0;
        }
        if (score > bestScore) {
          best = r;
          bestScore = score;
        }
      }
    }
    if (best == null) {
      throw new InvalidInputException("no hidden size fits the weights of a " + cell.name() + ": " + describe(weights));
    }
    return best;
  }

  /** A hint when the weights are exactly those of another built-in cell, or "". */
  private static String otherBuiltinThatFits(Recurrent layer, Map<String, Tensor> weights) {
    BuiltinCell given = (BuiltinCell) layer.cell();
    for (BuiltinCell.Kind k : new BuiltinCell.Kind[] {BuiltinCell.Kind.RNN_TANH, BuiltinCell.Kind.LSTM,
        BuiltinCell.Kind.GRU}) {
      if (k == given.kind() || k == BuiltinCell.Kind.RNN_TANH && given.kind() == BuiltinCell.Kind.RNN_RELU) {
        continue;
      }
      Tensor whh = weights.get("weight_hh_l0");
      BuiltinCell other = BuiltinCell.of(k, given.hasBias());
      Recurrent r = Recurrent.of(other, layer.inputSize(), whh.shape().dim(1), layer.layers(), layer.bidirectional());
      if (r.parameterShapes().keySet().equals(weights.keySet())) {
        boolean all = true;
        for (Map.Entry<String, Shape> e : r.parameterShapes().entrySet()) {
          all &= weights.get(e.getKey()).shape().equals(e.getValue());
        }
        if (all) {
          return "; these are the weights of a " + k.cellName() + " (--cell " + k.cellName() + ")";
        }
      }
    }
    return "";
  }

  /** The weights' one dtype; when they mix dtypes, the message names the tensors that differ from the rest. */
  private static DType commonDtype(Map<String, Tensor> weights) {
    Map<DType, List<String>> byType = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : weights.entrySet()) {
      DType t = e.getValue().dtype();
      if (!t.isFloating()) {
        throw new InvalidInputException("weight '" + e.getKey() + "' is " + t.lowerName() + ", expected float32 or float64");
      }
      byType.computeIfAbsent(t, k -> new ArrayList<>()).add(e.getKey());
    }
    if (byType.size() == 1) {
      return byType.keySet().iterator().next();
    }
    DType most = null;
    boolean tie = false;
    for (Map.Entry<DType, List<String>> e : byType.entrySet()) {
      int n = e.getValue().size();
      if (most == null || n > byType.get(most).size()) {
        most = e.getKey();
        tie = false;
      } else if (n == byType.get(most).size()) {
        tie = true;
      }
    }
    List<String> parts = new ArrayList<>();
    for (Map.Entry<DType, List<String>> e : byType.entrySet()) {
      if (tie || e.getKey() != most) {
        parts.add(quoted(e.getValue()) + (e.getValue().size() == 1 ? " is " : " are ") + e.getKey().lowerName());
      }
    }
    if (tie) {
      throw new InvalidInputException("weights mix dtypes: " + String.join(", ", parts) + "; all must have one dtype");
    }
    int rest = byType.get(most).size();
    throw new InvalidInputException("weights mix dtypes: " + String.join(", ", parts) + ", while the other " + rest
        + (rest == 1 ? " is " : " are ") + most.lowerName() + "; all must have one dtype");
  }

  private static String quoted(List<String> names) {
    List<String> q = new ArrayList<>();
    for (String n : names) {
      q.add("'" + n + "'");
    }
    return String.join(", ", q);
  }

  private static String describe(Map<String, Tensor> w) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : w.entrySet()) {
      parts.add(e.getKey() + " " + e.getValue().shape());
    }
    return String.join(", ", parts);
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
   * layer), and optional {@code grad_output}. Returns {@code output}, {@code <state>_n}, and
   * with {@code grad_output} also {@code grad.input}, {@code grad.<state>0}, {@code grad.<param>}.
   */
  public static Map<String, Tensor> run(Configured conf, Map<String, Tensor> weights, Map<String, Tensor> inputs) {
    Recurrent layer = conf.layer();
    DType dtype = conf.dtype();
    Tensor input = inputs.get("input");
    if (input == null) {
      throw new InvalidInputException("the inputs need a tensor 'input' [T, B, I]");
    }
    checkDtype("input", input, dtype);
    if (input.rank() != 3) {
      throw new InvalidInputException("input must be [T, B, I] (time-major), got " + input.shape());
    }
    if (input.shape().dim(2) != layer.inputSize()) {
      throw new InvalidInputException("input is " + input.shape() + ": " + input.shape().dim(2) + " features, but the"
          + " weights take " + layer.inputSize() + inputWeight(layer, weights) + "; expected [T, B, "
          + layer.inputSize() + "]");
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
        throw new InvalidInputException("initial state '" + s + "0' is " + v.shape() + ", expected " + want);
      }
      states.put(s, v);
    }
    List<String> known = new ArrayList<>(List.of("input", "grad_output"));
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
      Shape want = Shape.of(input.shape().dim(0), batch, layer.outputSize());
      if (!go.shape().equals(want)) {
        throw new InvalidInputException("grad_output is " + go.shape() + ", expected the output's shape " + want);
      }
    }
    Recurrent.Result r = layer.run(weights, input, states, go);
    boolean flat = layer.layers() * layer.directions() == 1 && !layer.cell().pytorchNaming();
    Map<String, Tensor> out = new LinkedHashMap<>();
    out.put("output", r.output());
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
      out.put("grad." + k, v);
    }
    return out;
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
