package dev.cellgraph.cells.lang;

import static dev.cellgraph.cells.lang.Letters.GREEK_LETTERS;
import static dev.cellgraph.cells.lang.Letters.isAsciiLetter;
import static dev.cellgraph.cells.lang.Letters.isDigit;
import static dev.cellgraph.cells.lang.Letters.isGreek;
import static dev.cellgraph.cells.lang.Letters.isLetter;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import dev.cellgraph.cells.lang.Token.Ident;
import dev.cellgraph.cells.lang.Token.Kind;
import dev.cellgraph.core.Suggest;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a cell's text into tokens. Two identifier rules exist (see docs/cell-language.md):
 * in paper notation letters written together multiply, as in LaTeX math ({@code Ws_{t-1}} is
 * {@code W} then {@code s_{t-1}}), except function words, which are recognized first; in
 * primed notation identifiers are words ({@code W_ir}). Display-math decoration ({@code $},
 * {@code &}, {@code \begin{aligned}}, spacing commands) is skipped; {@code \\} ends a statement.
 */
final class Lexer {
  private static final ImmutableSet<String> GREEK_COMMANDS = ImmutableSet.of(
      "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
      "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon",
      "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi",
      "Sigma", "Upsilon", "Phi", "Psi", "Omega");
  private static final ImmutableSet<String> SKIPPED_COMMANDS = ImmutableSet.of(
      "left", "right", "quad", "qquad", "nonumber", "notag", "displaystyle", "textstyle",
      "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl",
      "Biggr", "middle", "limits");
  private static final ImmutableSet<String> SKIPPED_WITH_ARGUMENT = ImmutableSet.of("label", "tag");
  private static final ImmutableSet<String> NAME_COMMANDS = ImmutableSet.of(
      "mathrm", "text", "textrm", "operatorname", "mathit", "mathbf", "boldsymbol", "bm",
      "mathsf", "mathtt", "vec", "textit", "textbf");
  /** Styles papers set function names in: such a name applied to a bracket is a function, never a product. */
  private static final ImmutableSet<String> FUNCTION_STYLES =
      ImmutableSet.of("mathrm", "text", "textrm", "operatorname", "mathit", "textit", "mathsf", "mathtt");
  private static final ImmutableMap<String, String> ACCENT_COMMANDS = ImmutableMap.of(
      "tilde", "~", "widetilde", "~", "hat", "^", "widehat", "^", "bar", "¯", "overline", "¯");
  private static final ImmutableMap<String, Kind> OPERATOR_COMMANDS = ImmutableMap.of(
      "cdot", Kind.DOT, "odot", Kind.STAR, "circ", Kind.STAR, "ast", Kind.STAR,
      "frac", Kind.FRAC, "dfrac", Kind.FRAC, "tfrac", Kind.FRAC);
  static final ImmutableSet<String> KEYWORDS = ImmutableSet.of("input", "inputs", "state", "states", "output",
      "param", "params", "where", "activation", "shared", "convention", "size");
  /** The longest number literal accepted, in characters. */
  static final int MAX_NUMBER_CHARS = 40;
  /** A transpose superscript as {@link #scriptContent} reads it: {@code T}, {@code {T}}, {@code {\\mathsf T}}, {@code {\\top}}. */
  private static final ImmutableSet<String> TRANSPOSE = ImmutableSet.of("T", "\\top", "\u22a4", "\\intercal");
  private static final Pattern TIME = Pattern.compile("t(?:([+-])([0-9]+))?");

  private final Source src;
  private final String s;
  private final boolean words;
  private final boolean latex;
  private final int nesting;
  /** The names the text defines as functions ({@link UserFunctions#names}): each is a {@code USERFN} token. */
  private final ImmutableSet<String> userFunctions;
  private final List<Token> out = new ArrayList<>();
  private int p;
  private boolean statementStart = true;
  /** The run of ASCII letters last measured by paperLetter, so that a long run is scanned once. */
  private int runStart = -1;
  private int runEnd = -1;
  private boolean runCalled;
  /** The parts of the last name read, for a lexer of the braces in {@code \tilde{W_z}}. */
  private Inner last;

  /**
   * A name in parts. An accent over a name with scripts goes on its letter, so
   * {@code \tilde{W_{z}}} is {@code \tilde{W}_{z}} (canonically {@code W~_z}), and its
   * time index and prime are kept ({@code \hat{h_{t-1}}} is {@code \hat{h}_{t-1}}).
   */
  private record Inner(String base, String sub, String sup, Integer time, boolean primed) {}

  Lexer(Source src, boolean words, boolean latex) {
    this(src, words, latex, ImmutableSet.of(), 0);
  }

  Lexer(Source src, boolean words, boolean latex, ImmutableSet<String> userFunctions) {
    this(src, words, latex, userFunctions, 0);
  }

  private Lexer(Source src, boolean words, boolean latex, ImmutableSet<String> userFunctions, int nesting) {
    this.nesting = nesting;
    this.userFunctions = userFunctions;
    this.src = src;
    this.s = src.text;
    this.words = words;
    this.latex = latex;
  }

  List<Token> tokens() {
    while (p < s.length()) {
      int before = p;
      next();
      if (p == before) { // a rule that reads nothing would add tokens here until the heap is gone
        throw new IllegalStateException("the lexer read nothing at offset " + p + " of " + src.name);
      }
    }
    add(Kind.EOF, s.length(), s.length(), null);
    return out;
  }

  private void add(Kind k, int start, int end, Object value) {
    out.add(new Token(k, start, end, value));
    statementStart = k == Kind.NEWLINE;
  }

  private void next() {
    char c = s.charAt(p);
    int start = p;
    switch (c) {
      case ' ', '\t', '\r', '\f', '\u00a0', '$', '&' -> p++;
      case '~' -> p++; // in LaTeX a non-breaking space; as an accent it follows a name
      case '\n' -> {
        p++;
        add(Kind.NEWLINE, start, p, null);
      }
      case '#', '%' -> {
        while (p < s.length() && s.charAt(p) != '\n') {
          p++;
        }
      }
      case '+' -> single(Kind.PLUS);
      case '-', '\u2212' -> single(Kind.MINUS);
      case '*', '\u2217', '\u2299', '\u2218' -> single(Kind.STAR);
      case '/' -> single(Kind.SLASH);
      case '@', '\u00b7', '\u22c5' -> single(Kind.DOT);
      case '(' -> single(Kind.LPAREN);
      case ')' -> single(Kind.RPAREN);
      case '[' -> single(Kind.LBRACK);
      case ']' -> single(Kind.RBRACK);
      case '{' -> single(Kind.LBRACE);
      case '}' -> single(Kind.RBRACE);
      case ',' -> single(Kind.COMMA);
      case ';' -> single(Kind.SEMI);
      case '=' -> single(Kind.EQUALS);
      case ':' -> single(Kind.COLON);
      case '\\' -> command();
      default -> {
        if (isDigit(c) || (c == '.' && p + 1 < s.length() && isDigit(s.charAt(p + 1)))) {
          number();
        } else if (c == '.') {
          single(Kind.PERIOD);
        } else if (isLetter(c) || c == 'σ') {
          name();
        } else if (c == '^' && powerFollows()) {
          caret();
        } else if (c == '\u221a') { // √
          single(Kind.FUNC, Fn.SQRT);
        } else if (c == '\u2211') { // ∑
          p++;
          sum(start);
        } else if (c == '_' || c == '^') {
          throw src.error(p, "'" + c + "' must follow a name, or '^' a closing bracket (a power, as in (a - b)^2)");
        } else if (c == '\'' || c == '\u2032') {
          throw src.error(p, "a prime must follow a name, as in h'");
        } else {
          throw src.error(p, "unexpected character '" + new String(Character.toChars(s.codePointAt(p))) + "'");
        }
      }
    }
  }

  private void single(Kind k) {
    add(k, p, p + 1, null);
    p++;
  }

  private void single(Kind k, Object value) {
    add(k, p, p + 1, value);
    p++;
  }

  /** A '^' is a power when it follows a closing bracket or a number: {@code (a - \mu)^2}, {@code \sqrt{v}^{-1}}. */
  private boolean powerFollows() {
    if (out.isEmpty()) {
      return false;
    }
    Token last = out.get(out.size() - 1);
    return last.end() == p && switch (last.kind()) {
      case RPAREN, RBRACK, RBRACE, NUMBER -> true;
      default -> false;
    };
  }

  /** '^' as a power; in LaTeX an unbraced exponent is one character ({@code x^23} is x² times 3). */
  private void caret() {
    single(Kind.CARET);
    if (latex && p < s.length() && isDigit(s.charAt(p))) {
      add(Kind.NUMBER, p, p + 1, (double) (s.charAt(p) - '0'));
      p++;
    }
  }

  /**
   * After {@code \sum} or {@code ∑}: its limits, skipped but for the index, which the summand's
   * names drop ({@code \sum_{i=1}^{H} a_i} sums a): {@code _i}, {@code _{i}}, {@code _{i=1}},
   * {@code ^H}, {@code ^{H}}.
   */
  private void sum(int start) {
    String index = null;
    for (int round = 0; round < 2 && p < s.length() && (s.charAt(p) == '_' || s.charAt(p) == '^'); round++) {
      char kind = s.charAt(p);
      int at = p;
      p++;
      String limit;
      if (p < s.length() && s.charAt(p) == '{') {
        limit = braced(at, "limit").strip();
      } else if (p < s.length() && (isAsciiLetter(s.charAt(p)) || isDigit(s.charAt(p)))) {
        limit = String.valueOf(s.charAt(p++));
      } else {
        throw src.error(at, "expected the " + (kind == '_' ? "index" : "upper limit") + " of the sum");
      }
      if (kind == '_') {
        String i = limit.replaceAll("\\s", "").replaceFirst("=.*", "");
        if (!i.matches("[a-z]")) {
          throw src.error(at, "unsupported summation index '" + limit + "': a sum runs over the hidden axis with a"
              + " one-letter index, as in \\sum_i z_i or \\sum_{i=1}^{H} z_i");
        }
        index = i;
      } else if (!limit.matches("H|n|N|d|D|[ ]*")) {
        throw src.error(at, "unsupported upper limit '" + limit + "': a sum runs over the whole hidden axis (^H)");
      }
    }
    add(Kind.SUM, start, p, index);
  }

  private void number() {
    int start = p;
    while (p < s.length() && isDigit(s.charAt(p))) {
      p++;
    }
    if (p + 1 < s.length() && s.charAt(p) == '.' && isDigit(s.charAt(p + 1))) {
      p++;
      while (p < s.length() && isDigit(s.charAt(p))) {
        p++;
      }
    }
    if (p - start > MAX_NUMBER_CHARS) {
      throw src.error(start, "number too long");
    }
    add(Kind.NUMBER, start, p, Double.parseDouble(s.substring(start, p)));
  }

  // ---------------------------------------------------------------- LaTeX commands

  private void command() {
    int start = p;
    if (p + 1 >= s.length()) {
      throw src.error(p, "'\\' must start a command");
    }
    char c = s.charAt(p + 1);
    if (c == '\\') {
      p += 2;
      skipOptionalBracket();
      add(Kind.NEWLINE, start, p, null);
      return;
    }
    if (!isAsciiLetter(c)) {
      if (c == ',' || c == ';' || c == '!' || c == ':' || c == ' ' || c == '>') {
        p += 2;
        return;
      }
      throw src.error(p, "unknown command '\\" + c + "'");
    }
    String name = commandName();
    if (name.equals("begin") || name.equals("end")) {
      String env = braced(start, "environment name").strip();
      if (name.equals("begin") && (env.equals("array") || env.equals("tabular"))) {
        skipSpaces();
        if (p < s.length() && s.charAt(p) == '{') {
          braced(start, "column specification");
        }
      }
      return;
    }
    if (SKIPPED_COMMANDS.contains(name)) {
      return;
    }
    if (SKIPPED_WITH_ARGUMENT.contains(name)) {
      skipSpaces();
      braced(start, "argument");
      return;
    }
    if (name.equals("sum")) {
      sum(start);
      return;
    }
    if ((name.equals("max") || name.equals("min") || name.equals("arg")) && p < s.length() && s.charAt(p) == '_') {
      throw src.error(start, "'\\" + name + "_' (a " + (name.equals("min") ? "minimum" : "maximum")
          + " over an index) is not supported: \\max(a, b) and \\min(a, b) are elementwise");
    }
    if (name.equals("prod") || name.equals("int") || name.equals("partial") || name.equals("nabla")) {
      throw src.error(start, "'\\" + name + "' is not supported in a cell's formulas");
    }
    Kind op = OPERATOR_COMMANDS.get(name);
    if (op != null) {
      add(op, start, p, null);
      return;
    }
    Fn fn = Fn.bySpelling(name);
    if (fn != null && !(GREEK_COMMANDS.contains(name) && nameAhead(p))) {
      add(Kind.FUNC, start, p, fn);
      return;
    }
    p = start;
    name();
  }

  static boolean isGreekCommand(String command) {
    return GREEK_COMMANDS.contains(command);
  }

  private String commandName() {
    int q = p + 1;
    while (q < s.length() && isAsciiLetter(s.charAt(q))) {
      q++;
    }
    String name = s.substring(p + 1, q);
    p = q;
    return name;
  }

  private void skipOptionalBracket() { // "\\[2pt]"
    if (p < s.length() && s.charAt(p) == '[') {
      // a spacing such as [2pt] is short: looking further would make a run of "\\[" quadratic
      int q = p + 1;
      while (q < s.length() && q - p <= 24 && s.charAt(q) != ']') {
        q++;
      }
      if (q < s.length() && s.charAt(q) == ']' && s.substring(p + 1, q).matches("[ \\t]*[0-9.]+[ \\t]*[a-z]{2}[ \\t]*")) {
        p = q + 1;
      }
    }
  }

  private void skipSpaces() {
    while (p < s.length() && (s.charAt(p) == ' ' || s.charAt(p) == '\t')) {
      p++;
    }
  }

  /** Reads {@code {...}} at p (nesting allowed, on one line) and returns what is inside. */
  private String braced(int cmdStart, String what) {
    if (p >= s.length() || s.charAt(p) != '{') {
      throw src.error(p < s.length() ? p : cmdStart, "expected '{' with the " + what);
    }
    int open = p;
    int depth = 0;
    for (int q = p; q < s.length(); q++) {
      char c = s.charAt(q);
      if (c == '\n') {
        break;
      }
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        p = q + 1;
        return s.substring(open + 1, q);
      }
    }
    throw src.error(open, "unbalanced brackets: '{' is never closed");
  }

  // ---------------------------------------------------------------- names

  private void name() {
    int start = p;
    if (statementStart && keywordAhead()) {
      return;
    }
    StringBuilder base = new StringBuilder();
    Inner given = null;
    char c = s.charAt(p);
    if (c == '\\') {
      String cmd = commandName();
      if (GREEK_COMMANDS.contains(cmd)) {
        base.append(cmd);
      } else if (ACCENT_COMMANDS.containsKey(cmd)) {
        skipSpaces();
        int argStart = p;
        String inner = braced(start, "accented name").strip();
        given = innerName(inner, argStart + 1);
        base.append(given.base()).append(ACCENT_COMMANDS.get(cmd));
      } else if (NAME_COMMANDS.contains(cmd)) {
        skipSpaces();
        int argStart = p;
        String inner = braced(start, "name").strip();
        if (userFunctions.contains(inner)) {
          add(Kind.USERFN, start, p, inner);
          return;
        }
        Fn fn = Fn.bySpelling(inner.replace("\\_", "_"));
        if (fn != null && (fn.recognizedBare() || FunctionNames.calledAt(s, p))) {
          add(Kind.FUNC, start, p, fn);
          return;
        }
        if (inner.equals("diag") && FUNCTION_STYLES.contains(cmd)) {
          add(Kind.DIAG, start, p, null);
          return;
        }
        if (FUNCTION_STYLES.contains(cmd) && FunctionNames.calledAt(s, p)
            && inner.matches("[A-Za-z]([A-Za-z0-9_]|\\\\_)*")) {
          throw src.error(start, FunctionNames.unknown(inner.replace("\\_", "_")));
        }
        if (inner.startsWith("\\")) {
          given = innerName(inner, argStart + 1);
          base.append(given.base());
        } else if (inner.matches("[A-Za-z][A-Za-z0-9]*")) {
          base.append(inner);
        } else {
          throw src.error(argStart, "a name must be letters and digits, not '" + inner + "'");
        }
      } else {
        throw src.error(start,
            "unknown command '\\" + cmd + "'" + Suggest.IN_FORMULAS.suffix(cmd, knownCommands(), "\\"));
      }
    } else if (c == 'σ') {
      p++; // past the letter either way: word() reads no σ, and a name read nowhere looped here
      if (!nameAhead(p)) {
        add(Kind.FUNC, start, p, Fn.SIGMOID);
        return;
      }
      base.append("sigma"); // σ_t, Ba et al.'s standard deviation, in every notation
    } else if (words) {
      if (word(start, base)) {
        return;
      }
    } else {
      if (paperLetter(start, base)) {
        return;
      }
    }
    accents(base);
    scripts(start, base, given);
  }

  /** A name given inside braces, as in \tilde{C} or \mathbf{\hat{h}}. */
  private Inner innerName(String inner, int offset) {
    if (nesting >= 4) {
      throw src.error(offset, "accents and styles nested too deeply");
    }
    Source sub = new Source(src.name, inner);
    List<Token> toks;
    Lexer lexer = new Lexer(sub, words, latex, ImmutableSet.of(), nesting + 1);
    try {
      toks = lexer.tokens();
    } catch (CellFormulaException e) {
      throw src.error(offset, e.detail());
    }
    if (toks.size() != 2 || toks.get(0).kind() != Kind.IDENT) {
      throw src.error(offset, "expected one name inside the braces, not '" + inner + "'");
    }
    return lexer.last;
  }

  private boolean keywordAhead() {
    int q = p;
    while (q < s.length() && isAsciiLetter(s.charAt(q))) {
      q++;
    }
    String w = s.substring(p, q);
    if (w.equals("strict") && s.substring(q, s.indexOf('\n', q) < 0 ? s.length() : s.indexOf('\n', q)).matches("[ \t\r]*([#%].*|\\\\\\\\.*)?")) {
      add(Kind.KEYWORD, p, q, w); // a statement of its own (to the line's end or "\\"): every parameter must be declared
      p = q;
      return true;
    }
    if (!KEYWORDS.contains(w) || q >= s.length() || (s.charAt(q) != ' ' && s.charAt(q) != '\t')) {
      return false;
    }
    int r = q;
    while (r < s.length() && (s.charAt(r) == ' ' || s.charAt(r) == '\t')) {
      r++;
    }
    if (r >= s.length() || s.charAt(r) == '=' || s.charAt(r) == '\n') {
      return false;
    }
    add(Kind.KEYWORD, p, q, w);
    p = q;
    return true;
  }

  /** Primed notation: a whole word is one name, unless it is a function word. */
  private boolean word(int start, StringBuilder base) {
    while (p < s.length() && (isLetter(s.charAt(p)) || isDigit(s.charAt(p)))) {
      char c = s.charAt(p);
      if (isGreek(c)) {
        base.append(GREEK_LETTERS.get(String.valueOf(c)));
      } else {
        base.append(c);
      }
      p++;
    }
    String w = base.toString();
    boolean scripted = p < s.length() && (s.charAt(p) == '_' || s.charAt(p) == '^' || s.charAt(p) == '\'');
    if (userFunctions.contains(w) && !scripted) {
      add(Kind.USERFN, start, p, w); // before the check below, which would call phi( an unknown function
      return true;
    }
    int wordEnd = FunctionNames.wordEnd(s, start);
    Fn joined = wordEnd > p && s.charAt(p) == '_' && FunctionNames.calledAt(s, wordEnd)
        ? Fn.bySpelling(s.substring(start, wordEnd)) : null;
    if (joined != null) { // leaky_relu(x): one function word, joined by '_'
      p = wordEnd;
      add(Kind.FUNC, start, p, joined);
      return true;
    }
    if (w.equals("diag") && diagAhead(p)) {
      add(Kind.DIAG, start, p, null);
      return true;
    }
    Fn fn = scripted ? null : Fn.bySpelling(w); // sigma_LN1 is a name: a function is never subscripted
    if (fn != null && (fn.recognizedBare() || FunctionNames.calledAt(s, p)) && !(w.equals("sigma") && nameAhead(p))) {
      add(Kind.FUNC, start, p, fn);
      return true;
    }
    if (p < s.length() && s.charAt(p) == '(' && w.length() >= 3 && w.chars().allMatch(Letters::isAsciiLetter)) {
      throw unknownFunction(start, w);
    }
    int end = FunctionNames.wordEnd(s, start);
    if (end > p && s.charAt(p) == '_' && FunctionNames.calledAt(s, end)
        && FunctionNames.functionWord(s.substring(start, end), s.charAt(end) == '(')) {
      throw unknownFunction(start, s.substring(start, end)); // hard_sigmoid(x), not a parameter named so
    }
    return false;
  }

  /** Paper notation: one letter is one name, but function words are recognized first. */
  private boolean paperLetter(int start, StringBuilder base) {
    char c = s.charAt(p);
    if (isAsciiLetter(c)) {
      int userEnd = FunctionNames.wordEnd(s, p);
      if (userEnd - p > 1 && userFunctions.contains(s.substring(p, userEnd))) {
        p = userEnd;
        add(Kind.USERFN, start, p, s.substring(start, p));
        return true;
      }
      if (p < runStart || p >= runEnd) {
        int q = p;
        while (q < s.length() && isAsciiLetter(s.charAt(q))) {
          q++;
        }
        int r = q;
        while (r < s.length() && (s.charAt(r) == ' ' || s.charAt(r) == '\t')) {
          r++;
        }
        runStart = p;
        runEnd = q;
        runCalled = r < s.length() && s.charAt(r) == '(';
        int end = FunctionNames.wordEnd(s, p);
        String word = s.substring(p, end);
        if (end > q && FunctionNames.calledAt(s, end) && Fn.bySpelling(word) != null) {
          p = end; // leaky_relu(z): one function word, joined by '_'
          add(Kind.FUNC, start, p, Fn.bySpelling(word));
          return true;
        }
        if (word.equals("diag") && diagAhead(end)) {
          p = end;
          add(Kind.DIAG, start, p, null);
          return true;
        }
        if (FunctionNames.calledAt(s, end) && FunctionNames.functionWord(s.substring(p, end), s.charAt(end) == '(')
            && Fn.bySpelling(s.substring(p, end)) == null && (end > q || q - p < 3)) {
          throw unknownFunction(start, s.substring(p, end)); // LN(z), hard_sigmoid(z): not letters that multiply
        }
      }
      int q = runEnd;
      if (runCalled && q - p >= 3) {
        String run = s.substring(p, q);
        Fn fn = Fn.bySpelling(run);
        if (fn == null) {
          throw unknownFunction(start, run);
        }
        p = q;
        add(Kind.FUNC, start, p, fn);
        return true;
      }
      String longest = null;
      for (String f : Fn.allSpellings()) {
        if (f.length() > 1 && f.length() <= q - p && s.startsWith(f, p) && Fn.bySpelling(f).recognizedBare()
            && (longest == null || f.length() > longest.length())) {
          longest = f;
        }
      }
      if (longest != null) {
        p += longest.length();
        add(Kind.FUNC, start, p, Fn.bySpelling(longest));
        return true;
      }
      base.append(c);
      p++;
      return false;
    }
    // a Greek or accented letter; precomposed letters (ĥ) are split into letter and accent
    String nfd = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFD);
    char letter = nfd.charAt(0);
    base.append(letter == 'σ' ? "sigma" // σ as a name (a standard deviation), as \\sigma is
        : isGreek(letter) ? GREEK_LETTERS.get(String.valueOf(letter)) : String.valueOf(letter));
    for (int k = 1; k < nfd.length(); k++) {
      base.append(accentOf(nfd.charAt(k), p));
    }
    p++;
    return false;
  }

  /**
   * Whether a Greek letter that is also a function ({@code \sigma}) is a name here: with a script
   * ({@code \sigma^t}, the standard deviation of Ba et al.), defined ({@code \sigma = ...}), or
   * with no argument after it ({@code (a - \mu) / \sigma}).
   */
  private boolean nameAhead(int q) {
    if (q < s.length() && (s.charAt(q) == '_' || s.charAt(q) == '^' || s.charAt(q) == '\'' || s.charAt(q) == '\u2032')) {
      return true;
    }
    while (q < s.length() && (s.charAt(q) == ' ' || s.charAt(q) == '\t')) {
      q++;
    }
    if (q >= s.length() || "+-−*/)]},=:\n\r⊙∗·⋅∘@&%#".indexOf(s.charAt(q)) >= 0) {
      return true; // no argument follows: a value, as in (a - mu) / sigma
    }
    return s.startsWith("\\right", q) || s.startsWith("\\odot", q) || s.startsWith("\\cdot", q) || s.startsWith("\\\\", q);
  }

  /** Whether '(' or '[' follows offset q, after spaces: {@code diag(w)}, or {@code diag[H]} in a declaration. */
  private boolean diagAhead(int q) {
    while (q < s.length() && (s.charAt(q) == ' ' || s.charAt(q) == '\t')) {
      q++;
    }
    return q < s.length() && (s.charAt(q) == '(' || s.charAt(q) == '[');
  }

  private CellFormulaException unknownFunction(int start, String w) {
    return src.error(start, FunctionNames.unknown(w));
  }

  private static List<String> knownCommands() {
    List<String> all = new ArrayList<>(Fn.allSpellings());
    all.addAll(GREEK_COMMANDS);
    all.addAll(ACCENT_COMMANDS.keySet());
    all.addAll(NAME_COMMANDS);
    all.addAll(OPERATOR_COMMANDS.keySet());
    return all;
  }

  private void accents(StringBuilder base) {
    while (p < s.length()) {
      char c = s.charAt(p);
      if (c >= '\u0300' && c <= '\u036f') {
        base.append(accentOf(c, p));
        p++;
      } else if (c == '~' && !latex) {
        base.append('~');
        p++;
      } else if (c == '¯' && !latex) {
        base.append('¯');
        p++;
      } else if (c == '^' && words && !scriptFollows(p + 1)) {
        base.append('^');
        p++;
      } else {
        return;
      }
    }
  }

  private boolean scriptFollows(int q) {
    if (q >= s.length()) {
      return false;
    }
    char c = s.charAt(q);
    return isLetter(c) || isDigit(c) || c == '{' || c == '(' || c == '\\';
  }

  private String accentOf(char mark, int at) {
    return switch (mark) {
      case '\u0303' -> "~";
      case '\u0302' -> "^";
      case '\u0304', '\u0305' -> "¯";
      default -> throw src.error(at, String.format("unsupported accent U+%04X: use a tilde, hat or bar", (int) mark));
    };
  }

  /** Subscript, superscript (one each; a time index may take either) and a prime. */
  private void scripts(int start, StringBuilder base, Inner given) {
    String sub = given == null ? null : given.sub();
    String sup = given == null ? null : given.sup();
    Integer time = given == null ? null : given.time();
    boolean transposed = false;
    while (p < s.length() && (s.charAt(p) == '_' || s.charAt(p) == '^')) {
      char kind = s.charAt(p);
      int at = p;
      p++;
      String content = kind == '^' && bareTranspose() ? "T" : scriptContent(at);
      if (kind == '^' && TRANSPOSE.contains(content)) {
        if (transposed) {
          throw src.error(at, "two transposes on one name");
        }
        transposed = true;
        continue;
      }
      Matcher m = TIME.matcher(content);
      if (m.matches() && !(words && kind == '^')) {
        if (words) {
          throw src.error(at, "time index '" + s.substring(at, p)
              + "' in primed notation: write h for the previous value and h' for the new one");
        }
        if (time != null) {
          throw src.error(at, "two time indices on one name");
        }
        time = m.group(1) == null ? 0 : (m.group(1).equals("-") ? -1 : 1) * offset(m.group(2));
        continue;
      }
      if (!scriptText(content)) {
        throw src.error(at, "unsupported " + (kind == '_' ? "subscript" : "superscript") + " '"
            + s.substring(at + 1, p) + "': use letters, digits and balanced parentheses");
      }
      if (kind == '_') {
        if (sub != null) {
          throw src.error(at, "two subscripts on one name: write them in one pair of braces");
        }
        sub = content;
      } else {
        if (sup != null) {
          throw src.error(at, "two superscripts on one name: write them in one pair of braces");
        }
        sup = content;
      }
    }
    boolean primed = given != null && given.primed();
    if (!primed && p < s.length() && (s.charAt(p) == '\'' || s.charAt(p) == '\u2032')) {
      primed = true;
      p++;
    }
    String name = base + (sub == null ? "" : "_" + sub) + (sup == null ? "" : "^" + sup);
    last = new Inner(base.toString(), sub, sup, time, primed);
    if (time == null && !primed && !transposed && userFunctions.contains(name)) {
      add(Kind.USERFN, start, p, name); // g(z), \phi(z): a function the text defines
      return;
    }
    add(Kind.IDENT, start, p, new Ident(name, time, primed, transposed));
  }

  /** After '^': {@code \\top}, {@code \\intercal} or {@code ⊤}, which scriptContent does not read; skips it. */
  private boolean bareTranspose() {
    for (String t : new String[] {"\\top", "\\intercal", "\u22a4"}) {
      if (s.startsWith(t, p) && !(p + t.length() < s.length() && isAsciiLetter(s.charAt(p + t.length())))) {
        p += t.length();
        return true;
      }
    }
    return false;
  }

  /** A time offset's digits as a number, saturated: any offset beyond one step is refused later, by name. */
  private static int offset(String digits) {
    int v = 0;
    for (int k = 0; k < digits.length(); k++) {
      v = Math.min(10 * v + digits.charAt(k) - '0', 1_000_000);
    }
    return v;
  }

  /** Letters, digits and parentheses that open and close in order, as in {@code (z)} or {@code hr}. */
  private static boolean scriptText(String content) {
    int depth = 0;
    for (int k = 0; k < content.length(); k++) {
      char c = content.charAt(k);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        if (--depth < 0) {
          return false;
        }
      } else if (!isAsciiLetter(c) && !isDigit(c)) {
        return false;
      }
    }
    return depth == 0 && !content.isEmpty();
  }

  /** What follows '_' or '^', normalized: braces, spaces and style commands dropped, Greek spelled out. */
  private String scriptContent(int at) {
    if (p >= s.length()) {
      throw src.error(at, "missing subscript or superscript");
    }
    char c = s.charAt(p);
    String raw;
    if (c == '{') {
      raw = braced(at, "subscript");
    } else if (c == '(' && words) {
      int q = s.indexOf(')', p);
      if (q < 0) {
        throw src.error(p, "unbalanced brackets: '(' is never closed");
      }
      raw = s.substring(p, q + 1);
      p = q + 1;
    } else if (c == '\\') {
      int q = p;
      String cmd = commandName();
      if (!GREEK_COMMANDS.contains(cmd)) {
        throw src.error(q, "unsupported subscript '\\" + cmd + "'");
      }
      return cmd;
    } else if (isGreek(c)) {
      p++;
      return GREEK_LETTERS.get(String.valueOf(c));
    } else if (isAsciiLetter(c) || isDigit(c)) {
      if (latex) {
        p++;
        return String.valueOf(c);
      }
      int q = p;
      while (q < s.length() && (isAsciiLetter(s.charAt(q)) || isDigit(s.charAt(q)))) {
        q++;
      }
      raw = s.substring(p, q);
      p = q;
    } else {
      throw src.error(p, "missing subscript or superscript");
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < raw.length(); i++) {
      char d = raw.charAt(i);
      if (d == '\\') {
        int q = i + 1;
        while (q < raw.length() && isAsciiLetter(raw.charAt(q))) {
          q++;
        }
        String cmd = raw.substring(i + 1, q);
        if (GREEK_COMMANDS.contains(cmd)) {
          b.append(cmd);
        } else if (!NAME_COMMANDS.contains(cmd)) {
          b.append('\\').append(cmd); // rejected by the caller
        }
        i = q - 1;
      } else if (d == '\u2212') {
        b.append('-');
      } else if (isGreek(d)) {
        b.append(GREEK_LETTERS.get(String.valueOf(d)));
      } else if (d != '{' && d != '}' && !Character.isWhitespace(d)) {
        b.append(d);
      }
    }
    return b.toString();
  }
}
