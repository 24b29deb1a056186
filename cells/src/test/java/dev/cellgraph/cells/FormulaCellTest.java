package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Fn;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class FormulaCellTest {

  static Stream<String> goldenCells() throws Exception {
    try (Stream<Path> s = Files.list(PyTorchParityTest.golden("cells"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCells")
  void formulaCellMatchesPyTorch(String name) throws Exception {
    assertMatchesPyTorch("cells", name);
  }

  static Stream<String> goldenCellsWithLengths() throws Exception {
    try (Stream<Path> s = Files.list(PyTorchParityTest.golden("cells-lengths"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  /** Unsorted lengths against PyTorch running each sequence alone (golden_cells_lengths.py), through Interop. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCellsWithLengths")
  void formulaCellWithLengthsMatchesPyTorchRunningEachSequenceAlone(String name) throws Exception {
    assertMatchesPyTorch("cells-lengths", name);
  }

  private static void assertMatchesPyTorch(String kind, String name) throws Exception {
    Path dir = PyTorchParityTest.golden(kind).resolve(name);
    CellSpec spec = CellSpec.parse(dir.resolve("cell.cell"));
    Map<String, Tensor> weights = SafeTensors.read(dir.resolve("weights.safetensors"));
    Map<String, Tensor> inputs = SafeTensors.read(dir.resolve("input.safetensors"));
    Map<String, Tensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
    Interop.Configured conf = Interop.configure(name, FormulaCell.of(name, spec), weights, inputs.get("input"),
        Interop.Request.none());
    Map<String, Tensor> got = Interop.run(conf, weights, inputs);
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      Tensor g = got.get(e.getKey());
      assertNotNull(g, "missing " + e.getKey() + "; got " + got.keySet());
      assertTrue(g.allClose(e.getValue(), 1e-9, 1e-12), e.getKey() + ": max difference " + g.maxAbsDiff(e.getValue()));
    }
    assertEquals(expected.keySet(), got.keySet());
  }

  @Test
  void zooGruComputesExactlyWhatTheBuiltinGruComputes() {
    // the zoo's gru.cell names its parameters so that they are slices of PyTorch's packed ones
    Rng rng = Rng.seeded(3);
    int in = 3;
    int hid = 4;
    Recurrent builtin = Recurrent.of(BuiltinCell.named("gru", true), in, hid);
    Map<String, Tensor> packed = builtin.initialize(rng, DType.FLOAT64);
    FormulaCell cell = FormulaCell.of("gru", Zoo.load("gru"));
    Map<String, Tensor> split = new LinkedHashMap<>();
    String[] gates = {"r", "z", "n"};
    for (int k = 0; k < 3; k++) {
      split.put("W_i" + gates[k], packed.get("weight_ih_l0").slice(0, k * hid, (k + 1) * hid));
      split.put("W_h" + gates[k], packed.get("weight_hh_l0").slice(0, k * hid, (k + 1) * hid));
      split.put("b_i" + gates[k], packed.get("bias_ih_l0").slice(0, k * hid, (k + 1) * hid));
      split.put("b_h" + gates[k], packed.get("bias_hh_l0").slice(0, k * hid, (k + 1) * hid));
    }
    Tensor x = Initializers.normal(rng, DType.FLOAT64, Shape.of(5, 2, in), 0, 1);
    Tensor a = builtin.run(packed, x, Map.of(), null).output();
    Tensor b = Recurrent.of(cell, in, hid).run(split, x, Map.of(), null).output();
    assertTrue(a.allClose(b, 1e-12, 1e-14), "max difference " + a.maxAbsDiff(b));
  }

  @Test
  void aMatrixTimesParametersAloneIsTheSameRowForEveryExample() {
    // W b passed shape analysis but failed to build: the product needs a row per example
    Function step = FormulaCell.of("wb", CellSpec.parse("h' = W b + h")).step(DType.FLOAT64, 2, 1, 2);
    Map<Node, Tensor> feeds = new HashMap<>();
    for (Node p : step.params()) {
      feeds.put(p, switch (p.name()) {
        case "h" -> Tensor.of(new double[] {0, 0, 10, 20}, 2, 2);
        case "x" -> Tensor.of(new double[] {0, 0}, 2, 1);
        case "W" -> Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        default -> Tensor.of(new double[] {1, 1}, 2);
      });
    }
    Tensor h = Plan.evaluate(step.results().get(0), feeds);
    assertEquals(Tensor.of(new double[] {3, 7, 13, 27}, 2, 2).maxAbsDiff(h), 0.0);
  }

  static Stream<String> zoo() {
    return Zoo.names().stream();
  }

  /** Every zoo cell: a float64 finite-difference check through a 3-step sequence. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("zoo")
  void zooCellPassesGradientCheck(String name) {
    CellSpec spec = Zoo.load(name);
    int hid = 4;
    int in = spec.sizeRequirements().isEmpty() ? 3 : hid;
    GradCheck.Report rep = CellCheck.gradCheck(FormulaCell.of(name, spec), in, hid, 3, 2, 17);
    assertTrue(rep.passed(), name + ": " + rep);
  }

  /**
   * Every function of the language's one table ({@link Fn}) builds its graph, differentiates and
   * passes a float64 finite-difference check; its argument is kept in (0, 1) so that log and the
   * kinks of relu, abs, hardtanh and hardsigmoid are not met (clip's bounds, inside, are met with
   * probability zero).
   */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Fn.class)
  void everyFunctionOfTheLanguagePassesTheGradientCheck(Fn fn) {
    String more = switch (fn) {
      case CLIP -> ", 0.3, 0.6";
      case MAX, MIN -> ", sigmoid(P x)";
      case LEAKY_RELU, ELU -> ", 0.3";
      default -> "";
    };
    // the functions with a negative branch see both signs
    String shift = switch (fn) {
      case ELU, SELU, LEAKY_RELU, GELU, GELU_TANH, ERF -> " - 0.7";
      default -> "";
    };
    CellSpec spec = CellSpec.parse("input x\nstate h\nh' = tanh(W x + U h + b) + " + fn.canonicalName()
        + "(sigmoid(V x + R h)" + shift + more + ")\n", fn + ".cell");
    GradCheck.Report rep = CellCheck.gradCheck(FormulaCell.of(fn.toString(), spec), 3, 4, 3, 2, 17);
    assertTrue(rep.passed(), fn + ": " + rep);
  }

  @Test
  void siluIsXTimesItsSigmoid() {
    Rng rng = Rng.seeded(5);
    CellSpec a = CellSpec.parse("input x\nstate h\nh' = swish(W x + U h)\n", "a.cell");
    CellSpec b = CellSpec.parse("input x\nstate h\nh' = (W x + U h) * sigmoid(W x + U h)\n", "b.cell");
    Recurrent la = Recurrent.of(FormulaCell.of("a", a), 3, 4);
    Map<String, Tensor> params = la.initialize(rng, DType.FLOAT64);
    Tensor x = Initializers.normal(rng, DType.FLOAT64, Shape.of(5, 2, 3), 0, 1);
    Tensor ya = la.run(params, x, Map.of(), null).output();
    Tensor yb = Recurrent.of(FormulaCell.of("b", b), 3, 4).run(params, x, Map.of(), null).output();
    assertEquals(0.0, ya.maxAbsDiff(yb));
  }
}
