package dev.cellgraph.render;

import dev.cellgraph.autodiff.CallOp;
import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link Diagram} as DOT. Determinism: nodes are visited in id order, edges in order of
 * their target and input position, DOT ids come from node ids (prefixed by the path of expanded
 * composites), and maps keyed by nodes are only looked up, never iterated.
 *
 * <p>Projections of multi-output nodes ({@code output(i)}) are not drawn: their consumers are tied
 * to the output's port on the composite's box, or, when it is expanded, to the body node that
 * produces that output.
 */
final class DotWriter {
  static final String FONT = "Helvetica";

  // forward / backward palettes
  private static final String INK = "#374151";
  private static final String INPUT_FILL = "#dbeafe";
  private static final String INPUT_LINE = "#2563eb";
  private static final String PARAM_FILL = "#e5e7eb";
  private static final String PARAM_LINE = "#6b7280";
  private static final String COMPOSITE_FILL = "#fef3c7";
  private static final String COMPOSITE_LINE = "#b45309";
  private static final String CLUSTER_FILL = "#fffbeb";
  private static final String BACK = "#dc2626";
  private static final String BACK_TEXT = "#991b1b";
  private static final String BACK_FILL = "#fef2f2";
  private static final String NOTE = "#6b7280";
  private static final String TIE = "#f4a3a3";

  /** A sequential colour map (viridis, reversed: pale yellow for small, dark violet for large). */
  private static final int[] RAMP = {0xfde725, 0x7ad151, 0x22a884, 0x2a788e, 0x414487, 0x440154};

  private final Diagram d;
  private final StringBuilder out = new StringBuilder(4096);
  private final List<String> edges = new ArrayList<>();
  private final double logLo;
  private final double logHi;
  private final Map<Node, Boolean> tied = new IdentityHashMap<>(); // forward nodes with a drawn adjoint
  private final Map<dev.cellgraph.autodiff.Graph, boolean[]> fromInputs = new IdentityHashMap<>();

  DotWriter(Diagram d) {
    this.d = d;
    for (Node n : d.nodes) {
      List<Node> forward = d.adjointOf.get(n);
      if (forward != null) {
        tied.put(n, Boolean.TRUE);
        for (Node f : forward) {
          tied.put(f, Boolean.TRUE);
        }
      }
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    if (d.gradRange != null) {
      lo = d.gradRange[0];
      hi = d.gradRange[1];
    } else {
      for (Tensor g : gradientsInOrder()) {
        double n = norm(g);
        if (n > 0 && Double.isFinite(n)) {
          lo = Math.min(lo, n);
          hi = Math.max(hi, n);
        }
      }
      if (hi > 0 && hi / lo < 10) {   // at least one decade, so that equal norms are mid-scale
        double mid = Math.sqrt(lo * hi);
        lo = mid / Math.sqrt(10);
        hi = mid * Math.sqrt(10);
      }
    }
    this.logLo = hi > 0 ? Math.log10(lo) : 0;
    this.logHi = hi > 0 ? Math.log10(hi) : 0;
  }

  private List<Tensor> gradientsInOrder() {
    List<Tensor> r = new ArrayList<>();
    for (Node n : d.nodes) {
      Tensor g = d.grads.get(n);
      if (g != null) {
        r.add(g);
      }
    }
    return r;
  }

  // ------------------------------------------------------------------ scopes

  /** The nodes drawn at one level: the top graph, or the body of one expanded composite. */
  private static final class Scope {
    final String prefix;
    final int depth;
    final boolean backward;
    final Map<Node, Boolean> members = new IdentityHashMap<>();
    final Map<Node, Scope> inner = new IdentityHashMap<>();
    Compact compact = Compact.none();
    final Map<Node, Boolean> portless = new IdentityHashMap<>(); // collapsed composites drawn without output ports

    Scope(String prefix, int depth, boolean backward) {
      this.prefix = prefix;
      this.depth = depth;
      this.backward = backward;
    }
  }

  String write() {
    out.append("digraph ").append(Labels.quoted(d.title)).append(" {\n");
    out.append("  graph [rankdir=LR, newrank=true, fontname=\"").append(FONT)
        .append("\", fontsize=11, nodesep=0.25, ranksep=0.3, bgcolor=\"white\", pad=0.1];\n");
    out.append("  node [fontname=\"").append(FONT).append("\", fontsize=11, color=\"").append(INK)
        .append("\", fontcolor=\"").append(INK).append("\", penwidth=1];\n");
    out.append("  edge [fontname=\"").append(FONT).append("\", fontsize=9, color=\"").append(INK)
        .append("\", fontcolor=\"").append(NOTE).append("\", arrowsize=0.6];\n");
    Scope top = new Scope("", 0, false);
    writeScope(d.nodes, d.results, top, "  ");
    writeAdjointTies(top);
    writeRanks(top);
    for (String e : edges) {
      out.append("  ").append(e).append('\n');
    }
    if (!gradientsInOrder().isEmpty()) {
      writeLegend();
    }
    out.append("}\n");
    return out.toString();
  }

  private void writeScope(List<Node> nodes, List<Node> results, Scope s, String indent) {
    if (d.compact) {
      s.compact = Compact.of(nodes, n -> mustKeep(n, results), n -> contains(results, n));
    }
    for (Node n : nodes) {
      if (!(n.op() instanceof GraphOps.GetOutput) && !s.compact.isHidden(n) && !d.style.isHidden(n)) {
        s.members.put(n, Boolean.TRUE);
      }
    }
    if (d.compact) {
      markPortless(nodes, s);
    }
    List<List<Node>> groups = s.depth == 0 ? d.style.groups() : List.of();
    for (Node n : nodes) {
      if (s.members.containsKey(n) && (groups.isEmpty() || d.style.groupOf(n) < 0)) {
        writeNode(n, s, indent);
      }
    }
    // rankdir=LR stacks the clusters of a rank from the bottom up: the last written is on top
    for (int g = groups.size() - 1; g >= 0; g--) {
      out.append(indent).append("subgraph ").append(Labels.quoted("cluster_group" + g)).append(" {\n");
      out.append(indent).append("  graph [label=<<b>").append(Labels.html(d.style.groupTitles().get(g)))
          .append("</b>>, labeljust=l, style=\"rounded\", color=\"").append(NOTE).append("\", fontcolor=\"")
          .append(INK).append("\", fontsize=12];\n");
      for (Node n : nodes) {
        if (s.members.containsKey(n) && d.style.groupOf(n) == g) {
          writeNode(n, s, indent + "  ");
        }
      }
      out.append(indent).append("}\n");
    }
    for (Node n : nodes) {
      if (!s.members.containsKey(n)) {
        continue;
      }
      Scope inner = s.inner.get(n);
      List<Node> operands = inner != null ? n.inputs() : s.compact.operands(n);
      for (int k = 0; k < operands.size(); k++) {
        Node in = s.compact.source(operands.get(k));
        if (d.style.isHidden(in)) {
          continue;
        }
        String to = inner != null ? id(bodyParam(n, k), inner) : id(n, s);
        edges.add(edge(endpoint(in, s), to, in, isBackward(n, s), inner != null ? bindingLabel(n, k) : null,
            d.compact && inner == null && n.op() == LayoutOps.IDENTITY && n.name() != null && s.compact.consumers(n) > 0));
      }
    }
  }

  private void writeNode(Node n, Scope s, String indent) {
    boolean composite = n.op().kind().isComposite();
    if (composite && s.depth < d.expandDepth) {
      writeExpanded(n, s, indent);
    } else {
      out.append(indent).append(id(n, s)).append(" [").append(nodeAttributes(n, s)).append("];\n");
    }
  }

  /**
   * In a compact drawing, a collapsed composite whose every output read in the scope is read only
   * by a node naming it ({@code h_1 = step(...)#0}) needs no ports: the names say what leaves, and
   * edges from the middle of the box keep a chain of steps on one line.
   */
  private void markPortless(List<Node> nodes, Scope s) {
    Map<Node, Boolean> named = new IdentityHashMap<>();
    Map<Node, Boolean> other = new IdentityHashMap<>();
    for (Node n : nodes) {
      for (Node in : n.inputs()) {
        if (in.op() instanceof GraphOps.GetOutput) {
          Node p = in.input(0);
          (n.op() == LayoutOps.IDENTITY && n.name() != null ? named : other).put(p, Boolean.TRUE);
        }
      }
    }
    for (Node n : nodes) {
      boolean composite = n.op().kind().isComposite();
      if (composite && named.containsKey(n) && !other.containsKey(n) && !contains(d.results, n)) {
        s.portless.put(n, Boolean.TRUE);
      }
    }
  }

  /** Nodes a compact drawing must draw as they are. */
  private boolean mustKeep(Node n, List<Node> results) {
    if (contains(results, n) || tied.containsKey(n) || d.grads.containsKey(n) || d.values.containsKey(n)
        || d.style.nameOf(n) != null || d.style.isStateIn(n) || d.style.isStateOut(n)) {
      return true;
    }
    for (List<Node> chain : d.style.spines()) {
      if (contains(chain, n)) {
        return true;
      }
    }
    return false;
  }

  private static boolean contains(List<Node> list, Node n) {
    for (Node x : list) {
      if (x == n || x.op() instanceof GraphOps.GetOutput && x.input(0) == n) {
        return true;
      }
    }
    return false;
  }

  private void writeExpanded(Node n, Scope s, String indent) {
    Function fn = body(n);
    Scope inner = new Scope(s.prefix + "c" + n.id() + "_", s.depth + 1, isBackward(n, s));
    s.inner.put(n, inner);
    String line = inner.backward ? BACK : COMPOSITE_LINE;
    String fill = inner.backward ? BACK_FILL : CLUSTER_FILL;
    out.append(indent).append("subgraph ").append(Labels.quoted("cluster_" + s.prefix + "c" + n.id())).append(" {\n");
    String in = indent + "  ";
    out.append(in).append("graph [label=<").append(compositeTitle(n)).append(">, labeljust=l, style=\"rounded,filled")
        .append(inner.backward ? ",dashed" : "").append("\", color=\"").append(line).append("\", fillcolor=\"")
        .append(fill).append("\", fontcolor=\"").append(inner.backward ? BACK_TEXT : COMPOSITE_LINE).append("\"];\n");
    writeScope(Diagram.ancestors(fn.results(), fn.params()), fn.results(), inner, in);
    if (n.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) n.op();
      for (int i = 0; i < op.carryCount(); i++) {
        // the recurrence: a new carry is the next step's carry
        edges.add(endpoint(fn.results().get(i), inner) + " -> " + id(fn.params().get(i), inner)
            + " [style=dashed, constraint=false, color=\"" + NOTE + "\", label=\"next step\"];");
      }
    }
    out.append(indent).append("}\n");
  }

  /** The function whose body an expanded composite shows. */
  private static Function body(Node n) {
    return n.op() instanceof CallOp ? ((CallOp) n.op()).function() : ((Scan.ScanOp) n.op()).step();
  }

  /** The body's formal input that argument {@code k} of a composite binds. */
  private static Node bodyParam(Node composite, int k) {
    return body(composite).params().get(k);
  }

  private static String bindingLabel(Node composite, int k) {
    if (composite.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) composite.op();
      if (k < op.carryCount()) {
        return "initial";
      }
      if (k < op.carryCount() + op.sequenceCount()) {
        return "[t]";
      }
    }
    return null;
  }

  /** The body node that produces output {@code i} of an expanded composite. */
  private static Node bodySource(Node composite, int i) {
    Function fn = body(composite);
    if (composite.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) composite.op();
      int nc = op.carryCount();
      int ys = op.yCount();
      if (i >= nc + ys + nc) {
        return op.residuals().get(i - nc - ys - nc); // a value of the step saved for the gradient
      }
      if (i >= nc + ys) {
        return fn.params().get(i - nc - ys);   // the history holds the carry entering each step
      }
    }
    return fn.results().get(i);
  }

  /** Where an edge carrying the value of {@code v} starts, seen from scope {@code s}. */
  private String endpoint(Node node, Scope s) {
    Node v = s.compact.resolve(node);
    if (v.op() instanceof GraphOps.GetOutput) {
      Node p = v.input(0);
      int i = ((GraphOps.GetOutput) v.op()).index();
      Scope inner = s.inner.get(p);
      if (inner != null) {
        return endpoint(bodySource(p, i), inner);
      }
      return s.portless.containsKey(p) ? id(p, s) : id(p, s) + ":o" + i + ":e";
    }
    Scope inner = s.inner.get(v);
    if (inner != null) {
      return endpoint(bodySource(v, 0), inner);
    }
    return id(v, s);
  }

  private static String id(Node n, Scope s) {
    return s.prefix + "n" + n.id();
  }

  private boolean isBackward(Node n, Scope s) {
    return s.backward || s.depth == 0 && d.backward.containsKey(n);
  }

  // ------------------------------------------------------------------ nodes

  private String nodeAttributes(Node n, Scope s) {
    boolean back = isBackward(n, s);
    String name = displayName(n);
    // lines under the main label: the value an adjoint belongs to, value and gradient summaries
    List<Node> forward = s.depth == 0 ? d.adjointOf.get(n) : null;
    String extra = (forward != null ? "<br/><font point-size=\"9\">∂" + forwardName(forward.get(0)) + "</font>" : "")
        + annotation(n);
    StringBuilder a = new StringBuilder();
    String label;
    String line = back ? BACK : null;
    boolean bare = n.op() instanceof GraphOps.Constant || n.op() instanceof GraphOps.Fill || n.op() == LayoutOps.IDENTITY && name != null;
    if (n.op() instanceof GraphOps.Leaf) {
      boolean param = ((GraphOps.Leaf) n.op()).role() == GraphOps.Leaf.Role.PARAMETER;
      label = Labels.name(name != null ? name : n.op().name());
      a.append("shape=box, style=\"").append(param ? "filled" : "rounded,filled").append(back ? ",dashed" : "")
          .append("\", width=0.4, height=0.3, fillcolor=\"").append(param ? PARAM_FILL : INPUT_FILL).append('"');
      line = back ? BACK : param ? PARAM_LINE : INPUT_LINE;
    } else if (n.op() instanceof GraphOps.Constant || n.op() instanceof GraphOps.Fill) {
      label = Labels.html(n.op().label());
      a.append("shape=box, color=\"transparent\", width=0.2, height=0.2, fontsize=10");
    } else if (n.op().kind().isComposite()) {
      label = compositeLabel(n, name, !s.portless.containsKey(n), s);
      a.append("shape=box, style=\"rounded,filled").append(back ? ",dashed" : "").append("\", margin=0, fillcolor=\"")
          .append(back ? BACK_FILL : COMPOSITE_FILL).append('"');
      line = back ? BACK : COMPOSITE_LINE;
    } else if (n.op() == LayoutOps.IDENTITY && name != null) {
      label = Labels.name(name);      // a named value: just its name, as in a textbook figure
      a.append("shape=box, color=\"transparent\", width=0.2, height=0.2, margin=0.03, fontsize=12");
    } else if (s.compact.foldedParameter(n) != null) {
      Node p = s.compact.foldedParameter(n);
      String pn = displayName(p);
      Ops.MatMul m = (Ops.MatMul) n.op();
      // a batch of rows times Wᵀ (or W times a column) is W applied to each example: W ·
      boolean left = p == s.compact.source(n.input(0)) ? !m.transA() : m.transB();
      String w = Labels.name(pn != null ? pn : "W");
      label = left ? w + " ·" : "· " + w;
      if (name != null) {
        label += "<br/><font point-size=\"10\">" + Labels.name(name) + "</font>";
      }
      a.append("shape=box, style=\"filled").append(back ? ",dashed" : "")
          .append("\", width=0.3, height=0.3, margin=\"0.06,0.03\", fontsize=11, fillcolor=\"").append(PARAM_FILL).append('"');
      line = back ? BACK : PARAM_LINE;
    } else {
      String sym = Labels.symbol(n.op());
      label = Labels.html(sym);
      if (name != null) {
        label += "<br/><font point-size=\"10\">" + Labels.name(name) + "</font>";
      }
      if (Labels.isSign(sym) && name == null && extra.isEmpty()) {
        a.append("shape=circle, width=0.3, height=0.3, margin=0.02, fontsize=12").append(back ? ", style=dashed" : "");
      } else {
        a.append("shape=box, style=\"rounded").append(back ? ",dashed" : "")
            .append("\", width=0.3, height=0.3, margin=\"0.06,0.03\", fontsize=10");
      }
    }
    label += extra;
    if (line != null && !bare) {
      a.append(", color=\"").append(line).append('"');
    }
    if (back) {
      a.append(", fontcolor=\"").append(BACK_TEXT).append('"');
    }
    if (isResult(n, s)) {
      a.append(", penwidth=2");
    }
    String group = s.depth == 0 ? spineGroup(n) : null;
    if (group != null) {
      a.append(", group=\"").append(group).append('"');
    }
    a.append(", label=<").append(label).append('>');
    return a.toString();
  }

  private String displayName(Node n) {
    String styled = d.style.nameOf(n);
    return styled != null ? styled : n.name();
  }

  private String forwardName(Node f) {
    if (f.op() instanceof GraphOps.GetOutput) {
      Node p = f.input(0);
      String pn = d.style.nameOf(p) != null ? d.style.nameOf(p) : p.name();
      return Labels.html(pn != null ? pn : Labels.symbol(p.op())) + "#" + ((GraphOps.GetOutput) f.op()).index();
    }
    String name = d.style.nameOf(f) != null ? d.style.nameOf(f) : f.name();
    if (name != null) {
      return Labels.name(name);
    }
    return "(" + Labels.html(Labels.symbol(f.op())) + ")";
  }

  private boolean isResult(Node n, Scope s) {
    if (s.depth != 0) {
      return false;
    }
    for (Node r : d.results) {
      if (r == n || r.op() instanceof GraphOps.GetOutput && r.input(0) == n) {
        return true;
      }
    }
    return false;
  }

  private String spineGroup(Node n) {
    List<List<Node>> spines = d.style.spines();
    for (int i = 0; i < spines.size(); i++) {
      for (Node m : spines.get(i)) {
        if (m == n) {
          return "spine" + i;
        }
      }
    }
    return null;
  }

  private String compositeTitle(Node n) {
    if (n.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) n.op();
      int steps = n.input(op.carryCount()).shape().dim(0);
      return Labels.html((op.reverse() ? "reverse scan " : "scan ") + op.step().name() + ", " + steps + " steps");
    }
    return "<b>" + Labels.html(n.op().name()) + "</b>";
  }

  /** A collapsed composite: its name, then one port per output on the right. */
  private String compositeLabel(Node n, String name, boolean ports, Scope s) {
    String title = compositeTitle(n);
    if (name != null) {
      title = Labels.name(name) + "<br/><font point-size=\"9\">" + title + "</font>";
    }
    List<Integer> shown = new ArrayList<>();
    for (int i = 0; i < n.op().outputCount(); i++) {
      if (!isResidual(n, i) || isRead(n, i, s)) {
        shown.add(i); // a residual output has a port only when the drawing reads it (a gradient's reverse scan)
      }
    }
    int outs = shown.size();
    if (n.op().outputCount() == 1 || !ports) {
      return "<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"4\"><tr><td>" + title
          + "</td></tr></table>";
    }
    StringBuilder t = new StringBuilder("<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"3\">");
    for (int k = 0; k < outs; k++) {
      int i = shown.get(k);
      t.append("<tr>");
      if (k == 0) {
        t.append("<td rowspan=\"").append(outs).append("\" sides=\"r\">").append(title).append("</td>");
      }
      t.append("<td port=\"o").append(i).append("\" sides=\"").append(k + 1 < outs ? "b" : "")
          .append("\"><font point-size=\"9\">").append(outputName(n, i)).append("</font></td></tr>");
    }
    return t.append("</table>").toString();
  }

  private static boolean isResidual(Node n, int i) {
    if (!(n.op() instanceof Scan.ScanOp)) {
      return false;
    }
    Scan.ScanOp op = (Scan.ScanOp) n.op();
    return i >= op.carryCount() + op.yCount() + op.carryCount();
  }

  /** Whether a node drawn in scope {@code s} reads output {@code i} of {@code n}. */
  private static boolean isRead(Node n, int i, Scope s) {
    for (Node m : s.members.keySet()) {
      for (Node in : m.inputs()) {
        if (in.op() instanceof GraphOps.GetOutput && in.input(0) == n && ((GraphOps.GetOutput) in.op()).index() == i) {
          return true;
        }
      }
    }
    return false;
  }

  private static String outputName(Node n, int i) {
    Function fn = body(n);
    if (n.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) n.op();
      int nc = op.carryCount();
      int ys = op.yCount();
      if (i < nc) {
        return "last " + resultName(fn, i);
      }
      if (i < nc + ys) {
        return "all " + resultName(fn, i);
      }
      if (i >= nc + ys + nc) {
        return "saved " + valueName(op.residuals().get(i - nc - ys - nc));
      }
      Node p = fn.params().get(i - nc - ys);
      return "history " + (p.name() != null ? Labels.name(p.name()) : "carry " + (i - nc - ys));
    }
    return resultName(fn, i);
  }

  /** A body value's name: its own, that of a named identity of it ({@code h'}), or its op's symbol. */
  private static String valueName(Node v) {
    if (v.name() != null) {
      return Labels.name(v.name());
    }
    List<Node> body = v.graph().nodes();
    for (int j = v.id() + 1; j < body.size(); j++) {
      Node n = body.get(j);
      if (n.op() == LayoutOps.IDENTITY && n.name() != null && n.input(0) == v) {
        return Labels.name(n.name());
      }
    }
    return Labels.html(Labels.symbol(v.op()));
  }

  private static String resultName(Function fn, int i) {
    String name = fn.results().get(i).name();
    return name != null ? Labels.name(name) : "#" + i;
  }

  /** Value summary and gradient norm, as extra lines of a label; empty when not annotated. */
  private String annotation(Node n) {
    StringBuilder sb = new StringBuilder();
    if (!d.numbers) {
      return "";
    }
    Tensor v = d.values.get(n);
    if (v != null) {
      sb.append("<br/><font point-size=\"8\" color=\"").append(NOTE).append("\">").append(summary(v)).append("</font>");
    }
    Tensor g = d.grads.get(n);
    if (g != null) {
      sb.append("<br/><font point-size=\"8\" color=\"").append(NOTE).append("\">‖∇‖ ")
          .append(Labels.number(norm(g))).append("</font>");
    }
    return sb.toString();
  }

  private static String summary(Tensor v) {
    if (v.size() == 1) {
      return "= " + Labels.number(v.getFlat(0));
    }
    double[] x = v.toDoubleArray();
    double mean = 0;
    for (double e : x) {
      mean += e;
    }
    mean /= x.length;
    double var = 0;
    for (double e : x) {
      var += (e - mean) * (e - mean);
    }
    return "μ " + Labels.number(mean) + " σ " + Labels.number(Math.sqrt(var / x.length));
  }

  static double norm(Tensor t) {
    double s = 0;
    for (double e : t.toDoubleArray()) {
      s += e * e;
    }
    return Math.sqrt(s);
  }

  // ------------------------------------------------------------------ edges

  private String edge(String from, String to, Node value, boolean back, String label) {
    return edge(from, to, value, back, label, false);
  }

  /** An edge carrying {@code value}; {@code noShape} when the value's name node is labelled further on. */
  private String edge(String from, String to, Node value, boolean back, String label, boolean noShape) {
    StringBuilder a = new StringBuilder();
    Tensor g = d.grads.get(value);
    if (g != null) {
      double t = position(norm(g));
      a.append("color=\"").append(color(t)).append("\", penwidth=").append(String.format(Locale.ROOT, "%.2f", 1 + 2.5 * t));
    } else if (back) {
      a.append("color=\"").append(BACK).append("\", style=dashed");
    }
    String text = label;
    if (d.showShapes && !value.isMultiOutput() && !noShape) {
      String shape = Labels.shape(shownShape(value));
      text = text == null ? shape : text + " " + shape;
    }
    if (text != null) {
      if (a.length() > 0) {
        a.append(", ");
      }
      a.append("label=").append(Labels.quoted(text));
    }
    return from + " -> " + to + (a.length() > 0 ? " [" + a + "]" : "") + ";";
  }

  /** A value's shape as edges show it: without a batch axis of one when drawing per example. */
  private dev.cellgraph.core.Shape shownShape(Node v) {
    dev.cellgraph.core.Shape s = v.shape();
    if (d.perExample && s.rank() >= 2 && s.dim(0) == 1 && computedFromInputs(v)) {
      int[] dims = new int[s.rank() - 1];
      for (int i = 1; i < s.rank(); i++) {
        dims[i - 1] = s.dim(i);
      }
      return dev.cellgraph.core.Shape.of(dims);
    }
    return s;
  }

  /** Whether a value depends on an input leaf (so its leading axis is the batch). */
  private boolean computedFromInputs(Node v) {
    dev.cellgraph.autodiff.Graph g = v.graph();
    boolean[] f = fromInputs.get(g);
    if (f == null || f.length <= v.id()) {
      List<Node> all = g.nodes();
      f = new boolean[all.size()];
      for (int i = 0; i < f.length; i++) {
        Node n = all.get(i);
        if (n.op() instanceof GraphOps.Leaf) {
          f[i] = ((GraphOps.Leaf) n.op()).role() == GraphOps.Leaf.Role.INPUT;
        } else {
          for (Node in : n.inputs()) {
            f[i] |= f[in.id()];
          }
        }
      }
      fromInputs.put(g, f);
    }
    return f[v.id()];
  }

  /** Where a norm sits on the log scale, 0 to 1. */
  private double position(double norm) {
    if (!(norm > 0) || logHi <= logLo) {
      return norm > 0 && logHi <= logLo ? 0.5 : 0;
    }
    double t = (Math.log10(norm) - logLo) / (logHi - logLo);
    return Math.max(0, Math.min(1, t));
  }

  static String color(double t) {
    double x = t * (RAMP.length - 1);
    int i = Math.min((int) Math.floor(x), RAMP.length - 2);
    double f = x - i;
    int a = RAMP[i];
    int b = RAMP[i + 1];
    int r = (int) Math.round(((a >> 16) & 255) * (1 - f) + ((b >> 16) & 255) * f);
    int gr = (int) Math.round(((a >> 8) & 255) * (1 - f) + ((b >> 8) & 255) * f);
    int bl = (int) Math.round((a & 255) * (1 - f) + (b & 255) * f);
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, gr, bl);
  }

  /** Each adjoint tied to the value it is the gradient of: dotted, not constraining the layout. */
  private void writeAdjointTies(Scope top) {
    for (Node n : d.nodes) {
      List<Node> forward = d.adjointOf.get(n);
      if (forward == null || !drawn(n, top)) {
        continue;
      }
      for (Node f : forward) {
        if (drawn(f, top)) {
          edges.add(endpoint(n, top) + " -> " + endpoint(f, top) + " [style=dotted, color=\"" + TIE
              + "\", penwidth=0.7, arrowhead=none, constraint=false];");
        }
      }
    }
  }

  private static boolean drawn(Node n, Scope s) {
    Node m = s.compact.resolve(n.op() instanceof GraphOps.GetOutput ? n.input(0) : n);
    return s.members.containsKey(m);
  }

  /** States in at the left edge, states out at the right, spines straight. */
  private void writeRanks(Scope top) {
    writeRank("source", d.style.statesIn(), top);
    writeRank("sink", d.style.statesOut(), top);
    List<List<Node>> spines = d.style.spines();
    for (List<Node> chain : spines) {
      for (int i = 0; i + 1 < chain.size(); i++) {
        if (drawn(chain.get(i), top) && drawn(chain.get(i + 1), top)) {
          edges.add(endpoint(chain.get(i), top) + " -> " + endpoint(chain.get(i + 1), top)
              + " [style=invis, weight=20];");
        }
      }
    }
  }

  private void writeRank(String rank, List<Node> nodes, Scope top) {
    List<String> ids = new ArrayList<>();
    for (Node n : nodes) {
      Node m = top.compact.resolve(n.op() instanceof GraphOps.GetOutput ? n.input(0) : n);
      if (top.members.containsKey(m) && !top.inner.containsKey(m) && !ids.contains(id(m, top))) {
        ids.add(id(m, top));
      }
    }
    if (!ids.isEmpty()) {
      out.append("  { rank=").append(rank).append("; ").append(String.join("; ", ids)).append("; }\n");
    }
  }

  private void writeLegend() {
    int stops = 5;
    StringBuilder t = new StringBuilder("<table border=\"0\" cellborder=\"0\" cellspacing=\"1\" cellpadding=\"2\">");
    t.append("<tr><td colspan=\"").append(stops).append("\"><font point-size=\"9\">‖gradient‖ (log scale)</font></td></tr><tr>");
    for (int i = 0; i < stops; i++) {
      t.append("<td bgcolor=\"").append(color(i / (double) (stops - 1))).append("\" width=\"44\" height=\"8\"></td>");
    }
    t.append("</tr><tr>");
    for (int i = 0; i < stops; i++) {
      double v = Math.pow(10, logLo + (logHi - logLo) * i / (stops - 1));
      t.append("<td><font point-size=\"8\">").append(Labels.number(v)).append("</font></td>");
    }
    t.append("</tr></table>");
    out.append("  legend [shape=plain, label=<").append(t).append(">];\n");
  }
}
