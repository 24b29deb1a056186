package dev.cellgraph.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CompositeAndScanTest {
  private static final DType F64 = DType.FLOAT64;

  static Tensor random(SplittableRandom r, int... dims) {
    int n = 1;
    for (int d : dims) {
      n *= d;
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextDouble(-1, 1);
    }
    return Tensor.of(v, dims);
  }

  /** h' = tanh(x W + h U + b): a vanilla RNN step as a composite function. */
  static Function rnnStep(int b, int in, int hid) {
    Graph body = new Graph("rnn_step");
    Node h = body.input("h", F64, b, hid);
    Node x = body.input("x", F64, b, in);
    Node w = body.parameter("W", F64, in, hid);
    Node u = body.parameter("U", F64, hid, hid);
    Node bias = body.parameter("b", F64, hid);
    Node hn = x.matmul(w).add(h.matmul(u)).add(bias).tanh().named("h'");
    return Function.of("rnn_step", List.of(h, x, w, u, bias), List.of(hn, hn.mul(2.0)));
  }

  @Test
  void compositeCallMatchesItsBodyAndItsGradientChecks() {
    SplittableRandom r = new SplittableRandom(1);
    Function f = rnnStep(2, 3, 4);
    Graph g = new Graph();
    Node h = g.input("h", F64, 2, 4);
    Node x = g.input("x", F64, 2, 3);
    Node w = g.parameter("W", F64, 3, 4);
    Node u = g.parameter("U", F64, 4, 4);
    Node b = g.parameter("b", F64, 4);
    List<Node> out = f.apply(List.of(h, x, w, u, b));
    Node y = out.get(0).add(out.get(1).square());
    Map<Node, Tensor> vals = new HashMap<>();
    vals.put(h, random(r, 2, 4));
    vals.put(x, random(r, 2, 3));
    vals.put(w, random(r, 3, 4));
    vals.put(u, random(r, 4, 4));
    vals.put(b, random(r, 4));
    Tensor direct = vals.get(x).matmul(vals.get(w)).add(vals.get(h).matmul(vals.get(u))).add(vals.get(b)).tanh();
    assertTrue(Plan.evaluate(out.get(0), vals).allClose(direct, 0, 1e-15));
    GradCheck.Report rep = GradCheck.withDefaults().check(y, List.of(h, x, w, u, b), vals);
    assertTrue(rep.passed(), rep.toString());
  }

  @Test
  void vjpIsDerivedOnceAndCached() {
    Function f = rnnStep(1, 2, 2);
    assertTrue(f.vjp() == f.vjp());
  }

  /** A scan over T steps, with outputs and final state used by the loss. */
  static Object[] scanSetup(int t, boolean reverse) {
    return scanSetup(t, reverse, true);
  }

  /** The same; {@code saves} false builds the scan without residuals (its gradient recomputes). */
  static Object[] scanSetup(int t, boolean reverse, boolean saves) {
    SplittableRandom r = new SplittableRandom(7);
    Function step = rnnStep(2, 3, 4);
    Graph g = new Graph("seq");
    Node h0 = g.input("h0", F64, 2, 4);
    Node xs = g.input("xs", F64, t, 2, 3);
    Node w = g.parameter("W", F64, 3, 4);
    Node u = g.parameter("U", F64, 4, 4);
    Node b = g.parameter("b", F64, 4);
    Scan s = Scan.of(step, List.of(h0), List.of(xs), List.of(w, u, b), reverse, saves);
    Node loss = s.outputs().get(0).sum().add(s.finalCarries().get(0).square().sum());
    Map<Node, Tensor> vals = new HashMap<>();
    vals.put(h0, random(r, 2, 4));
    vals.put(xs, random(r, t, 2, 3));
    vals.put(w, random(r, 3, 4));
    vals.put(u, random(r, 4, 4));
    vals.put(b, random(r, 4));
    return new Object[] {g, s, loss, vals, List.of(h0, xs, w, u, b)};
  }

  @SuppressWarnings("unchecked")
  @Test
  void scanComputesTheUnrolledRecurrence() {
    Object[] st = scanSetup(5, false);
    Scan s = (Scan) st[1];
    Map<Node, Tensor> vals = (Map<Node, Tensor>) st[3];
    List<Node> in = (List<Node>) st[4];
    Tensor h = vals.get(in.get(0));
    Tensor xs = vals.get(in.get(1));
    List<Tensor> hs = new ArrayList<>();
    for (int t = 0; t < 5; t++) {
      h = xs.select(0, t).matmul(vals.get(in.get(2))).add(h.matmul(vals.get(in.get(3)))).add(vals.get(in.get(4))).tanh();
      hs.add(h.mul(2.0));
    }
    List<Tensor> got = Plan.evaluate(List.of(s.finalCarries().get(0), s.outputs().get(0)), vals);
    assertTrue(got.get(0).allClose(h, 0, 1e-14));
    assertTrue(got.get(1).allClose(Tensor.stack(0, hs), 0, 1e-14));
  }

  @SuppressWarnings("unchecked")
  @Test
  void scanGradientMatchesFiniteDifferencesForwardAndReverse() {
    for (boolean reverse : new boolean[] {false, true}) {
      Object[] st = scanSetup(6, reverse);
      GradCheck.Report rep = GradCheck.withDefaults()
          .check((Node) st[2], (List<Node>) st[4], (Map<Node, Tensor>) st[3]);
      assertTrue(rep.passed(), (reverse ? "reverse: " : "forward: ") + rep);
    }
  }

  @SuppressWarnings("unchecked")
  @Test
  void graphSizeDoesNotGrowWithSequenceLength() {
    int[] sizes = new int[2];
    int k = 0;
    for (int t : new int[] {3, 300}) {
      Object[] st = scanSetup(t, false);
      Graph g = (Graph) st[0];
      Gradients.of((Node) st[2], (List<Node>) st[4]);
      sizes[k++] = g.size();
    }
    assertEquals(sizes[0], sizes[1]);
  }

  @SuppressWarnings("unchecked")
  @Test
  void secondOrderThroughScanMatchesFiniteDifferences() {
    // the gradient of (d loss / d W . V) with respect to U: a mixed second derivative through scan
    Object[] st = scanSetup(4, false);
    Graph g = (Graph) st[0];
    List<Node> in = (List<Node>) st[4];
    Node w = in.get(2);
    Node dW = Gradients.of((Node) st[2], w).get(w);
    Node v = g.constant(random(new SplittableRandom(3), 3, 4));
    Node directional = dW.mul(v).sum();
    GradCheck.Report rep = GradCheck.withDefaults().check(directional, List.of(in.get(3), in.get(0)), (Map<Node, Tensor>) st[3]);
    assertTrue(rep.passed(), rep.toString());
  }

  @Test
  void hessianVectorProductMatchesFiniteDifferences() {
    // f(x) = Σ tanh(A x)^2 ; Hv = d/dx <∇f(x), v>, compared with (∇f(x+εv) - ∇f(x-εv)) / 2ε
    SplittableRandom r = new SplittableRandom(11);
    Graph g = new Graph();
    Node x = g.input("x", F64, 5, 1);
    Tensor a = random(r, 4, 5);
    Node f = g.constant(a).matmul(x).tanh().square().sum();
    Node grad = Gradients.of(f, x).get(x);
    Tensor vv = random(r, 5, 1);
    Node hv = Gradients.of(grad.mul(g.constant(vv)).sum(), x).get(x);
    Tensor x0 = random(r, 5, 1);
    Plan gradPlan = Plan.compile(List.of(grad), List.of(x));
    double eps = 1e-5;
    Tensor gp = gradPlan.run(List.of(x0.add(vv.mul(eps)))).get(0);
    Tensor gm = gradPlan.run(List.of(x0.sub(vv.mul(eps)))).get(0);
    Tensor numeric = gp.sub(gm).mul(1 / (2 * eps));
    Tensor analytic = Plan.compile(List.of(hv), List.of(x)).run(List.of(x0)).get(0);
    assertTrue(analytic.allClose(numeric, 1e-6, 1e-8), analytic + " vs " + numeric);
  }

  @Test
  void fusedRuleMatchesTheDerivedOne() {
    // a hand-written sigmoid-gate function: y = sigmoid(a) * b
    Graph body = new Graph("gate");
    Node a = body.input("a", F64, 2, 3);
    Node b = body.input("b", F64, 2, 3);
    Function derived = Function.of("gate", List.of(a, b), List.of(a.sigmoid().mul(b)));
    Function fused = derived.withFused(new FusedRule() {
      @Override
      public List<Tensor> forward(List<Tensor> in) {
        return List.of(in.get(0).sigmoid().mul(in.get(1)));
      }

      @Override
      public List<Tensor> backward(List<Tensor> in, List<Tensor> out, List<Tensor> cot) {
        Tensor s = in.get(0).sigmoid();
        Tensor g = cot.get(0);
        return List.of(g.mul(in.get(1)).mul(s).mul(s.rsub(1)), g.mul(s));
      }
    });
    SplittableRandom r = new SplittableRandom(5);
    double diff = GradCheck.compareFused(fused, List.of(random(r, 2, 3), random(r, 2, 3)), 9);
    assertTrue(diff < 1e-15, "fused vs derived differ by " + diff);

    // the fused function also works inside a graph and its first-order gradient checks
    Graph g = new Graph();
    Node x = g.input("x", F64, 2, 3);
    Node y = g.input("y", F64, 2, 3);
    Node out = fused.call(List.of(x, y)).square().sum();
    Map<Node, Tensor> vals = Map.of(x, random(r, 2, 3), y, random(r, 2, 3));
    GradCheck.Report rep = GradCheck.withDefaults().check(out, List.of(x, y), vals);
    assertTrue(rep.passed(), rep.toString());
    // and its backward is first order, said loudly
    Node gx = Gradients.of(out, x).get(x);
    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
        () -> Gradients.of(gx.sum(), x));
    assertTrue(e.getMessage().startsWith("op 'gate.fused_backward' has no backward rule"), e.getMessage());
  }
}
