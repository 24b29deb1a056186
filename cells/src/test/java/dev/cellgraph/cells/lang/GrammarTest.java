package dev.cellgraph.cells.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Holds the lexer and parser to the one EBNF of docs/cell-language.md ("Grammar"): the test reads
 * the {@code ebnf} block, checks that it is whole (every rule referenced is defined and reachable,
 * its function words are {@link Fn}'s spellings, its keywords the lexer's), and generates random
 * sentences from it under the doc's numbered conditions; the lexer and parser must accept every
 * one, and the whole pipeline must end in a spec or a located {@link CellFormulaException}.
 */
class GrammarTest {
  private static final int SENTENCES = 2000;

  // ---------------------------------------------------------------- the EBNF, as data

  sealed interface G {}

  record Lit(String s) implements G {}

  record Cls(String chars) implements G {}

  record Ref(String name) implements G {}

  record Seq(List<G> items) implements G {}

  record Alt(List<G> alts) implements G {}

  record Rep(G item, int min) implements G {}

  record Opt(G item) implements G {}

  record Diff(G a, G b) implements G {}

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  /** The text of the one {@code ebnf} block of docs/cell-language.md. */
  static String ebnf() throws IOException {
    String doc = Files.readString(root().resolve("docs/cell-language.md"));
    int start = doc.indexOf("```ebnf\n");
    assertTrue(start >= 0, "docs/cell-language.md has no ```ebnf block");
    assertEquals(-1, doc.indexOf("```ebnf\n", start + 1), "docs/cell-language.md has a second ```ebnf block");
    return doc.substring(start + 8, doc.indexOf("\n```", start + 8));
  }

  /** A reader of W3C-style EBNF, as the doc uses it. */
  static final class Reader {
    private final List<String> toks = new ArrayList<>();
    private int i;
    final Map<String, G> rules = new LinkedHashMap<>();

    Reader(String text) {
      Matcher m = Pattern.compile("\\s+|/\\*.*?\\*/|::=|'[^']*'|\"[^\"]*\"|\\[(?:[^\\]]|\\](?=[^ \\n|)]))*?\\]"
          + "|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z-]*|[|?*+()\\-]", Pattern.DOTALL).matcher(text);
      int at = 0;
      while (at < text.length()) {
        assertTrue(m.find(at) && m.start() == at, () -> "the EBNF cannot be read at: " + text.substring(m.regionStart()));
        String t = m.group();
        if (!t.isBlank() && !t.startsWith("/*")) {
          toks.add(t);
        }
        at = m.end();
      }
      while (i < toks.size()) {
        String name = toks.get(i);
        assertEquals("::=", toks.get(i + 1), "expected ::= after " + name);
        i += 2;
        assertTrue(rules.put(name, alt()) == null, "rule defined twice: " + name);
      }
    }

    private boolean ruleStart() {
      return i + 1 < toks.size() && toks.get(i + 1).equals("::=");
    }

    private G alt() {
      List<G> alts = new ArrayList<>(List.of(seq()));
      while (i < toks.size() && toks.get(i).equals("|")) {
        i++;
        alts.add(seq());
      }
      return alts.size() == 1 ? alts.get(0) : new Alt(alts);
    }

    private G seq() {
      List<G> items = new ArrayList<>();
      while (i < toks.size() && !ruleStart() && !toks.get(i).equals("|") && !toks.get(i).equals(")")) {
        G g = postfix();
        if (i < toks.size() && toks.get(i).equals("-")) {
          i++;
          g = new Diff(g, postfix());
        }
        items.add(g);
      }
      return items.size() == 1 ? items.get(0) : new Seq(items);
    }

    private G postfix() {
      G g = primary();
      while (i < toks.size() && "?*+".contains(toks.get(i)) && toks.get(i).length() == 1) {
        String op = toks.get(i++);
        g = op.equals("?") ? new Opt(g) : new Rep(g, op.equals("+") ? 1 : 0);
      }
      return g;
    }

    private G primary() {
      String t = toks.get(i++);
      if (t.equals("(")) {
        G g = alt();
        assertEquals(")", toks.get(i++));
        return g;
      }
      if (t.startsWith("'") || t.startsWith("\"")) {
        return new Lit(t.substring(1, t.length() - 1));
      }
      if (t.startsWith("#x")) {
        return new Lit(new String(Character.toChars(Integer.parseInt(t.substring(2), 16))));
      }
      if (t.startsWith("[")) {
        return new Cls(charClass(t.substring(1, t.length() - 1)));
      }
      return new Ref(t);
    }

    /** The characters of a class; a negated one is read as the few safe characters it admits. */
    private static String charClass(String body) {
      boolean negated = body.startsWith("^");
      String b = negated ? body.substring(1) : body;
      StringBuilder chars = new StringBuilder();
      for (int k = 0; k < b.length(); k++) {
        int c;
        if (b.startsWith("#x", k)) {
          int e = k + 2;
          while (e < b.length() && Character.digit(b.charAt(e), 16) >= 0) {
            e++;
          }
          c = Integer.parseInt(b.substring(k + 2, e), 16);
          k = e - 1;
        } else {
          c = b.charAt(k);
        }
        if (k + 2 < b.length() && b.charAt(k + 1) == '-') {
          for (int d = c; d <= b.charAt(k + 2); d++) {
            chars.appendCodePoint(d);
          }
          k += 2;
        } else {
          chars.appendCodePoint(c);
        }
      }
      if (!negated) {
        return chars.toString();
      }
      StringBuilder safe = new StringBuilder();
      for (char c : "abz09 ()=+".toCharArray()) {
        if (chars.indexOf(String.valueOf(c)) < 0) {
          safe.append(c);
        }
      }
      return safe.toString();
    }
  }

  static Map<String, G> rules() throws IOException {
    return new Reader(ebnf()).rules;
  }

  static void refs(G g, Set<String> out) {
    if (g instanceof Ref r) {
      out.add(r.name());
    } else if (g instanceof Seq s) {
      s.items().forEach(x -> refs(x, out));
    } else if (g instanceof Alt a) {
      a.alts().forEach(x -> refs(x, out));
    } else if (g instanceof Rep r) {
      refs(r.item(), out);
    } else if (g instanceof Opt o) {
      refs(o.item(), out);
    } else if (g instanceof Diff d) {
      refs(d.a(), out);
      refs(d.b(), out);
    }
  }

  static void literals(G g, Set<String> out) {
    if (g instanceof Lit l) {
      out.add(l.s());
    } else if (g instanceof Seq s) {
      s.items().forEach(x -> literals(x, out));
    } else if (g instanceof Alt a) {
      a.alts().forEach(x -> literals(x, out));
    } else if (g instanceof Rep r) {
      literals(r.item(), out);
    } else if (g instanceof Opt o) {
      literals(o.item(), out);
    } else if (g instanceof Diff d) {
      literals(d.a(), out);
    }
  }

  // ---------------------------------------------------------------- the EBNF is whole

  @Test
  void everyRuleIsDefinedAndReachable() throws IOException {
    Map<String, G> rules = rules();
    Set<String> reached = new TreeSet<>(List.of("cell", "IGNORED"));
    List<String> todo = new ArrayList<>(reached);
    while (!todo.isEmpty()) {
      Set<String> out = new HashSet<>();
      refs(rules.get(todo.remove(todo.size() - 1)), out);
      for (String r : out) {
        assertTrue(rules.containsKey(r), "the EBNF uses the rule '" + r + "' but never defines it");
        if (reached.add(r)) {
          todo.add(r);
        }
      }
    }
    assertEquals(new TreeSet<>(rules.keySet()), reached, "rules of the EBNF that nothing reaches");
  }

  @Test
  void theFunctionWordsAreTheSpellingsOfFnAndTheKeywordsTheLexers() throws IOException {
    Map<String, G> rules = rules();
    Set<String> words = new TreeSet<>();
    literals(rules.get("FUNCTION-WORD"), words);
    Set<String> spellings = new TreeSet<>(Fn.allSpellings());
    spellings.removeAll(List.of("σ", "√")); // FUNC spells these two
    assertEquals(spellings, words);
    Set<String> syntax = new HashSet<>();
    for (Map.Entry<String, G> e : rules.entrySet()) {
      if (Character.isLowerCase(e.getKey().charAt(0))) {
        literals(e.getValue(), syntax);
      }
    }
    for (String k : Lexer.KEYWORDS) {
      assertTrue(syntax.contains(k), "the keyword '" + k + "' is in no rule of the EBNF");
    }
    Set<String> greek = new TreeSet<>();
    literals(rules.get("GREEK-COMMAND"), greek);
    for (String g : greek) {
      assertTrue(Lexer.isGreekCommand(g.substring(1)), g + " is no Greek letter of the lexer");
    }
    String letters = ((Cls) rules.get("GREEK")).chars();
    for (char c : letters.toCharArray()) {
      assertTrue(Letters.isGreek(c) && c != 'σ', c + " is no Greek letter of the lexer (σ is FUNC)");
    }
    assertEquals(Letters.GREEK_LETTERS.size(), letters.length(), "the Greek letters (σ is not one of them)");
  }

  // ---------------------------------------------------------------- sentences from the EBNF

  @Test
  void everySentenceOfTheGrammarIsAcceptedByTheLexerAndParser() throws IOException {
    Map<String, G> rules = rules();
    Set<String> used = new TreeSet<>();
    int parsed = 0;
    List<String> refused = new ArrayList<>();
    for (int n = 0; n < SENTENCES; n++) {
      Sentences g = new Sentences(rules, new Random(n), n % 4 >= 2, n % 2 == 1);
      String text = g.cell();
      used.addAll(g.used);
      Source src = new Source("ebnf.cell", text);
      assertEquals(g.latex, CellSpec.detectNotation(text) == Notation.LATEX, () -> "notation of:\n" + text);
      assertEquals(g.primed, CellSpec.primed(text), () -> "primed or not:\n" + text);
      try {
        List<Token> toks = new Lexer(src, g.primed, g.latex, UserFunctions.names(text)).tokens();
        new Parser(src, toks, Map.of()).parse();
      } catch (CellFormulaException e) {
        refused.add("a sentence of the EBNF is refused: " + e.getMessage() + "\n---\n" + text);
        continue;
      }
      try {
        CellSpec spec = CellSpec.parse(text, "ebnf.cell");
        parsed++;
        CellSpec back = CellSpec.parse(spec.toNormalizedString(), "normalized.cell");
        assertEquals(spec, back, text);
        assertEquals(spec.toNormalizedString(), back.toNormalizedString(), text);
      } catch (CellFormulaException e) {
        assertTrue(e.line() > 0 && e.getMessage().startsWith("ebnf.cell:" + e.line() + ":" + e.column() + ": "),
            () -> "an error without a place: " + e.getMessage());
      }
    }
    assertEquals(List.of(), refused.subList(0, Math.min(6, refused.size())), refused.size() + " refused");
    Set<String> unused = new TreeSet<>(rules.keySet());
    unused.removeAll(used);
    assertEquals(Set.of(), unused, "rules no sentence used");
    assertTrue(parsed > 0, "no sentence was a whole cell");
  }

  /** Random sentences of the EBNF in one notation, under the doc's numbered conditions. */
  static final class Sentences {
    private static final int DEEP = 7;
    /** Marks ignorable text among the tokens. */
    private static final String MARK = "\u0001";
    /** The rules through which the syntax nests: only they count towards DEEP. */
    private static final Set<String> RECURSIVE = Set.of("expr", "unary", "product", "constant", "cunary");
    private static final Set<String> CLOSERS = Set.of(")", "]", "}");
    final Map<String, G> rules;
    final Random r;
    final boolean latex;
    final boolean primed;
    final Set<String> used = new HashSet<>();
    private final Map<String, Integer> minDepth = new HashMap<>();
    private final List<String> out = new ArrayList<>();
    private final Set<String> fnames = new java.util.LinkedHashSet<>();
    private final List<String> sizes = new ArrayList<>(List.of("I", "H"));
    private final List<String> context = new ArrayList<>();
    private boolean convention;

    Sentences(Map<String, G> rules, Random r, boolean latex, boolean primed) {
      this.rules = rules;
      this.r = r;
      this.latex = latex;
      this.primed = primed;
      for (String k : rules.keySet()) {
        minDepth.put(k, 1 << 20);
      }
      for (boolean changed = true; changed; ) {
        changed = false;
        for (Map.Entry<String, G> e : rules.entrySet()) {
          int d = depth(e.getValue()) + 1;
          if (d < minDepth.get(e.getKey())) {
            minDepth.put(e.getKey(), d);
            changed = true;
          }
        }
      }
    }

    private int depth(G g) {
      if (g instanceof Ref ref) {
        return minDepth.get(ref.name());
      } else if (g instanceof Seq s) {
        return s.items().stream().mapToInt(this::depth).max().orElse(0);
      } else if (g instanceof Alt a) {
        return a.alts().stream().mapToInt(this::depth).min().orElse(0);
      } else if (g instanceof Rep rep) {
        return rep.min() == 0 ? 0 : depth(rep.item());
      } else if (g instanceof Diff d) {
        return depth(d.a());
      }
      return 0;
    }

    String cell() {
      syntax(new Ref("cell"), 0);
      StringBuilder s = new StringBuilder(latex ? "$ " : "");
      String prev = null;
      for (String t : out) {
        if (prev != null && !t.equals("^") && !prev.equals("\n") && !t.equals("\n")) {
          s.append(' ');
        }
        s.append(t.replace(MARK, ""));
        prev = t;
      }
      if (primed) {
        s.append("\nh' = h"); // condition 1: some target is primed
      }
      for (String f : fnames) {
        s.append('\n').append(f).append("(z) = z"); // condition 3: every USERFN is defined
      }
      return s.append('\n').toString();
    }

    // the syntax: tokens, one space apart

    private void syntax(G g, int d) {
      if (g instanceof Lit l) {
        out.add(l.s());
      } else if (g instanceof Cls c) {
        out.add(pick(c));
      } else if (g instanceof Ref ref) {
        rule(ref.name(), RECURSIVE.contains(ref.name()) ? d + 1 : d);
      } else if (g instanceof Seq s) {
        s.items().forEach(x -> syntax(x, d));
      } else if (g instanceof Alt a) {
        syntax(choose(a, d), d);
      } else if (g instanceof Rep rep) {
        for (int k = count(rep.min(), d); k > 0; k--) {
          syntax(rep.item(), d);
        }
      } else if (g instanceof Opt o) {
        if (d < DEEP && r.nextBoolean()) {
          syntax(o.item(), d);
        }
      } else {
        throw new AssertionError("a difference in the syntax");
      }
    }

    private void rule(String name, int d) {
      used.add(name);
      if (Character.isUpperCase(name.charAt(0))) {
        out.add(token(name));
        if (context.contains("expr") && r.nextInt(12) == 0) {
          out.add(ignorable());
        }
        return;
      }
      context.add(name);
      int mark = out.size();
      switch (name) {
        case "size" -> { // condition 7: a new named size, a whole number
          String p = String.valueOf((char) ('P' + sizes.size() - 2));
          out.addAll(List.of("size", p, "=", String.valueOf(1 + r.nextInt(9))));
          sizes.add(p);
          used.addAll(List.of("SIZE", "NUMBER"));
        }
        case "call" -> call(d);
        case "power" -> {
          rule("atom", d + 1);
          while (out.get(out.size() - 1).startsWith(MARK)) {
            out.remove(out.size() - 1); // condition 5: nothing between a power's base and its '^'
          }
          String last = out.get(out.size() - 1);
          boolean closed = CLOSERS.contains(last) || last.matches("[0-9.]+"); // condition 5
          for (int k = closed && d < DEEP && r.nextInt(4) == 0 ? 1 + r.nextInt(2) : 0; k > 0; k--) {
            while (out.get(out.size() - 1).startsWith(MARK)) {
              out.remove(out.size() - 1);
            }
            used.add("CARET");
            out.add("^");
            exponent(d);
          }
        }
        case "product" -> {
          rule("power", d + 1);
          for (int k = count(0, d); k > 0; k--) {
            if (r.nextBoolean()) {
              rule("DOT", d + 1);
            }
            int before = out.size();
            String prev = out.get(before - 1);
            for (int q = before - 1; prev.startsWith(MARK); q--) {
              prev = out.get(q - 1);
            }
            rule("power", d + 1);
            if (out.get(before).equals("(") && looksCalled(prev)) {
              out.subList(before, out.size()).clear(); // condition 3: not a function, so no bracket after it
              out.add("1");
            }
          }
        }
        case "activation" -> {
          do {
            rule("USERFN", d + 1);
            out.add("=");
          } while (r.nextInt(3) == 0);
          String f;
          do {
            f = token("FUNC");
          } while (f.matches("σ|\\\\sigma|sigma|.*\\{sigma\\}") || !bare(f)); // condition 4
          used.add("FUNC");
          out.add(f);
        }
        case "line" -> {
          syntax(rules.get(name), d);
          if (out.size() > mark && out.get(mark).equals("convention")) {
            if (convention) {
              out.subList(mark, out.size()).clear(); // condition 8: one convention
            }
            convention = true;
          }
        }
        default -> syntax(rules.get(name), d);
      }
      context.remove(context.size() - 1);
      assertTrue(out.size() >= mark);
    }

    /** Condition 4: a FUNC with its argument(s), the number its arity allows. */
    private void call(int d) {
      String f;
      Fn fn;
      do {
        f = token("FUNC");
        fn = fnOf(f);
      } while (fn == null); // \\sum: a SUM
      used.add("FUNC");
      out.add(f);
      int form = bare(f) && fn.minArgs() == 1 && d < DEEP ? r.nextInt(4) : 0;
      if (fn == Fn.SQRT && form == 2) {
        form = 1; // \\sqrt[n] is refused
      }
      switch (form) {
        case 0 -> {
          out.add("(");
          int n = fn.minArgs() + r.nextInt(fn.maxArgs() - fn.minArgs() + 1);
          for (int k = 0; k < n; k++) {
            if (k > 0) {
              out.add(",");
            }
            rule("expr", d + 1);
          }
          out.add(")");
        }
        case 1 -> {
          out.add("{");
          rule("expr", d + 1);
          out.add("}");
        }
        case 2 -> {
          out.add("[");
          rule("expr", d + 1);
          out.add("]");
        }
        default -> rule("product", d + 1);
      }
    }

    private Fn fnOf(String f) {
      if (f.equals("σ")) {
        return Fn.SIGMOID;
      }
      if (f.equals("√")) {
        return Fn.SQRT;
      }
      String w = f.replaceAll("^\\\\[a-z]+\\{(.*)\\}$", "$1").replaceFirst("^\\\\", "");
      return f.equals("\\sum") ? null : Fn.bySpelling(w);
    }

    /** Whether the function spelled f is one without a bracket after it (condition 4). */
    private boolean bare(String f) {
      Fn fn = fnOf(f);
      return fn != null && (fn.recognizedBare() || f.matches("\\\\[A-Za-z]+") || f.equals("√"));
    }

    /** Condition 3: a name written as a function, which must not stand before '('. */
    private boolean looksCalled(String t) {
      return t.matches("\\\\(mathrm|text|textrm|operatorname|mathit|textit|mathsf|mathtt)\\{[A-Za-z][A-Za-z0-9]*\\}")
          || (primed && t.matches("[A-Za-z]{2,}[A-Za-z0-9]*_.*"));
    }

    private void exponent(int d) {
      int mark = out.size();
      for (int tries = 0; ; tries++) {
        out.subList(mark, out.size()).clear();
        rule("exponent", d + 1);
        if (tries > 20) {
          out.subList(mark, out.size()).clear();
          out.add("2");
          return;
        }
        List<String> e = out.subList(mark, out.size());
        if (Double.isFinite(new Constant(e).value())) {
          return; // condition 5: a finite constant
        }
      }
    }

    private String ignorable() {
      for (int tries = 0; ; tries++) {
        String t = token("IGNORED");
        if (t.contains("#") || t.contains("%")) {
          continue; // a comment runs to the end of the line, so it is written there only
        }
        if (latex || !(t.contains("\\") || t.contains("$"))) {
          return MARK + t;
        }
      }
    }

    // tokens: spelled without spaces

    private String token(String name) {
      for (int tries = 0; ; tries++) {
        String t = text(rules.get(name), 0);
        if (tries < 200 && !acceptable(name, t)) {
          continue;
        }
        used.add(name);
        return t;
      }
    }

    private boolean acceptable(String name, String t) {
      if (!latex && (t.contains("\\") || t.contains("$"))) {
        return false; // condition 1: a command makes the text LaTeX
      }
      if (t.startsWith("\\\\") && !name.equals("NEWLINE")) {
        return false;
      }
      return switch (name) {
        case "NAME" -> name(t);
        case "FUNC" -> !t.matches("\\\\[A-Za-z]+_.*");
        case "SIZE" -> sizes.contains(t);
        case "NUMBER" -> t.length() <= 40 && (!context.contains("dim") || t.matches("[1-9][0-9]{0,3}"));
        case "SUM" -> true;
        default -> true;
      };
    }

    private static final Pattern TIME = Pattern.compile("[_^]\\{?t([-+−][0-9]+)?(\\}|(?![A-Za-z0-9]))");

    private boolean name(String t) {
      boolean plain = context.get(context.size() - 1).matches("names|declaration");
      int subs = t.length() - t.replace("_", "").length();
      int sups = t.length() - t.replace("^", "").length();
      int primes = t.length() - t.replace("'", "").replace("′", "").length();
      long times = TIME.matcher(t).results().count();
      if (subs > 1 || sups > 1 || primes > 1 || times > 1 || t.matches(".*(['′]).*") && (!primed || plain)) {
        return false; // condition 6, and no prime in paper notation (condition 1)
      }
      if (plain && t.matches(".*(_t\\b|_\\{t|\\^t\\b|\\^\\{t|\\^T|\\^\\{T|top|intercal|⊤|mathsf T|mathsf\\{T).*")) {
        return false; // condition 6
      }
      if (latex && t.matches(".*[_^][A-Za-z0-9]{2}.*|.*[~¯].*")) {
        return false; // condition 1
      }
      if (!primed && t.matches(".*[_^]\\(.*|^[A-Za-z][A-Za-z0-9].*|.*(tilde|hat|bar|overline)\\{[A-Za-z][A-Za-z0-9].*|.*\\^([^A-Za-z0-9{(\\\\αβγδεϵζηθϑικλμνξπρτυφϕχψωΓΔΘΛΞΠΣΥΦΨΩ].*|$)")) {
        return false; // condition 1: words, ( scripts and the ^ accent are primed notation's
      }
      if (primed && (t.matches(".*_\\{?\\s*t([-+−][0-9]+)?\\}?(\\W.*|$)") || t.matches(".*\\^\\{t[-+−].*"))) {
        return false; // condition 1: no time index in primed notation
      }
      String lead = t.replaceAll("^\\\\[a-z]+\\{", "").replaceAll("[^A-Za-z0-9].*", "");
      if (Fn.bySpelling(lead) != null || Lexer.KEYWORDS.contains(lead) || lead.matches("diag|strict|[FGg]|LN|phi")
          || t.matches("^(\\\\phi|φ|\\\\mathrm\\{LN\\}).*") || t.contains("sigma")) {
        return false; // function words, keywords and the cell's functions are not names (conditions 2-4)
      }
      return true;
    }

    private String text(G g, int d) {
      if (g instanceof Lit l) {
        return l.s();
      } else if (g instanceof Cls c) {
        return pick(c);
      } else if (g instanceof Ref ref) {
        if (ref.name().equals("FNAME") || ref.name().equals("USERFN")) {
          String f = userFunction();
          fnames.add(f);
          used.addAll(List.of("FNAME", "USERFN"));
          return f;
        }
        used.add(ref.name());
        return text(rules.get(ref.name()), d + 1);
      } else if (g instanceof Seq s) {
        StringBuilder b = new StringBuilder();
        s.items().forEach(x -> b.append(text(x, d)));
        return b.toString();
      } else if (g instanceof Alt a) {
        return text(choose(a, d), d);
      } else if (g instanceof Rep rep) {
        StringBuilder b = new StringBuilder();
        for (int k = count(rep.min(), d); k > 0; k--) {
          b.append(text(rep.item(), d));
        }
        return b.toString();
      } else if (g instanceof Opt o) {
        return d < DEEP && r.nextBoolean() ? text(o.item(), d) : "";
      }
      Diff x = (Diff) g;
      Set<String> no = new HashSet<>();
      literals(x.b(), no);
      String t;
      do {
        t = text(x.a(), d);
      } while (no.contains(t));
      return t;
    }

    /** Condition 3: the cell's own functions, spelled as its notation spells them. */
    private String userFunction() {
      List<String> pool = new ArrayList<>(List.of("F", "G", "g", "LN"));
      if (latex) {
        pool.addAll(List.of("\\phi", "\\mathrm{LN}"));
      } else {
        pool.add("φ");
      }
      return pool.get(r.nextInt(pool.size()));
    }

    private G choose(Alt a, int d) {
      if (d < DEEP) {
        G g;
        do {
          g = a.alts().get(r.nextInt(a.alts().size()));
        } while (!latex && g instanceof Seq s && s.items().get(0).equals(new Ref("FRAC"))); // condition 1
        return g;
      }
      G best = a.alts().get(0);
      for (G x : a.alts()) {
        if (depth(x) < depth(best)) {
          best = x;
        }
      }
      return best;
    }

    private int count(int min, int d) {
      return d >= DEEP ? min : min + (r.nextInt(3) == 0 ? r.nextInt(3) : 0);
    }

    private String pick(Cls c) {
      return new String(Character.toChars(c.chars().codePointAt(c.chars().offsetByCodePoints(0,
          r.nextInt(c.chars().codePointCount(0, c.chars().length()))))));
    }
  }

  /** The value of an exponent's constant, written as tokens ({@code 1 / ( 2 - 2 )} is infinite). */
  static final class Constant {
    private final List<String> t;
    private int i;

    Constant(List<String> tokens) {
      // the spaces and decoration among them count for nothing; every STAR is a product
      this.t = tokens.stream().filter(x -> x.matches("[0-9.]+|[-+/(){}\\[\\]*∗⊙∘]|\\\\([dt]?frac|odot|circ|ast)"))
          .map(x -> x.matches("[∗⊙∘]|\\\\(odot|circ|ast)") ? "*" : x).toList();
    }

    double value() {
      double v = term();
      while (i < t.size() && (t.get(i).equals("+") || t.get(i).equals("-"))) {
        v = t.get(i++).equals("+") ? v + term() : v - term();
      }
      return v;
    }

    private double term() {
      double v = unary();
      while (i < t.size() && !t.get(i).equals("+") && !t.get(i).equals("-") && !")]}".contains(t.get(i))) {
        v = t.get(i++).equals("/") ? v / unary() : v * unary();
      }
      return v;
    }

    private double unary() {
      String s = t.get(i++);
      if (s.equals("-")) {
        return -unary();
      }
      if (s.matches("\\\\[dt]?frac")) {
        i++;
        double a = value();
        i += 2;
        double b = value();
        i++;
        return a / b;
      }
      if ("([{".contains(s)) {
        double v = value();
        i++;
        return v;
      }
      return Double.parseDouble(s);
    }
  }
}
