package dev.cellgraph.render;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The logarithmic colour scale on which a diagram shows gradient norms: its range (the diagram's
 * own, or that of its gradients widened to at least one decade), each norm's position and colour
 * on it, and the legend that explains it.
 */
final class GradientScale {
  /** A sequential colour map (viridis, reversed: pale yellow for small, dark violet for large). */
  private static final int[] RAMP = {0xfde725, 0x7ad151, 0x22a884, 0x2a788e, 0x414487, 0x440154};

  private final double logLo;
  private final double logHi;

  GradientScale(Diagram d) {
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    if (d.gradRange != null) {
      lo = d.gradRange[0];
      hi = d.gradRange[1];
    } else {
      for (Tensor g : gradientsInOrder(d)) {
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

  /** The gradients a diagram shows, in node order. */
  static List<Tensor> gradientsInOrder(Diagram d) {
    List<Tensor> r = new ArrayList<>();
    for (Node n : d.nodes) {
      Tensor g = d.grads.get(n);
      if (g != null) {
        r.add(g);
      }
    }
    return r;
  }

  static double norm(Tensor t) {
    double s = 0;
    for (double e : t.toDoubleArray()) {
      s += e * e;
    }
    return Math.sqrt(s);
  }

  /** Where a norm sits on the log scale, 0 to 1. */
  double position(double norm) {
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

  /** The DOT statement of the legend: the colour ramp with the norms at five stops. */
  String legend() {
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
    return "  legend [shape=plain, label=<" + t + ">];\n";
  }
}
