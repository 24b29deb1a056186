package dev.cellgraph.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.core.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The DOT a diagram writes: structure, styles and golden files. Run with
 * {@code -Dcellgraph.golden.update=true} to rewrite the golden files after an intended change,
 * then look at the rendered pictures before committing them.
 */
class DiagramTest {
  static void assertGolden(String name, String dot) throws IOException {
    DotFiles.assertGolden(name, dot);
  }

  static Map<String, String> nodes(String dot) {
    return DotFiles.nodes(dot);
  }

  static List<String[]> edges(String dot) {
    return DotFiles.edges(dot, true);
  }

  static int count(String s, String what) {
    return DotFiles.count(s, what);
  }


  @Test
  void gateDiagramDrawsEveryNodeAndEdgeWithSymbolsAndNames() throws IOException {
    String dot = Diagram.of(Graphs.gate()).showShapes(true).toDot();
    assertGolden("gate.dot", dot);
    Map<String, String> nodes = nodes(dot);
    assertEquals(12, nodes.size());
    assertEquals(11, edges(dot).size());
    assertTrue(dot.startsWith("digraph \"gate\" {\n  graph [rankdir=LR"), dot);
    assertTrue(nodes.get("n8").contains("label=<σ>"));
    assertTrue(nodes.get("n10").contains("label=<⊙>"));
    assertTrue(nodes.get("n6").contains("label=<·>"));
    assertTrue(nodes.get("n5").contains("label=<[ , ]>"));
    assertTrue(nodes.get("n9").contains("label=<f<sub><font point-size=\"8\">t</font></sub>>"), nodes.get("n9"));
    assertTrue(nodes.get("n1").contains("h<sub><font point-size=\"8\">t−1</font></sub>"));
    // parameters grey boxes, inputs blue rounded boxes
    assertTrue(nodes.get("n3").contains("fillcolor=\"#e5e7eb\""));
    assertTrue(nodes.get("n0").contains("style=\"rounded,filled\"") && nodes.get("n0").contains("fillcolor=\"#dbeafe\""));
    assertTrue(dot.contains("n5 -> n6 [label=\"1×7\"];"));
    assertTrue(dot.contains("n3 -> n6 [label=\"7×4\"];"));
  }

  @Test
  void withoutShapesEdgesHaveNoLabels() {
    String dot = Diagram.of(Graphs.gate()).toDot();
    for (String[] e : edges(dot)) {
      assertFalse(e[2].contains("label"), String.join(" ", e));
    }
  }

  @Test
  void sameGraphGivesByteIdenticalDot() {
    for (int i = 0; i < 2; i++) {
      Graph a = Graphs.gate();
      Graph b = Graphs.gate();
      assertEquals(Diagram.of(a).backward(Graphs.gateBackward(a)).toDot(),
          Diagram.of(b).backward(Graphs.gateBackward(b)).toDot());
      assertEquals(Diagram.of(Graphs.scanLoss()).expand(2).showShapes(true).toDot(),
          Diagram.of(Graphs.scanLoss()).expand(2).showShapes(true).toDot());
    }
  }

  @Test
  void backwardNodesAreStyledApartAndTiedToTheirForwardValues() throws IOException {
    Graph g = Graphs.gate();
    Gradients grads = Graphs.gateBackward(g);
    String dot = Diagram.of(g).backward(grads).toDot();
    assertGolden("gate-backward.dot", dot);
    Map<String, String> nodes = nodes(dot);
    assertEquals(g.size(), nodes.size());
    for (Node n : g.nodes()) {
      String attrs = nodes.get("n" + n.id());
      boolean back = grads.nodes().contains(n);
      assertEquals(back, attrs.contains("#dc2626") || attrs.contains("#991b1b"), "n" + n.id() + ": " + attrs);
    }
    // forward edges plain, backward edges dashed red
    assertTrue(dot.contains("  n8 -> n9;\n"));
    assertTrue(dot.contains("n13 -> n14 [color=\"#dc2626\", style=dashed];"));
    // one dotted tie per forward node that got a gradient, from its adjoint
    int ties = 0;
    for (Map.Entry<Node, Node> e : grads.adjoints().entrySet()) {
      assertTrue(dot.contains("n" + e.getValue().id() + " -> n" + e.getKey().id() + " [style=dotted"),
          "tie " + e.getValue() + " -> " + e.getKey());
      ties++;
    }
    assertEquals(ties, count(dot, "style=dotted"));
    assertTrue(nodes.get("n" + grads.get(g.nodes().get(3)).id()).contains("∂W<sub>"));
  }

  @Test
  void backwardAddsTheGradientNodesToADiagramMadeBeforeThem() {
    Graph g = Graphs.gate();
    Diagram forwardOnly = Diagram.of(g);
    Gradients grads = Graphs.gateBackward(g);
    String dot = forwardOnly.backward(grads).toDot();
    assertEquals(g.size(), nodes(dot).size());
    assertEquals(Diagram.of(g).backward(grads).toDot(), dot);
    // from the forward output alone, the loss that the gradient starts from is drawn too
    Node ct = g.nodes().get(11);
    assertTrue(nodes(Diagram.of(ct).backward(grads).toDot()).containsKey("n12"));
  }

  @Test
  void collapsedScanIsOneBoxWithOnePortPerOutput() throws IOException {
    String dot = Diagram.of(Graphs.scanLoss()).toDot();
    assertGolden("scan-collapsed.dot", dot);
    assertEquals(0, count(dot, "subgraph"));
    String scan = nodes(dot).get("n5");
    assertTrue(scan.contains("scan rnn_step, 5 steps"), scan);
    assertTrue(scan.contains("port=\"o0\"") && scan.contains("port=\"o1\""), scan);
    assertTrue(dot.contains("n5:o0:e -> n7;"), dot);
    assertEquals(List.of("n0", "n1", "n2", "n3", "n4", "n5", "n7", "n8"), sorted(nodes(dot).keySet()));
  }

  @Test
  void aGradientsReverseScanReadsTheSavedValuesFromAPortOfTheForwardScan() {
    Node loss = Graphs.scanLoss();
    Graph g = loss.graph();
    Gradients grads = Gradients.of(loss, List.of(g.nodes().get(2), g.nodes().get(3), g.nodes().get(4)));
    String dot = Diagram.of(g).backward(grads).toDot();
    // outputs: last h', history h, then the residual: the step's tanh, named by its identity h'
    String scan = nodes(dot).get("n5");
    assertTrue(scan.contains("port=\"o2\"") && scan.contains("saved h'"), scan);
    String reverse = null;
    for (Map.Entry<String, String> e : nodes(dot).entrySet()) {
      if (e.getValue().contains("reverse scan rnn_step.scan_backward")) {
        reverse = e.getKey();
      }
    }
    assertTrue(reverse != null, dot);
    boolean fed = false;
    for (String[] e : edges(dot)) {
      fed |= e[0].equals("n5:o2:e") && e[1].equals(reverse);
    }
    assertTrue(fed, "the saved values feed the reverse scan: " + dot);
  }

  @Test
  void expandedScanShowsItsStepBodyAsAClusterWithTheRecurrence() throws IOException {
    String dot = Diagram.of(Graphs.scanLoss()).expand(1).showShapes(true).toDot();
    assertGolden("scan-expanded.dot", dot);
    assertEquals(1, count(dot, "subgraph \"cluster_c5\""));
    Map<String, String> nodes = nodes(dot);
    assertFalse(nodes.containsKey("n5"), "the scan is a cluster, not a node");
    assertEquals(11, count(dot, "    c5_n"));   // the step body: 5 inputs, 6 ops and values
    assertTrue(dot.contains("n0 -> c5_n0 [label=\"initial 1×4\"];"));
    assertTrue(dot.contains("n1 -> c5_n1 [label=\"[t] 5×1×3\"];"));
    assertTrue(dot.contains("c5_n10 -> c5_n0 [style=dashed, constraint=false"));
    assertTrue(dot.contains("c5_n10 -> n7 [label=\"1×4\"];"));
  }

  @Test
  void expandingACompositeInsideAnExpandedOneNeedsDepthTwo() {
    Graph g = new Graph("nested");
    Node h0 = g.input("h_0", dev.cellgraph.core.DType.FLOAT64, 1, 4);
    Node x = g.input("x", dev.cellgraph.core.DType.FLOAT64, 1, 3);
    Node w = g.parameter("W", dev.cellgraph.core.DType.FLOAT64, 3, 4);
    Node u = g.parameter("U", dev.cellgraph.core.DType.FLOAT64, 4, 4);
    Node b = g.parameter("b", dev.cellgraph.core.DType.FLOAT64, 4);
    Node h1 = Graphs.rnnStep().call(List.of(h0, x, w, u, b));
    Node h2 = Graphs.rnnStep().call(List.of(h1, x, w, u, b));
    Diagram d = Diagram.of(h2);
    assertEquals(0, count(d.toDot(), "subgraph"));
    String one = d.expand(1).toDot();
    assertEquals(2, count(one, "subgraph"));
    // step 1's result feeds step 2's h
    assertTrue(one.contains("c5_n10 -> c6_n0;"), one);
  }

  @Test
  void backwardOfAScanExpandsIntoBackwardClusters() {
    Node loss = Graphs.scanLoss();
    Graph g = loss.graph();
    Gradients grads = Gradients.of(loss, g.nodes().get(2));
    String dot = Diagram.of(g).backward(grads).expand(1).toDot();
    assertEquals(2, count(dot, "subgraph"));
    assertTrue(dot.contains("reverse scan rnn_step.scan_backward"), dot);
    assertTrue(dot.contains("style=\"rounded,filled,dashed\", color=\"#dc2626\""), dot);
  }

  @Test
  void annotationsShowValuesGradientNormsAndALogScaleLegend() {
    Graph g = Graphs.gate();
    Map<Node, Tensor> values = new HashMap<>();
    Map<Node, Tensor> grads = new HashMap<>();
    values.put(g.nodes().get(0), Tensor.of(new double[] {1, 2, 3}, 1, 3));
    grads.put(g.nodes().get(0), Tensor.of(new double[] {3e-4, 0, 4e-4}, 1, 3));
    grads.put(g.nodes().get(1), Tensor.of(new double[] {3, 0, 0, 4}, 1, 4));
    String dot = Diagram.of(g).annotate(values, grads).toDot();
    Map<String, String> nodes = nodes(dot);
    assertTrue(nodes.get("n0").contains("μ 2 σ 0.816"), nodes.get("n0"));
    assertTrue(nodes.get("n0").contains("‖∇‖ 5.00e-4"), nodes.get("n0"));
    assertTrue(dot.contains("graph [labelloc=\"t\", labeljust=\"l\", label=<<table"), "the legend is the graph's label");
    assertTrue(dot.contains("‖gradient‖ (log scale)"));
    String small = edgeAttributes(dot, "n0", "n5");
    String large = edgeAttributes(dot, "n1", "n5");
    assertTrue(small.contains("color=\"" + GradientScale.color(0) + "\""), small);
    assertTrue(large.contains("color=\"" + GradientScale.color(1) + "\""), large);
    assertNotEquals(small, large);
  }

  @Test
  void aFixedGradientScaleIsSharedAcrossDiagrams() {
    Graph g = Graphs.gate();
    Map<Node, Tensor> grads = Map.of(g.nodes().get(0), Tensor.of(new double[] {1e-3}, 1));
    String dot = Diagram.of(g).annotate(Map.of(), grads).gradientScale(1e-6, 1).toDot();
    assertTrue(edgeAttributes(dot, "n0", "n5").contains("color=\"" + GradientScale.color(0.5) + "\""), dot);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Diagram.of(g).gradientScale(1, 1));
    assertEquals("gradient scale [1.0, 1.0] must have 0 < lo < hi", e.getMessage());
  }

  @Test
  void styleHintsPlaceStatesAtTheEdgesAndKeepSpinesStraight() {
    Graph g = Graphs.gate();
    List<Node> n = g.nodes();
    DiagramStyle style = DiagramStyle.builder()
        .stateIn(n.get(1)).stateIn(n.get(2)).stateOut(n.get(11))
        .spine(List.of(n.get(2), n.get(10), n.get(11)))
        .name(n.get(8), "f_t")
        .build();
    String dot = Diagram.of(g).style(style).toDot();
    assertTrue(dot.contains("  { rank=source; n1; n2; }\n"), dot);
    assertTrue(dot.contains("  { rank=sink; n11; }\n"), dot);
    assertTrue(nodes(dot).get("n10").contains("group=\"spine0\""));
    assertTrue(dot.contains("n2 -> n10 [style=invis, weight=20];"));
    assertTrue(nodes(dot).get("n8").contains("σ<br/><font point-size=\"10\">f<sub>"), nodes(dot).get("n8"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DiagramStyle.builder().spine(List.of(n.get(0))));
    assertEquals("a spine needs at least 2 nodes, got 1", e.getMessage());
  }

  @Test
  void aFunctionIsDrawnFromItsBodyWithItsResultsEmphasized() {
    String dot = Diagram.of(Graphs.rnnStep()).toDot();
    Map<String, String> nodes = nodes(dot);
    assertEquals(11, nodes.size());
    assertTrue(nodes.get("n10").contains("penwidth=2"), nodes.get("n10"));
    assertTrue(nodes.get("n10").contains("label=<h'>"));
  }

  @Test
  void badArgumentsAreRefusedWithAMessage() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Diagram.of(Graphs.gate()).expand(-1));
    assertEquals("depth (-1) must not be negative", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Diagram.of(List.of()));
    assertEquals("a diagram needs at least one output node", e.getMessage());
  }

  @Test
  void latexInNamesIsTypesetAsItsSymbol() {
    String t = "<sub><font point-size=\"8\">t</font></sub>";
    assertEquals("h\u0303" + t, Labels.name("\\tilde{h}_t"));
    assertEquals("C\u0303" + t, Labels.name("\\tilde{C}_t"));
    assertEquals("W\u0303<sub><font point-size=\"8\">z</font></sub>", Labels.name("\\tilde{W_{z}}"));
    assertEquals("z\u0304<sup><font point-size=\"8\">t</font></sup>", Labels.name("\\bar z^t"));
    assertEquals("h\u0302" + t, Labels.name("\\hat{\\mathbf{h}}_t"));
    assertEquals("σ" + t, Labels.name("\\sigma_t"));
    assertEquals("x" + t, Labels.name("\\mathbf{x}_t"));
    assertEquals("h<sup><font point-size=\"8\">(t)</font></sup>", Labels.name("h^{(t)}"));
    assertEquals("\\foo", Labels.name("\\foo"), "an unknown command is kept as written");
  }

  @Test
  void namesAreTypesetAndEverythingIsEscaped() {
    assertEquals("f<sub><font point-size=\"8\">t</font></sub>", Labels.name("f_t"));
    assertEquals("h<sub><font point-size=\"8\">t−1</font></sub>", Labels.name("h_{t-1}"));
    assertEquals("W<sup><font point-size=\"8\">r</font></sup>", Labels.name("W^r"));
    assertEquals("C̃<sub><font point-size=\"8\">t</font></sub>", Labels.name("C̃_t"));
    assertEquals("weight_ih_l0", Labels.name("weight_ih_l0"));
    assertEquals("a&lt;b&gt; &amp; &quot;c&quot;", Labels.name("a<b> & \"c\""));
    assertEquals("\"say \\\"hi\\\"\"", Labels.quoted("say \"hi\""));
    Graph g = new Graph("odd \"name\"");
    g.input("<x>", dev.cellgraph.core.DType.FLOAT64, 2).named("a & b");
    String dot = Diagram.of(g).toDot();
    assertTrue(dot.startsWith("digraph \"odd \\\"name\\\"\" {"), dot);
    assertTrue(dot.contains("label=<&lt;x&gt;>"), dot);
    assertTrue(dot.contains("label=<a &amp; b>"), dot);
  }

  private static List<String> sorted(java.util.Set<String> s) {
    List<String> l = new ArrayList<>(s);
    l.sort((a, b) -> Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1))));
    return l;
  }

  private static String edgeAttributes(String dot, String from, String to) {
    for (String[] e : edges(dot)) {
      if (e[0].equals(from) && e[1].equals(to)) {
        return e[2];
      }
    }
    throw new AssertionError("no edge " + from + " -> " + to + " in\n" + dot);
  }
}
