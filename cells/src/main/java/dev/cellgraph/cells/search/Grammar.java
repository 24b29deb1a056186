package dev.cellgraph.cells.search;

import dev.cellgraph.cells.lang.Dim;
import dev.cellgraph.cells.lang.Expr;
import dev.cellgraph.cells.lang.Fn;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Random cells from a small grammar, as Schrimpf et al. (2017) generate them from their
 * domain-specific language: one or two states, up to {@code maxGates} gates
 * {@code g = f(W x + U s_{t-1} + b)}, and each state's new value a random expression of depth at
 * most {@code maxDepth} over the gates, {@code 1 - g} and the previous states, combined with
 * {@code +}, {@code -}, {@code ⊙} and activations. Immutable and thread-safe.
 *
 * @param maxGates at most this many gates (at least 1)
 * @param maxDepth the depth of a state's expression (at least 1)
 */
public record Grammar(int maxGates, int maxDepth) {
  /**
   * Checks both bounds.
   *
   * @param maxGates at most this many gates (at least 1)
   * @param maxDepth the depth of a state's expression (at least 1)
   * @throws IllegalArgumentException if a bound is less than 1
   */
  public Grammar {
    if (maxGates < 1 || maxDepth < 1) {
      throw new IllegalArgumentException("maxGates (" + maxGates + ") and maxDepth (" + maxDepth
          + ") must be at least 1");
    }
  }

  /**
   * Three gates, depth three: the size of the GRU.
   *
   * @return the grammar with at most three gates and depth three
   */
  public static Grammar defaults() {
    return new Grammar(3, 3);
  }

  /** One draw; it may fail to type-check, which {@link SearchSpace#random} counts and retries. */
  CellDraft draw(Rng rng) {
    CellDraft d = new CellDraft();
    d.inputs.put("x", Dim.I);
    d.states.put("h", Dim.H);
    if (rng.nextBoolean()) {
      d.states.put("c", Dim.H);
    }
    d.output = "h";
    List<String> states = new ArrayList<>(d.states.keySet());
    int gates = 1 + rng.nextInt(maxGates);
    List<String> names = new ArrayList<>();
    for (int k = 0; k < gates; k++) {
      String g = "g" + (k + 1);
      Fn f = k == 0 || rng.nextBoolean() ? Fn.SIGMOID : Mutation.ACTIVATIONS.get(rng.nextInt(Mutation.ACTIVATIONS.size()));
      String s = states.get(rng.nextInt(states.size()));
      d.equations.add(Map.entry(g, f.of(Expr.add(Expr.matmul("W_" + g, Expr.var("x")),
          Expr.matmul("U_" + g, Expr.prev(s)), Expr.param("b_" + g)))));
      names.add(g);
    }
    for (String s : states) {
      d.equations.add(Map.entry(s, expression(rng, names, states, maxDepth)));
    }
    return d;
  }

  private Expr expression(Rng rng, List<String> gates, List<String> states, int depth) {
    if (depth <= 1 || rng.nextInt(3) == 0) {
      switch (rng.nextInt(3)) {
        case 0: return Expr.var(gates.get(rng.nextInt(gates.size())));
        case 1: return Expr.sub(Expr.num(1), Expr.var(gates.get(rng.nextInt(gates.size()))));
        default: return Expr.prev(states.get(rng.nextInt(states.size())));
      }
    }
    switch (rng.nextInt(4)) {
      case 0: return Expr.add(expression(rng, gates, states, depth - 1), expression(rng, gates, states, depth - 1));
      case 1: return Expr.sub(expression(rng, gates, states, depth - 1), expression(rng, gates, states, depth - 1));
      case 2: return Expr.mul(expression(rng, gates, states, depth - 1), expression(rng, gates, states, depth - 1));
      default: return Mutation.ACTIVATIONS.get(rng.nextInt(Mutation.ACTIVATIONS.size()))
          .of(expression(rng, gates, states, depth - 1));
    }
  }
}
