package dev.cellgraph.render.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.lang.Zoo;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gradient-flow picture's structure. */
class GradientFlowDiagramTest {
  static Map<String, Cell> cells(String... names) {
    Map<String, Cell> m = new LinkedHashMap<>();
    for (String n : names) {
      m.put(n, FormulaCell.of(n, Zoo.load(n)));
    }
    return m;
  }

  @Test
  void pictureHasARowPerCellOnOneScale() {
    GradientFlowDiagram f = GradientFlowDiagram.measure(cells("rnn", "lstm"), 5, 3, 4, 2, 1.0);
    String dot = f.diagram().toDot();
    assertTrue(dot.contains("subgraph \"cluster_group0\"") && dot.contains("subgraph \"cluster_group1\""));
    assertTrue(dot.indexOf("<b>lstm</b>>, labeljust") < dot.indexOf("<b>rnn</b>>, labeljust"),
        "the first row is written last: dot stacks LR clusters bottom-up");
    assertEquals(1, CellDiagramTest.count(dot, "‖gradient‖ (log scale)"));
    assertEquals(1, CellDiagramTest.count(dot, "<b>rnn</b>"), "the row's title names the cell once");
    assertEquals(5 + 5, CellDiagramTest.count(dot, "width=0.22, height=0.22, fixedsize=true"), "a small box a step");
    assertTrue(dot.contains("ranksep=0.12"), "rows packed to read at a page's width");
    assertTrue(dot.contains("penwidth="), "edges weighted by gradient");
    assertTrue(!dot.contains("‖∇‖"), "colours only, no numbers on the nodes");
    assertEquals(dot, GradientFlowDiagram.measure(cells("rnn", "lstm"), 5, 3, 4, 2, 1.0).diagram().toDot());
  }

  @Test
  void theLegendIsAContinuousBarWithATickAtEveryDecade() {
    GradientFlowDiagram f = GradientFlowDiagram.measure(cells("rnn", "lstm"), 8, 3, 4, 2, 1.0);
    String dot = f.diagram().toDot();
    String legend = dot.substring(dot.indexOf("‖gradient‖"));
    int bar = CellDiagramTest.count(legend, "<td bgcolor=");
    assertTrue(bar >= 24, "a bar of " + bar + " cells reads as continuous");
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    for (dev.cellgraph.core.Tensor g : f.flow().gradients().values()) {
      if (g.norm() > 0) {
        lo = Math.min(lo, g.norm());
        hi = Math.max(hi, g.norm());
      }
    }
    int decades = (int) Math.round(Math.ceil(Math.log10(hi)) - Math.floor(Math.log10(lo)));
    assertEquals(decades + 1, CellDiagramTest.count(legend, "<font point-size=\"8\">"), "a label per decade boundary");
    assertTrue(legend.contains(">1<") || legend.contains(">10<") || legend.contains(">0.1<"), legend);
  }
}
