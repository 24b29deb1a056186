package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.BasicStroke;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
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
