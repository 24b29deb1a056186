package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Prints the normalized notation: primed ASCII with canonical names, {@code @} for matrix
 * products, {@code *} for elementwise products, canonical function names, and only the
 * parentheses the grammar needs. It re-parses to an equal cell.
 */
final class Printer {
  private static final int SUM = 1;
  private static final int TERM = 2;
  private static final int UNARY = 3;
  private static final int PRODUCT = 4;
  private static final int ATOM = 5;
  /** A script that primed notation reads back unbraced: a run of letters and digits, or one group. */
  private static final Pattern BARE_SCRIPT = Pattern.compile("[A-Za-z0-9]+|\\([A-Za-z0-9]*\\)");

  /** States: a current-step read of one is printed primed, a previous-step read bare. */
  private final Set<String> states;
  private final boolean paper;

  private Printer(Set<String> states, boolean paper) {
    this.states = states;
    this.paper = paper;
  }

  /** For messages and toString: states at the previous step print as {@code h_{t-1}}. */
  static String plain(Expr e) {
    StringBuilder s = new StringBuilder();
    new Printer(Set.of(), true).print(e, 0, s);
    return s.toString();
  }

  static String normalized(CellSpec spec) {
    Printer p = new Printer(spec.states().stream().collect(java.util.stream.Collectors.toSet()), false);
    StringBuilder s = new StringBuilder();
    for (String r : spec.sizeRequirements()) {
      s.append("# needs ").append(r).append('\n');
    }
    java.util.TreeMap<String, Long> sizes = new java.util.TreeMap<>();
    spec.inputs().forEach(v -> sizes.putAll(spec.dimOf(v).values()));
    spec.states().forEach(v -> sizes.putAll(spec.dimOf(v).values()));
    spec.parameters().forEach(q -> q.dims().forEach(d -> sizes.putAll(d.values())));
    sizes.forEach((name, value) -> s.append("size ").append(name).append(" = ").append(value).append('\n'));
    spec.inputs().forEach(in -> {
      s.append("input ").append(name(in));
      Dim dim = spec.dimOf(in);
      if (!dim.equals(Dim.I)) {
        s.append(" : [").append(dim).append(']');
      }
      s.append('\n');
    });
    spec.states().forEach(st -> {
      s.append("state ").append(name(st));
      Dim dim = spec.dimOf(st);
      if (!dim.equals(Dim.H)) {
        s.append(" : [").append(dim).append(']');
      }
      s.append('\n');
    });
    s.append("output ").append(name(spec.output())).append('\n');
    for (Parameter param : spec.parameters()) {
      s.append("param ").append(name(param.name())).append(" : ")
          .append(param.role() == Parameter.Role.DIAGONAL ? "diag" : "").append(param.dims()).append('\n');
    }
    spec.constants().forEach((name, value) -> s.append(name(name)).append(" = ").append(number(value)).append('\n'));
    java.util.Map<String, String[]> tuples = new java.util.HashMap<>();
    for (Equation e : spec.equations()) {
      if (e.expr() instanceof Expr.Part t && t.whole() instanceof Expr.Var w) {
        tuples.computeIfAbsent(w.name(), k -> new String[t.count()])[t.index()] =
            name(e.target()) + (spec.isState(e.target()) ? "'" : "");
      }
    }
    for (Equation e : spec.equations()) {
      if (e.expr() instanceof Expr.Part t && t.whole() instanceof Expr.Var w && tuples.containsKey(w.name())) {
        continue; // written as a tuple target with its whole
      }
      String[] parts = tuples.get(e.target());
      s.append(parts != null ? "(" + String.join("; ", parts) + ")"
          : name(e.target()) + (spec.isState(e.target()) ? "'" : "")).append(" = ");
      p.print(e.expr(), 0, s);
      s.append('\n');
    }
    return s.toString();
  }

  /**
   * A canonical name as primed notation reads it back: {@code W_hr}, {@code W^(z)}, and
   * braces around a script that would otherwise end early ({@code W_{a(b)}}).
   */
  static String name(String canonical) {
    int sub = canonical.indexOf('_');
    int sup = -1;
    for (int k = sub < 0 ? 0 : sub; k < canonical.length() - 1; k++) {
      char next = canonical.charAt(k + 1);
      if (canonical.charAt(k) == '^' && (Letters.isAsciiLetter(next) || Character.isDigit(next) || next == '(')) {
        sup = k; // a hat accent in the base is never followed by a letter, digit or '('
        break;
      }
    }
    int baseEnd = sub >= 0 ? sub : sup >= 0 ? sup : canonical.length();
    StringBuilder s = new StringBuilder(canonical.substring(0, baseEnd));
    if (sub >= 0) {
      script(s, '_', canonical.substring(sub + 1, sup >= 0 ? sup : canonical.length()));
    }
    if (sup >= 0) {
      script(s, '^', canonical.substring(sup + 1));
    }
    return s.toString();
  }

  private static void script(StringBuilder s, char kind, String content) {
    s.append(kind);
    if (BARE_SCRIPT.matcher(content).matches()) {
      s.append(content);
    } else {
      s.append('{').append(content).append('}');
    }
  }

  /** The shortest decimal that reads back as {@code v}, without exponent (the grammar has none). */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    for (int digits = 0; digits < 17; digits++) {
      String t = String.format(Locale.ROOT, "%." + digits + "e", v);
      if (Double.parseDouble(t) == v) {
        return new BigDecimal(t).stripTrailingZeros().toPlainString();
      }
    }
    return BigDecimal.valueOf(v).toPlainString();
  }

  private void print(Expr e, int min, StringBuilder s) {
    int level = level(e);
    boolean parens = level < min;
    if (parens) {
      s.append('(');
    }
    if (e instanceof Expr.Var v) {
      if (paper) {
        s.append(v.name()).append(v.time() == Expr.Time.PREVIOUS ? "_{t-1}" : "");
      } else {
        s.append(name(v.name())).append(v.time() == Expr.Time.CURRENT && states.contains(v.name()) ? "'" : "");
      }
    } else if (e instanceof Expr.Param p) {
      s.append(paper ? p.name() : name(p.name()));
    } else if (e instanceof Expr.Num n) {
      s.append(number(n.value()));
    } else if (e instanceof Expr.Const c) {
      s.append(paper ? c.name() : name(c.name()));
    } else if (e instanceof Expr.Apply a) {
      s.append(a.fn().canonicalName()).append('(');
      for (int k = 0; k < a.args().size(); k++) {
        s.append(k == 0 ? "" : ", ");
        print(a.args().get(k), 0, s);
      }
      s.append(')');
    } else if (e instanceof Expr.Pow w) {
      // a name before '^' would read as a superscript: only a closing bracket may carry the power
      boolean bracketed = w.base() instanceof Expr.Apply || w.base() instanceof Expr.Concat;
      print(w.base(), bracketed ? ATOM : ATOM + 1, s);
      double p = w.exponent();
      s.append(p >= 0 && p == Math.rint(p) && p < 10 ? "^" + number(p) : "^{" + (p < 0 ? "-" : "") + number(Math.abs(p)) + "}");
    } else if (e instanceof Expr.Binary b) {
      print(b.left(), level, s);
      s.append(' ').append(b.op().symbol()).append(' ');
      print(b.right(), level + 1, s);
    } else if (e instanceof Expr.MatMul m) {
      s.append(paper ? m.matrix().name() : name(m.matrix().name())).append(m.transposed() ? "^T" : "")
          .append(paper ? " " : " @ ");
      print(m.vector(), PRODUCT, s);
    } else if (e instanceof Expr.Concat c) {
      s.append('[');
      ImmutableList<Expr> parts = c.parts();
      for (int k = 0; k < parts.size(); k++) {
        if (k > 0) {
          s.append(", ");
        }
        print(parts.get(k), 0, s);
      }
      s.append(']');
    } else if (e instanceof Expr.Part t) {
      print(t.whole(), ATOM, s); // only in messages: the normalized form writes the tuple target instead
      s.append('[').append(t.index() + 1).append(" of ").append(t.count()).append(']');
    } else if (e instanceof Expr.Neg g) {
      s.append('-');
      // --h, not -(-h): brackets would make a long chain nest deeper than the text it came from
      print(g.operand(), g.operand() instanceof Expr.Neg ? UNARY : PRODUCT, s);
    }
    if (parens) {
      s.append(')');
    }
  }

  private static int level(Expr e) {
    if (e instanceof Expr.Binary b) {
      return b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB ? SUM : TERM;
    }
    if (e instanceof Expr.Neg) {
      return UNARY;
    }
    if (e instanceof Expr.MatMul) {
      return PRODUCT;
    }
    return ATOM;
  }
}
