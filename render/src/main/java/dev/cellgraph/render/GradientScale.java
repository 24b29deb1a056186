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

  /** Columns of the colour bar per decade of the scale: enough that the ramp reads as continuous. */
  static final int COLUMNS_PER_DECADE = 12;
  /** The bar's width in points whatever its range, so a legend never dominates its diagram. */
  private static final int BAR_POINTS = 300;

  /**
   * The DOT statement of the legend: a continuous colour bar (thin cells of the ramp) over the
   * scale's range, with a tick label at every whole decade, or at its two ends when the range
   * spans less than one.
   */
  String legend() {
    double decades = logHi - logLo;
    int columns = Math.max(24, (int) Math.round(Math.max(decades, 1) * COLUMNS_PER_DECADE));
    int width = Math.max(1, Math.round(BAR_POINTS / (float) columns));
    StringBuilder t = new StringBuilder("<table border=\"0\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"0\">");
    t.append("<tr><td colspan=\"").append(columns).append("\"><font point-size=\"9\">‖gradient‖ (log scale)</font></td></tr><tr>");
    for (int i = 0; i < columns; i++) {
      t.append("<td bgcolor=\"").append(color((i + 0.5) / columns)).append("\" width=\"").append(width)
          .append("\" height=\"10\"></td>");
    }
    t.append("</tr><tr>");
    for (Tick tick : ticks(columns)) {
      t.append("<td colspan=\"").append(tick.span).append("\" align=\"").append(tick.align).append("\">");
      if (!tick.label.isEmpty()) {
        t.append("<font point-size=\"8\">").append(Labels.html(tick.label)).append("</font>");
      }
      t.append("</td>");
    }
    t.append("</tr></table>");
    // the graph's own label, above the drawing: as a node it would widen the first column
    return "  graph [labelloc=\"t\", labeljust=\"l\", label=<" + t + ">];\n";
  }

  /** 10^e as a reader writes it: 0.001 to 1000 in full, else 1e-6, 1e5. */
  static String decade(long e) {
    if (e >= 0 && e <= 3) {
      return "1" + "0".repeat((int) e);
    }
    if (e < 0 && e >= -3) {
      return "0." + "0".repeat((int) (-e - 1)) + "1";
    }
    return "1e" + e;
  }

  /** One cell of the legend's label row: {@code span} columns, the label at its left, centre or right. */
  record Tick(int span, String align, String label) {}

  /**
   * The label row under a bar of {@code columns} columns: each whole decade's label centred on
   * the column boundary where it falls (the ends flush with the bar), empty cells between.
   */
  List<Tick> ticks(int columns) {
    List<Integer> at = new ArrayList<>();
    List<String> labels = new ArrayList<>();
    double range = logHi - logLo;
    if (range > 0) {
      for (long e = (long) Math.ceil(logLo - 1e-9); e <= logHi + 1e-9; e++) {
        at.add((int) Math.round((e - logLo) / range * columns));
        labels.add(decade(e));
      }
    }
    if (at.size() < 2) {   // less than a decade: label the two ends
      at = List.of(0, columns);
      labels = List.of(Labels.number(Math.pow(10, logLo)), Labels.number(Math.pow(10, logHi)));
    }
    List<Tick> row = new ArrayList<>();
    int used = 0;
    int half = Math.max(1, columns / (2 * at.size()));
    for (int k = 0; k < at.size(); k++) {
      int c = at.get(k);
      int from = k == 0 && c == 0 ? 0 : Math.max(used, c - half);
      int to = k == at.size() - 1 && c == columns ? columns : Math.min(columns, c + half);
      if (to <= from) {
        continue; // no room under the bar for this label
      }
      if (from > used) {
        row.add(new Tick(from - used, "center", ""));
      }
      String align = from == 0 && c == 0 ? "left" : to == columns && c == columns ? "right" : "center";
      row.add(new Tick(to - from, align, labels.get(k)));
      used = to;
    }
    if (used < columns) {
      row.add(new Tick(columns - used, "center", ""));
    }
    return row;
  }
}
