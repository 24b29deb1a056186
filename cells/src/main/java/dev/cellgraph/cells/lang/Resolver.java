package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import dev.cellgraph.cells.lang.Expr.Time;
import dev.cellgraph.cells.lang.Parser.Assign;
import dev.cellgraph.cells.lang.Parser.Decl;
import dev.cellgraph.cells.lang.Parser.Parsed;
import dev.cellgraph.cells.lang.Token.Ident;
import dev.cellgraph.core.Suggest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gives every name of a parsed cell its role (the rules of docs/cell-language.md, "Roles")
 * and turns the parse tree into {@link Expr} trees.
 */
final class Resolver {
  private enum Role { INPUT, STATE, INTERMEDIATE, CONST, PARAM }

  /** The value of a constant that nothing defines: {@code \epsilon}, as PyTorch's LayerNorm. */
  static final double DEFAULT_EPSILON = 1e-5;
  private static final ImmutableSet<String> BUILTIN = ImmutableSet.of("epsilon", "varepsilon");
  /** The sizes, read as numbers in formulas ({@code \frac{1}{H}}). */
  static final ImmutableSet<String> SIZES = ImmutableSet.of("H", "I");

  private final Source src;
  private Parsed parsed;
  /** Constants given from outside the text ({@code --set beta=1}), by canonical name. */
  private final Map<String, Double> set;
  private final Map<String, Double> constants = new LinkedHashMap<>();
  private final Map<String, String> constantOrigins = new LinkedHashMap<>();
  private final Set<Assign> constantAssigns = new HashSet<>();
  private final Set<String> diagonal = new LinkedHashSet<>();
  private final boolean words;
  private final Notation notation;

  private final Map<String, Dim> inputs = new LinkedHashMap<>();
  private final Map<String, Dim> declaredStates = new LinkedHashMap<>();
  private final Map<String, Token> declaredStateTokens = new LinkedHashMap<>();
  private final Map<String, ImmutableList<Dim>> params = new LinkedHashMap<>();
  private final Map<String, Span> paramSpans = new LinkedHashMap<>();
  private final Map<String, Span> variableSpans = new LinkedHashMap<>();
  private String output;
  private Span outputSpan = Span.NONE;

  private final Map<String, Assign> targets = new LinkedHashMap<>();
  private final Map<String, Token> previousReads = new LinkedHashMap<>();
  private final List<String> states = new ArrayList<>();
  /** What {@code cellgraph check} prints beside the cell: readings that are likely but not certain. */
  private final List<String> warnings = new ArrayList<>();
  /** The time index of "this step": 0, or 1 when the paper writes h_{t+1} = f(h_t). */
  private int now;

  Resolver(Source src, Parsed parsed, boolean words, Notation notation, Map<String, Double> set) {
    this.src = src;
    this.parsed = parsed;
    this.set = set;
    this.words = words;
    this.notation = notation;
  }

  Draft resolve() {
    parsed = SumIndex.strip(src, parsed);
    declarations();
    constants();
    targets();
    for (Assign a : equations()) {
      collectReads(a.expr());
    }
    states();
    applied();
    List<Equation> equations = new ArrayList<>();
    for (Assign a : equations()) {
      Expr e = convert(a.expr());
      Token t = a.target();
      equations.add(new Equation(t.ident().name(), src.text.substring(t.start(), t.end()), e,
          src.span(t.start(), a.expr().end())));
    }
    Map<String, Dim> stateDims = new LinkedHashMap<>();
    for (String s : states) {
      stateDims.put(s, declaredStates.getOrDefault(s, Dim.H));
    }
    return new Draft(src, src.name, notation, ImmutableMap.copyOf(inputs), ImmutableMap.copyOf(stateDims),
        output, outputSpan, ImmutableMap.copyOf(params), ImmutableMap.copyOf(paramSpans),
        ImmutableMap.copyOf(variableSpans), ImmutableList.copyOf(equations), parsed.strict(),
        ImmutableList.copyOf(warnings), ImmutableSet.copyOf(diagonal), ImmutableMap.copyOf(constants),
        ImmutableMap.copyOf(constantOrigins));
  }

  /** The definitions that are equations of the cell, not constants. */
  private List<Assign> equations() {
    return parsed.assigns().stream().filter(a -> !constantAssigns.contains(a)).toList();
  }

  // ---------------------------------------------------------------- constants

  /**
   * A definition of a plain name by numbers alone ({@code \beta = 1}, {@code \gamma = 2 \beta}) is a
   * constant, not an equation; {@code --set} gives or overrides one; {@code \epsilon} that nothing
   * defines is {@link #DEFAULT_EPSILON}.
   */
  private void constants() {
    int step = 0;
    for (Assign a : parsed.assigns()) {
      Integer time = a.target().ident().time();
      step = !words && time != null && time == 1 ? 1 : step;
    }
    Set<String> previous = new HashSet<>(); // read at the previous step, or primed: states
    Set<String> read = new HashSet<>();
    for (Assign a : parsed.assigns()) {
      Ident id = a.target().ident();
      if (id.primed()) {
        previous.add(id.name());
      }
      int now = step;
      names(a.expr(), t -> {
        read.add(t.ident().name());
        Integer time = t.ident().time();
        if (t.ident().primed() || (time != null && time == now - 1 && !inputs.containsKey(t.ident().name()))) {
          previous.add(t.ident().name());
        }
      });
    }
    for (Assign a : parsed.assigns()) {
      Ident id = a.target().ident();
      String name = id.name();
      if (id.primed() || (id.time() != null && id.time() != step) || previous.contains(name)
          || declaredStates.containsKey(name) || inputs.containsKey(name) || params.containsKey(name)
          || SIZES.contains(name)) {
        continue;
      }
      Double v = constantValue(a.expr());
      if (v == null) {
        continue;
      }
      if (constants.containsKey(name)) {
        throw src.error(a.target().start(), "the constant '" + spelling(a.target()) + "' is defined twice");
      }
      if (!Double.isFinite(v)) {
        throw src.error(a.target().start(), "the constant '" + spelling(a.target()) + "' is " + v);
      }
      constants.put(name, v);
      constantOrigins.put(name, "defined at " + src.lineOf(a.target().start()) + ":" + src.columnOf(a.target().start()));
      constantAssigns.add(a);
    }
    Set<String> defined = new HashSet<>();
    parsed.assigns().forEach(a -> defined.add(a.target().ident().name()));
    for (Map.Entry<String, Double> e : set.entrySet()) {
      String name = e.getKey();
      String why = inputs.containsKey(name) ? "the input" : declaredStates.containsKey(name) ? "a state"
          : params.containsKey(name) ? "a declared parameter" : SIZES.contains(name) ? "a size"
          : defined.contains(name) && !constants.containsKey(name) ? "a value the cell computes" : null;
      if (why != null) {
        throw Source.unlocated(src.name, "cannot set '" + name + "': it is " + why + " of the cell, not a constant");
      }
      if (!constants.containsKey(name) && !read.contains(name)) {
        List<String> known = new ArrayList<>(constants.keySet());
        known.addAll(read);
        throw Source.unlocated(src.name, "cannot set '" + name + "': the cell has no constant or name '" + name + "'"
            + Suggest.IN_FORMULAS.suffix(name, known, ""));
      }
      constants.put(name, e.getValue());
      constantOrigins.put(name, "set from outside the cell (--set)");
    }
    for (String name : BUILTIN) {
      if (read.contains(name) && !constants.containsKey(name) && !defined.contains(name) && !params.containsKey(name)) {
        constants.put(name, DEFAULT_EPSILON);
        constantOrigins.put(name, "the default (define it, as in '\\" + name + " = 1e-6', or --set " + name + "=...)");
      }
    }
  }

  /** The value of numbers, arithmetic and constants defined before, or null for anything else. */
  private Double constantValue(Raw r) {
    if (r instanceof Raw.Num n) {
      return n.value();
    } else if (r instanceof Raw.Group g) {
      return constantValue(g.inner());
    } else if (r instanceof Raw.Neg g) {
      Double v = constantValue(g.operand());
      return v == null ? null : -v;
    } else if (r instanceof Raw.Name n) {
      Ident id = n.token().ident();
      return id.time() == null && !id.primed() && !id.transposed() ? constants.get(id.name()) : null;
    } else if (r instanceof Raw.Pow w) {
      Double v = constantValue(w.base());
      return v == null ? null : Math.pow(v, w.exponent());
    } else if (r instanceof Raw.Bin || r instanceof Raw.Prod) {
      Raw left = r instanceof Raw.Bin b ? b.left() : ((Raw.Prod) r).left();
      Raw right = r instanceof Raw.Bin b ? b.right() : ((Raw.Prod) r).right();
      Double l = constantValue(left);
      Double x = l == null ? null : constantValue(right);
      if (x == null) {
        return null;
      }
      return switch (r instanceof Raw.Bin b ? b.op() : Expr.BinaryOp.MUL) {
        case ADD -> l + x;
        case SUB -> l - x;
        case MUL -> l * x;
        case DIV -> l / x;
      };
    }
    return null;
  }

  /** Every name token of a formula, left to right. */
  private static void names(Raw r, java.util.function.Consumer<Token> visit) {
    if (r instanceof Raw.Name n) {
      visit.accept(n.token());
    }
    for (Raw c : Raw.children(r)) {
      names(c, visit);
    }
  }

  // ---------------------------------------------------------------- declarations and targets

  private void declarations() {
    Map<String, String> declaredAs = new LinkedHashMap<>();
    for (Decl d : parsed.decls()) {
      String kind = d.keyword().replaceAll("s$", "");
      if (kind.equals("output")) {
        if (output != null) {
          throw src.error(d.start(), "the output is declared twice");
        }
        Token t = d.names().get(0);
        output = t.ident().name();
        outputSpan = src.span(t.start(), t.end());
        continue;
      }
      for (Token t : d.names()) {
        String name = t.ident().name();
        String before = declaredAs.put(name, kind);
        if (before != null) {
          throw src.error(t.start(), "'" + name + "' is declared twice"
              + (before.equals(kind) ? "" : ", as " + article(before) + " and as " + article(kind)));
        }
        switch (kind) {
          case "input" -> {
            inputs.put(name, d.dims() == null ? Dim.I : d.dims().get(0));
            variableSpans.put(name, src.span(t.start(), t.end()));
          }
          case "state" -> {
            declaredStates.put(name, d.dims() == null ? Dim.H : d.dims().get(0));
            declaredStateTokens.put(name, t);
            variableSpans.put(name, src.span(t.start(), t.end()));
          }
          default -> {
            params.put(name, ImmutableList.copyOf(d.dims()));
            paramSpans.put(name, src.span(t.start(), t.end()));
            if (d.diagonal()) {
              diagonal.add(name);
            }
          }
        }
      }
    }
    if (inputs.isEmpty()) {
      inputs.put("x", Dim.I);
    }
  }

  private static String article(String kind) {
    return (kind.equals("input") ? "an " : "a ") + (kind.equals("param") ? "parameter" : kind);
  }

  private void targets() {
    for (Assign a : equations()) {
      Ident id = a.target().ident();
      if (!words && id.time() != null && id.time() == 1) {
        now = 1;
      }
    }
    for (Assign a : equations()) {
      Token t = a.target();
      Ident id = t.ident();
      String name = id.name();
      if (words) {
        if (!id.primed() && declaredStates.containsKey(name)) {
          throw src.error(t.start(), "'" + name + "' is a state: define its new value as " + name + "'");
        }
      } else if (id.primed()) {
        throw src.error(t.start(), "a primed name cannot be defined in paper notation");
      } else if (id.time() != null && id.time() != now) {
        throw src.error(t.start(), id.time() == now - 1
            ? "'" + spelling(t) + "' is the previous value, which cannot be defined: define " + name + "_" + timeLabel(now)
            : "unsupported time index on '" + spelling(t) + "': a cell defines values at one step from the previous one");
      }
      if (inputs.containsKey(name)) {
        throw src.error(t.start(), "'" + name + "' is the input and cannot be defined");
      }
      if (params.containsKey(name)) {
        throw src.error(t.start(), "'" + name + "' is declared as a parameter and cannot be defined");
      }
      if (constants.containsKey(name)) {
        throw src.error(t.start(), "'" + name + "' is a constant (" + constantOrigins.get(name) + ") and cannot be defined");
      }
      Assign first = targets.putIfAbsent(name, a);
      if (first != null) {
        throw src.error(t.start(), "'" + spelling(t) + "' is defined twice (first on line "
            + src.lineOf(first.target().start()) + ")");
      }
    }
  }

  private String spelling(Token t) {
    return src.text.substring(t.start(), t.end());
  }

  private static String timeLabel(int offset) {
    return offset == 0 ? "t" : offset > 0 ? "{t+" + offset + "}" : "{t" + offset + "}";
  }

  private static String timeText(int offset) {
    return offset == 0 ? "t" : offset > 0 ? "t+" + offset : "t" + offset;
  }

  // ---------------------------------------------------------------- reads and roles

  private void collectReads(Raw r) {
    if (r instanceof Raw.Name n) {
      read(n.token());
    }
    for (Raw c : Raw.children(r)) {
      collectReads(c);
    }
  }

  private void read(Token t) {
    Ident id = t.ident();
    String name = id.name();
    if (id.primed()) {
      Assign a = targets.get(name);
      if (a == null || !a.target().ident().primed()) {
        throw src.error(t.start(), "'" + name + "'' is read but " + name + "' is never defined");
      }
      return;
    }
    if (words || id.time() == null) {
      if (words && targets.containsKey(name) && targets.get(name).target().ident().primed()) {
        previousReads.putIfAbsent(name, t);
      }
      return;
    }
    int time = id.time();
    if (time == now - 1) {
      if (inputs.containsKey(name)) {
        if (now == 0) {
          throw src.error(t.start(), "the input '" + name + "' has no previous value");
        }
        return; // x_t beside h_{t+1} = f(h_t, x_t): the input of this step
      }
      if (!targets.containsKey(name)) {
        throw src.error(t.start(), "'" + name + "' is read at " + timeText(now - 1) + " but '"
            + name + "_" + timeLabel(now) + "' is never defined");
      }
      previousReads.putIfAbsent(name, t);
    } else if (time == now) {
      if (!inputs.containsKey(name) && !targets.containsKey(name)) {
        throw src.error(t.start(), "'" + spelling(t) + "' is read but never defined"
            + (declaredStates.containsKey(name) || params.containsKey(name) ? ""
                : "; declare inputs with 'input " + name + "'"));
      }
    } else {
      throw src.error(t.start(), "unsupported time index on '" + spelling(t)
          + "': a cell reads only this step and the previous one");
    }
  }

  private void states() {
    for (Map.Entry<String, Token> e : declaredStateTokens.entrySet()) {
      String name = e.getKey();
      Assign a = targets.get(name);
      if (a == null || (words && !a.target().ident().primed())) {
        throw src.error(e.getValue().start(), "state '" + name + "' is declared but "
            + (words ? name + "'" : "'" + name + "_" + timeLabel(now) + "'") + " is never defined");
      }
      states.add(name);
    }
    for (String name : previousReads.keySet()) {
      if (!states.contains(name)) {
        states.add(name);
      }
    }
    if (words) {
      for (Assign a : equations()) {
        String name = a.target().ident().name();
        if (a.target().ident().primed() && !states.contains(name)) {
          states.add(name);
        }
      }
    }
    if (states.isEmpty()) {
      if (equations().isEmpty()) {
        throw src.error(0, "no equations: a cell defines its states, as in h_t = tanh(W h_{t-1} + U x_t)");
      }
      throw src.error(equations().get(0).target().start(), "no state: nothing is read at the previous step"
          + (words ? " (write the new value of a state as h')" : " (write the previous value of a state as h_{t-1})"));
    }
  }

  private Role roleOf(String name) {
    if (inputs.containsKey(name)) {
      return Role.INPUT;
    }
    if (states.contains(name)) {
      return Role.STATE;
    }
    if (targets.containsKey(name)) {
      return Role.INTERMEDIATE;
    }
    if (constants.containsKey(name) || (SIZES.contains(name) && !params.containsKey(name))) {
      return Role.CONST;
    }
    return Role.PARAM;
  }

  /**
   * A name that nothing defines, applied to '(' with nothing between ({@code g(z)}, {@code \\Phi(x)}),
   * is an unknown function, never a parameter times the bracket; with a space between
   * ({@code W (x)}) it is that product, with a warning. A declared parameter is a product.
   */
  private void applied() {
    for (Parser.Applied a : parsed.applied()) {
      Token t = a.name();
      String name = t.ident().name();
      if (roleOf(name) != Role.PARAM || params.containsKey(name)) {
        continue;
      }
      if (a.adjacent()) {
        throw src.error(t.start(), FunctionNames.unknown(name) + "; for a product write " + spelling(t)
            + " \\cdot (...), or declare " + name + " with 'param'");
      }
      String line = src.error(t.start(), "warning: '" + spelling(t) + " (...)' is read as the parameter " + name
          + " times the bracket; write " + spelling(t) + " \\cdot (...) to say so").getMessage();
      warnings.add(line);
    }
  }

  // ---------------------------------------------------------------- conversion

  private Span span(Raw r) {
    return src.span(r.start(), r.end());
  }

  private Expr convert(Raw r) {
    if (r instanceof Raw.Name n) {
      return name(n);
    } else if (r instanceof Raw.Num x) {
      return new Expr.Num(x.value(), span(x));
    } else if (r instanceof Raw.Call c) {
      return new Expr.Apply(c.fn(), c.args().stream().map(this::convert).collect(ImmutableList.toImmutableList()),
          span(c));
    } else if (r instanceof Raw.Pow w) {
      return new Expr.Pow(convert(w.base()), w.exponent(), span(w));
    } else if (r instanceof Raw.Diag d) {
      throw src.error(d.start(), "'" + src.text.substring(d.start(), d.end()) + "' is a diagonal matrix: it can only"
          + " multiply a vector, as in diag(w) c");
    } else if (r instanceof Raw.Bin b) {
      return new Expr.Binary(b.op(), convert(b.left()), convert(b.right()), span(b));
    } else if (r instanceof Raw.Neg g) {
      return new Expr.Neg(convert(g.operand()), span(g));
    } else if (r instanceof Raw.Cat c) {
      return new Expr.Concat(
          c.parts().stream().map(this::convert).collect(ImmutableList.toImmutableList()), span(c));
    } else if (r instanceof Raw.Group g) {
      return respan(convert(g.inner()), span(g));
    }
    Raw.Prod p = (Raw.Prod) r;
    Raw left = Raw.unwrap(p.left());
    if (left instanceof Raw.Diag d) { // diag(w) c is w ⊙ c
      return new Expr.Binary(Expr.BinaryOp.MUL, convert(d.arg()), convert(p.right()), span(p));
    }
    if (left instanceof Raw.Name n && elementwiseParam(n.token().ident().name())) {
      return new Expr.Binary(Expr.BinaryOp.MUL, new Expr.Param(n.token().ident().name(), span(n)), convert(p.right()),
          span(p)); // a declared scalar or diagonal matrix times the vector
    }
    if (left instanceof Raw.Name n && roleOf(n.token().ident().name()) == Role.PARAM) {
      return new Expr.MatMul(new Expr.Param(n.token().ident().name(), span(n)), convert(p.right()), span(p),
          n.token().ident().transposed());
    }
    rowVector(p, left);
    return new Expr.Binary(Expr.BinaryOp.MUL, convert(p.left()), convert(p.right()), span(p));
  }

  /**
   * {@code X_t W_{xr}} (d2l.ai's row vectors, x W) would read as an elementwise product with W a
   * vector, a different cell: a parameter written right of a variable or bracket is refused.
   */
  private void rowVector(Raw.Prod p, Raw left) {
    Raw right = Raw.unwrap(p.right());
    if (!(right instanceof Raw.Name w) || roleOf(w.token().ident().name()) != Role.PARAM
        || elementwiseParam(w.token().ident().name())
        || left instanceof Raw.Num || (left instanceof Raw.Name v && (roleOf(v.token().ident().name()) == Role.PARAM
            || roleOf(v.token().ident().name()) == Role.CONST))) {
      return;
    }
    String param = spelling(w.token());
    String written = src.text.substring(p.left().start(), p.left().end()).strip();
    String what = left instanceof Raw.Name v ? article(roleOf(v.token().ident().name())) + " '"
        + spelling(v.token()) + "'" : "'" + written + "'";
    throw src.error(w.start(), "parameter '" + param + "' is on the right of " + what + " (the row-vector convention, x W),"
        + " which is not supported: write the matrix on the left, " + param + " " + written
        + " (column vectors; W is stored [out, in]), or use ⊙ for an elementwise product");
  }

  /** A parameter declared a scalar ({@code []}) or diagonal ({@code diag[H]}): juxtaposed, it multiplies elementwise. */
  private boolean elementwiseParam(String name) {
    return roleOf(name) == Role.PARAM && params.containsKey(name) && (params.get(name).isEmpty() || diagonal.contains(name));
  }

  private static String article(Role r) {
    return switch (r) {
      case INPUT -> "the input";
      case STATE -> "the state";
      default -> "the value";
    };
  }

  private Expr name(Raw.Name n) {
    Ident id = n.token().ident();
    String name = id.name();
    Span span = span(n);
    if (id.transposed() && diagonal.contains(name)) {
      return new Expr.Param(name, span); // a diagonal matrix is its own transpose
    }
    if (id.transposed()) {
      throw src.error(n.start(), roleOf(name) == Role.PARAM
          ? "'" + spelling(n.token()) + "' is transposed but multiplies nothing: a transpose is the left operand"
              + " of a matrix product, as in W^T x"
          : "'" + spelling(n.token()) + "': only a parameter can be transposed, and '" + name + "' is a variable");
    }
    return switch (roleOf(name)) {
      case PARAM -> new Expr.Param(name, span);
      case CONST -> new Expr.Const(name, span);
      case INPUT, INTERMEDIATE -> new Expr.Var(name, Time.CURRENT, span);
      case STATE -> {
        boolean previous = words ? !id.primed() : id.time() != null && id.time() == now - 1;
        yield new Expr.Var(name, previous ? Time.PREVIOUS : Time.CURRENT, span);
      }
    };
  }

  static Expr respan(Expr e, Span s) {
    if (e instanceof Expr.Var v) {
      return new Expr.Var(v.name(), v.time(), s);
    } else if (e instanceof Expr.Param p) {
      return new Expr.Param(p.name(), s);
    } else if (e instanceof Expr.Num n) {
      return new Expr.Num(n.value(), s);
    } else if (e instanceof Expr.Const c) {
      return new Expr.Const(c.name(), s);
    } else if (e instanceof Expr.Apply a) {
      return new Expr.Apply(a.fn(), a.args(), s);
    } else if (e instanceof Expr.Pow w) {
      return new Expr.Pow(w.base(), w.exponent(), s);
    } else if (e instanceof Expr.Binary b) {
      return new Expr.Binary(b.op(), b.left(), b.right(), s);
    } else if (e instanceof Expr.MatMul m) {
      return new Expr.MatMul(m.matrix(), m.vector(), s, m.transposed());
    } else if (e instanceof Expr.Concat c) {
      return new Expr.Concat(c.parts(), s);
    }
    Expr.Neg g = (Expr.Neg) e;
    return new Expr.Neg(g.operand(), s);
  }
}
