package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import java.math.BigDecimal;
import java.util.Set;

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
    spec.inputs().forEach(in -> {
      s.append("input ").append(in);
      Dim dim = spec.dimOf(in);
      if (!dim.equals(Dim.I)) {
        s.append(" : [").append(dim).append(']');
      }
      s.append('\n');
    });
    spec.states().forEach(st -> {
      s.append("state ").append(st);
      Dim dim = spec.dimOf(st);
      if (!dim.equals(Dim.H)) {
        s.append(" : [").append(dim).append(']');
      }
      s.append('\n');
    });
    s.append("output ").append(spec.output()).append('\n');
    for (Parameter param : spec.parameters()) {
      s.append("param ").append(param).append('\n');
    }
    for (Equation e : spec.equations()) {
      s.append(e.target()).append(spec.isState(e.target()) ? "'" : "").append(" = ");
      p.print(e.expr(), 0, s);
      s.append('\n');
    }
    return s.toString();
  }

  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
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
        s.append(v.name()).append(v.time() == Expr.Time.CURRENT && states.contains(v.name()) ? "'" : "");
      }
    } else if (e instanceof Expr.Param p) {
      s.append(p.name());
    } else if (e instanceof Expr.Num n) {
      s.append(number(n.value()));
    } else if (e instanceof Expr.Apply a) {
      s.append(a.fn().canonicalName()).append('(');
      print(a.arg(), 0, s);
      s.append(')');
    } else if (e instanceof Expr.Binary b) {
      print(b.left(), level, s);
      s.append(' ').append(b.op().symbol()).append(' ');
      print(b.right(), level + 1, s);
    } else if (e instanceof Expr.MatMul m) {
      s.append(m.matrix().name()).append(paper ? " " : " @ ");
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
    } else if (e instanceof Expr.Neg g) {
      s.append('-');
      print(g.operand(), PRODUCT, s);
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
