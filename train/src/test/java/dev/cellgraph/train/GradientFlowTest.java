package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.cells.Unrolling;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gradient-flow measurement at initialization: what it shows, and that it is the scan's computation. */
class GradientFlowTest {
  static Map<String, Cell> cells(String... names) {
    Map<String, Cell> m = new LinkedHashMap<>();
    for (String n : names) {
      m.put(n, FormulaCell.of(n, Zoo.load(n)));
    }
    return m;
  }

  /** How many decades the gradient loses from the last step back to the first. */
  static double decades(GradientFlow.Row r, int state, int steps) {
    return Math.log10(r.norm(state, steps) / r.norm(state, 1));
  }

  @Test
  void rnnGradientVanishesWhileTheLstmCellStateCarriesIt() {
    GradientFlow f = GradientFlow.atInitialization(cells("rnn", "lstm", "gru"), 20, 10, 32, 1, 1.0);
    GradientFlow.Row rnn = f.rows().get(0);
    GradientFlow.Row lstm = f.rows().get(1);
    GradientFlow.Row gru = f.rows().get(2);
    assertEquals(List.of("h", "c"), lstm.states());
    assertEquals(List.of("b_if"), lstm.shiftedBiases());
    assertEquals(List.of("b_iz"), gru.shiftedBiases());
    assertEquals(List.of(), rnn.shiftedBiases());
    // the RNN loses more than 4 decades over 19 steps back, the LSTM's c under 2, the GRU's h 2.5
    assertTrue(decades(rnn, 0, 20) > 4, "rnn " + decades(rnn, 0, 20));
    assertTrue(decades(lstm, 1, 19) < 2, "lstm c " + decades(lstm, 1, 19));
    assertTrue(decades(gru, 0, 20) < 2.5, "gru " + decades(gru, 0, 20));
    // and it falls monotonically with distance for the RNN
    for (int t = 1; t < 20; t++) {
      assertTrue(rnn.norm(0, t) < rnn.norm(0, t + 1), "t = " + t);
    }
    // the last step's c carries nothing back: L reads h_20 only
    assertEquals(0.0, lstm.norm(1, 20));
  }

  @Test
  void withPyTorchsOwnInitializationTheLstmForgetsAtHalfAStepToo() {
    // stated in docs/rendering.md: with the forget gate near σ(0) = ½ the LSTM's gradient decays too
    GradientFlow f = GradientFlow.atInitialization(cells("rnn", "lstm"), 20, 10, 32, 1);
    assertEquals(0.0, f.gateBias());
    double rnn = decades(f.rows().get(0), 0, 20);
    double lstm = decades(f.rows().get(1), 1, 19);
    assertTrue(rnn > 4 && lstm > 3 && lstm < rnn, "rnn " + rnn + ", lstm " + lstm);
  }

  @Test
  void normsAgreeWithTheScannedLayersGradient() {
    // the explicit unrolling is the same computation as Recurrent's scan: dL/dh_0 agrees
    Cell cell = FormulaCell.of("gru", Zoo.load("gru"));
    int steps = 6;
    GradientFlow f = GradientFlow.atInitialization(Map.of("gru", cell), steps, 3, 5, 9);
    Unrolling u = Unrolling.build(new Graph("gru unrolled"), cell, steps, 3, 5, DType.FLOAT64,
        Unrolling.Names.PLAIN);
    Map<String, Tensor> w = Recurrent.of(cell, 3, 5).initialize(Rng.seeded(9 + 1), DType.FLOAT64);
    Rng in = Rng.seeded(9);
    Map<Node, Tensor> feeds = new LinkedHashMap<>();
    for (Node x : u.inputs()) {
      feeds.put(x, dev.cellgraph.core.random.Initializers.normal(in, DType.FLOAT64, x.shape(), 0, 1));
    }
    int k = 0;
    List<String> names = List.copyOf(cell.parameterShapes(3, 5).keySet());
    for (Node p : u.parameters()) {
      feeds.put(p, w.get(names.get(k++)));
    }
    Node h0 = u.initialStates().get(0);
    feeds.put(h0, Tensor.zeros(DType.FLOAT64, h0.shape()));
    Node loss = u.outputs().get(steps - 1).sum();
    Node g = Gradients.of(loss, h0).get(h0);
    Node h3 = u.states().get(2).get(0);
    Node gh3 = Gradients.of(loss, h3).get(h3);
    List<Tensor> r = Plan.compile(List.of(g, gh3), List.copyOf(feeds.keySet())).run(feeds);
    assertEquals(r.get(1).norm(), f.rows().get(0).norm(0, 3), 1e-12);
    assertTrue(r.get(0).norm() < f.rows().get(0).norm(0, 1));
  }

  @Test
  void badSettingsAreRefused() {
    assertEquals("steps (1) must be between 2 and 200",
        assertThrows(IllegalArgumentException.class, () -> GradientFlow.atInitialization(cells("rnn"), 1, 3, 4, 1)).getMessage());
    assertEquals("gradient flow needs at least one cell",
        assertThrows(IllegalArgumentException.class, () -> GradientFlow.atInitialization(Map.of(), 5, 3, 4, 1)).getMessage());
  }
}
