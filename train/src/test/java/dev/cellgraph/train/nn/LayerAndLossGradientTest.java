package dev.cellgraph.train.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Float64 finite-difference checks of the layers and losses, and their values against hand computations. */
class LayerAndLossGradientTest {
  private static final DType F64 = DType.FLOAT64;
  private final Rng rng = Rng.seeded(7);

  private Tensor rand(int... dims) {
    return Initializers.uniform(rng, F64, Shape.of(dims), -1, 1);
  }

  private static void assertPasses(GradCheck.Report r) {
    assertTrue(r.passed(), r.toString());
  }

  @Test
  void embeddingGradientIsAScatterAddOfRows() {
    Graph g = new Graph();
    Embedding e = Embedding.of(5, 3);
    Node table = g.parameter("table", F64, 5, 3);
    Node ids = g.input("ids", DType.INT64, 2, 4);
    Node out = e.apply(table, ids);
    assertEquals(Shape.of(2, 4, 3), out.shape());
    Map<Node, Tensor> v = new LinkedHashMap<>();
    v.put(table, e.initialize(rng, F64));
    v.put(ids, Tensor.ofLongs(new long[] {0, 1, 1, 4, 2, 2, 2, 0}, 2, 4));
    assertPasses(GradCheck.withDefaults().check(out.tanh(), List.of(table), v));
  }

  @Test
  void denseGradientsForBatchedSequences() {
    Graph g = new Graph();
    Dense d = Dense.of(4, 3);
    Node x = g.input("x", F64, 5, 2, 4);
    Node w = g.parameter("w", F64, 3, 4);
    Node b = g.parameter("b", F64, 3);
    Node y = d.apply(x, w, b);
    assertEquals(Shape.of(5, 2, 3), y.shape());
    Map<Node, Tensor> v = Map.of(x, rand(5, 2, 4), w, d.initializeWeight(rng, F64), b, d.initializeBias(rng, F64));
    assertPasses(GradCheck.withDefaults().check(y, List.of(x, w, b), v));
  }

  @Test
  void denseRejectsAWrongInputSizeNamingBothShapes() {
    Graph g = new Graph();
    Node x = g.input("x", F64, 2, 5);
    Node w = g.parameter("w", F64, 3, 4);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dense.of(4, 3).apply(x, w, null));
    assertEquals("dense: input must be [..., 4], got [2, 5]", e.getMessage());
  }

  @Test
  void dropoutKeepsAboutOneMinusPAndScalesTheKeptOnes() {
    Dropout d = Dropout.of(0.25);
    Tensor m = d.mask(Rng.seeded(3), F64, Shape.of(100, 100));
    double[] v = m.toDoubleArray();
    int kept = 0;
    for (double x : v) {
      assertTrue(x == 0.0 || x == 1.0 / 0.75, "mask value " + x);
      kept += x > 0 ? 1 : 0;
    }
    assertEquals(7500, kept, 200);
    assertEquals(m, d.mask(Rng.seeded(3), F64, Shape.of(100, 100)), "the same seed gives the same mask");
  }

  @Test
  void dropoutIsTheIdentityOutsideTrainingAndDifferentiableInside() {
    Graph g = new Graph();
    Node x = g.input("x", F64, 3, 4);
    Node mask = g.input("mask", F64, 3, 4);
    Dropout d = Dropout.of(0.5);
    assertTrue(d.apply(x, null, false) == x);
    Node y = d.apply(x, mask, true).tanh();
    Map<Node, Tensor> v = Map.of(x, rand(3, 4), mask, d.mask(rng, F64, Shape.of(3, 4)));
    assertPasses(GradCheck.withDefaults().check(y, List.of(x), v));
    assertThrows(IllegalArgumentException.class, () -> Dropout.of(1.0));
  }

  @Test
  void meanSquaredErrorValueAndGradient() {
    Graph g = new Graph();
    Node p = g.input("p", F64, 2, 2);
    Node t = g.input("t", F64, 2, 2);
    Node loss = Losses.meanSquaredError(p, t);
    Tensor pv = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
    Tensor tv = Tensor.of(new double[] {0, 2, 5, 4}, 2, 2);
    assertEquals((1 + 0 + 4 + 0) / 4.0, Plan.evaluate(loss, Map.of(p, pv, t, tv)).item(), 0);
    assertPasses(GradCheck.withDefaults().check(loss, List.of(p, t), Map.of(p, rand(2, 2), t, rand(2, 2))));
  }

  @Test
  void crossEntropyMatchesTheDefinition() {
    Graph g = new Graph();
    Node logits = g.input("logits", F64, 2, 3);
    Node ids = g.input("ids", DType.INT64, 2);
    Node loss = Losses.crossEntropy(logits, ids);
    double[] l = {1, 2, 3, -1, 0, 4};
    long[] y = {2, 0};
    double want = 0;
    for (int r = 0; r < 2; r++) {
      double z = 0;
      for (int c = 0; c < 3; c++) {
        z += Math.exp(l[r * 3 + c]);
      }
      want += Math.log(z) - l[r * 3 + (int) y[r]];
    }
    want /= 2;
    double got = Plan.evaluate(loss, Map.of(logits, Tensor.of(l, 2, 3), ids, Tensor.ofLongs(y, 2))).item();
    assertEquals(want, got, 1e-12);
  }

  @Test
  void crossEntropyIsStableForHugeLogits() {
    Graph g = new Graph();
    Node logits = g.input("logits", F64, 1, 3);
    Node ids = g.input("ids", DType.INT64, 1);
    Node loss = Losses.crossEntropy(logits, ids);
    double got = Plan.evaluate(loss, Map.of(logits, Tensor.of(new double[] {1e4, 0, -1e4}, 1, 3),
        ids, Tensor.ofLongs(new long[] {1}, 1))).item();
    assertEquals(1e4, got, 1e-9);
  }

  @Test
  void crossEntropyGradientWithAndWithoutMask() {
    Graph g = new Graph();
    Node logits = g.input("logits", F64, 4, 2, 5);
    Node ids = g.input("ids", DType.INT64, 4, 2);
    Node mask = g.input("mask", F64, 4, 2);
    Tensor idv = Tensor.ofLongs(new long[] {0, 4, 3, 3, 1, 2, 0, 1}, 4, 2);
    Tensor mv = Tensor.of(new double[] {0, 0, 1, 1, 0, 1, 1, 1}, 4, 2);
    Tensor lv = rand(4, 2, 5).mul(3.0);
    assertPasses(GradCheck.withDefaults().check(Losses.crossEntropy(logits, ids), List.of(logits),
        Map.of(logits, lv, ids, idv)));
    assertPasses(GradCheck.withDefaults().check(Losses.crossEntropy(logits, ids, mask), List.of(logits),
        Map.of(logits, lv, ids, idv, mask, mv)));
  }

  @Test
  void maskedPositionsDoNotCount() {
    Graph g = new Graph();
    Node logits = g.input("logits", F64, 2, 3);
    Node ids = g.input("ids", DType.INT64, 2);
    Node mask = g.input("mask", F64, 2);
    Tensor lv = Tensor.of(new double[] {1, 2, 3, 100, -50, 7}, 2, 3);
    Tensor idv = Tensor.ofLongs(new long[] {2, 1}, 2);
    double masked = Plan.evaluate(Losses.crossEntropy(logits, ids, mask),
        Map.of(logits, lv, ids, idv, mask, Tensor.of(new double[] {1, 0}, 2))).item();
    double first = Plan.evaluate(Losses.crossEntropy(logits.slice(0, 0, 1), ids.slice(0, 0, 1)),
        Map.of(logits, lv, ids, idv)).item();
    assertEquals(first, masked, 1e-12);
  }

  @Test
  void crossEntropyNamesTheExpectedTargetShape() {
    Graph g = new Graph();
    Node logits = g.input("logits", F64, 4, 2, 5);
    Node ids = g.input("ids", DType.INT64, 4, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy(logits, ids));
    assertEquals("cross-entropy: logits [4, 2, 5] need targets of shape [4, 2], got [4, 3]", e.getMessage());
  }

  @Test
  void sequenceModelGradientThroughEmbeddingCellAndHead() {
    SequenceModel m = SequenceModel.ofTokens(BuiltinCell.named("gru", true), 6, 3, 4, 6, 0.0);
    Graph g = new Graph();
    Node ids = g.input("ids", DType.INT64, 5, 2);
    Node targets = g.input("targets", DType.INT64, 5, 2);
    Map<String, Node> pn = new LinkedHashMap<>();
    Map<Node, Tensor> v = new LinkedHashMap<>();
    List<Node> wrt = new ArrayList<>();
    for (Map.Entry<String, Tensor> e : m.initialize(rng, F64).entrySet()) {
      Node n = g.parameter(e.getKey(), F64, e.getValue().shape().toArray());
      pn.put(e.getKey(), n);
      v.put(n, e.getValue());
      wrt.add(n);
    }
    assertEquals(List.of("embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
        "rnn.bias_hh_l0", "head.weight", "head.bias"), List.copyOf(pn.keySet()));
    v.put(ids, Tensor.ofLongs(new long[] {0, 1, 2, 3, 4, 5, 0, 1, 2, 3}, 5, 2));
    v.put(targets, Tensor.ofLongs(new long[] {1, 2, 3, 4, 5, 0, 1, 2, 3, 4}, 5, 2));
    SequenceModel.Forward f = m.build(g, ids, Map.of(), pn, null, false);
    Node loss = Losses.crossEntropy(f.outputs(), targets);
    assertPasses(GradCheck.withDefaults().check(loss, wrt, v));
  }
}
