package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.cellgraph.cells.lang.Expr.Time;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The checks every cell goes through, parsed or built in Java: names, output, evaluation
 * order (cycles), parameter roles, and then shape inference by unification
 * ({@link ShapeInference}), from which it builds the {@link CellSpec}.
 */
final class Analysis {
  private final Draft d;
  private final Map<String, Equation> byTarget = new LinkedHashMap<>();
  private final Map<String, Integer> index = new HashMap<>();
  /** Where each parameter is declared, or else first used: where its size errors point. */
  private final Map<String, Span> paramSpans = new HashMap<>();
  /** Why each parameter is a matrix or a vector: its declaration, or its first use. */
  private final Map<String, String> reasons = new HashMap<>();
  private final Map<String, Span> firstUse = new HashMap<>();

  Analysis(Draft draft) {
    this.d = draft;
  }

  CellSpec run() {
    names();
    String output = output();
    ImmutableList<Equation> order = order();
    Map<String, Parameter.Role> roles = roles();
    ShapeInference shapes = new ShapeInference(this, d, paramSpans, order, roles);
    shapes.solve();
    List<Parameter> params = new ArrayList<>();
    ImmutableMap.Builder<String, String> why = ImmutableMap.builder();
    CellFormulaException undeclared = null;
    for (Map.Entry<String, Parameter.Role> e : roles.entrySet()) {
      Parameter p = new Parameter(e.getKey(), e.getValue(), shapes.paramDims(e.getKey()));
      params.add(p);
      Span at = d.declaredParamSpans().get(p.name());
      String origin = d.origins().containsKey(p.name()) ? d.origins().get(p.name()) + ", " : "";
      why.put(p.name(), at != null ? "declared" + where(at) : origin + reasons.get(p.name()));
      if (at == null && undeclared == null) {
        undeclared = error(firstUse.get(p.name()), "parameter '" + p.name() + "' is not declared, and every "
            + "parameter must be (strict): declare it, as in 'param " + p + "'");
      }
    }
    if (d.strict() && undeclared != null) {
      throw undeclared;
    }
    Map<String, Dim> vars = new LinkedHashMap<>();
    for (String name : d.inputs().keySet()) {
      vars.put(name, shapes.varDim(name));
    }
    for (Equation e : order) {
      vars.put(e.target(), shapes.varDim(e.target()));
    }
    CellSpec spec = new CellSpec(d.source(), d.sourceName(), d.notation(), d.inputs(), d.states(), output,
        ImmutableList.copyOf(params), order, ImmutableMap.copyOf(vars), shapes.exprDims(), shapes.requirements(),
        shapes.relations(), why.buildOrThrow(), d.warnings(), undeclared, d.constants(), d.constantOrigins(), d.convention());
    int printed = spec.toNormalizedString().length();
    if (printed > CellSpec.MAX_CHARS) { // else the normalized form would not parse back
      throw error(Span.NONE, "cell too large: its normalized form has " + printed
          + " characters (the limit is " + CellSpec.MAX_CHARS + ")");
    }
    return spec;
  }

  // ---------------------------------------------------------------- errors

  CellFormulaException error(Span at, String detail) {
    if (d.source() != null && at.isKnown()) {
      return d.source().error(at, detail);
    }
    return Source.unlocated(d.sourceName(), detail);
  }

  /** The user's own text for an expression, or its normalized form for Java-built cells. */
  String text(Expr e) {
    if (d.source() != null && e.span().isKnown()) {
      String t = d.source().slice(e.span()).strip();
      while (t.length() >= 2 && wrapped(t)) {
        t = t.substring(1, t.length() - 1).strip();
      }
      return t;
    }
    return Printer.plain(e);
  }

  private static boolean wrapped(String t) {
    char open = t.charAt(0);
    char close = open == '(' ? ')' : open == '{' ? '}' : 0;
    if (close == 0 || t.charAt(t.length() - 1) != close) {
      return false;
    }
    int depth = 0;
    for (int k = 0; k < t.length(); k++) {
      char c = t.charAt(k);
      if (c == open) {
        depth++;
      } else if (c == close && --depth == 0 && k < t.length() - 1) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- names

  private void names() {
    for (Equation e : d.equations()) {
      String t = e.target();
      if (d.inputs().containsKey(t)) {
        throw error(e.span(), "'" + t + "' is the input and cannot be defined");
      }
      if (byTarget.putIfAbsent(t, e) != null) {
        throw error(e.span(), "'" + e.spelling() + "' is defined twice");
      }
      index.put(t, index.size());
    }
    for (String s : d.states().keySet()) {
      if (!byTarget.containsKey(s)) {
        throw error(Span.NONE, "state '" + s + "' is never defined");
      }
    }
    if (d.states().isEmpty()) {
      throw error(Span.NONE, "no state: nothing is read at the previous step");
    }
    for (Equation e : d.equations()) {
      walk(e.expr(), x -> {
        if (x instanceof Expr.Var v) {
          boolean known = d.inputs().containsKey(v.name()) || byTarget.containsKey(v.name());
          if (!known) {
            throw error(v.span(), "'" + v.name() + "' is read but never defined");
          }
          if (v.time() == Time.PREVIOUS && !d.states().containsKey(v.name())) {
            throw error(v.span(), "'" + v.name() + "' is read at the previous step but is not a state");
          }
        } else if (x instanceof Expr.Param p) {
          if (d.inputs().containsKey(p.name()) || byTarget.containsKey(p.name())) {
            throw error(p.span(), "'" + p.name() + "' is a variable, not a parameter");
          }
        } else if (x instanceof Expr.Num n && Printer.number(n.value()).length() > Lexer.MAX_NUMBER_CHARS) {
          throw error(n.span(), "the number " + n.value() + " has no decimal form of at most "
              + Lexer.MAX_NUMBER_CHARS + " characters");
        } else if (x instanceof Expr.Part t && !tupleWhole(t, e)) {
          throw error(t.span(), "a part is of a tuple target's value: '" + e.target() + "' must be part " + (t.index() + 1)
              + " of a value named for its parts, as (" + e.target() + ";...) = ... defines it");
        } else if (x instanceof Expr.Concat c && c.parts().size() < 2) {
          throw error(c.span(), "a concatenation needs two parts or more: '" + text(c) + "'");
        } else if (x instanceof Expr.Const c && !d.constants().containsKey(c.name()) && !Resolver.SIZES.contains(c.name())) {
          throw error(c.span(), "'" + c.name() + "' is not a constant of the cell: define it, as in '" + c.name() + " = 1'");
        } else if (x instanceof Expr.Apply a) {
          arguments(a);
        }
      });
    }
  }

  /** Whether a part is an equation's whole formula, of a value named as a tuple target names it, {@code (f;i;o;g)}. */
  private static boolean tupleWhole(Expr.Part t, Equation e) {
    if (e.expr() != t || !(t.whole() instanceof Expr.Var w) || w.time() != Time.CURRENT) {
      return false;
    }
    String name = w.name();
    if (!name.startsWith("(") || !name.endsWith(")")) {
      return false;
    }
    String[] parts = name.substring(1, name.length() - 1).split(";", -1);
    return parts.length == t.count() && parts[t.index()].equals(e.target());
  }

  /** A function's constant arguments are constants, and it has a vector to apply to. */
  private void arguments(Expr.Apply a) {
    for (int k = 1; k < a.args().size(); k++) {
      Expr arg = a.args().get(k);
      if (!a.fn().takesVector(k) && !isConstant(arg)) {
        throw error(arg.span(), "argument " + (k + 1) + " of " + a.fn().canonicalName() + " must be a constant number"
            + " (such as 0.2, or a constant defined as 'c = 0.2'), not '" + text(arg) + "'");
      }
    }
    boolean vector = false;
    for (int k = 0; k < a.args().size(); k++) {
      vector |= a.fn().takesVector(k) && !isConstant(a.args().get(k));
    }
    if (!vector) {
      throw error(a.span(), a.fn().canonicalName() + " of constants only: '" + text(a) + "' is a number; write it as one");
    }
  }

  /** Numbers, named constants and sizes, and arithmetic of them: one value for every example. */
  static boolean isConstant(Expr e) {
    if (e instanceof Expr.Num || e instanceof Expr.Const) {
      return true;
    }
    if (e instanceof Expr.Neg || e instanceof Expr.Binary || e instanceof Expr.Pow) {
      for (Expr c : e.children()) {
        if (!isConstant(c)) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /** Visits every node, parents first; MatMul's matrix parameter included. */
  static void walk(Expr e, java.util.function.Consumer<Expr> visit) {
    visit.accept(e);
    for (Expr c : e.children()) {
      walk(c, visit);
    }
  }

  private String output() {
    String out = d.output();
    if (out != null) {
      if (!byTarget.containsKey(out)) {
        throw error(d.outputSpan(), "the output '" + out + "' is never defined");
      }
      return out;
    }
    if (byTarget.containsKey("h")) {
      return "h";
    }
    if (byTarget.containsKey("y")) {
      return "y";
    }
    if (d.states().size() == 1) {
      return d.states().keySet().iterator().next();
    }
    throw error(d.equations().get(0).span(), "cannot tell which value is the output: "
        + "declare it, as in 'output " + d.states().keySet().iterator().next() + "'");
  }

  // ---------------------------------------------------------------- evaluation order

  private ImmutableList<Equation> order() {
    List<Equation> eqs = d.equations();
    int n = eqs.size();
    List<Set<Integer>> deps = new ArrayList<>();
    List<List<Integer>> users = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      users.add(new ArrayList<>());
    }
    for (Equation e : eqs) {
      Set<Integer> ds = new LinkedHashSet<>();
      walk(e.expr(), x -> {
        if (x instanceof Expr.Var v && v.time() == Time.CURRENT && index.containsKey(v.name())) {
          ds.add(index.get(v.name()));
        }
      });
      deps.add(ds);
    }
    int[] missing = new int[n];
    PriorityQueue<Integer> ready = new PriorityQueue<>();
    for (int k = 0; k < n; k++) {
      missing[k] = deps.get(k).size();
      for (int dep : deps.get(k)) {
        users.get(dep).add(k);
      }
      if (missing[k] == 0) {
        ready.add(k);
      }
    }
    List<Equation> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      int k = ready.poll();
      order.add(eqs.get(k));
      for (int u : users.get(k)) {
        if (--missing[u] == 0) {
          ready.add(u);
        }
      }
    }
    if (order.size() < n) {
      throw cycle(deps, missing);
    }
    return ImmutableList.copyOf(order);
  }

  private CellFormulaException cycle(List<Set<Integer>> deps, int[] missing) {
    int start = 0;
    while (missing[start] == 0) {
      start++;
    }
    List<Integer> path = new ArrayList<>();
    Map<Integer, Integer> seen = new HashMap<>();
    int k = start;
    while (!seen.containsKey(k)) {
      seen.put(k, path.size());
      path.add(k);
      for (int dep : deps.get(k)) {
        if (missing[dep] > 0) {
          k = dep;
          break;
        }
      }
    }
    List<Integer> loop = new ArrayList<>(path.subList(seen.get(k), path.size()));
    int first = loop.indexOf(loop.stream().min(Integer::compare).orElseThrow());
    StringBuilder s = new StringBuilder();
    for (int j = 0; j <= loop.size(); j++) {
      Equation e = d.equations().get(loop.get((first + j) % loop.size()));
      s.append(j == 0 ? "" : " -> ").append(e.spelling());
    }
    Equation at = d.equations().get(loop.get(first));
    return error(at.span(), "cycle among same-step definitions: " + s);
  }

  // ---------------------------------------------------------------- parameter roles

  private Map<String, Parameter.Role> roles() {
    Map<String, Parameter.Role> used = new LinkedHashMap<>();
    for (Equation e : d.equations()) {
      walkRoles(e.expr(), null, used, firstUse);
    }
    Map<String, Parameter.Role> roles = new LinkedHashMap<>(); // declared first, then by first use
    for (String name : d.declaredParams().keySet()) {
      if (used.containsKey(name)) {
        roles.put(name, used.get(name));
      }
    }
    roles.putAll(used);
    for (Map.Entry<String, ImmutableList<Dim>> p : d.declaredParams().entrySet()) {
      Span at = d.declaredParamSpans().getOrDefault(p.getKey(), Span.NONE);
      Parameter.Role role = roles.get(p.getKey());
      if (role == null) {
        throw error(at, "parameter '" + p.getKey() + "' is declared but never used");
      }
      Parameter.Role declared = p.getValue().size() == 2 ? Parameter.Role.MATRIX : p.getValue().isEmpty()
          ? Parameter.Role.SCALAR : d.diagonalParams().contains(p.getKey()) ? Parameter.Role.DIAGONAL : Parameter.Role.VECTOR;
      Parameter.Role use = declared == Parameter.Role.MATRIX ? Parameter.Role.MATRIX : Parameter.Role.VECTOR;
      if (role != use) {
        throw error(firstUse.get(p.getKey()), "'" + p.getKey() + "' is declared "
            + (declared == Parameter.Role.DIAGONAL ? "diag" : "") + p.getValue()
            + " but used as a " + role.name().toLowerCase(java.util.Locale.ROOT));
      }
      roles.put(p.getKey(), declared);
    }
    return roles;
  }

  private void walkRoles(Expr e, Expr parent, Map<String, Parameter.Role> roles, Map<String, Span> firstUse) {
    if (e instanceof Expr.MatMul m) {
      use(m.matrix(), Parameter.Role.MATRIX, roles, firstUse);
      reasons.putIfAbsent(m.matrix().name(), "because " + (m.transposed() ? "its transpose" : "it") + " multiplies '"
          + text(m.vector()) + "'" + where(m.matrix().span()));
      walkRoles(m.vector(), m, roles, firstUse);
      return;
    }
    if (e instanceof Expr.Param p) {
      use(p, Parameter.Role.VECTOR, roles, firstUse);
      reasons.putIfAbsent(p.name(), "because " + vectorUse(p, parent) + where(p.span()));
      return;
    }
    for (Expr c : e.children()) {
      walkRoles(c, e, roles, firstUse);
    }
  }

  /** How a vector parameter is used, in words: {@code it is added}, {@code it multiplies 'h' elementwise}. */
  private String vectorUse(Expr.Param p, Expr parent) {
    if (parent instanceof Expr.Binary b) {
      Expr other = b.left() == p ? b.right() : b.left();
      return switch (b.op()) {
        case ADD -> "it is added to '" + text(other) + "'";
        case SUB -> b.left() == p ? "'" + text(other) + "' is subtracted from it" : "it is subtracted from '" + text(other) + "'";
        case MUL -> "it multiplies '" + text(other) + "' elementwise";
        case DIV -> b.left() == p ? "it is divided by '" + text(other) + "'" : "it divides '" + text(other) + "'";
      };
    }
    if (parent instanceof Expr.Apply a) {
      return "it is the argument of " + a.fn().canonicalName();
    }
    if (parent instanceof Expr.Pow) {
      return "it is raised to a power";
    }
    if (parent instanceof Expr.MatMul m) {
      return "'" + m.matrix().name() + "' multiplies it";
    }
    if (parent instanceof Expr.Concat) {
      return "it is part of a concatenation";
    }
    if (parent instanceof Expr.Part) {
      return "it is split into parts";
    }
    return parent instanceof Expr.Neg ? "it is negated" : "it is a whole formula";
  }

  /** {@code " at 3:12"}, or nothing for a Java-built cell. */
  private static String where(Span at) {
    return at.isKnown() ? " at " + at.line() + ":" + at.column() : "";
  }

  private void use(Expr.Param p, Parameter.Role role, Map<String, Parameter.Role> roles, Map<String, Span> firstUse) {
    Parameter.Role before = roles.putIfAbsent(p.name(), role);
    firstUse.putIfAbsent(p.name(), p.span());
    paramSpans.putIfAbsent(p.name(), d.declaredParamSpans().getOrDefault(p.name(), p.span()));
    if (before != null && before != role) {
      Span first = firstUse.get(p.name());
      String where = first.isKnown() ? " (at " + first.line() + ":" + first.column() + ")" : "";
      throw error(p.span(), "'" + p.name() + "' is used both as a " + lower(before) + where
          + " and as a " + lower(role));
    }
  }

  private static String lower(Parameter.Role r) {
    return r.name().toLowerCase(java.util.Locale.ROOT);
  }
}
