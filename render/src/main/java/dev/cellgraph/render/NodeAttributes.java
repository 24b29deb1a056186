package dev.cellgraph.render;

import static dev.cellgraph.render.DotPalette.BACK;
import static dev.cellgraph.render.DotPalette.BACK_FILL;
import static dev.cellgraph.render.DotPalette.BACK_TEXT;
import static dev.cellgraph.render.DotPalette.COMPOSITE_FILL;
import static dev.cellgraph.render.DotPalette.COMPOSITE_LINE;
import static dev.cellgraph.render.DotPalette.INPUT_FILL;
import static dev.cellgraph.render.DotPalette.INPUT_LINE;
import static dev.cellgraph.render.DotPalette.NOTE;
import static dev.cellgraph.render.DotPalette.PARAM_FILL;
import static dev.cellgraph.render.DotPalette.PARAM_LINE;

import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The DOT attributes of one drawn node: its shape, colours and HTML label (name, symbol, the value
 * an adjoint belongs to, value and gradient summaries, a collapsed composite's output ports).
 */
final class NodeAttributes {
  private final Diagram d;

  NodeAttributes(Diagram d) {
    this.d = d;
  }

  String of(Node n, DotScope s) {
    boolean back = s.isBackward(n, d);
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
    } else if (n.op().kind().isComposite() && d.style.isSmall(n)) {
      label = "";
      a.append("shape=box, style=\"rounded,filled").append(back ? ",dashed" : "")
          .append("\", width=0.22, height=0.22, fixedsize=true, fillcolor=\"").append(back ? BACK_FILL : COMPOSITE_FILL).append('"');
      line = back ? BACK : COMPOSITE_LINE;
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

  private boolean isResult(Node n, DotScope s) {
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

  /** A collapsed composite: its name, then one port per output on the right. */
  private String compositeLabel(Node n, String name, boolean ports, DotScope s) {
    String title = Composites.title(n);
    if (name != null) {
      title = Labels.name(name) + "<br/><font point-size=\"9\">" + title + "</font>";
    }
    List<Integer> shown = new ArrayList<>();
    for (int i = 0; i < n.op().outputCount(); i++) {
      if (!Composites.isResidual(n, i) || isRead(n, i, s)) {
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
          .append("\"><font point-size=\"9\">").append(Composites.outputName(n, i)).append("</font></td></tr>");
    }
    return t.append("</table>").toString();
  }

  /** Whether a node drawn in scope {@code s} reads output {@code i} of {@code n}. */
  private static boolean isRead(Node n, int i, DotScope s) {
    for (Node m : s.members.keySet()) {
      for (Node in : m.inputs()) {
        if (in.op() instanceof GraphOps.GetOutput && in.input(0) == n && ((GraphOps.GetOutput) in.op()).index() == i) {
          return true;
        }
      }
    }
    return false;
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
          .append(Labels.number(GradientScale.norm(g))).append("</font>");
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
}
