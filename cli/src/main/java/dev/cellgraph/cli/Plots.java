package dev.cellgraph.cli;

import dev.cellgraph.core.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Line and scatter plots with XChart, written as PNG and SVG side by side (atomically). Works headless: the
 * charts are drawn off screen, and {@code java.awt.headless} is set before AWT loads.
 */
final class Plots {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    // in memory, not a temporary file: its cleanup is a shutdown hook, which cannot be added while a
    // run stopped by a signal draws its last plot
    javax.imageio.ImageIO.setUseCache(false);
  }

  /**
   * Every cell keeps its colour and dash in every plot of the project: the classic cells have
   * their own, any other name takes one of the rest by a stable hash of the name.
   */
  private static final Map<String, Integer> CELL_COLORS = Map.of(
      "rnn", 0xd62728, "lstm", 0x1f77b4, "gru", 0x2ca02c, "mgu", 0xff7f0e);
  private static final int[] OTHER_COLORS = {0x9467bd, 0x8c564b, 0xe377c2, 0x17becf, 0xbcbd22, 0x393b79};
  /** Dash patterns (on, off lengths), so curves that lie on each other stay distinguishable. */
  private static final float[][] DASHES = {null, {9f, 3f}, {2f, 3f}, {9f, 3f, 2f, 3f}};
  private static final List<String> CELL_ORDER = List.of("rnn", "lstm", "gru", "mgu");
  /** The most points a line is drawn with: more only crowd the image (and the SVG) without showing more. */
  static final int MAX_POINTS = 300;
  /** The least room, in pixels, XChart leaves between x tick marks. */
  private static final int X_TICK_SPACING = 120;
  /** The opacity of a faint line (of 255): visible where it lies apart, a haze where several agree. */
  private static final int FAINT_ALPHA = 70;

  /** The colour a cell is drawn in, whatever the plot. */
  static Color colorOf(String cell) {
    Integer known = CELL_COLORS.get(cell);
    if (known != null) {
      return new Color(known);
    }
    return new Color(OTHER_COLORS[Math.floorMod(cell.hashCode(), OTHER_COLORS.length)]);
  }

  /** The stroke a cell is drawn with, whatever the plot: its own dash pattern. */
  static BasicStroke strokeOf(String cell) {
    int i = CELL_ORDER.indexOf(cell);
    float[] dash = DASHES[i >= 0 ? i : Math.floorMod(cell.hashCode() >> 4, DASHES.length)];
    return dash == null ? new BasicStroke(2.2f)
        : new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f);
  }

  /** One line: its points and whether it is drawn dashed (a reference line). */
  record Line(double[] x, double[] y, boolean dashed) {
    static Line of(double[] x, double[] y) {
      return new Line(x, y, false);
    }
  }

  private Plots() {}

  /**
   * Writes {@code base.png} and {@code base.svg}: the lines (in insertion order), optionally with a
   * logarithmic y axis. Returns the two paths.
   */
  static List<Path> lines(Path base, String title, String xLabel, String yLabel, Map<String, Line> lines,
      boolean logY) throws IOException {
    XYChart chart = chart(title, xLabel, yLabel, lines, logY);
    return write(chart, base);
  }

  /**
   * As {@link #lines}, with {@code faint} lines behind the others: thin, translucent, in their
   * cell's colour (by the part of the name before a space) and out of the legend, as the single
   * runs behind their median.
   */
  static List<Path> lines(Path base, String title, String xLabel, String yLabel, Map<String, Line> lines,
      Map<String, Line> faint, boolean logY) throws IOException {
    return write(chart(title, xLabel, yLabel, lines, faint, logY), base);
  }

  /** The chart of {@link #lines(Path, String, String, String, Map, Map, boolean)}. */
  static XYChart chart(String title, String xLabel, String yLabel, Map<String, Line> lines, Map<String, Line> faint,
      boolean logY) {
    Map<String, Line> all = map();
    all.putAll(faint);
    all.putAll(lines);
    XYChart chart = chart(title, xLabel, yLabel, all, logY);
    for (String name : faint.keySet()) {
      XYSeries series = chart.getSeriesMap().get(name);
      Color c = colorOf(name.split(" ", 2)[0]);
      series.setLineColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), FAINT_ALPHA));
      series.setLineStyle(new BasicStroke(1f));
      series.setShowInLegend(false);
    }
    return chart;
  }

  /**
   * The chart {@link #lines} draws: the legend right of the plot area (never over a curve), each
   * line in its cell's colour and dash pattern (by the part of its name before a space, so
   * {@code "lstm validation"} is lstm's), reference lines grey and dashed.
   */
  static XYChart chart(String title, String xLabel, String yLabel, Map<String, Line> lines, boolean logY) {
    XYChart chart = new XYChartBuilder().width(900).height(480).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel)
        .build();
    Styler s = chart.getStyler();
    double[] range = range(lines);
    // a log axis labels only powers of ten: under two decades it would show one label, so stay linear
    logY = logY && range[2] > 0 && range[3] / range[2] >= 100;
    chart.getStyler().setYAxisLogarithmic(logY);
    if (logY) {
      chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(range[2]))));
      chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(range[3]))));
    }
    if (range[0] > 0 && range[0] <= 0.05 * range[1]) {
      chart.getStyler().setXAxisMin(0.0); // steps from 1: ticks at multiples of their spacing, not 1, 15, 29...
    }
    // XChart's default (74 px) puts a label every 100 steps of 1,200 with little room between them
    chart.getStyler().setXAxisTickMarkSpacingHint(X_TICK_SPACING);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
    chart.getStyler().setAntiAlias(true);
    s.setToolTipsEnabled(false);
    for (Map.Entry<String, Line> e : lines.entrySet()) {
      Line thin = thinned(e.getValue(), MAX_POINTS);
      double[] x = thin.x();
      double[] y = thin.y();
      if (logY) {
        y = positive(y);
      }
      XYSeries series = chart.addSeries(e.getKey(), x, y);
      series.setMarker(SeriesMarkers.NONE);
      String cell = e.getKey().split(" ", 2)[0];
      series.setLineColor(e.getValue().dashed() ? Color.GRAY : colorOf(cell));
      series.setLineStyle(e.getValue().dashed()
          ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f)
          : strokeOf(cell));
    }
    return chart;
  }

  /**
   * Writes {@code base.png} and {@code base.svg}: one series of points per entry (markers, no
   * lines), with logarithmic axes where asked. Returns the two paths.
   */
  static List<Path> scatter(Path base, String title, String xLabel, String yLabel, Map<String, Line> series,
      boolean logX, boolean logY) throws IOException {
    XYChart chart = new XYChartBuilder().width(800).height(480).title(title).xAxisTitle(xLabel).yAxisTitle(yLabel)
        .build();
    Styler s = chart.getStyler();
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    chart.getStyler().setXAxisLogarithmic(logX);
    chart.getStyler().setXAxisTickMarkSpacingHint(X_TICK_SPACING);
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setPlotGridLinesColor(new Color(0xdddddd));
    chart.getStyler().setAntiAlias(true);
    chart.getStyler().setMarkerSize(6);
    s.setToolTipsEnabled(false);
    for (Map.Entry<String, Line> e : series.entrySet()) {
      double[] x = logX ? positive(e.getValue().x()) : e.getValue().x();
      double[] y = logY ? positive(e.getValue().y()) : e.getValue().y();
      XYSeries xy = chart.addSeries(e.getKey(), x, y);
      xy.setMarker(SeriesMarkers.CIRCLE);
      xy.setMarkerColor(colorOf(e.getKey()));
    }
    return write(chart, base);
  }

  /** Writes {@code base.png} and {@code base.svg} of the chart, atomically; returns the two paths. */
  private static List<Path> write(XYChart chart, Path base) throws IOException {
    Path png = base.resolveSibling(base.getFileName() + ".png");
    Path svg = base.resolveSibling(base.getFileName() + ".svg");
    AtomicFiles.write(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    AtomicFiles.write(svg, out -> VectorGraphicsEncoder.saveVectorGraphic(chart, out,
        VectorGraphicsEncoder.VectorGraphicsFormat.SVG));
    return List.of(png, svg);
  }

  /** The lines' least and greatest x, then least positive and greatest y (NaN when there are none). */
  static double[] range(Map<String, Line> lines) {
    double[] r = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY};
    for (Line l : lines.values()) {
      for (double x : l.x()) {
        r[0] = Math.min(r[0], x);
        r[1] = Math.max(r[1], x);
      }
      for (double y : l.y()) {
        if (y > 0 && Double.isFinite(y)) {
          r[2] = Math.min(r[2], y);
          r[3] = Math.max(r[3], y);
        }
      }
    }
    for (int i = 0; i < 4; i++) {
      r[i] = Double.isInfinite(r[i]) ? Double.NaN : r[i];
    }
    return r;
  }

  /** A log axis cannot show zero: clamp to a tiny positive value. */
  private static double[] positive(double[] y) {
    double[] r = y.clone();
    for (int i = 0; i < r.length; i++) {
      r[i] = Math.max(r[i], 1e-30);
    }
    return r;
  }

  /** A loss curve smoothed by a moving average of {@code window} steps, sampled at most 400 times. */
  static Line smoothed(List<Double> values, int window) {
    int n = values.size();
    int stride = Math.max(1, n / 400);
    List<double[]> pts = new ArrayList<>();
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += values.get(i);
      if (i >= window) {
        sum -= values.get(i - window);
      }
      if (i % stride == 0 || i == n - 1) {
        pts.add(new double[] {i + 1, sum / Math.min(i + 1, window)});
      }
    }
    double[] x = new double[pts.size()];
    double[] y = new double[pts.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = pts.get(i)[0];
      y[i] = pts.get(i)[1];
    }
    return Line.of(x, y);
  }

  /**
   * The line with at most {@code max} points: unchanged if it has no more; else its first and last
   * points and, of each of {@code (max - 2) / 2} runs of consecutive points between them, the lowest
   * and the highest in x order (a spike or a dip survives, which taking every k-th point would miss).
   */
  static Line thinned(Line l, int max) {
    int n = l.x().length;
    if (n <= max) {
      return l;
    }
    int buckets = (max - 2) / 2;
    List<Integer> keep = new ArrayList<>();
    keep.add(0);
    for (int b = 0; b < buckets; b++) {
      int from = 1 + (int) ((long) (n - 2) * b / buckets);
      int to = 1 + (int) ((long) (n - 2) * (b + 1) / buckets);
      int lo = from;
      int hi = from;
      for (int i = from; i < to; i++) {
        if (l.y()[i] < l.y()[lo]) {
          lo = i;
        }
        if (l.y()[i] > l.y()[hi]) {
          hi = i;
        }
      }
      keep.add(Math.min(lo, hi));
      if (lo != hi) {
        keep.add(Math.max(lo, hi));
      }
    }
    keep.add(n - 1);
    double[] x = new double[keep.size()];
    double[] y = new double[keep.size()];
    for (int k = 0; k < x.length; k++) {
      x[k] = l.x()[keep.get(k)];
      y[k] = l.y()[keep.get(k)];
    }
    return new Line(x, y, l.dashed());
  }

  /** A horizontal dashed reference line from x0 to x1. */
  static Line reference(double x0, double x1, double y) {
    return new Line(new double[] {x0, x1}, new double[] {y, y}, true);
  }

  static Map<String, Line> map() {
    return new LinkedHashMap<>();
  }
}
