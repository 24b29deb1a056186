package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.cellgraph.autodiff.Node;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The functions a formula may apply, elementwise, to a vector. This is the one table of
 * them: adding a function is adding a row here, with the graph it builds (one op of
 * {@code Ops}, or a composite of graph ops whose gradient is then derived), its canonical
 * name, then every spelling the formula language accepts; a LaTeX command {@code \name} is
 * accepted for each spelling, so {@code \tanh} and {@code \sigma} come for free. The lexer,
 * the printer, shape inference, the cell builder and the diagrams all read this table.
 *
 * <p>Immutable and thread-safe; {@link #apply} adds a node to its argument's graph, which, like any
 * change to a graph, one thread at a time may do.
 */
public enum Fn {
  SIGMOID(Node::sigmoid, "sigmoid", "sigma", "sigm", "σ"),
  TANH(Node::tanh, "tanh"),
  RELU(Node::relu, "relu", "ReLU"),
  EXP(Node::exp, "exp"),
  LOG(Node::log, "log", "ln"),
  SOFTPLUS(Node::softplus, "softplus"),
  SOFTSIGN(Node::softsign, "softsign"),
  ABS(Node::abs, "abs"),
  /** x σ(x), the sigmoid-weighted linear unit (Elfwing et al. 2018; swish with β = 1). */
  SILU(x -> x.mul(x.sigmoid()), "silu", "swish", "SiLU");

  private final UnaryOperator<Node> graph;
  private final ImmutableList<String> spellings;

  Fn(UnaryOperator<Node> graph, String name, String... aliases) {
    this.graph = graph;
    this.spellings = ImmutableList.<String>builder().add(name).add(aliases).build();
  }

  /** Builds this function of {@code x} in x's graph. */
  public Node apply(Node x) {
    return graph.apply(x);
  }

  /** The canonical name, used by the normalized notation: {@code sigmoid}, {@code tanh}, ... */
  public String canonicalName() {
    return spellings.get(0);
  }

  /** Every spelling the formula language accepts for this function, canonical name first. */
  public ImmutableList<String> spellings() {
    return spellings;
  }

  /** Applies this function to this expression: {@code Fn.TANH.of(x)}. */
  public Expr of(Expr argument) {
    return Expr.apply(this, argument);
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
