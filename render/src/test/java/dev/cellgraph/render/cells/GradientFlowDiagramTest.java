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
    assertEquals(1, CellDiagramTest.count(dot, "legend [shape=plain"));
    assertEquals(5 + 5, CellDiagramTest.count(dot, "<b>rnn</b>") + CellDiagramTest.count(dot, "<b>lstm</b>") - 2);
    assertTrue(dot.contains("penwidth="), "edges weighted by gradient");
    assertTrue(!dot.contains("‖∇‖"), "colours only, no numbers on the nodes");
    assertEquals(dot, GradientFlowDiagram.measure(cells("rnn", "lstm"), 5, 3, 4, 2, 1.0).diagram().toDot());
  }
}
