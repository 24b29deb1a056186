package dev.cellgraph.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PlanTest {
  private static final DType F64 = DType.FLOAT64;

  @Test
  void deadNodesAreRemovedAndConstantsFolded() {
    Graph g = new Graph();
    Node x = g.input("x", F64, 2);
    Node c = g.constant(Tensor.of(new double[] {1, 2}, 2)).exp().mul(3.0);  // folds
    x.tanh().sigmoid();                                                     // dead
    Node y = x.add(c);
    Plan p = Plan.compile(List.of(y), List.of(x));
    assertEquals(1, p.scheduledCount());
    Tensor out = p.run(List.of(Tensor.of(new double[] {0, 0}, 2))).get(0);
    assertTrue(out.allClose(Tensor.of(new double[] {3 * Math.exp(1), 3 * Math.exp(2)}, 2), 0, 1e-12));
  }

  @Test
  void missingFeedIsNamed() {
    Graph g = new Graph();
    Node x = g.input("x", F64, 2);
    Node w = g.parameter("W", F64, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Plan.compile(List.of(x.mul(w)), List.of(x)));
    assertEquals("parameter 'W' (float64[2]) is needed but not fed", e.getMessage());
  }

  @Test
  void wrongFeedShapeIsNamed() {
    Graph g = new Graph();
    Node x = g.input("x", F64, 2, 3);
    Plan p = Plan.compile(List.of(x.tanh()), List.of(x));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> p.run(List.of(Tensor.zeros(F64, 3, 2))));
    assertEquals("input 'x': fed float64[3, 2], expected float64[2, 3]", e.getMessage());
  }

  @Test
  void shapeMismatchAtBuildTimeNamesOpAndShapes() {
    Graph g = new Graph();
    Node a = g.input("a", F64, 2, 3);
    Node b = g.input("b", F64, 4, 5);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
    assertEquals("matmul: inner dimensions differ, [2, 3] and [4, 5] (3 vs 4)", e.getMessage());
    IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class, () -> a.add(b));
    assertEquals("add: shapes [2, 3] and [4, 5] do not broadcast", e2.getMessage());
  }

  @Test
  void nodeIdsAreDeterministic() {
    List<String> first = build();
    assertEquals(first, build());
  }

  private static List<String> build() {
    Graph g = new Graph();
    Node x = g.input("x", F64, 2, 2);
    Node y = x.matmul(x).tanh().sum();
    Gradients.of(y, x);
    List<String> r = new ArrayList<>();
    for (Node n : g.nodes()) {
      r.add(n.toString());
    }
    return r;
  }

  @Test
  void aPlanRunsFromSeveralThreadsAtOnce() throws Exception {
    Graph g = new Graph();
    Node x = g.input("x", F64, 16, 16);
    Node y = x.matmul(x).tanh().matmul(x).sum();
    Plan p = Plan.compile(List.of(y), List.of(x));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Double>> fs = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        final double s = i;
        fs.add(pool.submit(() -> p.run(List.of(Tensor.full(F64, s / 100, 16, 16))).get(0).item()));
      }
      for (int i = 0; i < 32; i++) {
        double s = i / 100.0;
        Tensor xx = Tensor.full(F64, s, 16, 16);
        double want = xx.matmul(xx).tanh().matmul(xx).sum().item();
        assertEquals(want, fs.get(i).get(), 0.0);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void missingBackwardRuleIsAnErrorNamingTheOp() {
    Op noRule = new Op() {
      @Override public OpKind kind() { return OpKind.OPAQUE; }
      @Override public String name() { return "mystery"; }
      @Override public List<TensorType> inferTypes(List<TensorType> in) { return List.of(in.get(0)); }
      @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0)); }
      @Override public List<Node> backward(Node node, List<Node> g) {
        throw new UnsupportedOperationException("not differentiable");
      }
    };
    Graph g = new Graph();
    Node x = g.input("x", F64, 2);
    Node y = g.apply(noRule, List.of(x)).sum();
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Gradients.of(y, x));
    assertTrue(e.getMessage().startsWith("op 'mystery' has no backward rule (not differentiable)"), e.getMessage());
  }
}
