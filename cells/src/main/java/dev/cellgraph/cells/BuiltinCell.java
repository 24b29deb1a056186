package dev.cellgraph.cells;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.ShapeCache;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PyTorch's recurrent cells ({@code nn.RNN} with tanh or relu, {@code nn.LSTM}, {@code nn.GRU}),
 * written against PyTorch's packed parameters so that weights move both ways unchanged:
 * {@code weight_ih [G*H, I]}, {@code weight_hh [G*H, H]}, {@code bias_ih [G*H]},
 * {@code bias_hh [G*H]}, gates packed i, f, g, o for the LSTM and r, z, n for the GRU.
 *
 * <p>An LSTM may project its hidden state ({@code nn.LSTM(proj_size=P)}, the LSTMP of Sak et al.
 * 2014): {@code h_t = W_hr (o_t ⊙ tanh(c_t))} with {@code weight_hr [P, H]}, so the state
 * {@code h} and the output are {@code [B, P]}, {@code weight_hh} is {@code [4H, P]}, and the cell
 * state {@code c} stays {@code [B, H]}.
 *
 * <p>Thread-safe: immutable apart from its concurrent cache of step functions.
 */
public final class BuiltinCell implements Cell {
  /** The kinds of built-in cell. */
  public enum Kind {
    /** Elman RNN with tanh, PyTorch's {@code nn.RNN}. */ RNN_TANH("rnn", 1),
    /** Elman RNN with ReLU, {@code nn.RNN(nonlinearity='relu')}. */ RNN_RELU("rnn-relu", 1),
    /** PyTorch's {@code nn.LSTM}, gates i, f, g, o. */ LSTM("lstm", 4),
    /** PyTorch's {@code nn.GRU}, gates r, z, n. */ GRU("gru", 3);

    private final String cellName;
    private final int gates;

    Kind(String cellName, int gates) {
      this.cellName = cellName;
      this.gates = gates;
    }

    /**
     * The cell's name in files and on the command line: {@code rnn}, {@code rnn-relu}, {@code lstm}, {@code gru}.
     *
     * @return the name, e.g. {@code lstm}
     */
    public String cellName() {
      return cellName;
    }

    /**
     * How many gate blocks are packed in each weight.
     *
     * @return the number G of gate blocks: 1 for the RNNs, 4 for the LSTM, 3 for the GRU
     */
    public int gates() {
      return gates;
    }
  }

  private final Kind kind;
  private final boolean bias;
  private final int projSize;   // 0: no projection
  private final Map<String, Function> steps = ShapeCache.newMap();

  private BuiltinCell(Kind kind, boolean bias, int projSize) {
    this.kind = kind;
    this.bias = bias;
    this.projSize = projSize;
  }

  private BuiltinCell(Kind kind, boolean bias) {
    this(kind, bias, 0);
  }

  /**
   * A built-in cell of {@code kind}, with or without bias vectors.
   *
   * @param kind which built-in cell
   * @param bias whether the cell has the bias vectors {@code bias_ih} and {@code bias_hh}
   * @return the cell, without a projection
   */
  public static BuiltinCell of(Kind kind, boolean bias) {
    return new BuiltinCell(kind, bias);
  }

  /**
   * The built-in cell called {@code rnn}, {@code rnn-relu}, {@code lstm} or {@code gru}, or null.
   *
   * @param name the cell's name, in any letter case
   * @param bias whether the cell has the bias vectors {@code bias_ih} and {@code bias_hh}
   * @return the cell, or null if no built-in cell has that name
   */
  public static BuiltinCell named(String name, boolean bias) {
    for (Kind k : Kind.values()) {
      if (k.cellName.equals(name.toLowerCase(Locale.ROOT))) {
        return new BuiltinCell(k, bias);
      }
    }
    return null;
  }

  /**
   * An LSTM whose hidden state is projected to {@code projSize} values, as
   * {@code nn.LSTM(proj_size=projSize)}; the hidden size it is used with must be larger.
   *
   * @param bias whether the cell has the bias vectors {@code bias_ih} and {@code bias_hh}
   * @param projSize the size P of the projected hidden state (at least 1)
   * @return the projected LSTM
   */
  public static BuiltinCell projectedLstm(boolean bias, int projSize) {
    if (projSize < 1) {
      throw new IllegalArgumentException("proj_size (" + projSize + ") must be at least 1");
    }
    return new BuiltinCell(Kind.LSTM, bias, projSize);
  }

  /**
   * Which built-in cell this is.
   *
   * @return the kind of cell
   */
  public Kind kind() {
    return kind;
  }

  /**
   * The size P of the projected hidden state, or 0 when the cell has no projection.
   *
   * @return the projected size P, or 0 without a projection
   */
  public int projSize() {
    return projSize;
  }

  /**
   * Whether the cell has bias vectors.
   *
   * @return true if the cell has {@code bias_ih} and {@code bias_hh}
   */
  public boolean hasBias() {
    return bias;
  }

  @Override
  public String name() {
    return kind.cellName;
  }

  @Override
  public List<String> stateNames() {
    return kind == Kind.LSTM ? List.of("h", "c") : List.of("h");
  }

  @Override
  public int stateSize(String state, int inputSize, int hiddenSize) {
    return state.equals("h") ? outputSize(inputSize, hiddenSize) : hiddenSize;
  }

  @Override
  public int outputSize(int inputSize, int hiddenSize) {
    if (projSize == 0) {
      return hiddenSize;
    }
    if (projSize >= hiddenSize) {
      throw new IllegalArgumentException("proj_size (" + projSize + ") must be smaller than the hidden size ("
          + hiddenSize + ")");
    }
    return projSize;
  }

  /** PyTorch's order: {@code weight_ih, weight_hh, bias_ih, bias_hh}, then {@code weight_hr} of a projection. */
  @Override
  public LinkedHashMap<String, Shape> parameterShapes(int inputSize, int hiddenSize) {
    int g = kind.gates * hiddenSize;
    LinkedHashMap<String, Shape> m = new LinkedHashMap<>();
    m.put("weight_ih", Shape.of(g, inputSize));
    m.put("weight_hh", Shape.of(g, outputSize(inputSize, hiddenSize)));
    if (bias) {
      m.put("bias_ih", Shape.of(g));
      m.put("bias_hh", Shape.of(g));
    }
    if (projSize > 0) {
      m.put("weight_hr", Shape.of(projSize, hiddenSize));
    }
    return m;
  }

  @Override
  public boolean pytorchNaming() {
    return true;
  }

  @Override
  public Function step(DType dtype, int batch, int inputSize, int hiddenSize) {
    String key = dtype + "/" + batch + "/" + inputSize + "/" + hiddenSize;
    return steps.computeIfAbsent(key, k -> buildStep(dtype, batch, inputSize, hiddenSize));
  }

  private Function buildStep(DType dtype, int batch, int in, int hid) {
    Graph g = new Graph(kind.cellName);
    List<Node> states = new ArrayList<>();
    for (String s : stateNames()) {
      states.add(g.input(s, dtype, batch, stateSize(s, in, hid)));
    }
    Node x = g.input("x", dtype, batch, in);
    List<Node> params = new ArrayList<>();
    Map<String, Node> p = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : parameterShapes(in, hid).entrySet()) {
      Node n = g.parameter(e.getKey(), dtype, e.getValue().toArray());
      params.add(n);
      p.put(e.getKey(), n);
    }
    Node h = states.get(0);
    // x W_ihᵀ + b_ih and h W_hhᵀ + b_hh, all gates at once
    Node gi = x.matmul(p.get("weight_ih"), false, true);
    Node gh = h.matmul(p.get("weight_hh"), false, true);
    if (bias) {
      gi = gi.add(p.get("bias_ih"));
      gh = gh.add(p.get("bias_hh"));
    }
    List<Node> results = new ArrayList<>();
    switch (kind) {
      case RNN_TANH:
      case RNN_RELU: {
        Node pre = gi.add(gh);
        Node hn = (kind == Kind.RNN_TANH ? pre.tanh() : pre.relu()).named("h'");
        results.add(hn);
        results.add(hn);
        break;
      }
      case LSTM: {
        Node gates = gi.add(gh);
        Node i = gates.slice(1, 0, hid).sigmoid().named("i");
        Node f = gates.slice(1, hid, 2 * hid).sigmoid().named("f");
        Node gg = gates.slice(1, 2 * hid, 3 * hid).tanh().named("g");
        Node o = gates.slice(1, 3 * hid, 4 * hid).sigmoid().named("o");
        Node c = states.get(1);
        Node cn = f.mul(c).add(i.mul(gg)).named("c'");
        Node hn = o.mul(cn.tanh());
        // the projection, (o ⊙ tanh c') W_hrᵀ, is the state h and the output
        hn = (projSize > 0 ? hn.matmul(p.get("weight_hr"), false, true) : hn).named("h'");
        results.add(hn);
        results.add(cn);
        results.add(hn);
        break;
      }
      case GRU: {
        Node r = gi.slice(1, 0, hid).add(gh.slice(1, 0, hid)).sigmoid().named("r");
        Node z = gi.slice(1, hid, 2 * hid).add(gh.slice(1, hid, 2 * hid)).sigmoid().named("z");
        Node n = gi.slice(1, 2 * hid, 3 * hid).add(r.mul(gh.slice(1, 2 * hid, 3 * hid))).tanh().named("n");
        Node hn = z.oneMinus().mul(n).add(z.mul(h)).named("h'");
        results.add(hn);
        results.add(hn);
        break;
      }
      default:
        throw new AssertionError(kind);
    }
    List<Node> formals = new ArrayList<>(states);
    formals.add(x);
    formals.addAll(params);
    return Function.of(kind.cellName, formals, results);
  }

  @Override
  public String toString() {
    return "BuiltinCell " + kind.cellName + (bias ? "" : " (no bias)")
        + (projSize > 0 ? " (proj_size " + projSize + ")" : "");
  }
}
