package dev.cellgraph.render.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.render.DotFiles;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DOT of cell figures, unrolled sequences and backward graphs: structure and golden files. Run
 * with {@code -Dcellgraph.golden.update=true} to rewrite the golden files after an intended
 * change, then look at the pictures ({@code cellgraph render}) before committing them.
 */
class CellDiagramTest {
  static void assertGolden(String name, String dot) throws IOException {
    DotFiles.assertGolden(name, dot);
  }

  static Map<String, String> nodes(String dot) {
    return DotFiles.nodes(dot);
  }

  static List<String[]> edges(String dot) {
    return DotFiles.edges(dot, false);
  }

  static int count(String s, String what) {
    return DotFiles.count(s, what);
  }

  static String idOfLabel(Map<String, String> nodes, String labelPart) {
    String found = null;
    for (Map.Entry<String, String> e : nodes.entrySet()) {
      if (e.getValue().contains("label=<" + labelPart + ">")) {
        assertTrue(found == null, "two nodes labelled " + labelPart);
        found = e.getKey();
      }
    }
    assertTrue(found != null, "no node labelled " + labelPart + " in " + nodes.values());
    return found;
  }


  static String sub(String base, String script) {
    return base + "<sub><font point-size=\"8\">" + script + "</font></sub>";
  }

  @Test
  void latexNamesOfTheZooAreDrawnAsTheirSymbols() {
    String dot = CellDiagram.of(Zoo.load("mgu")).toDot();
    assertFalse(dot.contains("tilde"), "raw LaTeX in a label");
    idOfLabel(nodes(dot), sub("h\u0303", "t"));
  }

  @Test
  void lstmReadsLikeTheTextbookFigure() throws IOException {
    String dot = CellDiagram.of(Zoo.load("lstm")).showShapes(10, 20).toDot();
    assertGolden("lstm.dot", dot);
    Map<String, String> nodes = nodes(dot);
    // inputs c, h, x; 8 weights folded into W · nodes and 8 biases; 4 sums, 3 σ, 2 tanh, 3 ⊙ and
    // the + of c'; 4 gate names and the exits c', h'
    assertEquals(3 + 8 + 8 + 4 + 3 + 2 + 3 + 1 + 4 + 2, nodes.size(), String.join("\n", nodes.values()));
    assertEquals(4, count(dot, "label=<σ>") + count(dot, "label=<tanh>") - 2 + 1);
    assertEquals(8, count(dot, " ·>"), "W x drawn as one node per product");
    assertFalse(dot.contains("ᵀ"), "no transposes of the batch layout");
    assertFalse(dot.contains("1×20"), "shapes per example");
    // the carry line c -> ⊙ -> + -> c' kept straight: same group, heavy invisible edges
    String c = idOfLabel(nodes, "c");
    String cOut = idOfLabel(nodes, "c'");
    assertTrue(nodes.get(c).contains("group=\"spine0\"") && nodes.get(cOut).contains("group=\"spine0\""));
    assertEquals(3, count(dot, "style=invis, weight=20"));
    assertEquals(4, count(dot, "group=\"spine0\""));
    // previous states and input at the left edge, new states at the right
    assertTrue(dot.contains("{ rank=source; " + idOfLabel(nodes, "h") + "; " + c + "; " + idOfLabel(nodes, "x") + "; }"), dot);
    assertTrue(dot.contains("{ rank=sink; " + idOfLabel(nodes, "h'") + "; " + cOut + "; }"), dot);
    // shapes: x is 10 wide, everything the gates compute 20
    assertTrue(dot.contains(idOfLabel(nodes, "x") + " -> ") && dot.contains("label=\"10\""));
    for (String[] e : edges(dot)) {
      assertTrue(e[2].matches("label=\"(10|20)\"") || e[2].isEmpty(), String.join(" ", e));
    }
    // tanh(c') reads the + that computes c', not the exit label at the right edge
    String plus = null;
    for (String[] e : edges(dot)) {
      if (e[1].equals(cOut)) {
        plus = e[0];
      }
    }
    String tanhOfC = null;
    for (String[] e : edges(dot)) {
      if (e[0].equals(plus) && nodes.get(e[1]).contains("label=<tanh>")) {
        tanhOfC = e[1];
      }
    }
    assertTrue(tanhOfC != null, "tanh(c') reads the + directly");
    for (String[] e : edges(dot)) {
      assertFalse(e[0].equals(cOut), "nothing leaves the exit label c'");
    }
  }

  @Test
  void gruDrawsItsInterpolationAsTheCarryLine() throws IOException {
    String dot = CellDiagram.of(Zoo.load("gru")).showShapes(10, 20).toDot();
    assertGolden("gru.dot", dot);
    Map<String, String> nodes = nodes(dot);
    for (String name : List.of("r", "z", "n", "h'", "h", "x")) {
      idOfLabel(nodes, name);
    }
    idOfLabel(nodes, sub("W", "hn") + " ·");
    assertTrue(nodes.get(idOfLabel(nodes, "1 −")).contains("shape=box"));
    // h -> ⊙ -> + -> h'
    assertEquals(4, count(dot, "group=\"spine0\""));
    assertEquals(6, count(dot, " ·>"));
  }

  @Test
  void rnnHasNoCarryLineItsStatePassesAMatrixProduct() throws IOException {
    String dot = CellDiagram.of(Zoo.load("rnn")).showShapes(10, 20).toDot();
    assertGolden("rnn.dot", dot);
    assertFalse(dot.contains("group="));
    Map<String, String> nodes = nodes(dot);
    // h, x, W_ih ·, W_hh ·, b_ih, b_hh, one +, tanh, h'
    assertEquals(9, nodes.size(), String.join("\n", nodes.values()));
    assertEquals(1, count(dot, "label=<+>"), "W_ih x + b_ih + W_hh h + b_hh is one sum");
    assertEquals(8, edges(dot).size());
  }

  @Test
  void theExplainersSimpleRnnKeepsItsPaperNotation() throws IOException {
    String dot = CellDiagram.of(Zoo.load("simple-rnn")).showShapes(10, 20).toDot();
    assertGolden("simple-rnn.dot", dot);
    Map<String, String> nodes = nodes(dot);
    idOfLabel(nodes, sub("s", "t−1"));
    idOfLabel(nodes, sub("x", "t"));
    idOfLabel(nodes, sub("s", "t"));
    idOfLabel(nodes, sub("h", "t"));
    idOfLabel(nodes, "W ·");
    idOfLabel(nodes, "V ·");
    assertEquals(9, nodes.size(), String.join("\n", nodes.values()));
  }

  @Test
  void colahsLstmNamesItsGatesAsWrittenWithTheCellStateLine() {
    String dot = CellDiagram.of(Zoo.load("colah-lstm")).toDot();
    Map<String, String> nodes = nodes(dot);
    for (String name : List.of(sub("f", "t"), sub("i", "t"), sub("C̃", "t"), sub("o", "t"), sub("C", "t−1"),
        sub("h", "t−1"), sub("x", "t"), sub("C", "t"), sub("h", "t"))) {
      idOfLabel(nodes, name);
    }
    assertEquals(4, count(dot, "label=<[ , ]>"), "each gate's concatenation");
    assertTrue(nodes.get(idOfLabel(nodes, sub("C", "t−1"))).contains("group=\"spine0\""));
    assertFalse(dot.contains("label=\""), "no shapes unless asked");
  }

  @Test
  void backwardGraphOfAStepIsStyledApartAndTiedToItsValues() throws IOException {
    String dot = CellDiagram.of(Zoo.load("rnn")).showShapes(3, 4).backward().toDot();
    assertGolden("rnn-backward.dot", dot);
    Map<String, String> nodes = nodes(dot);
    int back = 0;
    for (String a : nodes.values()) {
      if (a.contains("#dc2626") || a.contains("#991b1b")) {
        back++;
      }
    }
    assertTrue(back >= 8, "backward nodes drawn red: " + back);
    assertTrue(count(dot, "style=dotted") >= 6, "adjoints tied to their values");
    assertTrue(dot.contains("∂W<sub><font point-size=\"8\">hh</font></sub>"), "∂W_hh");
    // weights with gradients are drawn as leaves, so their adjoints have something to tie to
    idOfLabel(nodes, sub("W", "hh"));
  }

  @Test
  void unrolledSequenceRunsLeftToRightWithStateEdgesBetweenSteps() throws IOException {
    Unrolled u = Unrolled.of(FormulaCell.of("lstm", Zoo.load("lstm")), 3, 10, 20);
    String dot = u.diagram(0).showShapes(true).toDot();
    assertGolden("lstm-unrolled.dot", dot);
    Map<String, String> nodes = nodes(dot);
    // h_0, c_0, three x_t, three boxes, h_t and c_t per step; weights left out
    assertEquals(2 + 3 + 3 + 6, nodes.size(), String.join("\n", nodes.values()));
    assertEquals(3, count(dot, "<b>lstm</b>"));
    for (int t = 1; t <= 3; t++) {
      idOfLabel(nodes, sub("h", "" + t));
      idOfLabel(nodes, sub("c", "" + t));
      idOfLabel(nodes, sub("x", "" + t));
    }
    // each step box: two states and x in, two states out; no ports (the names say what leaves)
    assertEquals(3 * 3 + 3 * 2, edges(dot).size());
    assertFalse(dot.contains(":o0"), dot);
    assertFalse(dot.contains("W<sub>"), "weights are not drawn");
    assertEquals(6, count(dot, "style=invis, weight=20"), "h_0 -> box -> h_1 -> ... on one line");
  }

  @Test
  void expandedSequenceShowsEachStepsBodyInACluster() {
    Unrolled u = Unrolled.of(FormulaCell.of("gru", Zoo.load("gru")), 3, 10, 20);
    String dot = u.diagram(1).toDot();
    assertEquals(3, count(dot, "subgraph \"cluster_c"));
    assertEquals(3 * 6, count(dot, " ·>"), "every step's body, compact");
    assertFalse(dot.contains("style=invis"));
  }

  @Test
  void backwardOfASequenceCallsTheStepsDerivedGradient() throws IOException {
    Unrolled u = Unrolled.of(FormulaCell.of("rnn", Zoo.load("rnn")), 3, 3, 4);
    String dot = u.backward(0).toDot();
    assertGolden("rnn-unrolled-backward.dot", dot);
    assertEquals(3, count(dot, "<b>rnn.vjp</b>"));
    assertEquals(3, count(dot, "<b>rnn</b>"));
  }

  @Test
  void sameCellGivesByteIdenticalDot() {
    for (String name : List.of("lstm", "gru", "mgu")) {
      CellSpec spec = Zoo.load(name);
      assertEquals(CellDiagram.of(spec).showShapes(5, 7).toDot(), CellDiagram.of(Zoo.load(name)).showShapes(5, 7).toDot());
      assertEquals(CellDiagram.of(spec).backward().toDot(), CellDiagram.of(spec).backward().toDot());
    }
    FormulaCell cell = FormulaCell.of("gru", Zoo.load("gru"));
    assertEquals(Unrolled.of(cell, 4, 3, 5).diagram(1).toDot(), Unrolled.of(cell, 4, 3, 5).diagram(1).toDot());
  }

  static java.util.stream.Stream<String> zoo() {
    return Zoo.names().stream();
  }

  @ParameterizedTest
  @MethodSource("zoo")
  void everyZooCellDrawsWithEveryStateAndParameter(String name) {
    CellSpec spec = Zoo.load(name);
    String dot = CellDiagram.of(spec).toDot();
    assertTrue(dot.startsWith("digraph \"" + name + "\" {"), dot.substring(0, 40));
    assertTrue(dot.contains("rank=source") && dot.contains("rank=sink"));
    for (var p : spec.parameters()) {
      String first = p.name().split("[_^]")[0];
      // a Greek name is typeset as its letter: alpha_1 is α with a subscript 1
      first = first.equals("alpha") ? "α" : first.equals("beta") ? "β" : first;
      // a row-convention product (x W) is drawn as the product from the right, "· W"
      assertTrue(dot.contains("label=<" + first) || dot.contains("label=<· " + first), name + ": parameter " + p.name());
    }
    // LaTeX spellings are typeset, not shown as source: \\tilde{\\mathbf{H}}_t is H̃ with a subscript t
    assertTrue(!dot.contains("label=<\\"), name + ": " + dot);
  }

  @Test
  void latexSpellingsAreTypeset() {
    String dot = CellDiagram.of(Zoo.load("d2l-gru")).toDot();
    assertTrue(dot.contains("label=<H\u0303<sub><font point-size=\"8\">t</font></sub>>"), dot);
    assertTrue(dot.contains("label=<H<sub><font point-size=\"8\">t−1</font></sub>>"), dot);
    String ln = CellDiagram.of(CellSpec.parse("LN(z; \\alpha) = z \\odot \\alpha\nh_t = \\tanh(LN(W h_{t-1}))")).toDot();
    assertTrue(ln.contains("label=<α<sub><font point-size=\"8\">1</font></sub>>"), "alpha_1 as α₁: " + ln);
  }

  @Test
  void aTupleTargetIsOneValueSlicedIntoItsPartsAndEachFunctionApplicationIsDrawnWithItsParameters() {
    CellSpec spec = CellSpec.parse("LN(z; a, b) = (z - tanh(z)) * a + b\n"
        + "(f_t; i_t) = LN(W h_{t-1}) + LN(U x_t)\nh_t = \\sigma(f_t) \\odot h_{t-1} + \\tanh(i_t)", "ln.cell");
    String dot = CellDiagram.of(spec).showShapes(3, 4).toDot();
    String sub = "<sub><font point-size=\"8\">";
    assertTrue(dot.contains("label=<(f" + sub + "t</font></sub>; i" + sub + "t</font></sub>)>"), "the tuple: " + dot);
    assertTrue(dot.contains("label=<a" + sub + "1</font></sub>>") && dot.contains("label=<b" + sub + "2</font></sub>>"), dot);
    assertEquals(1, count(dot, "slice[1: 0..4]"), dot);
    assertEquals(1, count(dot, "slice[1: 4..8]"), "the two [H] parts of the [2H] value: " + dot);
  }

  @Test
  void sizesTheCellCannotTakeAreRefused() {
    CellDiagram d = CellDiagram.of(Zoo.load("mut1"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> d.showShapes(3, 5));
    assertTrue(e.getMessage().contains("shape mismatch"), e.getMessage());
    assertEquals("sizes I (0) and H (4) must be positive",
        assertThrows(IllegalArgumentException.class, () -> d.showShapes(0, 4)).getMessage());
  }
}
