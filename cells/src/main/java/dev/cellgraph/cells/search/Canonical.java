package dev.cellgraph.cells.search;

import com.google.common.hash.Hashing;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Equation;
import dev.cellgraph.cells.lang.Expr;
import dev.cellgraph.cells.lang.Expr.BinaryOp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical form of a cell: what it computes, written so that two cells equal up to the names
 * of their parameters, intermediates and states, and up to the order of the operands of
 * {@code +} and {@code ⊙} (commutativity) and their grouping (associativity), have the same text.
 * Intermediates are written out where they are read, states are numbered in the cell's order,
 * sums and products are flattened and their operands sorted by their form with parameters
 * anonymous, and parameters are then numbered in order of first appearance. The text is a
 * faithful description of the computation, so different forms are never merged; operands that
 * tie in the sort yet differ in which parameter is shared may, rarely, give one cell two forms
 * (it is then evaluated twice, never confused with another). Thread-safe (stateless).
 */
public final class Canonical {
  /** Forms longer than this are refused: only cells far beyond the search's size limits reach it. */
  static final int MAX_CHARS = 1 << 20;

  private Canonical() {}

  /**
   * The canonical text of {@code spec}.
   *
   * @param spec the cell
   * @return the canonical form, equal for cells that compute the same up to names and operand order
   */
  public static String form(CellSpec spec) {
    Map<String, Expr> defs = new HashMap<>();
    for (Equation e : spec.equations()) {
      defs.put(e.target(), e.expr());
    }
    Builder b = new Builder(spec, defs);
    List<Node> roots = new ArrayList<>();
    StringBuilder head = new StringBuilder("in");
    for (String i : spec.inputs()) {
      head.append(' ').append(spec.dimOf(i));
    }
    head.append("; states");
    for (String s : spec.states()) {
      head.append(' ').append(b.stateId(s)).append(':').append(spec.dimOf(s));
      roots.add(b.of(Expr.var(s)));
    }
    boolean outputIsState = spec.isState(spec.output());
    head.append("; out ").append(outputIsState ? b.stateId(spec.output()) : "y");
    if (!outputIsState) {
      roots.add(b.of(Expr.var(spec.output())));
    }
    Map<String, Integer> ids = new HashMap<>();
    for (Node r : roots) {
      number(r, ids);
    }
    StringBuilder sb = new StringBuilder(head);
    for (int k = 0; k < roots.size(); k++) {
      sb.append('\n').append(k < spec.states().size() ? b.stateId(spec.states().get(k)) + "'" : "y").append(" = ");
      roots.get(k).print(sb, ids);
      if (sb.length() > MAX_CHARS) {
        throw new IllegalArgumentException("the canonical form of " + spec.sourceName() + " exceeds "
            + MAX_CHARS + " characters");
      }
    }
    return sb.toString();
  }

  /**
   * The identity of {@code spec}: the first 64 bits of the SHA-256 of its canonical form, in hex.
   *
   * @param spec the cell
   * @return the hash, 16 hexadecimal digits
   */
  public static String hash(CellSpec spec) {
    return Hashing.sha256().hashString(form(spec), StandardCharsets.UTF_8).toString().substring(0, 16);
  }

  private static void number(Node n, Map<String, Integer> ids) {
    if (n.kind.equals("param")) {
      ids.putIfAbsent(n.label, ids.size());
    }
    for (Node c : n.children) {
      number(c, ids);
    }
  }

  /** A node of the canonical tree; {@code key} is its form with parameters anonymous, the sort key. */
  private static final class Node {
    final String kind;
    final String label;
    final List<Node> children;
    final String key;

    Node(String kind, String label, List<Node> children) {
      this.kind = kind;
      this.label = label;
      this.children = children;
      StringBuilder sb = new StringBuilder();
      print(sb, null);
      this.key = sb.toString();
    }

    /** Prints with parameters numbered by {@code ids}, or anonymous when ids is null. */
    void print(StringBuilder sb, Map<String, Integer> ids) {
      switch (kind) {
        case "param" -> sb.append(ids == null ? "P" : "P" + ids.get(label));
        case "leaf" -> sb.append(label);
        default -> {
          sb.append(kind).append(label).append('(');
          for (int k = 0; k < children.size(); k++) {
            if (k > 0) {
              sb.append(',');
            }
            if (ids == null) {
              sb.append(children.get(k).key);
            } else {
              children.get(k).print(sb, ids);
            }
          }
          sb.append(')');
        }
      }
      if (sb.length() > MAX_CHARS) {
        throw new IllegalArgumentException("a canonical form exceeds " + MAX_CHARS + " characters");
      }
    }
  }

  private static final class Builder {
    private final CellSpec spec;
    private final Map<String, Expr> defs;
    private final Map<String, Node> inlined = new HashMap<>();

    Builder(CellSpec spec, Map<String, Expr> defs) {
      this.spec = spec;
      this.defs = defs;
    }

    String stateId(String s) {
      return "s" + spec.states().indexOf(s);
    }

    Node of(Expr e) {
      if (e instanceof Expr.Var v) {
        if (v.time() == Expr.Time.PREVIOUS) {
          return new Node("leaf", stateId(v.name()) + "[t-1]", List.of());
        }
        if (!defs.containsKey(v.name())) {
          return new Node("leaf", "x" + spec.inputs().indexOf(v.name()), List.of());
        }
        Node n = inlined.get(v.name());
        if (n == null) {
          n = of(defs.get(v.name()));
          inlined.put(v.name(), n);
        }
        return n;
      } else if (e instanceof Expr.Param p) {
        return new Node("param", p.name(), List.of());
      } else if (e instanceof Expr.Num n) {
        return new Node("leaf", n.toString(), List.of());
      } else if (e instanceof Expr.Const c) {
        // by value: JANET with beta = 1 and with beta = 2.5 compute different cells
        Double v = spec.constants().get(c.name());
        return new Node("leaf", v != null ? "c" + v : c.name(), List.of());
      } else if (e instanceof Expr.Apply a) {
        List<Node> args = new ArrayList<>();
        for (Expr x : a.args()) {
          args.add(of(x));
        }
        return new Node(a.fn().canonicalName(), "", args);
      } else if (e instanceof Expr.Pow w) {
        return new Node("pow", Double.toString(w.exponent()), List.of(of(w.base())));
      } else if (e instanceof Expr.Part t) {
        return new Node("part", t.index() + "/" + t.count(), List.of(of(t.whole())));
      } else if (e instanceof Expr.MatMul m) {
        return new Node(m.transposed() ? "matmulT" : "matmul", "",
            List.of(new Node("param", m.matrix().name(), List.of()), of(m.vector())));
      } else if (e instanceof Expr.Concat c) {
        List<Node> parts = new ArrayList<>();
        for (Expr p : c.parts()) {
          parts.add(of(p));
        }
        return new Node("concat", "", parts);
      } else if (e instanceof Expr.Binary b && b.op() == BinaryOp.DIV) {
        return new Node("div", "", List.of(of(b.left()), of(b.right())));
      } else if (e instanceof Expr.Binary b && b.op() == BinaryOp.MUL) {
        List<Node> factors = new ArrayList<>();
        factors(b, factors);
        factors.sort(Comparator.comparing(n -> n.key));
        return new Node("mul", "", factors);
      }
      List<Node> terms = new ArrayList<>();
      terms(e, true, terms);
      terms.sort(Comparator.comparing(n -> n.key));
      return new Node("sum", "", terms);
    }

    private void factors(Expr e, List<Node> out) {
      if (e instanceof Expr.Binary b && b.op() == BinaryOp.MUL) {
        factors(b.left(), out);
        factors(b.right(), out);
      } else {
        out.add(of(e));
      }
    }

    /** The signed terms of a chain of {@code +}, {@code -} and negations. */
    private void terms(Expr e, boolean plus, List<Node> out) {
      if (e instanceof Expr.Binary b && b.op() == BinaryOp.ADD) {
        terms(b.left(), plus, out);
        terms(b.right(), plus, out);
      } else if (e instanceof Expr.Binary b && b.op() == BinaryOp.SUB) {
        terms(b.left(), plus, out);
        terms(b.right(), !plus, out);
      } else if (e instanceof Expr.Neg n) {
        terms(n.operand(), !plus, out);
      } else {
        out.add(new Node(plus ? "+" : "-", "", List.of(of(e))));
      }
    }
  }
}
