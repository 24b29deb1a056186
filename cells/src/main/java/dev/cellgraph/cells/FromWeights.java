package dev.cellgraph.cells;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a weights map says about the layer it belongs to, for {@link Interop}: its dtype, its sizes,
 * and, when the weights are wrong, readings that let the message name the tensor at fault.
 *
 * <p>Thread-safe: static methods only, no shared state.
 */
final class FromWeights {
  private FromWeights() {}

  /**
   * The input and hidden sizes {@code [I, H]} at which the weights are exactly the cell's
   * parameters, preferring the input's own feature size {@code inputSize} (-1: none).
   */
  static int[] formulaSizes(Cell cell, Map<String, Tensor> weights, int inputSize) {
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
        throw new InvalidInputException("parameter '" + n + "' of cell " + cell.name()
            + " is missing from the weights");
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
  static Recurrent builtinLayer(BuiltinCell cell, Map<String, Tensor> weights, int inputSize, int layers,
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
      throw new InvalidInputException("no hidden size fits the weights for cell '" + cell.name() + "': " + describe(weights));
    }
    return best;
  }

  /** A hint when the weights are exactly those of another built-in cell, or "". */
  static String otherBuiltinHint(Recurrent layer, Map<String, Tensor> weights) {
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
          return "; these are " + k.cellName() + " weights (--cell " + k.cellName() + ")";
        }
      }
    }
    return "";
  }

  /** The weights' one dtype; when they mix dtypes, the message names the tensors that differ from the rest. */
  static DType dtype(Map<String, Tensor> weights) {
    Map<DType, List<String>> byType = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : weights.entrySet()) {
      DType t = e.getValue().dtype();
      if (!t.isFloating()) {
        throw new InvalidInputException("weight '" + e.getKey() + "' is " + t.lowerName()
            + ", expected float32 or float64");
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
}
