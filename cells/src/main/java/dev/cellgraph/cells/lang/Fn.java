package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.cellgraph.autodiff.Node;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The functions a formula may apply to a vector. This is the one table of them: adding a
 * function is adding a row here, with the graph it builds (one op of {@code Ops}, or a composite
 * of graph ops whose gradient is then derived), how many arguments it takes, its canonical name,
 * then every spelling the formula language accepts; a LaTeX command {@code \name} is accepted
 * for each spelling, so {@code \tanh} and {@code \sigma} come for free. The lexer, the printer,
 * shape inference, the cell builder and the diagrams all read this table.
 *
 * <p>The first argument is the vector; the others are constants ({@code leaky_relu(x, 0.2)},
 * {@code clip(x, 0, 1)}), except for {@code max} and {@code min}, whose two arguments may both be
 * vectors. A reduction ({@link #reduces()}: mean, sum, var) gives one number per example, which
 * broadcasts over the hidden axis. The subgradients at the kinks are PyTorch's (see
 * docs/cell-language.md, "Functions").
 *
 * <p>Immutable and thread-safe; {@link #apply} adds nodes to its argument's graph, which, like any
 * change to a graph, one thread at a time may do.
 */
public enum Fn {
  /** The logistic function {@code 1 / (1 + e^-x)}. */
  SIGMOID(unary(Node::sigmoid), "sigmoid", "sigma", "sigm", "σ"),
  /** The hyperbolic tangent. */
  TANH(unary(Node::tanh), "tanh"),
  /** {@code max(x, 0)}. */
  RELU(unary(Node::relu), "relu", "ReLU"),
  /** {@code e^x}. */
  EXP(unary(Node::exp), "exp"),
  /** The natural logarithm. */
  LOG(unary(Node::log), "log", "ln"),
  /** {@code log(1 + e^x)}. */
  SOFTPLUS(unary(Node::softplus), "softplus"),
  /** {@code x / (1 + |x|)}. */
  SOFTSIGN(unary(Node::softsign), "softsign"),
  /** {@code |x|}. */
  ABS(unary(Node::abs), "abs"),
  /** x σ(x), the sigmoid-weighted linear unit (Elfwing et al. 2018; swish with β = 1). */
  SILU(unary(x -> x.mul(x.sigmoid())), "silu", "swish", "SiLU"),
  /** The square root. */
  SQRT(unary(Node::sqrt), "sqrt", "√"),
  /** The error function. */
  ERF(unary(Node::erf), "erf"),
  /** x Φ(x) with the exact normal CDF, as torch's gelu (Hendrycks and Gimpel 2016). */
  GELU(unary(x -> x.mul(0.5).mul(x.mul(Math.sqrt(0.5)).erf().add(1.0))), "gelu", "GELU"),
  /** The tanh approximation of GELU, as torch's gelu(approximate='tanh'). */
  GELU_TANH(unary(Fn::geluTanh), "gelu_tanh", "GELU_tanh"),
  /** x if x > 0, else α(eˣ − 1), α = 1 unless given; elu'(0) = α, as PyTorch. */
  ELU(new Body(1, 2, new double[] {0, 1.0}) {
    @Override Node build(Node x, Node y, double[] c) {
      return elu(x, c[1]);
    }
  }, "elu", "ELU"),
  /** λ elu(x, α) with Klambauer et al.'s constants, as torch's selu. */
  SELU(unary(x -> elu(x, 1.6732632423543772848170429916717).mul(1.0507009873554804934193349852946)), "selu", "SELU"),
  /** x if x > 0, else a x, a = 0.01 unless given; its derivative at 0 is a, as PyTorch. */
  LEAKY_RELU(new Body(1, 2, new double[] {0, 0.01}) {
    @Override Node build(Node x, Node y, double[] c) {
      Node pos = x.above(0);
      return x.mul(pos).add(x.mul(c[1]).mul(pos.oneMinus()));
    }
  }, "leaky_relu", "leakyrelu", "LeakyReLU", "lrelu"),
  /** clip(x, -1, 1) unless bounds are given; derivative 0 at the bounds, as torch's hardtanh. */
  HARDTANH(new Body(1, 3, new double[] {0, -1, 1}) {
    @Override Node build(Node x, Node y, double[] c) {
      return clampOpen(x, c[1], c[2]);
    }
  }, "hardtanh", "HardTanh"),
  /** clip(x/6 + 1/2, 0, 1), PyTorch's and Keras 3's; derivative 0 at x = ±3, as torch's hardsigmoid. */
  HARDSIGMOID(unary(x -> clampOpen(x, -3, 3).add(3.0).mul(1.0 / 6)), "hardsigmoid", "HardSigmoid"),
  /** clip(0.2 x + 1/2, 0, 1), Keras 2's hard_sigmoid; the gradient passes at the bounds, as tf.clip_by_value. */
  HARD_SIGMOID_KERAS2(unary(x -> x.mul(0.2).add(0.5).max(0).min(1)), "hard_sigmoid_keras2"),
  /** clip(x, a, b), as torch.clamp: the gradient passes at the bounds. */
  CLIP(new Body(3, 3, null) {
    @Override Node build(Node x, Node y, double[] c) {
      return x.max(c[1]).min(c[2]);
    }
  }, "clip", "clamp"),
  /** Elementwise max: with a constant as torch.clamp(min=c), of two vectors as torch.maximum. */
  MAX(new Body(2, 2, null) {
    @Override Node build(Node x, Node y, double[] c) {
      return y == null ? x.max(c[1]) : x.maximum(y);
    }
  }, "max"),
  /** Elementwise min: with a constant as torch.clamp(max=c), of two vectors as torch.minimum. */
  MIN(new Body(2, 2, null) {
    @Override Node build(Node x, Node y, double[] c) {
      return y == null ? x.min(c[1]) : x.minimum(y);
    }
  }, "min"),
  /** The mean over the hidden axis: one number per example. */
  MEAN(reduction(Fn::mean), "mean"),
  /** The sum over the hidden axis ({@code \sum_i z_i}). */
  SUM(reduction(x -> x.sum(-1, true)), "sum"),
  /** The variance over the hidden axis, biased (divided by H), as layer normalisation uses it. */
  VAR(reduction(x -> mean(x.sub(mean(x)).square())), "var", "Var");

  /** How a row builds its graph: from the vector x, a second vector y (max, min) or null, and the constants. */
  abstract static class Body {
    final int minArgs;
    final int maxArgs;
    /** Defaults of the constant arguments by position (index 0 unused), or null when every argument is given. */
    final double[] defaults;
    final boolean reduces;

    Body(int minArgs, int maxArgs, double[] defaults) {
      this(minArgs, maxArgs, defaults, false);
    }

    Body(int minArgs, int maxArgs, double[] defaults, boolean reduces) {
      this.minArgs = minArgs;
      this.maxArgs = maxArgs;
      this.defaults = defaults;
      this.reduces = reduces;
    }

    abstract Node build(Node x, Node y, double[] c);
  }

  private static Body unary(UnaryOperator<Node> f) {
    return new Body(1, 1, null) {
      @Override Node build(Node x, Node y, double[] c) {
        return f.apply(x);
      }
    };
  }

  private static Body reduction(UnaryOperator<Node> f) {
    return new Body(1, 1, null, true) {
      @Override Node build(Node x, Node y, double[] c) {
        return f.apply(x);
      }
    };
  }

  private static Node mean(Node x) {
    return x.sum(-1, true).mul(1.0 / x.shape().dim(-1));
  }

  private static Node elu(Node x, double alpha) {
    return x.relu().add(x.min(0).exp().add(-1.0).mul(alpha));
  }

  private static Node geluTanh(Node x) {
    Node inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
    return x.mul(0.5).mul(inner.tanh().add(1.0));
  }

  /**
   * x clipped to [a, b] with derivative 1 strictly inside and 0 at and beyond the bounds (as
   * torch's hardtanh): x m + a [x <= a] + b [x >= b] with the masks m = [a < x < b] constant.
   */
  private static Node clampOpen(Node x, double a, double b) {
    Node over = x.above(a);
    Node under = x.below(b);
    return x.mul(over.mul(under)).add(over.oneMinus().mul(a)).add(under.oneMinus().mul(b));
  }

  private final Body body;
  private final ImmutableList<String> spellings;

  Fn(Body body, String name, String... aliases) {
    this.body = body;
    this.spellings = ImmutableList.<String>builder().add(name).add(aliases).build();
  }

  /**
   * Builds this function of {@code x} in x's graph, with the default constants.
   *
   * @param x the vector the function applies to
   * @return the node of the function's value
   */
  public Node apply(Node x) {
    return apply(x, null, List.of());
  }

  /**
   * Builds this function in x's graph: {@code y} is the second vector of max or min (else null),
   * {@code constants} the constant arguments after x, in order (defaults fill the rest).
   *
   * @param x the vector, the first argument
   * @param y the second vector of max or min, or null
   * @param constants the constant arguments after the vectors, in order; defaults fill the rest
   * @return the node of the function's value
   */
  public Node apply(Node x, Node y, List<Double> constants) {
    double[] c = new double[body.maxArgs];
    if (body.defaults != null) {
      System.arraycopy(body.defaults, 0, c, 0, c.length);
    }
    for (int k = 0; k < constants.size(); k++) {
      c[k + 1] = constants.get(k);
    }
    return body.build(x, y, c);
  }

  /**
   * The fewest arguments this function takes.
   *
   * @return the minimum argument count, including the vector
   */
  public int minArgs() {
    return body.minArgs;
  }

  /**
   * The most arguments this function takes.
   *
   * @return the maximum argument count, including the vector
   */
  public int maxArgs() {
    return body.maxArgs;
  }

  /**
   * Whether the function reduces over the hidden axis to one number per example (mean, sum, var).
   *
   * @return true for mean, sum and var
   */
  public boolean reduces() {
    return body.reduces;
  }

  /**
   * Whether argument {@code k} (from 0) may be a vector: the first always, the second of max and min.
   *
   * @param k the argument's position, from 0
   * @return true if argument {@code k} may be a vector
   */
  public boolean takesVector(int k) {
    return k == 0 || ((this == MAX || this == MIN) && k == 1);
  }

  /**
   * The canonical name, used by the normalized notation: {@code sigmoid}, {@code tanh}, ...
   *
   * @return the canonical name
   */
  public String canonicalName() {
    return spellings.get(0);
  }

  /**
   * Every spelling the formula language accepts for this function, canonical name first.
   *
   * @return the spellings, canonical name first
   */
  public ImmutableList<String> spellings() {
    return spellings;
  }

  /**
   * Applies this function to this expression: {@code Fn.TANH.of(x)}.
   *
   * @param argument the function's argument
   * @return the expression applying this function to {@code argument}
   */
  public Expr of(Expr argument) {
    return Expr.apply(this, argument);
  }

  /**
   * Applies this function to these arguments: {@code Fn.CLIP.of(x, num(0), num(1))}.
   *
   * @param first the first argument, the vector
   * @param more the other arguments
   * @return the expression applying this function to the arguments
   */
  public Expr of(Expr first, Expr... more) {
    return Expr.apply(this, ImmutableList.<Expr>builder().add(first).add(more).build());
  }

  /**
   * Whether a letter run or word spelled so is this function even with no bracket after it
   * ({@code tanh x}); the functions added with the second edition of the language are recognized
   * only when applied to a bracket, so that a cell's names such as {@code max} or {@code elu} keep
   * their old meaning elsewhere.
   */
  boolean recognizedBare() {
    return ordinal() <= SILU.ordinal();
  }

  private static final ImmutableMap<String, Fn> BY_SPELLING;

  static {
    ImmutableMap.Builder<String, Fn> b = ImmutableMap.builder();
    for (Fn f : values()) {
      for (String s : f.spellings) {
        b.put(s, f);
      }
    }
    BY_SPELLING = b.buildOrThrow();
  }

  /** The function spelled so, or null. */
  static Fn bySpelling(String spelling) {
    return BY_SPELLING.get(spelling);
  }

  /** Every accepted spelling, for suggestions and for recognizing function words. */
  static ImmutableList<String> allSpellings() {
    return BY_SPELLING.keySet().asList();
  }

  @Override
  public String toString() {
    return canonicalName().toLowerCase(Locale.ROOT);
  }
}
