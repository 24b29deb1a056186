package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.BasicStroke;
import java.awt.FontMetrics;
import java.awt.image.BufferedImage;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.AxisPair;
import org.knowm.xchart.internal.chartpart.AxisTickCalculator_;
import org.knowm.xchart.style.Styler;

/** Plots: every curve visible, every cell in the same colour and dash in every plot. */
class PlotsTest {
  private static Map<String, Plots.Line> lines(String... names) {
    Map<String, Plots.Line> m = Plots.map();
    for (String n : names) {
      m.put(n, Plots.Line.of(new double[] {1, 2, 3}, new double[] {0.5, 0.4, 0.3}));
    }
    return m;
  }

  private static XYSeries series(XYChart chart, String name) {
    return chart.getSeriesMap().get(name);
  }

  @Test
  void aLongCurveIsDrawnWithAtMost300PointsKeepingItsEndsSpikesAndDips() {
    double[] x = new double[1200];
    double[] y = new double[1200];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1;
      y[i] = 1 + 0.1 * Math.sin(i / 30.0);
    }
    y[517] = 9; // one step's spike, and a dip
    y[901] = -3;
    XYSeries s = series(Plots.chart("t", "training step", "y", Map.of("rnn", Plots.Line.of(x, y)), false), "rnn");
    double[] sx = s.getXData();
    double[] sy = s.getYData();
    assertTrue(sx.length <= Plots.MAX_POINTS && sx.length >= Plots.MAX_POINTS - 2, "points: " + sx.length);
    assertEquals(1, sx[0]);
    assertEquals(1200, sx[sx.length - 1]);
    assertEquals(9, Arrays.stream(sy).max().getAsDouble());
    assertEquals(-3, Arrays.stream(sy).min().getAsDouble());
    for (int i = 1; i < sx.length; i++) {
      assertTrue(sx[i] > sx[i - 1], "x in order at " + i);
    }
  }

  @Test
  void theStepAxisOf1200StepsHasAFewTickLabelsThatDoNotOverlap() throws Exception {
    double[] x = new double[1200];
    double[] y = new double[1200];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1;
      y[i] = 1.0 / (i + 1);
    }
    XYChart chart = Plots.chart("t", "training step", "y", Map.of("rnn", Plots.Line.of(x, y)), true);
    BufferedImage image = BitmapEncoder.getBufferedImage(chart); // lays the axes out
    Field pair = org.knowm.xchart.internal.chartpart.Chart.class.getDeclaredField("axisPair");
    pair.setAccessible(true);
    AxisTickCalculator_ ticks = (AxisTickCalculator_) ((AxisPair<?, ?>) pair.get(chart)).getXAxis()
        .getAxisTickCalculator();
    List<String> labels = ticks.getTickLabels();
    List<Double> at = ticks.getTickLocations();
    assertTrue(labels.size() >= 4 && labels.size() <= 12, "x tick labels: " + labels);
    FontMetrics fm = image.createGraphics().getFontMetrics(chart.getStyler().getAxisTickLabelsFont());
    for (int i = 1; i < labels.size(); i++) {
      // between two labels at least the width of the wider one stays blank: readable, not a row of numbers
      double room = at.get(i) - at.get(i - 1);
      int wider = Math.max(fm.stringWidth(labels.get(i)), fm.stringWidth(labels.get(i - 1)));
      double needed = (fm.stringWidth(labels.get(i)) + fm.stringWidth(labels.get(i - 1))) / 2.0 + wider;
      assertTrue(room >= needed, "labels " + labels.get(i - 1) + " and " + labels.get(i) + " are " + room
          + " px apart, need " + needed + ": " + labels);
    }
  }

  private static List<String> tickLabels(XYChart chart, boolean xAxis) throws Exception {
    BitmapEncoder.getBufferedImage(chart); // lays the axes out
    Field pair = org.knowm.xchart.internal.chartpart.Chart.class.getDeclaredField("axisPair");
    pair.setAccessible(true);
    AxisPair<?, ?> axes = (AxisPair<?, ?>) pair.get(chart);
    java.lang.reflect.Method y = AxisPair.class.getDeclaredMethod("getYAxis"); // package-private in XChart
    y.setAccessible(true);
    org.knowm.xchart.internal.chartpart.Axis<?, ?> axis = xAxis ? axes.getXAxis()
        : (org.knowm.xchart.internal.chartpart.Axis<?, ?>) y.invoke(axes);
    return ((AxisTickCalculator_) axis.getAxisTickCalculator()).getTickLabels();
  }

  @Test
  void theStepAxisStartsAtZeroAndEveryYAxisHasSeveralLabels() throws Exception {
    double[] x = new double[150];
    double[] flat = new double[150];
    double[] steep = new double[150];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1;
      flat[i] = 1.2 - i * 0.007; // 1.2 to 0.16: under a decade
      steep[i] = Math.pow(10, -4.0 * i / 149); // 1 to 1e-4
    }
    XYChart chart = Plots.chart("t", "training step", "y", Map.of("rnn", Plots.Line.of(x, flat)), true);
    assertFalse(chart.getStyler().isYAxisLogarithmic(), "under two decades a log axis would label only 1");
    List<String> x1 = tickLabels(chart, true);
    assertEquals("0", x1.get(0), "the step axis starts at 0, so its labels are multiples of their spacing: " + x1);
    assertTrue(tickLabels(chart, false).size() >= 3, "y labels: " + tickLabels(chart, false));
    XYChart log = Plots.chart("t", "training step", "y", Map.of("rnn", Plots.Line.of(x, steep)), true);
    assertTrue(log.getStyler().isYAxisLogarithmic());
    assertTrue(tickLabels(log, false).size() >= 3, "y labels: " + tickLabels(log, false));
  }

  @Test
  void theLegendIsOutsideThePlotArea() {
    XYChart chart = Plots.chart("t", "x", "y", lines("rnn", "lstm"), false);
    assertEquals(Styler.LegendPosition.OutsideE, chart.getStyler().getLegendPosition());
  }

  @Test
  void aCellKeepsItsColourAndDashWhateverThePlotAndTheOrder() {
    XYChart demo = Plots.chart("demo", "x", "y", lines("lstm", "gru", "rnn"), false);
    XYChart compare = Plots.chart("compare", "x", "y", lines("rnn", "mycell", "lstm validation"), true);
    assertEquals(series(demo, "lstm").getLineColor(), series(compare, "lstm validation").getLineColor());
    assertEquals(series(demo, "rnn").getLineColor(), series(compare, "rnn").getLineColor());
    assertEquals(Plots.colorOf("mycell"), series(compare, "mycell").getLineColor());
    assertNotEquals(series(demo, "rnn").getLineColor(), series(demo, "lstm").getLineColor());
    assertNotEquals(series(demo, "gru").getLineColor(), series(demo, "lstm").getLineColor());
    BasicStroke rnn = series(demo, "rnn").getLineStyle();
    BasicStroke lstm = series(demo, "lstm").getLineStyle();
    assertNotEquals(Arrays.toString(rnn.getDashArray()), Arrays.toString(lstm.getDashArray()),
        "curves on top of each other stay distinguishable by their dashes");
  }
}
