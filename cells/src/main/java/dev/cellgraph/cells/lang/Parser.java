package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import dev.cellgraph.cells.lang.Expr.BinaryOp;
import dev.cellgraph.cells.lang.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Recursive descent over the tokens of one cell. The grammar has one home, the EBNF of
 * docs/cell-language.md ("Grammar"), which this parser and {@link Lexer} implement rule by rule
 * ({@code expr}, {@code term}, {@code unary}, {@code product}, {@code power}, {@code atom}, ...);
 * {@code GrammarTest} generates sentences from that EBNF and requires this parser to accept them.
 *
 * Two bounds keep every later recursion shallow: the formula (its {@link Expr} tree; brackets
 * are not nodes) is at most {@link CellSpec#MAX_DEPTH} deep, and brackets, functions and signs
 * nest at most {@link #MAX_NESTING} deep. The second is three times the first because the
 * normalized form writes each node with at most three of them ({@code tanh(} is a function,
 * a bracket and an expression), so whatever parses prints as text that parses again.
 */
final class Parser {
  /** A declaration; {@code diagonal} for {@code param W : diag[H]}. */
  record Decl(String keyword, List<Token> names, List<Dim> dims, int start, boolean diagonal) {}

  record Assign(Token target, Raw expr) {}

  /** A name followed by '(' ({@code g(z)}, {@code W (x)}): a function call or a product, which the roles decide. */
  record Applied(Token name, Token paren) {
    boolean adjacent() {
      return name.end() == paren.start();
    }
  }

  /** {@code LN(z; \alpha, \beta) = body}, with the local definitions of its {@code where} line. */
  record FunctionDef(Token name, List<Token> args, List<Token> params, Raw body, List<Assign> locals) {}

  /** {@code g = h = \tanh}: every name of {@code names} is the function {@code target} (an FUNC or USERFN token). */
  record Alias(List<Token> names, Token target) {}

  record Parsed(List<Decl> decls, List<Assign> assigns, List<Applied> applied, boolean strict,
      List<FunctionDef> functions, List<Alias> aliases, List<Token> shared, Token convention) {}

  /** How deep brackets, functions and signs may nest. */
  static final int MAX_NESTING = 3 * CellSpec.MAX_DEPTH;

  private final Source src;
  private final List<Token> toks;
  private int i;
  private int depth;
  private final List<Applied> applied = new ArrayList<>();
  /** Named sizes: those given by the caller, then the defaults of 'size P = 64' lines. */
  private final java.util.Map<String, Integer> sizes;
  private final java.util.Set<String> givenSizes;
  /** The named sizes the text uses or declares, so that a size given for another name is refused. */
  private final java.util.Set<String> knownSizes = new java.util.TreeSet<>();
  private final List<FunctionDef> functions = new ArrayList<>();
  private final List<Alias> aliases = new ArrayList<>();
  private final List<Token> shared = new ArrayList<>();
  private Token convention;
  private boolean strict;
  /** While a function's body or local definitions are read: {@code \sigma} alone is then a name (Ba et al.'s σ). */
  private boolean inFunction;
  /** The statement before this one defined a function: a 'where' line may give its local definitions. */
  private FunctionDef lastFunction;

  Parser(Source src, List<Token> toks) {
    this(src, toks, java.util.Map.of());
  }

  /** {@code sizes}: the named sizes beyond I and H ({@code P} in {@code state r : [P]}) and their values. */
  Parser(Source src, List<Token> toks, java.util.Map<String, Integer> sizes) {
    this.src = src;
    this.toks = toks;
    this.sizes = new java.util.HashMap<>(sizes);
    this.givenSizes = sizes.keySet();
  }

  Parsed parse() {
    List<Decl> decls = new ArrayList<>();
    List<Assign> assigns = new ArrayList<>();
    while (peek().kind() != Kind.EOF) {
      if (peek().kind() == Kind.NEWLINE) {
        i++;
        continue;
      }
      FunctionDef before = lastFunction;
      lastFunction = null;
      String keyword = peek().kind() == Kind.KEYWORD ? (String) peek().value() : "";
      switch (keyword) {
        case "strict" -> {
          i++;
          strict = true;
        }
        case "where" -> where(before);
        case "activation" -> {
          i++;
          activations();
        }
        case "shared" -> shared();
        case "convention" -> convention();
        case "size" -> size();
        case "" -> {
          if (at(Kind.USERFN) && toks.get(i + 1).kind() == Kind.LPAREN) {
            lastFunction = function();
          } else if (at(Kind.USERFN)) {
            activations();
          } else if (at(Kind.LPAREN)) {
            tuple(assigns);
          } else {
            assigns.add(assignment());
          }
        }
        default -> decls.add(declaration());
      }
      endOfStatement();
    }
    for (String name : givenSizes) {
      if (!knownSizes.contains(name)) {
        throw Source.unlocated(src.name, "the size '" + name + "' is given, but the cell has no size of that name"
            + (knownSizes.isEmpty() ? "" : " (it has " + String.join(", ", knownSizes) + ")"));
      }
    }
    return new Parsed(decls, assigns, applied, strict, functions, aliases, shared, convention);
  }

  // ---------------------------------------------------------------- functions, tuples, conventions

  private FunctionDef function() {
    Token name = take();
    i++; // the '('
    List<Token> args = names("an argument of " + name.describe(src));
    List<Token> params = new ArrayList<>();
    if (at(Kind.SEMI)) {
      i++;
      params = names("a parameter of " + name.describe(src));
    }
    if (!at(Kind.RPAREN)) {
      throw src.error(peek().start(), "expected ')' to close the arguments of " + name.describe(src)
          + ", found " + peek().describe(src));
    }
    i++;
    if (!at(Kind.EQUALS)) {
      throw src.error(peek().start(), "expected '=' and the body of " + name.describe(src) + ", found " + peek().describe(src));
    }
    i++;
    inFunction = true;
    Raw body = expr();
    inFunction = false;
    FunctionDef f = new FunctionDef(name, args, params, body, new ArrayList<>());
    functions.add(f);
    return f;
  }

  private List<Token> names(String what) {
    List<Token> out = new ArrayList<>();
    while (true) {
      Token t = nameToken();
      if (t == null) {
        throw src.error(peek().start(), "expected " + what + ", found " + peek().describe(src));
      }
      if (t.ident().time() != null || t.ident().primed() || t.ident().transposed()) {
        throw src.error(t.start(), "write " + what + " without time index, prime or transpose");
      }
      out.add(t);
      if (!at(Kind.COMMA) || toks.get(i + 1).kind() == Kind.NEWLINE || toks.get(i + 1).kind() == Kind.EOF) {
        return out; // a comma that ends the line ends the statement, as after a declaration's names
      }
      i++;
    }
  }

  /** A name, or {@code \sigma} standing for one (the standard deviation in a layer norm); null if none is next. */
  private Token nameToken() {
    Token t = peek();
    if (t.kind() == Kind.IDENT) {
      i++;
      return t;
    }
    if (t.kind() == Kind.FUNC && t.value() == Fn.SIGMOID && isGreekSigma(t)) {
      i++;
      return new Token(Kind.IDENT, t.start(), t.end(), new Token.Ident("sigma", null, false));
    }
    return null;
  }

  private boolean isGreekSigma(Token t) {
    String w = src.text.substring(t.start(), t.end());
    return w.equals("\\sigma") || w.equals("σ") || w.equals("sigma");
  }

  /** A 'where' line: the local definitions of the function defined on the line before, or activations. */
  private void where(FunctionDef before) {
    Token kw = take();
    if (at(Kind.USERFN)) {
      activations();
      return;
    }
    if (before == null) {
      throw src.error(kw.start(), "a 'where' line gives the local definitions of the function defined on the line"
          + " before it (as in 'where \\mu = \\mathrm{mean}(z)'), or activations (as in 'where g = h = \\tanh')");
    }
    inFunction = true;
    while (true) {
      Token target = nameToken();
      if (target == null) {
        throw src.error(peek().start(), "expected a local definition such as '\\mu = ...', found " + peek().describe(src));
      }
      if (!at(Kind.EQUALS)) {
        throw src.error(peek().start(), "expected '=' after '" + src.text.substring(target.start(), target.end())
            + "', found " + peek().describe(src));
      }
      i++;
      before.locals().add(new Assign(target, expr()));
      if (!at(Kind.COMMA) || toks.get(i + 1).kind() == Kind.NEWLINE || toks.get(i + 1).kind() == Kind.EOF) {
        break;
      }
      i++;
    }
    inFunction = false;
    lastFunction = before; // a second 'where' line adds to the same function
  }

  /** {@code g = h = \tanh, \phi = \tanh}. */
  private void activations() {
    while (true) {
      List<Token> names = new ArrayList<>();
      while (at(Kind.USERFN) && toks.get(i + 1).kind() == Kind.EQUALS) {
        names.add(take());
        i++;
      }
      if (names.isEmpty() || !(at(Kind.FUNC) || at(Kind.USERFN))) {
        throw src.error(peek().start(), "expected an activation such as 'g = \\tanh', found " + peek().describe(src));
      }
      aliases.add(new Alias(names, take()));
      if (!at(Kind.COMMA) || toks.get(i + 1).kind() != Kind.USERFN) {
        return;
      }
      i++;
    }
  }

  private void shared() {
    i++;
    shared.addAll(names("the name of a function's parameter after 'shared'"));
  }

  /** {@code size P = 64}: the default of a named size, which the caller's sizes (--size P=3) replace. */
  private void size() {
    i++;
    Token t = peek();
    if (t.kind() != Kind.IDENT || t.ident().time() != null || t.ident().primed()
        || !t.ident().name().matches("[A-Z][A-Za-z0-9]*") || t.ident().name().equals("I") || t.ident().name().equals("H")) {
      throw src.error(t.start(), "expected the name of a size (an upper-case letter other than I and H, as in"
          + " 'size P = 64'), found " + t.describe(src));
    }
    String name = take().ident().name();
    knownSizes.add(name);
    if (!at(Kind.EQUALS)) {
      throw src.error(peek().start(), "expected '=' and a number, as in 'size " + name + " = 64', found " + peek().describe(src));
    }
    i++;
    Token n = peek();
    if (n.kind() != Kind.NUMBER || (Double) n.value() != Math.rint((Double) n.value()) || (Double) n.value() < 1
        || (Double) n.value() > Dim.MAX_COEFFICIENT) {
      throw src.error(n.start(), "a size is a whole number from 1 to " + Dim.MAX_COEFFICIENT + ", found " + n.describe(src));
    }
    i++;
    if (!givenSizes.contains(name) && sizes.put(name, (int) (double) (Double) n.value()) != null) {
      throw src.error(t.start(), "the size '" + name + "' is given twice");
    }
  }

  /** {@code convention row}: read as a word from the text, since paper notation splits letters into names. */
  private void convention() {
    Token kw = take();
    int end = src.text.indexOf('\n', kw.end());
    // the statement ends at the line break or at "\\", as every other does
    String word = src.text.substring(kw.end(), end < 0 ? src.text.length() : end).replaceAll("[#%].*", "")
        .replaceFirst("\\\\\\\\.*", "").strip();
    if (!word.equals("row") && !word.equals("column")) {
      throw src.error(peek().start(), "expected 'row' or 'column' after 'convention', found " + peek().describe(src));
    }
    if (convention != null) {
      throw src.error(kw.start(), "the convention is declared twice");
    }
    convention = new Token(Kind.IDENT, peek().start(), peek().start() + word.length(), new Token.Ident(word, null, false));
    while (!at(Kind.NEWLINE) && !at(Kind.EOF)) {
      i++;
    }
  }

  /**
   * {@code (f_t; i_t; o_t; g_t) = expr}: one hidden value for the whole right-hand side, named after
   * the targets ({@code (f;i;o;g)}, a name no formula can write), and each target one equal part of it.
   */
  private void tuple(List<Assign> assigns) {
    Token open = take();
    List<Token> targets = new ArrayList<>();
    Kind separator = null;
    while (true) {
      Token t = peek();
      if (t.kind() != Kind.IDENT) {
        throw src.error(t.start(), "expected a name in the tuple target, found " + t.describe(src));
      }
      targets.add(take());
      if (at(Kind.RPAREN)) {
        break;
      }
      if (!(at(Kind.SEMI) || at(Kind.COMMA)) || (separator != null && peek().kind() != separator)) {
        throw src.error(peek().start(), "expected ';' or ')' in the tuple target, found " + peek().describe(src));
      }
      separator = take().kind();
    }
    Token close = take();
    if (targets.size() < 2) {
      throw src.error(open.start(), "a tuple target names two values or more, as in (f_t; i_t)");
    }
    if (!at(Kind.EQUALS)) {
      throw src.error(peek().start(), "expected '=' after the tuple target, found " + peek().describe(src));
    }
    i++;
    Raw rhs = expr();
    StringBuilder name = new StringBuilder("(");
    for (Token t : targets) {
      name.append(name.length() > 1 ? ";" : "").append(t.ident().name());
    }
    Token whole = new Token(Kind.IDENT, open.start(), close.end(), new Token.Ident(name.append(')').toString(), null, false));
    assigns.add(new Assign(whole, rhs));
    Raw wholeName = new Raw.Name(whole, open.start(), close.end(), 1);
    for (int k = 0; k < targets.size(); k++) {
      assigns.add(new Assign(targets.get(k), new Raw.Part(wholeName, k, targets.size(), open.start(), rhs.end(), 2)));
    }
  }

  private Token peek() {
    return toks.get(i);
  }

  private Token take() {
    return toks.get(i++);
  }

  private boolean at(Kind k) {
    return peek().kind() == k;
  }

  private void endOfStatement() {
    if ((at(Kind.COMMA) || at(Kind.PERIOD))
        && (toks.get(i + 1).kind() == Kind.NEWLINE || toks.get(i + 1).kind() == Kind.EOF)) {
      i++; // the comma or full stop that ends an equation in a paper
    }
    Token t = peek();
    switch (t.kind()) {
      case NEWLINE, EOF -> {}
      case RPAREN, RBRACK, RBRACE -> throw src.error(t.start(), "unbalanced brackets: "
          + t.describe(src) + " has no matching '" + opening(t.kind()) + "'");
      case EQUALS -> throw src.error(t.start(), "unexpected '=': write one definition per line");
      default -> throw src.error(t.start(), "unexpected " + t.describe(src));
    }
  }

  private static char opening(Kind close) {
    return switch (close) {
      case RPAREN -> '(';
      case RBRACK -> '[';
      default -> '{';
    };
  }

  // ---------------------------------------------------------------- statements

  private Decl declaration() {
    Token kw = take();
    String keyword = (String) kw.value();
    List<Token> names = new ArrayList<>();
    do {
      if (!names.isEmpty()) {
        i++; // the comma
      }
      Token n = peek();
      if (n.kind() != Kind.IDENT) {
        throw src.error(n.start(), "expected a name after '" + keyword + "', found " + n.describe(src));
      }
      if (n.ident().time() != null || n.ident().primed()) {
        throw src.error(n.start(), "declare '" + n.ident().name() + "' without time index or prime");
      }
      names.add(take());
    } while (at(Kind.COMMA) && toks.get(i + 1).kind() == Kind.IDENT);
    List<Dim> dims = null;
    boolean isParam = keyword.startsWith("param");
    if (keyword.equals("output") && names.size() > 1) {
      throw src.error(names.get(1).start(), "a cell has one output");
    }
    boolean diagonal = false;
    if (at(Kind.COLON) && !keyword.equals("output")) {
      i++;
      if (isParam && at(Kind.DIAG)) {
        i++;
        diagonal = true;
        dims = shape(1, false);
      } else {
        dims = shape(isParam ? 2 : 1, isParam);
      }
    } else if (isParam) {
      throw src.error(peek().start(), "expected ':' and a shape after the parameter name, as in 'param W : [H, I]'");
    }
    return new Decl(keyword, names, dims, kw.start(), diagonal);
  }

  /** {@code [dim, ...]}; {@code []}, a scalar, when {@code empty} allows it. */
  private List<Dim> shape(int maxDims, boolean empty) {
    Token open = peek();
    if (open.kind() != Kind.LBRACK) {
      throw src.error(open.start(), "expected a shape such as [H, I], found " + open.describe(src));
    }
    i++;
    List<Dim> dims = new ArrayList<>();
    if (at(Kind.RBRACK)) {
      if (!empty) {
        throw src.error(peek().start(), "expected a size such as H inside the brackets (only a parameter may be"
            + " a scalar, [])");
      }
      i++;
      return dims;
    }
    dims.add(dim());
    while (at(Kind.COMMA)) {
      i++;
      dims.add(dim());
    }
    if (!at(Kind.RBRACK)) {
      throw src.error(peek().start(), "expected ']' to close the shape, found " + peek().describe(src));
    }
    i++;
    if (dims.size() > maxDims) {
      throw src.error(open.start(), maxDims == 1 ? "a variable is a vector: give one size" : "a parameter has one or two sizes");
    }
    return dims;
  }

  /** A sum of terms, the first of which may be negative: what {@link Dim#toString()} prints. */
  private Dim dim() {
    int start = peek().start();
    boolean negative = at(Kind.MINUS);
    if (negative) {
      i++;
    }
    Dim d = dimTerm();
    if (negative) {
      d = Dim.of(0).minus(d);
    }
    while (at(Kind.PLUS) || at(Kind.MINUS)) {
      boolean minus = take().kind() == Kind.MINUS;
      Dim t = dimTerm();
      d = minus ? d.minus(t) : d.plus(t);
      if (!d.fits()) {
        throw src.error(start, "size too large: " + d + " (each of its numbers is at most " + Dim.MAX_COEFFICIENT + ")");
      }
    }
    return d;
  }

  private Dim dimTerm() {
    long k = 1;
    boolean number = false;
    if (at(Kind.NUMBER)) {
      double v = (Double) peek().value();
      if (v != Math.rint(v)) {
        throw src.error(peek().start(), "a size must be a whole number");
      }
      if (v > Dim.MAX_COEFFICIENT) {
        throw src.error(peek().start(), "size too large: " + src.text.substring(peek().start(), peek().end())
            + " (each of its numbers is at most " + Dim.MAX_COEFFICIENT + ")");
      }
      k = (long) v;
      number = true;
      i++;
      if (at(Kind.STAR)) {
        i++;
      } else if (!at(Kind.IDENT)) {
        return Dim.of(k);
      }
    }
    Token t = peek();
    if (t.kind() == Kind.IDENT && t.ident().time() == null && !t.ident().primed()
        && (t.ident().name().equals("H") || t.ident().name().equals("I"))) {
      i++;
      return (t.ident().name().equals("H") ? Dim.H : Dim.I).times(k);
    }
    if (t.kind() == Kind.IDENT && t.ident().time() == null && !t.ident().primed()
        && t.ident().name().matches("[A-Z][A-Za-z0-9_]*")) {
      Integer size = sizes.get(t.ident().name());
      knownSizes.add(t.ident().name());
      if (size == null) {
        throw src.error(t.start(), "the size '" + t.ident().name() + "' is not given: give it on the command line as --size "
            + t.ident().name() + "=N, in Java to CellSpec.parse(text, name, Map.of(\"" + t.ident().name() + "\", N), Map.of()),"
            + " or as a default with a line 'size " + t.ident().name() + " = N' before it is used");
      }
      i++;
      return Dim.named(t.ident().name(), size).times(k);
    }
    throw src.error(t.start(), "a size is written with I, H, named sizes (P, given with --size P=N) and whole numbers,"
        + " like H+I or 2H" + (number ? "" : ", found " + t.describe(src)));
  }

  private Assign assignment() {
    Token target = peek();
    if (target.kind() == Kind.FUNC && toks.get(i + 1).kind() == Kind.LPAREN) {
      throw src.error(target.start(), target.describe(src) + " is a built-in function, which a cell cannot define:"
          + " give yours another name, as in F(z) = ...");
    }
    if (target.kind() != Kind.IDENT) {
      throw src.error(target.start(), "expected a definition such as 'h_t = ...', found " + target.describe(src));
    }
    i++;
    if (!at(Kind.EQUALS)) {
      throw src.error(peek().start(), "expected '=' after '" + src.text.substring(target.start(), target.end())
          + "', found " + peek().describe(src));
    }
    i++;
    return new Assign(target, expr());
  }

  // ---------------------------------------------------------------- expressions

  private void enter(int at) {
    if (++depth > MAX_NESTING) {
      throw src.error(at, "formula nested too deeply (more than " + MAX_NESTING
          + " levels of brackets, functions and signs)");
    }
  }

  private CellFormulaException tooDeep(int at) {
    return src.error(at, "formula nested too deeply (more than " + CellSpec.MAX_DEPTH + " levels)");
  }

  private int height(int at, Raw... children) {
    int h = 0;
    for (Raw c : children) {
      h = Math.max(h, c.height());
    }
    if (h + 1 > CellSpec.MAX_DEPTH) {
      throw tooDeep(at);
    }
    return h + 1;
  }

  private Raw expr() {
    enter(peek().start());
    Raw left = term();
    while (at(Kind.PLUS) || at(Kind.MINUS)) {
      BinaryOp op = take().kind() == Kind.PLUS ? BinaryOp.ADD : BinaryOp.SUB;
      Raw right = term();
      left = new Raw.Bin(op, left, right, left.start(), right.end(), height(left.start(), left, right));
    }
    depth--;
    return left;
  }

  private Raw term() {
    Raw left = unary();
    while (at(Kind.STAR) || at(Kind.SLASH)) {
      BinaryOp op = take().kind() == Kind.STAR ? BinaryOp.MUL : BinaryOp.DIV;
      Raw right = unary();
      left = new Raw.Bin(op, left, right, left.start(), right.end(), height(left.start(), left, right));
    }
    return left;
  }

  private Raw unary() {
    if (at(Kind.MINUS)) {
      Token minus = take();
      enter(minus.start());
      Raw operand = unary();
      depth--;
      return new Raw.Neg(operand, minus.start(), operand.end(), height(minus.start(), operand));
    }
    return product();
  }

  private boolean startsAtom(Kind k) {
    return switch (k) {
      case IDENT, NUMBER, FUNC, USERFN, LPAREN, LBRACK, LBRACE, FRAC, SUM, DIAG -> true;
      default -> false;
    };
  }

  private Raw product() {
    List<Raw> atoms = new ArrayList<>();
    atoms.add(power());
    while (true) {
      if (at(Kind.DOT)) {
        Token dot = take();
        if (!startsAtom(peek().kind())) {
          throw src.error(peek().start(), "expected an operand after " + dot.describe(src) + ", found " + peek().describe(src));
        }
      } else if (!startsAtom(peek().kind())) {
        break;
      }
      atoms.add(power());
    }
    Raw r = atoms.get(atoms.size() - 1);
    for (int k = atoms.size() - 2; k >= 0; k--) {
      Raw l = atoms.get(k);
      r = new Raw.Prod(l, r, l.start(), r.end(), height(l.start(), l, r));
    }
    return r;
  }

  private Raw atom() {
    Token t = peek();
    switch (t.kind()) {
      case NUMBER -> {
        i++;
        return new Raw.Num((Double) t.value(), t.start(), t.end(), 1);
      }
      case IDENT -> {
        i++;
        if (at(Kind.LPAREN)) {
          applied.add(new Applied(t, peek()));
        }
        return new Raw.Name(t, t.start(), t.end(), 1);
      }
      case USERFN -> {
        return userCall();
      }
      case FUNC -> {
        if (inFunction && t.value() == Fn.SIGMOID && isGreekSigma(t) && !startsAtom(toks.get(i + 1).kind())) {
          Token name = nameToken(); // σ applied to nothing, in a function: Ba et al.'s standard deviation
          return new Raw.Name(name, t.start(), t.end(), 1);
        }
        i++;
        enter(t.start());
        Fn fn = (Fn) t.value();
        Kind next = peek().kind();
        List<Raw> args = new ArrayList<>();
        if (next == Kind.LPAREN) {
          Token open = take();
          args.add(expr());
          while (at(Kind.COMMA)) {
            i++;
            args.add(expr());
          }
          close(open, Kind.RPAREN);
          arity(t, fn, args.size());
        } else if (fn == Fn.SQRT && next == Kind.LBRACK) {
          throw src.error(peek().start(), "an n-th root \\sqrt[n]{...} is not supported: write (...)^{1/n}");
        } else if (next == Kind.LBRACE || next == Kind.LBRACK) {
          args.add(atom());
        } else if (startsAtom(next)) {
          args.add(product());
        } else {
          throw src.error(peek().start(), "expected the argument of " + t.describe(src) + ", found " + peek().describe(src));
        }
        if (args.size() == 1 && fn.minArgs() > 1) {
          arity(t, fn, 1);
        }
        depth--;
        int end = next == Kind.LPAREN ? toks.get(i - 1).end() : args.get(0).end();
        return new Raw.Call(fn, ImmutableList.copyOf(args), null, t.start(), end,
            height(t.start(), args.toArray(new Raw[0])));
      }
      case SUM -> {
        i++;
        enter(t.start());
        if (!startsAtom(peek().kind())) {
          throw src.error(peek().start(), "expected what the sum adds up, found " + peek().describe(src));
        }
        Raw arg = product();
        depth--;
        return new Raw.Call(Fn.SUM, ImmutableList.of(arg), (String) t.value(), t.start(), arg.end(),
            height(t.start(), arg));
      }
      case DIAG -> {
        i++;
        enter(t.start());
        if (!at(Kind.LPAREN)) {
          throw src.error(peek().start(), "expected '(' after diag, as in diag(w) c");
        }
        Token open = take();
        Raw arg = expr();
        Token close = close(open, Kind.RPAREN);
        depth--;
        return new Raw.Diag(arg, t.start(), close.end(), height(t.start(), arg));
      }
      case LPAREN, LBRACE -> {
        i++;
        enter(t.start());
        Raw inner = expr();
        Token close = close(t, t.kind() == Kind.LPAREN ? Kind.RPAREN : Kind.RBRACE);
        depth--;
        return new Raw.Group(inner, t.start(), close.end(), inner.height());
      }
      case LBRACK -> {
        i++;
        enter(t.start());
        List<Raw> parts = new ArrayList<>();
        parts.add(expr());
        while (at(Kind.COMMA)) {
          i++;
          parts.add(expr());
        }
        Token close = close(t, Kind.RBRACK);
        depth--;
        Raw[] ps = parts.toArray(new Raw[0]);
        if (parts.size() == 1) { // [a] is a bracket, as in \tanh[W x + b]
          return new Raw.Group(parts.get(0), t.start(), close.end(), parts.get(0).height());
        }
        return new Raw.Cat(ImmutableList.copyOf(parts), t.start(), close.end(), height(t.start(), ps));
      }
      case FRAC -> {
        i++;
        enter(t.start());
        Raw num = fracArgument(t);
        Raw den = fracArgument(t);
        depth--;
        return new Raw.Bin(BinaryOp.DIV, num, den, t.start(), den.end(), height(t.start(), num, den));
      }
      case NEWLINE, EOF -> throw src.error(t.start(), "expected an operand at the end of the line");
      case RPAREN, RBRACK, RBRACE -> throw src.error(t.start(), "expected an operand, found " + t.describe(src));
      default -> throw src.error(t.start(), "expected an operand, found " + t.describe(src));
    }
  }

  /** {@code LN(a)}, {@code LN(a; \alpha_1, \beta_1)}, {@code g(a)}, or, like a built-in, {@code \phi x}. */
  private Raw userCall() {
    Token t = take();
    enter(t.start());
    List<Raw> args = new ArrayList<>();
    List<Token> params = new ArrayList<>();
    int end;
    if (at(Kind.LPAREN)) {
      Token open = take();
      args.add(expr());
      while (at(Kind.COMMA)) {
        i++;
        args.add(expr());
      }
      if (at(Kind.SEMI)) {
        i++;
        params = names("a parameter name for " + t.describe(src));
      }
      end = close(open, Kind.RPAREN).end();
    } else if (at(Kind.LBRACE) || at(Kind.LBRACK)) {
      args.add(atom());
      end = args.get(0).end();
    } else if (startsAtom(peek().kind())) {
      args.add(product());
      end = args.get(0).end();
    } else {
      throw src.error(peek().start(), "expected the argument of " + t.describe(src) + ", found " + peek().describe(src));
    }
    depth--;
    return new Raw.UserCall(t, ImmutableList.copyOf(args), ImmutableList.copyOf(params), t.start(), end,
        height(t.start(), args.toArray(new Raw[0])));
  }

  private void arity(Token name, Fn fn, int n) {
    if (n < fn.minArgs() || n > fn.maxArgs()) {
      String want = fn.minArgs() == fn.maxArgs() ? String.valueOf(fn.minArgs()) : fn.minArgs() + " to " + fn.maxArgs();
      throw src.error(name.start(), fn.canonicalName() + " takes " + want + " argument" + (fn.maxArgs() == 1 ? "" : "s")
          + usage(fn) + ", not " + n);
    }
  }

  private static String usage(Fn fn) {
    return switch (fn) {
      case CLIP -> " (x, min, max)";
      case MAX, MIN -> " (a, b)";
      case LEAKY_RELU -> " (x[, slope])";
      case ELU -> " (x[, alpha])";
      case HARDTANH -> " (x[, min, max])";
      default -> "";
    };
  }

  /** An atom and its powers: {@code (a - \mu)^2}, {@code \sqrt{v}^{-1}}, {@code x^{1/2}}. */
  private Raw power() {
    Raw base = atom();
    while (at(Kind.CARET)) {
      Token caret = take();
      double p = exponent(caret);
      int end = toks.get(i - 1).end();
      base = new Raw.Pow(base, p, base.start(), end, height(base.start(), base));
    }
    return base;
  }

  private double exponent(Token caret) {
    Token t = peek();
    Raw e;
    if (t.kind() == Kind.NUMBER) {
      i++;
      return (Double) t.value();
    } else if (t.kind() == Kind.MINUS && toks.get(i + 1).kind() == Kind.NUMBER) {
      i += 2;
      return -(Double) toks.get(i - 1).value();
    } else if (t.kind() == Kind.LBRACE || t.kind() == Kind.LPAREN) {
      e = atom();
    } else if (t.kind() == Kind.IDENT && t.ident().name().equals("T")) {
      throw src.error(t.start(), "a transpose applies to a parameter (W^T x), not to a bracket or a number");
    } else {
      throw src.error(t.start(), "expected an exponent after '^', such as ^2 or ^{1/2}, found " + t.describe(src));
    }
    Double v = constant(e);
    if (v == null || !Double.isFinite(v)) {
      throw src.error(t.start(), "an exponent must be a constant number, such as ^2, ^{1/2} or ^{-1}, not '"
          + src.text.substring(e.start(), e.end()) + "'");
    }
    return v;
  }

  /** The value of a bracket of numbers and arithmetic ({@code {1/2}}, {@code {-1}}), else null. */
  private static Double constant(Raw r) {
    if (r instanceof Raw.Num n) {
      return n.value();
    } else if (r instanceof Raw.Group g) {
      return constant(g.inner());
    } else if (r instanceof Raw.Neg g) {
      Double v = constant(g.operand());
      return v == null ? null : -v;
    } else if (r instanceof Raw.Bin b) {
      Double l = constant(b.left());
      Double x = constant(b.right());
      if (l == null || x == null) {
        return null;
      }
      return switch (b.op()) {
        case ADD -> l + x;
        case SUB -> l - x;
        case MUL -> l * x;
        case DIV -> l / x;
      };
    }
    return null;
  }

  private Raw fracArgument(Token frac) {
    Token open = peek();
    if (open.kind() != Kind.LBRACE) {
      throw src.error(open.start(), "expected '{' after \\frac, found " + open.describe(src));
    }
    return atom();
  }

  private Token close(Token open, Kind expected) {
    Token t = peek();
    if (t.kind() == expected) {
      i++;
      return t;
    }
    String o = open.describe(src);
    switch (t.kind()) {
      case NEWLINE, EOF -> throw src.error(open.start(), "unbalanced brackets: " + o + " is never closed");
      case RPAREN, RBRACK, RBRACE -> throw src.error(t.start(), "unbalanced brackets: " + o + " at "
          + src.lineOf(open.start()) + ":" + src.columnOf(open.start()) + " is closed by " + t.describe(src));
      default -> throw src.error(t.start(), "expected " + closing(expected) + " to close " + o + ", found " + t.describe(src));
    }
  }

  private static String closing(Kind k) {
    return switch (k) {
      case RPAREN -> "')'";
      case RBRACK -> "']'";
      default -> "'}'";
    };
  }
}
