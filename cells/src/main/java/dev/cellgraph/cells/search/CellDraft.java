package dev.cellgraph.cells.search;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Dim;
import dev.cellgraph.cells.lang.Equation;
import dev.cellgraph.cells.lang.Expr;
import dev.cellgraph.cells.lang.Parameter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cell being edited: its inputs, states, output and equations, made into a {@link CellSpec}
 * by {@link #build()}, which checks it exactly as parsed text is checked. Parameter shapes are
 * left to inference, so an edit never has to keep a declaration in step. Not thread-safe.
 */
final class CellDraft {
  final LinkedHashMap<String, Dim> inputs = new LinkedHashMap<>();
  final LinkedHashMap<String, Dim> states = new LinkedHashMap<>();
  String output;
  final Map<String, Double> constants = new LinkedHashMap<>();
  /** Target and formula, in evaluation order. */
  final List<Map.Entry<String, Expr>> equations = new ArrayList<>();
  private final Set<String> names = new HashSet<>();
  private int fresh;

  static CellDraft of(CellSpec spec) {
    CellDraft d = new CellDraft();
    for (String i : spec.inputs()) {
      d.inputs.put(i, spec.dimOf(i));
    }
    for (String s : spec.states()) {
      d.states.put(s, spec.dimOf(s));
    }
    d.output = spec.output();
    d.constants.putAll(spec.constants()); // the edits keep the cell's constants (epsilon, JANET's beta)
    for (Equation e : spec.equations()) {
      d.equations.add(Map.entry(e.target(), e.expr()));
    }
    d.names.addAll(spec.inputs());
    d.names.addAll(spec.states());
    d.names.addAll(spec.intermediates());
    for (Parameter p : spec.parameters()) {
      d.names.add(p.name());
    }
    return d;
  }

  CellDraft copy() {
    CellDraft d = new CellDraft();
    d.inputs.putAll(inputs);
    d.states.putAll(states);
    d.output = output;
    d.constants.putAll(constants);
    d.equations.addAll(equations);
    d.names.addAll(names);
    d.fresh = fresh;
    return d;
  }

  String input() {
    return inputs.keySet().iterator().next();
  }

  /** A name no variable or parameter of this cell has: {@code prefix} followed by a number. */
  String fresh(String prefix) {
    String n;
    do {
      n = prefix + (++fresh);
    } while (!names.add(n));
    return n;
  }

  int indexOf(String target) {
    for (int k = 0; k < equations.size(); k++) {
      if (equations.get(k).getKey().equals(target)) {
        return k;
      }
    }
    return -1;
  }

  void set(int k, Expr expr) {
    equations.set(k, Map.entry(equations.get(k).getKey(), expr));
  }

  /** Intermediates, in evaluation order. */
  List<String> intermediates() {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Expr> e : equations) {
      if (!states.containsKey(e.getKey())) {
        out.add(e.getKey());
      }
    }
    return out;
  }

  /**
   * Removes the equations nothing needs any more (a gate whose only use was removed), the repair
   * that keeps an edited cell free of dead formulas. Returns how many were removed.
   */
  int prune() {
    Set<String> live = new HashSet<>(states.keySet());
    live.add(output);
    ArrayDeque<String> work = new ArrayDeque<>(live);
    while (!work.isEmpty()) {
      int k = indexOf(work.pop());
      if (k < 0) {
        continue;
      }
      for (Expr n : Trees.nodes(equations.get(k).getValue())) {
        if (n instanceof Expr.Var v && v.time() == Expr.Time.CURRENT && live.add(v.name())) {
          work.push(v.name());
        }
      }
    }
    int before = equations.size();
    equations.removeIf(e -> !live.contains(e.getKey()));
    return before - equations.size();
  }

  /** @throws dev.cellgraph.cells.lang.CellFormulaException if the edited cell does not type-check */
  CellSpec build() {
    CellSpec.Builder b = CellSpec.builder();
    inputs.forEach(b::input);
    states.forEach(b::state);
    b.output(output);
    constants.forEach(b::constant);
    for (Map.Entry<String, Expr> e : equations) {
      b.define(e.getKey(), e.getValue());
    }
    return b.build();
  }
}
