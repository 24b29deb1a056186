package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Shape inference by unification over dimension variables, the last of the checks a cell goes
 * through ({@link Analysis}). Each variable class may be bound to a {@link Dim} form;
 * concatenations add sums; whatever nothing determines is H.
 */
final class ShapeInference {
  /** A check left for concrete sizes: two sizes that agree only for some I, H (such as I = H). */
  record Requirement(int a, int b, Span at, Function<Function<Integer, String>, String> message) {}

  /** Where errors are made and expressions quoted. */
  private final Analysis analysis;
  private final Draft d;
  /** Where each parameter is declared, or else first used: where its size errors point. */
  private final Map<String, Span> paramSpans;
  private final List<Equation> order;
  private final Map<String, Parameter.Role> roles;
  private final List<Integer> parent = new ArrayList<>();
  private final List<Dim> value = new ArrayList<>();
  private final Map<String, Integer> vars = new HashMap<>();
  /** Intermediates defined by a reduction or constants: one number per example, [1], broadcast like a number. */
  private final java.util.Set<String> scalarVars = new java.util.HashSet<>();
  private final Map<String, int[]> params = new LinkedHashMap<>();
  private final IdentityHashMap<Expr, int[]> nodes = new IdentityHashMap<>();
  private final List<Sum> sums = new ArrayList<>();
  private final List<Requirement> requirements = new ArrayList<>();

  /** {@code result = parts[0] + parts[1] + ...}; {@code node} is the concatenation or a tuple's first part, {@code partNodes} its parts. */
  private record Sum(int result, int[] parts, Expr node, List<Expr> partNodes) {}

  /** A tuple target's parts by the whole's name, each part's size variable (all unified) at its index. */
  private final Map<String, Expr.Part[]> tuples = new LinkedHashMap<>();

  /** While the sums are solved: the sums waiting for each unknown class, and those to look at. */
  private Map<Integer, List<Integer>> watchers;
  private final java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();

  ShapeInference(Analysis analysis, Draft d, Map<String, Span> paramSpans, List<Equation> order,
      Map<String, Parameter.Role> roles) {
    this.analysis = analysis;
    this.d = d;
    this.paramSpans = paramSpans;
    this.order = order;
    this.roles = roles;
  }

  private CellFormulaException error(Span at, String detail) {
    return analysis.error(at, detail);
  }

  private String text(Expr e) {
    return analysis.text(e);
  }

  private int fresh(Dim v) {
    parent.add(parent.size());
    value.add(v);
    return parent.size() - 1;
  }

  private int find(int k) {
    while (parent.get(k) != k) {
      parent.set(k, parent.get(parent.get(k)));
      k = parent.get(k);
    }
    return k;
  }

  private Dim valueOf(int k) {
    return value.get(find(k));
  }

  private String symbolic(int k) {
    Dim v = valueOf(k);
    return v == null ? "?" : v.toString();
  }

  void solve() {
    d.inputs().forEach((name, dim) -> vars.put(name, fresh(declared("input", name, dim))));
    d.states().forEach((name, dim) -> vars.put(name, fresh(declared("state", name, dim))));
    d.declaredParams().forEach((name, dims) -> dims.forEach(dim -> declared("parameter", name, dim)));
    for (Equation e : order) {
      vars.putIfAbsent(e.target(), fresh(null));
    }
    inputSize();
    roles.forEach((name, role) -> {
      ImmutableList<Dim> declared = d.declaredParams().get(name);
      int n = role == Parameter.Role.MATRIX ? 2 : role == Parameter.Role.SCALAR ? 0 : 1;
      int[] ids = new int[n];
      for (int k = 0; k < n; k++) {
        ids[k] = fresh(declared == null ? null : declared.get(k));
      }
      params.put(name, ids);
    });
    for (Equation e : order) {
      int[] shape = visit(e.expr());
      if (shape.length == 0 && !d.states().containsKey(e.target())) {
        scalarVars.add(e.target()); // read only after this equation: the order is the evaluation order
        value.set(find(vars.get(e.target())), Dim.of(1));
      } else if (shape.length == 1) {
        int target = vars.get(e.target());
        unify(target, shape[0], e.expr().span(), f -> mismatch(d.source() != null && e.span().isKnown()
            ? d.source().slice(e.span()) : e.target() + " = " + Printer.plain(e.expr()),
            e.spelling(), new int[] {target}, text(e.expr()), shape, f));
      }
    }
    tupleSums();
    resolveSums();
    for (int k = 0; k < parent.size(); k++) {
      if (valueOf(k) == null) {
        value.set(find(k), Dim.H); // nothing determines it: the documented default
      }
    }
  }

  private Span declaration(String name) {
    return d.declaredVariableSpans().getOrDefault(name, Span.NONE);
  }

  /** A declared size: one that no I, H >= 1 makes positive is an error at its declaration. */
  private Dim declared(String kind, String name, Dim dim) {
    if (!dim.canBePositive()) {
      Span at = kind.equals("parameter") ? d.declaredParamSpans().getOrDefault(name, Span.NONE) : declaration(name);
      throw error(at, "the size of " + kind + " '" + name + "' is [" + dim + "], which is never positive");
    }
    return dim;
  }

  /**
   * The only input is what a layer feeds at each step, of the layer's input size I: an input
   * declared with another size fixes I (MUT-style, as a requirement) or can never be fed.
   */
  private void inputSize() {
    if (d.inputs().size() != 1) {
      return;
    }
    String name = d.inputs().keySet().iterator().next();
    Dim dim = d.inputs().get(name);
    if (dim.equals(Dim.I)) {
      return;
    }
    Span at = declaration(name);
    if (dim.neverEquals(Dim.I)) {
      throw error(at, "input '" + name + "' is declared [" + dim + "], which is never the input size I");
    }
    int in = vars.get(name);
    int size = fresh(Dim.I);
    unify(in, size, at, f -> "input '" + name + "' is declared [" + f.apply(in) + "] but the input size I is "
        + f.apply(size));
  }

  private String mismatch(String subject, String left, int[] ls, String right, int[] rs,
      Function<Integer, String> f) {
    return "shape mismatch in '" + subject + "': " + left + " is " + shapeText(ls, f) + ", "
        + right + " is " + shapeText(rs, f);
  }

  private String shapeText(int[] ids, Function<Integer, String> f) {
    if (ids.length == 0) {
      return "a number";
    }
    StringBuilder s = new StringBuilder("[");
    for (int k = 0; k < ids.length; k++) {
      s.append(k == 0 ? "" : ", ").append(f.apply(ids[k]));
    }
    return s.append(']').toString();
  }

  private void unify(int a, int b, Span at, Function<Function<Integer, String>, String> message) {
    int ra = find(a);
    int rb = find(b);
    if (ra == rb) {
      return;
    }
    Dim va = value.get(ra);
    Dim vb = value.get(rb);
    if (va == null) {
      parent.set(ra, rb);
      joined(ra, rb);
    } else if (vb == null || va.equals(vb)) {
      parent.set(rb, ra);
      if (vb == null) {
        joined(rb, ra);
      }
    } else if (va.neverEquals(vb)) {
      throw error(at, message.apply(this::symbolic));
    } else {
      requirements.add(new Requirement(a, b, at, message)); // holds only for some sizes, e.g. I = H
    }
  }

  /** The dimension variables of a node's shape: none for a number, one for a vector. */
  private int[] visit(Expr e) {
    int[] shape;
    if (e instanceof Expr.Var v) {
      shape = scalarVars.contains(v.name()) ? new int[0] : new int[] {vars.get(v.name())};
    } else if (e instanceof Expr.Param p) {
      shape = params.get(p.name());
    } else if (e instanceof Expr.Num || e instanceof Expr.Const) {
      shape = new int[0];
    } else if (e instanceof Expr.Pow w) {
      shape = visit(w.base());
    } else if (e instanceof Expr.Apply a) {
      shape = apply(a);
    } else if (e instanceof Expr.Neg g) {
      shape = visit(g.operand());
    } else if (e instanceof Expr.Part t) {
      int[] w = visit(t.whole());
      if (!(t.whole() instanceof Expr.Var v) || w.length != 1) {
        throw error(t.span(), "only a tuple target's value is split into parts: '" + text(t) + "'");
      }
      Expr.Part[] parts = tuples.computeIfAbsent(v.name(), k -> new Expr.Part[t.count()]);
      if (parts.length != t.count() || parts[t.index()] != null) {
        throw error(t.span(), "'" + v.name() + "' is split twice");
      }
      parts[t.index()] = t;
      shape = new int[] {fresh(null)};
    } else if (e instanceof Expr.Binary b) {
      int[] l = visit(b.left());
      int[] r = visit(b.right());
      if (l.length == 0) {
        shape = r;
      } else if (r.length == 0) {
        shape = l;
      } else {
        // the texts are sliced only for a message: eagerly, a long sum would cost its length squared
        unify(l[0], r[0], b.right().span(), f -> mismatch(text(b), text(b.left()), l, text(b.right()), r, f));
        shape = l;
      }
    } else if (e instanceof Expr.MatMul m) {
      int[] w = params.get(m.matrix().name());
      nodes.put(m.matrix(), w);
      int[] v = visit(m.vector());
      if (v.length == 0) {
        throw error(m.vector().span(), "a matrix product needs a vector on the right, but '"
            + text(m.vector()) + "' is a number");
      }
      int in = m.transposed() ? 0 : 1; // W^T x: W is [size of x, size of the result]
      unify(w[in], v[0], m.vector().span(), f -> mismatch(text(m), text(m.matrix()), w, text(m.vector()), v, f));
      shape = new int[] {w[1 - in]};
    } else {
      Expr.Concat c = (Expr.Concat) e;
      int[] parts = new int[c.parts().size()];
      for (int k = 0; k < parts.length; k++) {
        int[] s = visit(c.parts().get(k));
        if (s.length == 0) {
          throw error(c.parts().get(k).span(), "cannot concatenate a number (one per example): '"
              + text(c.parts().get(k)) + "'");
        }
        parts[k] = s[0];
      }
      shape = new int[] {fresh(null)};
      sums.add(new Sum(shape[0], parts, c, c.parts()));
    }
    nodes.put(e, shape);
    return shape;
  }

  /** A tuple target's value is the sum of its parts, which are all of one size. */
  private void tupleSums() {
    tuples.forEach((whole, parts) -> {
      for (Expr.Part part : parts) {
        if (part == null) {
          throw error(parts[0] == null ? Span.NONE : parts[0].span(), "a part of '" + whole + "' is missing");
        }
      }
      int[] ids = new int[parts.length];
      for (int k = 0; k < parts.length; k++) {
        ids[k] = nodes.get(parts[k])[0];
        int first = ids[0];
        int here = ids[k];
        int number = k + 1;
        unify(first, here, parts[k].span(), f -> "the parts of the tuple target '" + whole + "' must be of one size, but part 1 is ["
            + f.apply(first) + "] and part " + number + " is [" + f.apply(here) + "]");
      }
      sums.add(new Sum(vars.get(whole), ids, parts[0], List.of(parts)));
    });
  }

  /** A function's shape: its vector's; a reduction's is one number per example; max, min of two vectors unify them. */
  private int[] apply(Expr.Apply a) {
    int[] shape = visit(a.arg());
    for (int k = 1; k < a.args().size(); k++) {
      Expr other = a.args().get(k);
      int[] s = visit(other);
      if (s.length == 1 && shape.length == 1) {
        int[] l = shape;
        unify(l[0], s[0], other.span(), f -> mismatch(text(a), text(a.arg()), l, text(other), s, f));
      } else if (s.length == 1) {
        shape = s;
      }
    }
    if (a.fn().reduces()) {
      if (shape.length == 0) {
        throw error(a.span(), a.fn().canonicalName() + " reduces over the hidden axis, but '" + text(a.arg())
            + "' is one number per example");
      }
      return new int[0];
    }
    return shape;
  }

  /**
   * Solves the concatenations: a sum whose parts are all known gives its result; one unknown
   * part and a known result give that part. When none can move, the first unknown part of the
   * first open sum is H (the documented default). A sum is looked at again only when one of its
   * sizes becomes known, so that many concatenations cost linear time, not quadratic.
   */
  private void resolveSums() {
    watchers = new HashMap<>();
    for (int k = 0; k < sums.size(); k++) {
      Sum s = sums.get(k);
      for (int part : s.parts()) {
        watch(part, k);
      }
      watch(s.result(), k);
      queue.add(k);
    }
    boolean[] done = new boolean[sums.size()];
    int first = 0;
    while (true) {
      while (!queue.isEmpty()) {
        int k = queue.poll();
        if (!done[k] && resolve(sums.get(k))) {
          done[k] = true;
        }
      }
      while (first < done.length && done[first]) {
        first++;
      }
      if (first == done.length) {
        break;
      }
      for (int part : sums.get(first).parts()) {
        if (valueOf(part) == null) {
          known(find(part), Dim.H); // the documented default, first unknown part first
          break;
        }
      }
    }
    watchers = null;
  }

  /** Whether the sum is solved now (else it waits for one of its sizes). */
  private boolean resolve(Sum s) {
    Dim known = Dim.of(0);
    List<Integer> unknown = new ArrayList<>(); // one entry per unknown part, repeats kept
    for (int part : s.parts()) {
      Dim v = valueOf(part);
      if (v == null) {
        unknown.add(find(part));
      } else {
        known = known.plus(v);
      }
    }
    Dim result = valueOf(s.result());
    if (unknown.isEmpty()) {
      int sumVar = fresh(derived(known, s.node(), s.node()));
      unify(s.result(), sumVar, s.node().span(), f -> "shape mismatch in '" + text(s.node())
          + "': its parts add up to [" + f.apply(sumVar) + "] but it must be [" + f.apply(s.result()) + "]");
      return true;
    }
    if (unknown.size() == 1 && result != null) {
      known(unknown.get(0), derived(result.minus(known), partOf(s, unknown.get(0)), s.node()));
      return true;
    }
    if (result != null && unknown.stream().distinct().count() == 1) { // a tuple's equal parts
      Dim rest = result.minus(known);
      long n = unknown.size();
      Dim part = rest.dividedBy(n);
      if (part == null) {
        throw error(s.node().span(), "'" + text(s.node()) + "' is [" + result + "], which does not split into "
            + n + " equal parts");
      }
      known(unknown.get(0), derived(part, partOf(s, unknown.get(0)), s.node()));
      return true;
    }
    return false;
  }

  private void watch(int var, int sum) {
    Dim v = valueOf(var);
    if (v == null) {
      watchers.computeIfAbsent(find(var), k -> new ArrayList<>()).add(sum);
    }
  }

  /** Gives an unknown class its size, waking the sums that wait for it. */
  private void known(int root, Dim v) {
    value.set(root, v);
    wake(root);
  }

  private void wake(int root) {
    if (watchers != null) {
      List<Integer> w = watchers.remove(root);
      if (w != null) {
        queue.addAll(w);
      }
    }
  }

  /** Unknown class {@code from} joins class {@code into}: its waiting sums go along, or wake if it is known. */
  private void joined(int from, int into) {
    if (watchers == null) {
      return;
    }
    if (value.get(into) != null) {
      wake(from);
      return;
    }
    List<Integer> w = watchers.remove(from);
    if (w != null) {
      List<Integer> there = watchers.get(into);
      if (there == null) {
        watchers.put(into, w);
      } else if (there.size() >= w.size()) {
        there.addAll(w);
      } else {
        w.addAll(there);
        watchers.put(into, w);
      }
    }
  }

  private Expr partOf(Sum s, int root) {
    for (int k = 0; k < s.parts().length; k++) {
      if (find(s.parts()[k]) == root) {
        return s.partNodes().get(k);
      }
    }
    return s.node();
  }

  /** A size found from a concatenation: it must be able to be positive, and print. */
  private Dim derived(Dim dim, Expr what, Expr at) {
    if (!dim.fits()) {
      throw error(at.span(), "size too large: '" + text(what) + "' would be [" + dim
          + "] (each of its numbers is at most " + Dim.MAX_COEFFICIENT + ")");
    }
    if (!dim.canBePositive()) {
      throw error(at.span(), "shape mismatch in '" + text(at) + "': '" + text(what) + "' would be ["
          + dim + "], which is never positive");
    }
    return dim;
  }

  ImmutableList<Dim> paramDims(String name) {
    ImmutableList.Builder<Dim> b = ImmutableList.builder();
    for (int id : params.get(name)) {
      b.add(valueOf(id));
    }
    return b.build();
  }

  Dim varDim(String name) {
    return valueOf(vars.get(name));
  }

  IdentityHashMap<Expr, ImmutableList<Dim>> exprDims() {
    IdentityHashMap<Expr, ImmutableList<Dim>> out = new IdentityHashMap<>();
    nodes.forEach((e, ids) -> {
      ImmutableList.Builder<Dim> b = ImmutableList.builder();
      for (int id : ids) {
        b.add(valueOf(id));
      }
      out.put(e, b.build());
    });
    return out;
  }

  /** What the sizes must satisfy, such as "I = H", without repeats. */
  ImmutableList<String> relations() {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (Requirement r : requirements) {
      Dim a = valueOf(r.a());
      Dim b = valueOf(r.b());
      if (!a.equals(b)) {
        out.add(a.h() > b.h() || (a.h() == b.h() && a.i() < b.i()) ? b + " = " + a : a + " = " + b);
      }
    }
    return ImmutableList.copyOf(out);
  }

  /** The checks that depend on the sizes, as closures over the solved forms. */
  ImmutableList<CellSpec.SizeCheck> requirements() {
    ImmutableList.Builder<CellSpec.SizeCheck> b = ImmutableList.builder();
    requirementChecks(b);
    for (String name : d.inputs().keySet()) {
      b.add(size(() -> "input '" + name + "'", valueOf(vars.get(name)), declaration(name)));
    }
    for (Equation e : order) {
      Span at = d.declaredVariableSpans().getOrDefault(e.target(), e.span());
      String what = d.states().containsKey(e.target()) ? "state '" + e.target() + "'" : "'" + e.spelling() + "'";
      b.add(size(() -> what, valueOf(vars.get(e.target())), at));
    }
    for (Map.Entry<String, int[]> p : params.entrySet()) {
      for (int id : p.getValue()) {
        b.add(size(() -> "parameter '" + p.getKey() + "'", valueOf(id), paramSpans.getOrDefault(p.getKey(), Span.NONE)));
      }
    }
    for (Sum s : sums) {
      b.add(size(() -> "'" + text(s.node()) + "'", valueOf(s.result()), s.node().span()));
    }
    return b.build();
  }

  /** A size positive and an int for the given I and H, or else an error at {@code at}. */
  private CellSpec.SizeCheck size(java.util.function.Supplier<String> what, Dim dim, Span at) {
    return (inputSize, hiddenSize) -> {
      long v = dim.eval(inputSize, hiddenSize);
      if (v > 0 && v <= Integer.MAX_VALUE) {
        return null;
      }
      return error(at, "the size of " + what.get() + " would be [" + dim + "] = " + v + " for I = " + inputSize
          + ", H = " + hiddenSize + (v > 0 ? ", more than " + Integer.MAX_VALUE : ", which is not positive"));
    };
  }

  private void requirementChecks(ImmutableList.Builder<CellSpec.SizeCheck> b) {
    Map<Integer, Dim> frozen = new HashMap<>();
    for (int k = 0; k < parent.size(); k++) {
      frozen.put(k, valueOf(k));
    }
    for (Requirement r : requirements) {
      Dim a = valueOf(r.a());
      Dim c = valueOf(r.b());
      b.add((inputSize, hiddenSize) -> {
        if (a.eval(inputSize, hiddenSize) == c.eval(inputSize, hiddenSize)) {
          return null;
        }
        return error(r.at(), r.message().apply(id -> Long.toString(frozen.get(id).eval(inputSize, hiddenSize))));
      });
    }
  }
}
