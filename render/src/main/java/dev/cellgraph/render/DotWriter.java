package dev.cellgraph.render;

import static dev.cellgraph.render.DotPalette.BACK;
import static dev.cellgraph.render.DotPalette.BACK_FILL;
import static dev.cellgraph.render.DotPalette.BACK_TEXT;
import static dev.cellgraph.render.DotPalette.CLUSTER_FILL;
import static dev.cellgraph.render.DotPalette.COMPOSITE_LINE;
import static dev.cellgraph.render.DotPalette.FONT;
import static dev.cellgraph.render.DotPalette.INK;
import static dev.cellgraph.render.DotPalette.NOTE;
import static dev.cellgraph.render.DotPalette.TIE;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link Diagram} as DOT: the scopes (the top graph and the bodies of expanded
 * composites), the edges, the adjoint ties, the ranks and the legend; each node's attributes
 * come from {@link NodeAttributes}, the colours of gradient norms from {@link GradientScale}.
 * Determinism: nodes are visited in id order, edges in order of their target and input position,
 * DOT ids come from node ids (prefixed by the path of expanded composites), and maps keyed by
 * nodes are only looked up, never iterated.
 *
 * <p>Projections of multi-output nodes ({@code output(i)}) are not drawn: their consumers are tied
 * to the output's port on the composite's box, or, when it is expanded, to the body node that
 * produces that output.
 */
final class DotWriter {
  private final Diagram d;
  private final NodeAttributes attributes;
  private final GradientScale scale;
  private final StringBuilder out = new StringBuilder(4096);
  private final List<String> edges = new ArrayList<>();
  private final Map<Node, Boolean> tied = new IdentityHashMap<>(); // forward nodes with a drawn adjoint
  private final Map<dev.cellgraph.autodiff.Graph, boolean[]> fromInputs = new IdentityHashMap<>();

  DotWriter(Diagram d) {
    this.d = d;
    this.attributes = new NodeAttributes(d);
    for (Node n : d.nodes) {
      List<Node> forward = d.adjointOf.get(n);
      if (forward != null) {
        tied.put(n, Boolean.TRUE);
        for (Node f : forward) {
          tied.put(f, Boolean.TRUE);
        }
      }
    }
    this.scale = new GradientScale(d);
  }

  // ------------------------------------------------------------------ scopes

  String write() {
    out.append("digraph ").append(Labels.quoted(d.title)).append(" {\n");
    out.append("  graph [rankdir=LR, newrank=true, fontname=\"").append(FONT)
        .append("\", fontsize=11, nodesep=0.25, ranksep=").append(Labels.number(d.style.rankSeparation()))
        .append(", bgcolor=\"white\", pad=0.1];\n");
    out.append("  node [fontname=\"").append(FONT).append("\", fontsize=11, color=\"").append(INK)
        .append("\", fontcolor=\"").append(INK).append("\", penwidth=1];\n");
    out.append("  edge [fontname=\"").append(FONT).append("\", fontsize=9, color=\"").append(INK)
        .append("\", fontcolor=\"").append(NOTE).append("\", arrowsize=0.6];\n");
    DotScope top = new DotScope("", 0, false);
    writeScope(d.nodes, d.results, top, "  ");
    writeAdjointTies(top);
    writeRanks(top);
    for (String e : edges) {
      out.append("  ").append(e).append('\n');
    }
    if (!GradientScale.gradientsInOrder(d).isEmpty()) {
      out.append(scale.legend());
    }
    out.append("}\n");
    return out.toString();
  }

  private void writeScope(List<Node> nodes, List<Node> results, DotScope s, String indent) {
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
      DotScope inner = s.inner.get(n);
      List<Node> operands = inner != null ? n.inputs() : s.compact.operands(n);
      for (int k = 0; k < operands.size(); k++) {
        Node in = s.compact.source(operands.get(k));
        if (d.style.isHidden(in)) {
          continue;
        }
        String to = inner != null ? inner.id(Composites.bodyParam(n, k)) : s.id(n);
        edges.add(edge(endpoint(in, s), to, in, s.isBackward(n, d),
            inner != null ? Composites.bindingLabel(n, k) : null,
            d.compact && inner == null && n.op() == LayoutOps.IDENTITY && n.name() != null && s.compact.consumers(n) > 0));
      }
    }
  }

  private void writeNode(Node n, DotScope s, String indent) {
    boolean composite = n.op().kind().isComposite();
    if (composite && s.depth < d.expandDepth) {
      writeExpanded(n, s, indent);
    } else {
      out.append(indent).append(s.id(n)).append(" [").append(attributes.of(n, s)).append("];\n");
    }
  }

  /**
   * In a compact drawing, a collapsed composite whose every output read in the scope is read only
   * by a node naming it ({@code h_1 = step(...)#0}) needs no ports: the names say what leaves, and
   * edges from the middle of the box keep a chain of steps on one line.
   */
  private void markPortless(List<Node> nodes, DotScope s) {
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

  private void writeExpanded(Node n, DotScope s, String indent) {
    Function fn = Composites.body(n);
    DotScope inner = new DotScope(s.prefix + "c" + n.id() + "_", s.depth + 1, s.isBackward(n, d));
    s.inner.put(n, inner);
    String line = inner.backward ? BACK : COMPOSITE_LINE;
    String fill = inner.backward ? BACK_FILL : CLUSTER_FILL;
    out.append(indent).append("subgraph ").append(Labels.quoted("cluster_" + s.prefix + "c" + n.id())).append(" {\n");
    String in = indent + "  ";
    out.append(in).append("graph [label=<").append(Composites.title(n)).append(">, labeljust=l, style=\"rounded,filled")
        .append(inner.backward ? ",dashed" : "").append("\", color=\"").append(line).append("\", fillcolor=\"")
        .append(fill).append("\", fontcolor=\"").append(inner.backward ? BACK_TEXT : COMPOSITE_LINE).append("\"];\n");
    writeScope(Diagram.ancestors(fn.results(), fn.params()), fn.results(), inner, in);
    if (n.op() instanceof Scan.ScanOp) {
      Scan.ScanOp op = (Scan.ScanOp) n.op();
      for (int i = 0; i < op.carryCount(); i++) {
        // the recurrence: a new carry is the next step's carry
        edges.add(endpoint(fn.results().get(i), inner) + " -> " + inner.id(fn.params().get(i))
            + " [style=dashed, constraint=false, color=\"" + NOTE + "\", label=\"next step\"];");
      }
    }
    out.append(indent).append("}\n");
  }

  /** Where an edge carrying the value of {@code v} starts, seen from scope {@code s}. */
  private String endpoint(Node node, DotScope s) {
    Node v = s.compact.resolve(node);
    if (v.op() instanceof GraphOps.GetOutput) {
      Node p = v.input(0);
      int i = ((GraphOps.GetOutput) v.op()).index();
      DotScope inner = s.inner.get(p);
      if (inner != null) {
        return endpoint(Composites.bodySource(p, i), inner);
      }
      return s.portless.containsKey(p) || d.style.isSmall(p) ? s.id(p) : s.id(p) + ":o" + i + ":e";
    }
    DotScope inner = s.inner.get(v);
    if (inner != null) {
      return endpoint(Composites.bodySource(v, 0), inner);
    }
    return s.id(v);
  }

  // ------------------------------------------------------------------ edges

  /** An edge carrying {@code value}; {@code noShape} when the value's name node is labelled further on. */
  private String edge(String from, String to, Node value, boolean back, String label, boolean noShape) {
    StringBuilder a = new StringBuilder();
    Tensor g = d.grads.get(value);
    if (g != null) {
      double t = scale.position(GradientScale.norm(g));
      a.append("color=\"").append(GradientScale.color(t)).append("\", penwidth=")
          .append(String.format(Locale.ROOT, "%.2f", 1 + 2.5 * t));
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

  /** Each adjoint tied to the value it is the gradient of: dotted, not constraining the layout. */
  private void writeAdjointTies(DotScope top) {
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

  private static boolean drawn(Node n, DotScope s) {
    Node m = s.compact.resolve(n.op() instanceof GraphOps.GetOutput ? n.input(0) : n);
    return s.members.containsKey(m);
  }

  // ------------------------------------------------------------------ ranks

  /** States in at the left edge, states out at the right, spines straight. */
  private void writeRanks(DotScope top) {
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

  private void writeRank(String rank, List<Node> nodes, DotScope top) {
    List<String> ids = new ArrayList<>();
    for (Node n : nodes) {
      Node m = top.compact.resolve(n.op() instanceof GraphOps.GetOutput ? n.input(0) : n);
      if (top.members.containsKey(m) && !top.inner.containsKey(m) && !ids.contains(top.id(m))) {
        ids.add(top.id(m));
      }
    }
    if (!ids.isEmpty()) {
      out.append("  { rank=").append(rank).append("; ").append(String.join("; ", ids)).append("; }\n");
    }
  }
}
