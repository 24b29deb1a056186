package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The code shown in README.md, so that it keeps working. */
class ReadmeExamplesTest {
  @Test
  void gradientExample() {
    Graph g = new Graph();
    Node x = g.input("x", DType.FLOAT64, 2, 3);
    Node w = g.parameter("W", DType.FLOAT64, 3, 4);
    Node loss = x.matmul(w).tanh().sum();
    Node dW = Gradients.of(loss, w).get(w);

    Plan plan = Plan.compile(List.of(loss, dW), List.of(x, w));
    Tensor xv = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
    List<Tensor> out = plan.run(Map.of(x, xv, w, Tensor.full(DType.FLOAT64, 0.1, 3, 4)));
    // d/dW Σ tanh(xW) = xᵀ (1 - tanh²(xW))
    Tensor y = xv.matmul(Tensor.full(DType.FLOAT64, 0.1, 3, 4)).tanh();
    Tensor want = xv.transpose().matmul(y.square().rsub(1));
    assertTrue(out.get(1).allClose(want, 1e-12, 0));
  }

  @Test
  void cellExample() {
    CellSpec spec = CellSpec.parse("""
        input x
        state h
        r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)
        z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
        h' = (1 - z) * n + z * h
        """, "gru.cell");
    Recurrent layer = Recurrent.of(FormulaCell.of("gru", spec), 8, 16);
    Map<String, Tensor> params = layer.initialize(Rng.seeded(42), DType.FLOAT32);
    Tensor input = Initializers.normal(Rng.seeded(1), DType.FLOAT32, Shape.of(10, 4, 8), 0, 1);
    Recurrent.Result r = layer.run(params, input, Map.of(), null);
    assertEquals(Shape.of(10, 4, 16), r.output().shape());
  }
}
