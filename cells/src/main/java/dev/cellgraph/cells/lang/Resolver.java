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
import java.util.HashMap;
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

  /** The functions the text defines, and its activations ({@code g = \tanh}) by name. */
  private final Map<String, Parser.FunctionDef> functions = new LinkedHashMap<>();
  private final Map<String, Parser.Alias> aliases = new LinkedHashMap<>();
  private final java.util.Set<String> shared = new java.util.HashSet<>();
  /** Every name the cell's own equations and declarations write: a generated name must not be one of them. */
  private final java.util.Set<String> written = new java.util.HashSet<>();
  /** Generated names (parameters and values of function applications) and which application made each. */
  private final Map<String, String> generated = new HashMap<>();
  /** For {@code check}: which application made each parameter of a function ({@code alpha_1}), or that it is shared. */
  private final Map<String, String> origins = new LinkedHashMap<>();
  /** How many times each function has been applied so far: the k of alpha_k. */
  private final Map<String, Integer> applications = new HashMap<>();
  /** The values a function application needs beside its formula (its locals, an argument used twice). */
  private final List<Equation> hidden = new ArrayList<>();
  private Scope scope;
  private int expansions;
  /** Whether products are row-vector products ({@code x W}, W stored [in, out]): declared or read. */
  private boolean row;
  private String conventionWhy = "column vectors (W x, W stored [out, in])";

  /** Inside a function's body: what its names stand for in one application. */
  private record Scope(Parser.FunctionDef function, int application, Map<String, Expr> values,
      Map<String, String> params, Scope outer) {
    boolean within(String name) {
      return function.name().value().equals(name) || (outer != null && outer.within(name));
    }
  }

  /** Function applications expanded at most (a body may apply other functions), so that expansion stays small. */
  static final int MAX_EXPANSIONS = 4096;

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
    functions();
    targets();
    for (Assign a : equations()) {
      collectReads(a.expr());
    }
    states();
    applied();
    convention();
    List<Equation> equations = new ArrayList<>();
    for (Assign a : equations()) {
      Expr e = inlineNumbers(convert(a.expr()));
      equations.addAll(hidden); // a function's local values, before the formula that reads them
      hidden.clear();
      Token t = a.target();
      equations.add(new Equation(t.ident().name(), src.text.substring(t.start(), t.end()), e,
          src.span(t.start(), a.expr().end())));
    }
    numberDefinitions(equations);
    Map<String, Dim> stateDims = new LinkedHashMap<>();
    for (String s : states) {
      stateDims.put(s, declaredStates.getOrDefault(s, Dim.H));
    }
    return new Draft(src, src.name, notation, ImmutableMap.copyOf(inputs), ImmutableMap.copyOf(stateDims),
        output, outputSpan, ImmutableMap.copyOf(params), ImmutableMap.copyOf(paramSpans),
        ImmutableMap.copyOf(variableSpans), ImmutableList.copyOf(equations), parsed.strict(),
        ImmutableList.copyOf(warnings), ImmutableSet.copyOf(diagonal), ImmutableMap.copyOf(constants),
        ImmutableMap.copyOf(constantOrigins), conventionWhy, ImmutableMap.copyOf(origins));
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
    Set<String> freeInBodies = freeInFunctionBodies();
    for (Map.Entry<String, Double> e : set.entrySet()) {
      String name = e.getKey();
      String why = inputs.containsKey(name) ? "the input of the cell" : declaredStates.containsKey(name) ? "a state of the cell"
          : params.containsKey(name) ? "a declared parameter of the cell" : SIZES.contains(name) ? "a size of the cell"
          : defined.contains(name) && !constants.containsKey(name) ? "a value the cell computes" : null;
      if (why != null) {
        throw Source.unlocated(src.name, "cannot set '" + name + "': it is " + why + ", not a constant");
      }
      boolean known = constants.containsKey(name) || BUILTIN.contains(name) || freeInBodies.contains(name);
      if (!known && read.contains(name)) {
        // a learnable parameter fixed from the command line would be a different cell with nothing in its text saying so
        throw Source.unlocated(src.name, "cannot set '" + name + "': it is a learnable parameter of the cell, not a"
            + " constant; to make it a fixed hyperparameter, define it in the cell with a line such as '" + name
            + " = 1', which --set then overrides");
      }
      if (!known) {
        List<String> names = new ArrayList<>(constants.keySet());
        names.addAll(read);
        names.addAll(freeInBodies);
        throw Source.unlocated(src.name, "cannot set '" + name + "': the cell has no constant or name '" + name + "'"
            + Suggest.IN_FORMULAS.suffix(name, names, ""));
      }
      constants.put(name, e.getValue());
      constantOrigins.put(name, "set from outside the cell (--set)");
    }
    for (String name : BUILTIN) {
      if ((read.contains(name) || freeInBodies.contains(name)) && !constants.containsKey(name) && !defined.contains(name)
          && !params.containsKey(name)) {
        constants.put(name, DEFAULT_EPSILON);
        constantOrigins.put(name, "the default (define it, as in '\\" + name + " = 1e-6', or --set " + name + "=...)");
      }
    }
  }

  /** The names a function's body or its locals read that are none of its arguments, parameters or locals. */
  private Set<String> freeInFunctionBodies() {
    Set<String> free = new HashSet<>();
    for (Parser.FunctionDef f : parsed.functions()) {
      Set<String> own = new HashSet<>();
      f.args().forEach(t -> own.add(t.ident().name()));
      f.params().forEach(t -> own.add(t.ident().name()));
      f.locals().forEach(a -> own.add(a.target().ident().name()));
      java.util.function.Consumer<Token> visit = t -> {
        if (!own.contains(t.ident().name())) {
          free.add(t.ident().name());
        }
      };
      names(f.body(), visit);
      f.locals().forEach(a -> names(a.expr(), visit));
    }
    return free;
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
        written.add(name);
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
      written.add(name);
      notAFunction(t);
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
      written.add(n.token().ident().name());
      notAFunction(n.token());
      read(n.token());
    } else if (r instanceof Raw.UserCall u) {
      u.params().forEach(t -> written.add(t.ident().name()));
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
        throw src.error(t.start(), FunctionNames.unknown(name) + "; define it (" + spelling(t) + "(z) = ..., or "
            + spelling(t) + " = \\tanh for an activation), or for a product write " + spelling(t)
            + " \\cdot (...), or declare " + name + " with 'param'");
      }
      String line = src.error(t.start(), "warning: '" + spelling(t) + " (...)' is read as the parameter " + name
          + " times the bracket; write " + spelling(t) + " \\cdot (...) to say so").getMessage();
      warnings.add(line);
    }
  }

  // ---------------------------------------------------------------- functions and conventions

  /** The functions and activations the text defines: one definition per name, and no built-in's name. */
  private void functions() {
    Map<String, Token> seen = new LinkedHashMap<>();
    for (Parser.FunctionDef f : parsed.functions()) {
      define(seen, f.name());
      functions.put((String) f.name().value(), f);
      java.util.Set<String> names = new java.util.HashSet<>();
      for (Token t : f.args()) {
        checkUnique(names, t, f);
      }
      for (Token t : f.params()) {
        checkUnique(names, t, f);
      }
      for (Assign local : f.locals()) {
        checkUnique(names, local.target(), f);
      }
    }
    for (Parser.Alias a : parsed.aliases()) {
      for (Token t : a.names()) {
        define(seen, t);
        aliases.put((String) t.value(), a);
      }
    }
    for (Token t : parsed.shared()) {
      String name = t.ident().name();
      boolean known = parsed.functions().stream().anyMatch(f -> f.params().stream().anyMatch(p -> p.ident().name().equals(name)));
      if (!known) {
        throw src.error(t.start(), "'" + name + "' is shared but no function has a parameter of that name");
      }
      shared.add(name);
    }
  }

  private void define(Map<String, Token> seen, Token t) {
    Token first = seen.putIfAbsent((String) t.value(), t);
    if (first != null) {
      throw src.error(t.start(), "function '" + t.value() + "' is defined twice (first at " + src.lineOf(first.start())
          + ":" + src.columnOf(first.start()) + ")");
    }
  }

  private void checkUnique(java.util.Set<String> names, Token t, Parser.FunctionDef f) {
    if (!names.add(t.ident().name())) {
      throw src.error(t.start(), "'" + spelling(t) + "' is named twice in function '" + f.name().value() + "'");
    }
  }

  /** A variable may not have a function's name: {@code h} of {@code where g = h = \tanh} is then not also {@code h_t}. */
  private void notAFunction(Token t) {
    String name = t.ident().name();
    Token def = functionToken(name);
    if (def != null) {
      throw src.error(t.start(), "'" + spelling(t) + "' is a value, but '" + name + "' is defined as a function at "
          + src.lineOf(def.start()) + ":" + src.columnOf(def.start()) + ": give one of them another name");
    }
  }

  private Token functionToken(String name) {
    for (Parser.FunctionDef f : parsed.functions()) {
      if (f.name().value().equals(name)) {
        return f.name();
      }
    }
    for (Parser.Alias a : parsed.aliases()) {
      for (Token t : a.names()) {
        if (t.value().equals(name)) {
          return t;
        }
      }
    }
    return null;
  }

  /**
   * Column vectors ({@code W x}) unless a {@code convention row} line says otherwise or every
   * product of a parameter has it on the right ({@code x W}, as d2l.ai and Keras write).
   */
  private void convention() {
    List<Raw[]> left = new ArrayList<>();
    List<Raw[]> right = new ArrayList<>();
    for (Assign a : parsed.assigns()) {
      products(a.expr(), left, right);
    }
    Token declared = parsed.convention();
    if (declared != null) {
      row = declared.ident().name().equals("row");
      conventionWhy = (row ? "row vectors (x W, W stored [in, out])" : "column vectors (W x, W stored [out, in])")
          + ", declared at " + src.lineOf(declared.start()) + ":" + src.columnOf(declared.start());
      List<Raw[]> wrong = row ? left : right;
      if (row && !wrong.isEmpty()) {
        Raw.Name w = (Raw.Name) wrong.get(0)[0];
        throw src.error(w.start(), "parameter '" + spelling(w.token()) + "' is on the left of '"
            + src.text.substring(wrong.get(0)[1].start(), wrong.get(0)[1].end()).strip()
            + "', but the cell declares the row-vector convention (x W): write the parameter on the right");
      }
    } else if (!right.isEmpty() && left.isEmpty()) {
      row = true;
      Raw first = right.get(0)[1];
      conventionWhy = "row vectors (x W, W stored [in, out]), because every product has its parameter on the right,"
          + " as '" + src.text.substring(right.get(0)[0].start(), first.end()).strip() + "' at "
          + src.lineOf(right.get(0)[0].start()) + ":" + src.columnOf(right.get(0)[0].start());
    }
  }

  /** The products with a parameter on the left ({@code W x}) and on the right ({@code x W}), as pairs of atoms. */
  private void products(Raw r, List<Raw[]> left, List<Raw[]> right) {
    if (r instanceof Raw.Prod p) {
      List<Raw> atoms = chain(p);
      for (int k = 0; k + 1 < atoms.size(); k++) {
        Raw a = Raw.unwrap(atoms.get(k));
        Raw b = Raw.unwrap(atoms.get(k + 1));
        if (isParamName(a) && !isParamName(b) && !(b instanceof Raw.Num)) {
          left.add(new Raw[] {a, b});
        } else if (isParamName(b) && !isParamName(a) && !(a instanceof Raw.Num)) {
          right.add(new Raw[] {a, b});
        }
      }
      atoms.forEach(x -> products(x, left, right));
    } else if (r instanceof Raw.Call c) {
      products(c.arg(), left, right);
    } else if (r instanceof Raw.UserCall c) {
      c.args().forEach(x -> products(x, left, right));
    } else if (r instanceof Raw.Bin b) {
      products(b.left(), left, right);
      products(b.right(), left, right);
    } else if (r instanceof Raw.Neg g) {
      products(g.operand(), left, right);
    } else if (r instanceof Raw.Cat c) {
      c.parts().forEach(x -> products(x, left, right));
    } else if (r instanceof Raw.Group g) {
      products(g.inner(), left, right);
    }
  }

  /** The atoms of a product chain, left to right ({@code a b c} is parsed a (b c)). */
  private static List<Raw> chain(Raw.Prod p) {
    List<Raw> atoms = new ArrayList<>();
    Raw r = p;
    while (r instanceof Raw.Prod q) {
      atoms.add(q.left());
      r = q.right();
    }
    atoms.add(r);
    return atoms;
  }

  private boolean isParamName(Raw r) {
    if (!(r instanceof Raw.Name n)) {
      return false;
    }
    String name = n.token().ident().name();
    if (scope != null) {
      return scope.params().containsKey(name);
    }
    return roleOf(name) == Role.PARAM;
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
    } else if (r instanceof Raw.UserCall c) {
      return apply(c);
    } else if (r instanceof Raw.Part t) {
      return new Expr.Part(convert(t.whole()), t.index(), t.count(), span(t));
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
    if (row) {
      return rowProduct(p);
    }
    Raw left = Raw.unwrap(p.left());
    if (left instanceof Raw.Diag d) { // diag(w) c is w ⊙ c
      return new Expr.Binary(Expr.BinaryOp.MUL, convert(d.arg()), convert(p.right()), span(p));
    }
    if (left instanceof Raw.Name n && scope == null && elementwiseParam(n.token().ident().name())) {
      return new Expr.Binary(Expr.BinaryOp.MUL, new Expr.Param(n.token().ident().name(), span(n)), convert(p.right()),
          span(p)); // a declared scalar or diagonal matrix times the vector
    }
    if (left instanceof Raw.Name n && isParamName(left)) {
      return new Expr.MatMul(matrix(n), convert(p.right()), span(p), n.token().ident().transposed());
    }
    rowVector(p, left);
    return new Expr.Binary(Expr.BinaryOp.MUL, convert(p.left()), convert(p.right()), span(p));
  }

  /** {@code x W V} in the row convention: {@code (x W) V}, each product {@code Wᵀ x} with W stored [in, out]. */
  private Expr rowProduct(Raw.Prod p) {
    List<Raw> atoms = chain(p);
    Raw first = atoms.get(0);
    Expr acc = convert(first);
    for (int k = 1; k < atoms.size(); k++) {
      Raw a = Raw.unwrap(atoms.get(k));
      Span at = src.span(first.start(), atoms.get(k).end());
      if (a instanceof Raw.Name n && isParamName(a)) {
        acc = new Expr.MatMul(matrix(n), acc, at, !n.token().ident().transposed());
      } else {
        acc = new Expr.Binary(Expr.BinaryOp.MUL, acc, convert(atoms.get(k)), at);
      }
    }
    return acc;
  }
  /**
   * {@code X_t W_{xr}} beside {@code W x} (the row-vector convention mixed with column vectors) would
   * read as an elementwise product with W a vector, a different cell: it is refused.
   */
  private void rowVector(Raw.Prod p, Raw left) {
    Raw right = Raw.unwrap(p.right());
    if (!(right instanceof Raw.Name w) || !isParamName(right) || (scope == null && elementwiseParam(w.token().ident().name()))
        || left instanceof Raw.Num || isParamName(left)
        || (scope == null && left instanceof Raw.Name v && roleOf(v.token().ident().name()) == Role.CONST)) {
      return;
    }
    String param = spelling(w.token());
    String written = src.text.substring(p.left().start(), p.left().end()).strip();
    String what = left instanceof Raw.Name v && scope == null ? article(roleOf(v.token().ident().name())) + " '"
        + spelling(v.token()) + "'" : "'" + written + "'";
    throw src.error(w.start(), "parameter '" + param + "' is on the right of " + what + " (the row-vector convention, x W),"
        + " but other products have the parameter on the left (column vectors): write the matrix on the left, "
        + param + " " + written + " (W is stored [out, in]), or every product as x W (the row convention, W stored"
        + " [in, out]; a 'convention row' line says so), or use ⊙ for an elementwise product");
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

  /** The parameter that is the matrix of a product (it may be written transposed). */
  private Expr.Param matrix(Raw.Name n) {
    String name = n.token().ident().name();
    return new Expr.Param(scope != null ? scope.params().get(name) : name, span(n));
  }

  private Expr name(Raw.Name n) {
    Ident id = n.token().ident();
    String name = id.name();
    Span span = span(n);
    if (scope != null) {
      return scoped(n, id, span);
    }
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

  /** A name inside a function's body: an argument, a parameter of this application or a local value. */
  private Expr scoped(Raw.Name n, Ident id, Span span) {
    Parser.FunctionDef f = scope.function();
    String name = id.name();
    if (id.time() != null || id.primed()) {
      throw src.error(n.start(), "'" + spelling(n.token()) + "' in the body of function '" + f.name().value()
          + "': a function's names have no time index or prime (its argument is this step's value)");
    }
    String param = scope.params().get(name);
    if (param != null) {
      if (id.transposed()) {
        throw src.error(n.start(), "'" + spelling(n.token()) + "' is transposed but multiplies nothing");
      }
      return new Expr.Param(param, span);
    }
    Expr value = scope.values().get(name);
    if (value == null && !id.transposed() && (constants.containsKey(name) || SIZES.contains(name))) {
      return new Expr.Const(name, span); // a constant is a number, which a body may read
    }
    if (value == null || id.transposed()) {
      throw src.error(n.start(), value != null ? "'" + spelling(n.token()) + "': only a parameter can be transposed"
          : "'" + spelling(n.token()) + "' in the body of function '" + f.name().value() + "' is not one of its arguments ("
          + names(f.args()) + "), parameters (" + names(f.params()) + "), local definitions or the cell's constants: define it in a 'where'"
          + " line after the function, as in 'where " + spelling(n.token()) + " = ...'");
    }
    return respan(value, span);
  }

  private String names(List<Token> ts) {
    return ts.isEmpty() ? "none" : String.join(", ", ts.stream().map(this::spelling).toList());
  }

  /**
   * Expands one application of a function the text defines: its body with the arguments put in,
   * its parameters named for this application ({@code alpha_1}: the parameter's name and the
   * application's number; or as the application names them; or one for all if {@code shared}),
   * and an argument the body reads more than once, and each local definition, computed once as a
   * value of the cell ({@code mu_LN1}).
   */
  private Expr apply(Raw.UserCall c) {
    String fname = (String) c.name().value();
    Span at = span(c);
    Parser.Alias alias = aliases.get(fname);
    if (alias != null) {
      if (c.args().size() != 1 || !c.params().isEmpty()) {
        throw src.error(c.start(), "'" + fname + "' is an activation: apply it to one value, as in "
            + spelling(c.name()) + "(z)");
      }
      Token target = alias.target();
      if (target.kind() == Token.Kind.FUNC) {
        return new Expr.Apply((Fn) target.value(), convert(c.args().get(0)), at);
      }
      if (scope != null && scope.within((String) target.value()) || fname.equals(target.value())) {
        throw src.error(c.start(), "function '" + fname + "' is defined by itself");
      }
      return apply(new Raw.UserCall(target, c.args(), c.params(), c.start(), c.end(), c.height()));
    }
    Parser.FunctionDef f = functions.get(fname);
    if (f == null) {
      throw src.error(c.start(), "function '" + fname + "' is applied but never defined: define it as in '"
          + fname + "(z) = ...', or as an activation, as in '" + fname + " = \\tanh'");
    }
    if (scope != null && scope.within(fname)) {
      throw src.error(c.start(), "function '" + fname + "' applies itself, which cannot be expanded");
    }
    if (c.args().size() != f.args().size()) {
      throw src.error(c.start(), "function '" + fname + "' takes " + count(f.args().size(), "argument") + " ("
          + names(f.args()) + "), but " + c.args().size() + (c.args().size() == 1 ? " is" : " are") + " given");
    }
    if (!c.params().isEmpty() && c.params().size() != f.params().size()) {
      throw src.error(c.params().get(0).start(), "function '" + fname + "' has " + count(f.params().size(), "parameter")
          + " (" + names(f.params()) + "), but " + c.params().size() + " are named here");
    }
    if (++expansions > MAX_EXPANSIONS) {
      throw src.error(c.start(), "too many function applications to expand (more than " + MAX_EXPANSIONS + ")");
    }
    int k = applications.merge(fname, 1, Integer::sum);
    String owner = "application " + k + " of " + fname + " at " + at.line() + ":" + at.column();
    Map<String, Expr> values = new HashMap<>();
    for (int j = 0; j < f.args().size(); j++) {
      Raw argRaw = c.args().get(j);
      Expr arg = convert(argRaw);
      String argName = f.args().get(j).ident().name();
      if (arg instanceof Expr.Var || arg instanceof Expr.Param || arg instanceof Expr.Num) {
        values.put(argName, arg);
      } else {
        String h = generate(valueName(argName, fname, k), owner, argRaw.start());
        hidden.add(new Equation(h, h, arg, span(argRaw)));
        values.put(argName, new Expr.Var(h, Time.CURRENT, span(argRaw)));
      }
    }
    Map<String, String> params = new HashMap<>();
    for (int j = 0; j < f.params().size(); j++) {
      String p = f.params().get(j).ident().name();
      String actual;
      if (!c.params().isEmpty()) {
        actual = c.params().get(j).ident().name();
      } else if (shared.contains(p)) {
        actual = p;
        origins.putIfAbsent(actual, "the parameter " + p + " of " + fname + ", shared by its applications");
      } else {
        actual = generate(numbered(p, Integer.toString(k)), owner, c.start());
        origins.putIfAbsent(actual, "the parameter " + p + " of " + owner);
      }
      params.put(p, actual);
    }
    for (Assign local : f.locals()) {
      String l = local.target().ident().name();
      values.put(l, new Expr.Var(generate(valueName(l, fname, k), owner, c.start()), Time.CURRENT, span(local.expr())));
    }
    Scope outer = scope;
    scope = new Scope(f, k, values, params, outer);
    try {
      for (Assign local : f.locals()) {
        String h = ((Expr.Var) values.get(local.target().ident().name())).name();
        hidden.add(new Equation(h, h, convert(local.expr()), src.span(local.target().start(), local.expr().end())));
      }
      return respan(convert(f.body()), at);
    } finally {
      scope = outer;
    }
  }

  /**
   * Puts each value of a function application that is numbers and constants alone (an argument
   * {@code g(2 + 1)}, a local {@code where c = 2}, or one made so by those) into the formulas that
   * read it, as a number argument is, instead of keeping it as a value of the cell: the normalized
   * form would print it as {@code z_g1 = 2 + 1}, which reads back as a constant, not as this cell.
   */
  private Expr inlineNumbers(Expr e) {
    Map<String, Expr> numbers = new HashMap<>();
    boolean found = true;
    while (found) {
      found = false;
      for (int k = 0; k < hidden.size(); k++) {
        Equation h = hidden.get(k);
        if (isNumbers(h.expr())) {
          numbers.put(h.target(), h.expr());
          hidden.remove(k);
          found = true;
          break;
        }
      }
      if (found) {
        hidden.replaceAll(h -> new Equation(h.target(), h.spelling(), substitute(h.expr(), numbers), h.span()));
      }
    }
    return numbers.isEmpty() ? e : substitute(e, numbers);
  }

  /**
   * Makes each equation that is numbers and constants alone once its functions are expanded
   * ({@code y = g(2)}) or that reads a constant defined by default ({@code y = 2 \epsilon}) a constant, as
   * a definition by numbers alone is: the normalized form prints it so, and it must read back as
   * this cell.
   */
  private void numberDefinitions(List<Equation> equations) {
    Map<String, Expr> numbers = new HashMap<>();
    boolean found = true;
    while (found) {
      found = false;
      for (int k = 0; k < equations.size(); k++) {
        Equation e = equations.get(k);
        String name = e.target();
        if (states.contains(name) || name.startsWith("(") || !isNumbers(e.expr())) {
          continue;
        }
        if (name.equals(output)) {
          throw src.error(e.span().start(), "the output '" + e.spelling() + "' is numbers alone, a constant, but"
              + " it must be computed from the input or the states");
        }
        double v = valueOf(e.expr());
        if (!Double.isFinite(v)) {
          throw src.error(e.span().start(), "the constant '" + e.spelling() + "' is " + v);
        }
        constants.put(name, v);
        constantOrigins.put(name, "defined at " + e.span().line() + ":" + e.span().column());
        numbers.put(name, new Expr.Const(name, e.span()));
        equations.remove(k);
        found = true;
        break;
      }
      if (found) {
        equations.replaceAll(h -> new Equation(h.target(), h.spelling(), substitute(h.expr(), numbers), h.span()));
      }
    }
  }

  /** The value of a formula of numbers and constants alone, computed as a constant's definition is. */
  private double valueOf(Expr e) {
    if (e instanceof Expr.Num n) {
      return n.value();
    } else if (e instanceof Expr.Const c) {
      return constants.get(c.name());
    } else if (e instanceof Expr.Neg g) {
      return -valueOf(g.operand());
    } else if (e instanceof Expr.Pow w) {
      return Math.pow(valueOf(w.base()), w.exponent());
    }
    Expr.Binary b = (Expr.Binary) e;
    double l = valueOf(b.left());
    double x = valueOf(b.right());
    return switch (b.op()) {
      case ADD -> l + x;
      case SUB -> l - x;
      case MUL -> l * x;
      case DIV -> l / x;
    };
  }

  /** Whether a formula is numbers and constants alone, which a definition reads as a constant. */
  private boolean isNumbers(Expr e) {
    if (e instanceof Expr.Num) {
      return true;
    } else if (e instanceof Expr.Const c) {
      return constants.containsKey(c.name());
    } else if (e instanceof Expr.Neg || e instanceof Expr.Pow || e instanceof Expr.Binary) {
      return e.children().stream().allMatch(this::isNumbers);
    }
    return false;
  }

  /** The formula with each variable of this step named in {@code values} replaced by its value. */
  private static Expr substitute(Expr e, Map<String, Expr> values) {
    if (e instanceof Expr.Var v) {
      Expr value = v.time() == Time.CURRENT ? values.get(v.name()) : null;
      return value == null ? e : respan(value, v.span());
    } else if (e instanceof Expr.Apply a) {
      return new Expr.Apply(a.fn(), ImmutableList.copyOf(a.args().stream().map(x -> substitute(x, values)).toList()),
          a.span());
    } else if (e instanceof Expr.Pow w) {
      return new Expr.Pow(substitute(w.base(), values), w.exponent(), w.span());
    } else if (e instanceof Expr.Binary b) {
      return new Expr.Binary(b.op(), substitute(b.left(), values), substitute(b.right(), values), b.span());
    } else if (e instanceof Expr.MatMul m) {
      return new Expr.MatMul(m.matrix(), substitute(m.vector(), values), m.span(), m.transposed());
    } else if (e instanceof Expr.Concat c) {
      return new Expr.Concat(ImmutableList.copyOf(c.parts().stream().map(x -> substitute(x, values)).toList()), c.span());
    } else if (e instanceof Expr.Part t) {
      return new Expr.Part(substitute(t.whole(), values), t.index(), t.count(), t.span());
    } else if (e instanceof Expr.Neg g) {
      return new Expr.Neg(substitute(g.operand(), values), g.span());
    }
    return e; // a parameter, number or constant
  }

  private static String count(int n, String what) {
    return n + " " + what + (n == 1 ? "" : "s");
  }

  /** {@code mu} of the first application of LN: {@code mu_LN1}. */
  private static String valueName(String name, String function, int k) {
    return numbered(name, function.replace("_", "") + k);
  }

  /** {@code alpha} with suffix 1 is {@code alpha_1}; a name with a subscript gets it there: {@code alpha_g1}. */
  private static String numbered(String name, String suffix) {
    int sup = name.indexOf('^');
    String head = sup >= 0 ? name.substring(0, sup) : name;
    String tail = sup >= 0 ? name.substring(sup) : "";
    return head + (head.contains("_") ? "" : "_") + suffix + tail;
  }

  /** A generated name, which must not be written elsewhere or made by another application. */
  private String generate(String name, String owner, int at) {
    if (written.contains(name)) {
      throw src.error(at, "'" + name + "', the name " + owner + " gives its own parameter or value, is also a name"
          + " of the cell: name the parameters where the function is applied, as in LN(z; \\alpha_a, \\beta_a), or"
          + " rename the other '" + name + "'");
    }
    String before = generated.putIfAbsent(name, owner);
    if (before != null && !before.equals(owner)) {
      throw src.error(at, "'" + name + "' would name a parameter or value of both " + before + " and " + owner
          + ": name the parameters where the functions are applied, as in LN(z; \\alpha_a, \\beta_a)");
    }
    return name;
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
    } else if (e instanceof Expr.Part t) {
      return new Expr.Part(t.whole(), t.index(), t.count(), s);
    }
    Expr.Neg g = (Expr.Neg) e;
    return new Expr.Neg(g.operand(), s);
  }
}
