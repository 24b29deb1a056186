package dev.cellgraph.cells.search;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Equation;
import dev.cellgraph.cells.lang.Expr;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Crossover of two cells: the child is the first parent with one state's formula taken from the
 * second, together with the intermediates that formula needs, all of them (and their parameters)
 * renamed so nothing is shared by accident. Only states both parents have (same name) are
 * exchanged, and the second parent's formula may read only states the first one has.
 */
final class Crossover {
  private Crossover() {}

  /** The child, or null when the parents have no state in common whose formula can move. */
  static CellDraft child(CellDraft a, CellSpec b, Rng rng) {
    List<String> common = new ArrayList<>();
    for (String s : b.states()) {
      if (a.states.containsKey(s) && a.indexOf(s) >= 0) {
        common.add(s);
      }
    }
    if (common.isEmpty()) {
      return null;
    }
    String target = common.get(rng.nextInt(common.size()));
    Map<String, Expr> defs = new HashMap<>();
    for (Equation e : b.equations()) {
      defs.put(e.target(), e.expr());
    }
    CellDraft out = a.copy();
    Map<String, String> renamed = new HashMap<>();
    List<Map.Entry<String, Expr>> moved = new ArrayList<>();
    Expr formula = copy(defs.get(target), b, defs, out, renamed, moved);
    if (formula == null) {
      return null;
    }
    out.set(out.indexOf(target), formula);
    int at = out.indexOf(target);
    out.equations.addAll(at, moved);
    return out;
  }

  /** {@code e} with B's intermediates and parameters renamed into {@code out}; moved formulas collected in dependency order. */
  private static Expr copy(Expr e, CellSpec b, Map<String, Expr> defs, CellDraft out, Map<String, String> renamed,
      List<Map.Entry<String, Expr>> moved) {
    if (e instanceof Expr.Var v) {
      if (b.isState(v.name()) || b.inputs().contains(v.name())) {
        String name = b.inputs().contains(v.name()) ? out.input() : v.name();
        if (!b.inputs().contains(v.name()) && !out.states.containsKey(name)) {
          return null;
        }
        return new Expr.Var(name, v.time(), v.span());
      }
      String n = renamed.get(v.name());
      if (n == null) {
        n = out.fresh("k");
        renamed.put(v.name(), n);
        Expr body = copy(defs.get(v.name()), b, defs, out, renamed, moved);
        if (body == null) {
          return null;
        }
        moved.add(Map.entry(n, body));
      }
      return Expr.var(n);
    }
    if (e instanceof Expr.Param p) {
      return Expr.param(renamed.computeIfAbsent(p.name(), x -> out.fresh("q_")));
    }
    List<Expr> children = new ArrayList<>();
    for (Expr c : e.children()) {
      Expr copied = copy(c, b, defs, out, renamed, moved);
      if (copied == null) {
        return null;
      }
      children.add(copied);
    }
    return Trees.withChildren(e, children);
  }
}
