package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
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
    Path dir = PyTorchParityTest.golden("cells").resolve(name);
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
    GradCheck.Report rep = gradCheck(FormulaCell.of(name, spec), in, hid, 3, 2, 17);
    assertTrue(rep.passed(), name + ": " + rep);
  }

  /** A gradient check of a cell scanned over T steps, with respect to input, states and parameters. */
  static GradCheck.Report gradCheck(Cell cell, int in, int hid, int steps, int batch, long seed) {
    Rng rng = Rng.seeded(seed);
    Recurrent layer = Recurrent.of(cell, in, hid);
    DType f64 = DType.FLOAT64;
    Graph g = new Graph("gradcheck " + cell.name());
    Map<Node, Tensor> values = new HashMap<>();
    List<Node> wrt = new ArrayList<>();
    Node x = g.input("input", f64, steps, batch, in);
    values.put(x, Initializers.normal(rng, f64, x.shape(), 0, 1));
    wrt.add(x);
    Map<String, Node> init = new LinkedHashMap<>();
    for (String s : cell.stateNames()) {
      Node n = g.input(s + "0", new TensorType(f64, layer.stateShape(s, batch)));
      values.put(n, Initializers.normal(rng, f64, n.shape(), 0, 0.5));
      init.put(s, n);
      wrt.add(n);
    }
    Map<String, Node> params = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : layer.initialize(rng, f64).entrySet()) {
      Node p = g.parameter(e.getKey(), f64, e.getValue().shape().toArray());
      // larger weights than the default, so that gates saturate less uniformly and every term matters
      values.put(p, e.getValue().mul(2.0));
      params.put(e.getKey(), p);
      wrt.add(p);
    }
    Recurrent.Output out = layer.build(g, x, init, params);
    Node loss = out.output().tanh().sum();
    for (Node fin : out.finalStates().values()) {
      loss = loss.add(fin.square().sum());
    }
    return GradCheck.withDefaults().check(loss, wrt, values);
  }
}
