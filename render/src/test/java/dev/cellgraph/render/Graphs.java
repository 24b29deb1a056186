package dev.cellgraph.render;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.core.DType;
import java.util.List;

/** Small graphs the render tests draw; built fresh on every call, so ids are the same each time. */
final class Graphs {
  private static final DType F64 = DType.FLOAT64;

  private Graphs() {}

  /** A forget gate and the cell-state update: f_t = σ([h_{t-1}, x_t] · W_f + b_f), C_t = f_t ⊙ C_{t-1}. */
  static Graph gate() {
    Graph g = new Graph("gate");
    Node x = g.input("x_t", F64, 1, 3);
    Node h = g.input("h_{t-1}", F64, 1, 4);
    Node c = g.input("C_{t-1}", F64, 1, 4);
    Node w = g.parameter("W_f", F64, 7, 4);
    Node b = g.parameter("b_f", F64, 4);
    Node f = Node.concat(1, h, x).matmul(w).add(b).sigmoid().named("f_t");
    f.mul(c).named("C_t");
    return g;
  }

  /** The gate's graph with the gradient of sum(C_t) with respect to W_f and b_f. */
  static Gradients gateBackward(Graph g) {
    Node ct = g.nodes().get(g.size() - 1);
    Node loss = ct.sum();
    return Gradients.of(loss, List.of(g.nodes().get(3), g.nodes().get(4)));
  }

  /** h' = tanh(x W + h U + b): a vanilla RNN step. */
  static Function rnnStep() {
    Graph body = new Graph("rnn_step");
    Node h = body.input("h", F64, 1, 4);
    Node x = body.input("x", F64, 1, 3);
    Node w = body.parameter("W", F64, 3, 4);
    Node u = body.parameter("U", F64, 4, 4);
    Node b = body.parameter("b", F64, 4);
    Node hn = x.matmul(w).add(h.matmul(u)).add(b).tanh().named("h'");
    return Function.of("rnn_step", List.of(h, x, w, u, b), List.of(hn));
  }

  /** An RNN scanned over 5 steps; the loss reads all outputs. */
  static Node scanLoss() {
    Function step = rnnStep();
    Graph g = new Graph("rnn");
    Node h0 = g.input("h_0", F64, 1, 4);
    Node xs = g.input("xs", F64, 5, 1, 3);
    Node w = g.parameter("W", F64, 3, 4);
    Node u = g.parameter("U", F64, 4, 4);
    Node b = g.parameter("b", F64, 4);
    Scan s = Scan.of(step, List.of(h0), List.of(xs), List.of(w, u, b), false);
    return s.finalCarries().get(0).sum().named("loss");
  }
}
