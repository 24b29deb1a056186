package dev.cellgraph.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientsAdjointsTest {
  @Test
  void everyForwardNodeOnAGradientPathMapsToItsAdjointInIdOrder() {
    Graph g = new Graph();
    Node x = g.input("x", DType.FLOAT64, 3);
    Node w = g.parameter("w", DType.FLOAT64, 3);
    Node unused = g.parameter("unused", DType.FLOAT64, 3);
    Node y = x.mul(w).tanh();
    Node loss = y.sum();
    Gradients gr = Gradients.of(loss, w, unused);

    Map<Node, Node> adj = gr.adjoints();
    assertEquals(List.of(w, g.nodes().get(3), y, loss), new ArrayList<>(adj.keySet()));
    Node seed = adj.get(loss);
    assertTrue(seed.op() instanceof GraphOps.Fill && ((GraphOps.Fill) seed.op()).value() == 1.0, seed.toString());
    assertSame(gr.get(w), adj.get(w));
    assertTrue(!adj.containsKey(unused) && !adj.containsKey(x), "no adjoint off the gradient paths");
  }

  @Test
  void theBuiltNodesAreExactlyTheNodesTheDifferentiationAdded() {
    Graph g = new Graph();
    Node x = g.input("x", DType.FLOAT64, 2);
    Node loss = x.square().sum();
    int before = g.size();
    Gradients gr = Gradients.of(loss, x);
    assertEquals(g.nodes().subList(before, g.size()), gr.nodes());
    for (Node adjoint : gr.adjoints().values()) {
      assertTrue(gr.nodes().contains(adjoint), adjoint + " was built by this differentiation");
    }
  }
}
