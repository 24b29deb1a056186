package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Dropout between stacked layers, as {@code nn.LSTM(dropout=p)}: training only, every layer but the last. */
class RecurrentDropoutTest {
  private static final int T = 4;
  private static final int B = 3;

  static Stream<String> cells() {
    return Stream.of("builtin:lstm", "builtin:lstm-proj", "builtin:gru", "gru", "mgu");
  }

  private static Cell cell(String name) {
    return switch (name) {
      case "builtin:lstm-proj" -> BuiltinCell.projectedLstm(true, 2);
      case "builtin:lstm", "builtin:gru" -> BuiltinCell.named(name.substring(8), true);
      default -> FormulaCell.of(name, Zoo.load(name));
    };
  }

  private static Tensor input(Recurrent layer, long seed) {
    return Initializers.normal(Rng.seeded(seed), DType.FLOAT64, Shape.of(T, B, layer.inputSize()), 0, 1);
  }

  private static Tensor gradOutput(Recurrent layer, long seed) {
    return Initializers.normal(Rng.seeded(seed), DType.FLOAT64, Shape.of(T, B, layer.outputSize()), 0, 1);
  }

  /**
   * A training pass of a two-layer bidirectional layer is layer 0 alone, times the mask, then
   * layer 1 alone: outputs, final states and every gradient (the input's flows back through the mask).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void aTrainingPassIsTheFirstLayerTimesTheMaskThenTheSecond(String name) {
    Cell cell = cell(name);
    Recurrent stacked = Recurrent.of(cell, 3, 4, 2, true).withDropout(0.4);
    Map<String, Tensor> params = stacked.initialize(Rng.seeded(1), DType.FLOAT64);
    Tensor x = input(stacked, 2);
    Tensor go = gradOutput(stacked, 3);
    List<Tensor> masks = stacked.dropoutMasks(Rng.seeded(4), DType.FLOAT64, T, B);
    assertEquals(1, masks.size());
    long declines = Scan.declineCount();
    Recurrent.Result training = stacked.run(params, x, Map.of(), go, CompileOptions.defaults(), masks);
    assertEquals(declines, Scan.declineCount(), Scan::lastDecline);

    Recurrent first = Recurrent.of(cell, 3, 4, 1, true);
    Recurrent second = Recurrent.of(cell, stacked.outputSize(), 4, 1, true);
    Map<String, Tensor> p0 = layerParams(stacked, first, params, 0);
    Map<String, Tensor> p1 = layerParams(stacked, second, params, 1);
    Tensor mask = masks.get(0);
    Recurrent.Result r0 = first.run(p0, x, Map.of(), null);
    Tensor between = r0.output().mul(mask);
    Recurrent.Result r1 = second.run(p1, between, Map.of(), go);
    close("output", r1.output(), training.output());
    for (String s : cell.stateNames()) {
      Tensor fin = Tensor.concat(0, List.of(r0.finalStates().get(s), r1.finalStates().get(s)));
      close("final " + s, fin, training.finalStates().get(s));
    }
    for (Map.Entry<String, Tensor> e : p1.entrySet()) {
      close("gradient of " + e.getKey(), r1.gradients().get(e.getKey()),
          training.gradients().get(stackedName(stacked, first, e.getKey(), 1)));
    }
    // layer 0 and the input get the cotangent that passed the mask
    Recurrent.Result back0 = first.run(p0, x, Map.of(), r1.gradients().get("input").mul(mask));
    close("gradient of the input", back0.gradients().get("input"), training.gradients().get("input"));
    for (Map.Entry<String, Tensor> e : p0.entrySet()) {
      close("gradient of " + e.getKey(), back0.gradients().get(e.getKey()),
          training.gradients().get(stackedName(stacked, first, e.getKey(), 0)));
    }
  }

  /** Layer {@code l}'s parameters of {@code stacked} under the names of the one-layer {@code single}. */
  private static Map<String, Tensor> layerParams(Recurrent stacked, Recurrent single, Map<String, Tensor> params,
      int l) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (String n : single.parameterShapes().keySet()) {
      m.put(n, params.get(stackedName(stacked, single, n, l)));
    }
    return m;
  }

  private static String stackedName(Recurrent stacked, Recurrent single, String singleName, int l) {
    Map<String, Shape> bases = single.cell().parameterShapes(single.inputSize(), single.hiddenSize());
    for (String base : bases.keySet()) {
      for (int d = 0; d < 2; d++) {
        if (single.parameterName(base, 0, d).equals(singleName)) {
          return stacked.parameterName(base, l, d);
        }
      }
    }
    throw new AssertionError(singleName);
  }

  @Test
  void withoutMasksAndAtZeroDropoutItIsTheLayerWithoutDropout() {
    Recurrent plain = Recurrent.of(BuiltinCell.named("lstm", true), 3, 4, 3, true);
    Recurrent dropped = plain.withDropout(0.5);
    Recurrent zero = plain.withDropout(0);
    Map<String, Tensor> params = plain.initialize(Rng.seeded(5), DType.FLOAT64);
    Tensor x = input(plain, 6);
    Tensor go = gradOutput(plain, 7);
    Recurrent.Result base = plain.run(params, x, Map.of(), go);
    // an evaluation pass (no masks) has no dropout
    Recurrent.Result eval = dropped.run(params, x, Map.of(), go);
    assertEquals(base.output(), eval.output());
    assertEquals(base.finalStates(), eval.finalStates());
    assertEquals(base.gradients(), eval.gradients());
    // p = 0 draws no masks, and its training pass is the same bits
    List<Tensor> none = zero.dropoutMasks(Rng.seeded(8), DType.FLOAT64, T, B);
    assertEquals(List.of(), none);
    Recurrent.Result training = zero.run(params, x, Map.of(), go, CompileOptions.defaults(), none);
    assertEquals(base.output(), training.output());
    assertEquals(base.gradients(), training.gradients());
    // and masks do change a training pass
    List<Tensor> masks = dropped.dropoutMasks(Rng.seeded(8), DType.FLOAT64, T, B);
    assertEquals(2, masks.size());
    assertNotEquals(base.output(), dropped.run(params, x, Map.of(), go, CompileOptions.defaults(), masks).output());
  }

  @Test
  void theSameSeedGivesTheSameMasksAndTheSameNumbers() {
    Recurrent layer = Recurrent.of(FormulaCell.of("gru", Zoo.load("gru")), 3, 4, 3, false).withDropout(0.3);
    List<Tensor> a = layer.dropoutMasks(Rng.seeded(11), DType.FLOAT64, T, B);
    List<Tensor> b = layer.dropoutMasks(Rng.seeded(11), DType.FLOAT64, T, B);
    List<Tensor> c = layer.dropoutMasks(Rng.seeded(12), DType.FLOAT64, T, B);
    assertEquals(a, b);
    assertNotEquals(a, c);
    assertEquals(List.of(Shape.of(T, B, 4), Shape.of(T, B, 4)), a.stream().map(Tensor::shape).toList());
    Map<String, Tensor> params = layer.initialize(Rng.seeded(13), DType.FLOAT64);
    Tensor x = input(layer, 14);
    Tensor go = gradOutput(layer, 15);
    Recurrent.Result ra = layer.run(params, x, Map.of(), go, CompileOptions.defaults(), a);
    Recurrent.Result rb = layer.run(params, x, Map.of(), go, CompileOptions.defaults(), b);
    assertEquals(ra.output(), rb.output());
    assertEquals(ra.gradients(), rb.gradients());
  }

  @Test
  void masksKeepWithProbabilityOneMinusPAndScaleByItsInverse() {
    double p = 0.3;
    Recurrent layer = Recurrent.of(BuiltinCell.named("rnn", true), 2, 50, 2, true).withDropout(p);
    Tensor m = layer.dropoutMasks(Rng.seeded(21), DType.FLOAT64, 100, 20).get(0);
    double[] v = m.toDoubleArray();
    assertEquals(100 * 20 * 100, v.length);
    int zeros = 0;
    double sum = 0;
    for (double e : v) {
      assertTrue(e == 0 || e == 1 / (1 - p), "mask value " + e);
      zeros += e == 0 ? 1 : 0;
      sum += e;
    }
    // 200,000 draws: the standard deviations are 0.001 for the share of zeros and 0.0015 for the mean
    assertEquals(p, zeros / (double) v.length, 0.005);
    assertEquals(1.0, sum / v.length, 0.008);
  }

  @Test
  void theGradientWithAFixedMaskPassesTheFiniteDifferenceCheck() {
    Recurrent layer = Recurrent.of(BuiltinCell.projectedLstm(true, 2), 2, 3, 2, true).withDropout(0.5);
    Graph g = new Graph("dropout gradcheck");
    Map<Node, Tensor> values = new LinkedHashMap<>();
    Rng rng = Rng.seeded(31);
    Node x = g.input("x", DType.FLOAT64, 3, 2, 2);
    values.put(x, Initializers.normal(rng, DType.FLOAT64, x.shape(), 0, 1));
    Map<String, Node> params = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : layer.initialize(rng, DType.FLOAT64).entrySet()) {
      Node n = g.parameter(e.getKey(), DType.FLOAT64, e.getValue().shape().toArray());
      params.put(e.getKey(), n);
      values.put(n, e.getValue());
    }
    List<Node> masks = new ArrayList<>();
    for (Tensor m : layer.dropoutMasks(Rng.seeded(32), DType.FLOAT64, 3, 2)) {
      masks.add(g.constant(m));
    }
    Recurrent.Output out = layer.build(g, x, Map.of(), params, masks);
    List<Node> wrt = new ArrayList<>(List.of(x));
    wrt.addAll(params.values());
    GradCheck.Report report = GradCheck.withDefaults().check(out.output(), wrt, values);
    assertTrue(report.passed(), report.toString());
  }

  @Test
  void wrongDropoutSettingsAndMasksAreRefusedByName() {
    Recurrent one = Recurrent.of(BuiltinCell.named("lstm", true), 3, 4);
    assertEquals("dropout (0.2) acts between stacked layers, and this layer has only 1; for dropout on its output,"
        + " apply one to the output",
        assertThrows(IllegalArgumentException.class, () -> one.withDropout(0.2)).getMessage());
    Recurrent two = Recurrent.of(BuiltinCell.named("lstm", true), 3, 4, 2, false);
    assertEquals("dropout (1.0) must be in [0, 1)",
        assertThrows(IllegalArgumentException.class, () -> two.withDropout(1)).getMessage());
    Recurrent dropped = two.withDropout(0.2);
    assertEquals("Recurrent lstm (input 3, hidden 4, 2 layers, dropout 0.2)", dropped.toString());
    Map<String, Tensor> params = two.initialize(Rng.seeded(1), DType.FLOAT64);
    Tensor x = input(two, 2);
    Tensor wrong = Tensor.zeros(DType.FLOAT64, Shape.of(T, B, 5));
    assertEquals("recurrent lstm: dropout mask 0 is float64[4, 3, 5], expected float64[4, 3, 4]",
        assertThrows(IllegalArgumentException.class,
            () -> dropped.run(params, x, Map.of(), null, CompileOptions.defaults(), List.of(wrong))).getMessage());
    assertEquals("recurrent lstm: dropout masks were given, but the layer has no dropout",
        assertThrows(IllegalArgumentException.class,
            () -> two.run(params, x, Map.of(), null, CompileOptions.defaults(), List.of(wrong))).getMessage());
  }

  /** The example of docs/cells.md ("Layers: stacking, directions, dropout"), as written there. */
  @Test
  void theExampleOfCellsMdRuns() {
    Recurrent layer = Recurrent.of(BuiltinCell.named("lstm", true), 8, 16, 2, false).withDropout(0.3);
    Map<String, Tensor> params = layer.initialize(Rng.seeded(42), DType.FLOAT64);
    Tensor x = Initializers.normal(Rng.seeded(1), DType.FLOAT64, Shape.of(10, 4, 8), 0, 1);
    List<Tensor> masks = layer.dropoutMasks(Rng.seeded(7), DType.FLOAT64, 10, 4);
    Recurrent.Result training = layer.run(params, x, Map.of(), null, CompileOptions.defaults(), masks);
    Recurrent.Result evaluation = layer.run(params, x, Map.of(), null);   // no masks: no dropout
    assertEquals(Shape.of(10, 4, 16), training.output().shape());
    assertEquals(List.of(Shape.of(10, 4, 16)), masks.stream().map(Tensor::shape).toList());
    assertNotEquals(evaluation.output(), training.output());
  }

  private static void close(String what, Tensor a, Tensor b) {
    assertTrue(a.allClose(b, 1e-12, 1e-12), what + ": max difference " + a.maxAbsDiff(b));
  }
}
