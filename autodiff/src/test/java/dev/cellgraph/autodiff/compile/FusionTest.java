package dev.cellgraph.autodiff.compile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fused plans give the same bits as unfused ones, and fuse what they should. */
class FusionTest {
  private static final CompileOptions ON = CompileOptions.all();

  /**
   * An LSTM-like step over rows {@code lead} and gate width w: bias and scalar broadcasts, gate
   * slices, activations, a pow, a concat, a named (identity) output, a gate used outside (a copy),
   * an input passed through, and a sum that leaves the group and comes back (which must not be
   * fused into a cycle).
   */
  private static final class Step {
    final Graph g = new Graph("step");
    final List<Node> feeds = new ArrayList<>();
    final List<Node> outputs = new ArrayList<>();

    Step(DType dt, Shape lead, int w) {
      int[] d4 = append(lead, 4 * w);
      int[] d1 = append(lead, w);
      Node xw = feed(g.input("xw", dt, d4));
      Node hu = feed(g.input("hu", dt, d4));
      Node c = feed(g.input("c", dt, d1));
      Node bias = feed(g.input("b", dt, 4 * w));
      Node scale = feed(g.input("s", dt, 1));
      Node gates = xw.add(hu).add(bias).mul(scale);
      Node i = gates.slice(-1, 0, w).sigmoid();
      Node f = gates.slice(-1, w, 2 * w).sigmoid().named("f");
      Node u = gates.slice(-1, 2 * w, 3 * w).tanh();
      Node o = gates.slice(-1, 3 * w, 4 * w).sigmoid();
      Node c2 = f.mul(c).add(i.mul(u)).named("c2");
      Node h2 = o.mul(c2.tanh());
      Node sq = h2.square().rsub(1.0).pow(3).add(0.5).reciprocal();
      Node back = h2.sum();                             // leaves the group (a sum of all rows) ...
      Node y = h2.mul(back.broadcastTo(h2.shape()));    // ... and comes back
      Node cat = Node.concat(-1, i, f.oneMinus(), c2, sq);
      outputs.add(h2);
      outputs.add(c2);
      outputs.add(f);                                   // a full value named: no copy
      outputs.add(gates.slice(-1, w, 2 * w));           // a view used outside: copied
      outputs.add(c.named("c passed"));                 // an input passed through
      outputs.add(cat);
      outputs.add(y.neg().exp());
    }

    private Node feed(Node n) {
      feeds.add(n);
      return n;
    }

    private static int[] append(Shape s, int last) {
      int[] d = new int[s.rank() + 1];
      System.arraycopy(s.toArray(), 0, d, 0, s.rank());
      d[s.rank()] = last;
      return d;
    }
  }

  static Stream<Arguments> cases() {
    List<Arguments> r = new ArrayList<>();
    for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      r.add(Arguments.of(dt, Shape.of(3), 5));           // one chunk of 3 rows
      r.add(Arguments.of(dt, Shape.of(2, 3), 64));       // rows from two leading axes
      r.add(Arguments.of(dt, Shape.of(40, 30), 7));      // many chunks, the last one short; split over threads
      r.add(Arguments.of(dt, Shape.of(4), 700));         // rows wider than a chunk
      r.add(Arguments.of(dt, Shape.of(), 9));            // rank-1 values: a single row
    }
    return r.stream();
  }

  @ParameterizedTest(name = "{0} rows {1} width {2}")
  @MethodSource("cases")
  void fusedPlansGiveTheSameBitsAsUnfusedOnes(DType dt, Shape lead, int w) {
    Step s = new Step(dt, lead, w);
    Rng rng = Rng.seeded(5);
    List<Tensor> in = new ArrayList<>();
    for (Node f : s.feeds) {
      in.add(Initializers.normal(rng, dt, f.shape(), 0, 1.5));
    }
    Plan plain = Plan.compile(s.outputs, s.feeds);
    Plan fused = Fusion.compile(s.outputs, s.feeds, ON);
    long groups = fused.scheduled().stream().filter(n -> n.op() instanceof FusedOp).count();
    assertTrue(groups >= 2, "the sum splits the step into groups: " + fused.scheduled());
    assertTrue(fused.scheduledCount() < plain.scheduledCount(), fused.scheduled().toString());
    List<Tensor> want = plain.run(in);
    List<Tensor> got = fused.run(in);
    for (int k = 0; k < want.size(); k++) {
      assertEquals(want.get(k), got.get(k), "output " + k + " (" + s.outputs.get(k) + ")");
    }
    assertSame(in.get(2), got.get(4), "an input passed through is not copied");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dtypes")
  void aStepOfGateArithmeticIsOneFusedNode(DType dt) {
    Step s = new Step(dt, Shape.of(2), 3);
    // the forward gate arithmetic alone: everything from the pre-activations to h and c
    List<Node> outs = List.of(s.outputs.get(0), s.outputs.get(1));
    Plan fused = Fusion.compile(outs, s.feeds, ON);
    List<Node> sched = fused.scheduled().stream().filter(n -> !(n.op() instanceof GraphOps.GetOutput)).toList();
    assertEquals(1, sched.size(), sched.toString());
    assertEquals("fused[add, add, mul, sigmoid, sigmoid, tanh, sigmoid, mul, mul, add, tanh, mul]",
        sched.get(0).op().label());
  }

  static Stream<DType> dtypes() {
    return Stream.of(DType.FLOAT64, DType.FLOAT32);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dtypes")
  void fusionOffCompilesThePlainPlan(DType dt) {
    Step s = new Step(dt, Shape.of(2), 3);
    Plan p = Fusion.compile(s.outputs, s.feeds, ON.withFuse(false));
    assertTrue(p.scheduled().stream().noneMatch(n -> n.op() instanceof FusedOp), p.scheduled().toString());
    assertEquals(Plan.compile(s.outputs, s.feeds).scheduledCount(), p.scheduledCount());
  }

  /**
   * Layer normalisation of a [rows, w] value, {@code (z - mean(z)) / sqrt(var(z) + eps) * g + b}
   * over the last axis, and the gradients of a weighted sum of it with respect to z, g and b: the
   * row sums and their [rows, 1] results (forward), sum_to and broadcast_to of [rows, 1]
   * (backward) are fused, and fused and unfused plans give the same bits.
   */
  @ParameterizedTest(name = "{0} rows {1} width {2}")
  @MethodSource("layerNormCases")
  void layerNormAndItsGradientFuseWithTheSameBits(DType dt, int rows, int w) {
    Graph g = new Graph("layer norm");
    Node z = g.input("z", dt, rows, w);
    Node gain = g.input("g", dt, w);
    Node bias = g.input("b", dt, w);
    Node wts = g.input("wts", dt, rows, w);
    Node mu = z.sum(-1, true).mul(1.0 / w);
    Node d = z.sub(mu);
    Node var = d.square().sum(-1, true).mul(1.0 / w);
    Node y = d.div(var.add(1e-5).sqrt()).mul(gain).add(bias).tanh();
    List<Node> grads = dev.cellgraph.autodiff.Gradients.of(y.mul(wts).sum(), List.of(z, gain, bias)).list();
    List<Node> feeds = List.of(z, gain, bias, wts);
    List<Node> forward = List.of(y);
    // the forward: one group from z to y
    Plan fwd = Fusion.compile(forward, feeds, ON);
    List<String> labels = fwd.scheduled().stream().filter(n -> !(n.op() instanceof GraphOps.GetOutput))
        .map(n -> n.op().label()).toList();
    assertEquals(1, labels.size(), labels.toString());
    assertTrue(labels.get(0).startsWith("fused[Σ axis 1, × ") && labels.get(0).endsWith(", tanh]"), labels.toString());
    List<Node> outs = new ArrayList<>(forward);
    outs.addAll(grads);
    Plan plain = Plan.compile(outs, feeds);
    Plan fused = Fusion.compile(outs, feeds, ON);
    // no row sum, sum_to or broadcast_to of a [rows, 1] value is left outside a fused group
    List<String> unfused = fused.scheduled().stream().map(n -> n.op().label())
        .filter(l -> l.startsWith("Σ axis") || l.startsWith("Σ→[" + rows + ", 1]") || l.startsWith("broadcast"))
        .toList();
    assertEquals(List.of(), unfused, fused.scheduled().toString());
    Rng rng = Rng.seeded(11);
    List<Tensor> in = new ArrayList<>();
    for (Node f : feeds) {
      in.add(Initializers.normal(rng, dt, f.shape(), 0.3, 1.5));
    }
    List<Tensor> want = plain.run(in);
    List<Tensor> got = fused.run(in);
    for (int k = 0; k < want.size(); k++) {
      assertEquals(want.get(k), got.get(k), "output " + k + " (" + outs.get(k) + ")");
    }
  }

  static Stream<Arguments> layerNormCases() {
    List<Arguments> r = new ArrayList<>();
    for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      r.add(Arguments.of(dt, 3, 5));       // one chunk
      r.add(Arguments.of(dt, 70, 48));     // many chunks, the last one short; split over threads
      r.add(Arguments.of(dt, 2, 3000));    // rows wider than a chunk
      r.add(Arguments.of(dt, 4, 1));       // one column: the row sum is 0 + z
    }
    return r.stream();
  }

  /**
   * A sum over rows of a product that nothing else reads (a gain's gradient) runs as one
   * product_sum with the bits of the mul and the sum_to; when the product is read elsewhere too,
   * both stay as they are.
   */
  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("productSumCases")
  void aSumOverRowsOfAProductIsOneOpWithTheSameBits(DType dt, Shape s) {
    Graph g = new Graph("product sum");
    Node a = g.input("a", dt, s.toArray());
    Node b = g.input("b", dt, s.toArray());
    Shape row = Shape.of(s.dim(-1));
    Node gain = a.mul(b).sumTo(row);
    Node shared = a.mul(b.tanh());
    Node both = shared.sumTo(row);
    List<Node> outs = List.of(gain, both, shared.exp());
    List<Node> feeds = List.of(a, b);
    Plan fused = Fusion.compile(outs, feeds, ON);
    List<String> labels = fused.scheduled().stream()
        .filter(n -> !(n.op() instanceof FusedOp) && !(n.op() instanceof GraphOps.GetOutput))
        .map(n -> n.op().label()).toList();
    assertEquals(List.of("mul Σ→" + row, "Σ→" + row), labels, fused.scheduled().toString());
    Rng rng = Rng.seeded(5);
    List<Tensor> in = List.of(Initializers.normal(rng, dt, s, 0, 1), Initializers.normal(rng, dt, s, 0, 1));
    assertEquals(Plan.compile(outs, feeds).run(in), fused.run(in));
  }

  static Stream<Arguments> productSumCases() {
    List<Arguments> r = new ArrayList<>();
    for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
      r.add(Arguments.of(dt, Shape.of(5, 2, 12)));   // one block, on the calling thread
      r.add(Arguments.of(dt, Shape.of(30, 2500)));   // three blocks of columns, split over threads
    }
    return r.stream();
  }

  private static void assertSameBitsFusedAndPlain(List<Node> outputs, List<Node> feeds) {
    Rng rng = Rng.seeded(7);
    List<Tensor> in = new ArrayList<>();
    for (Node f : feeds) {
      in.add(Initializers.normal(rng, f.dtype(), f.shape(), 0, 1));
    }
    Plan fused = Fusion.compile(outputs, feeds, ON);
    assertTrue(fused.scheduled().stream().anyMatch(n -> n.op() instanceof FusedOp), fused.scheduled().toString());
    assertEquals(Plan.compile(outputs, feeds).run(in), fused.run(in));
  }

  @Test
  void twoGroupsThatAThirdGroupLiesBetweenAreNotJoined() {
    // a -> a W -> group C = {sigmoid, exp, add} and C's exp -> exp W -> b = a * exp W: joining a
    // and b is allowed by the node graph (a W does not reach exp W) but cycles through C
    Graph g = new Graph("third group between");
    Node x = g.input("x", DType.FLOAT64, 2, 3);
    Node w = g.input("w", DType.FLOAT64, 3, 3);
    Node a = x.tanh();
    Node c1 = a.matmul(w).sigmoid();
    Node c2 = x.exp();
    Node c = c1.add(c2);
    Node b = a.mul(c2.matmul(w));
    assertSameBitsFusedAndPlain(List.of(c, b), List.of(x, w));
  }

  @Test
  void aGraphOfMoreThanTwentyThreeThousandNodesFusesInLinearTime() {
    // 4 (n + 1)^2 passes 2^31 at n = 23,170: a guard computed in int once failed every such graph
    Graph g = new Graph("long");
    Node x = g.input("x", DType.FLOAT64, 2, 3);
    Node w = g.input("w", DType.FLOAT64, 3, 3);
    Node h = x;
    while (g.size() < 24_000) {
      h = h.matmul(w).tanh().mul(0.5);
    }
    long start = System.nanoTime();
    Plan fused = Fusion.compile(List.of(h), List.of(x, w), ON);
    long millis = (System.nanoTime() - start) / 1_000_000;
    // a search of the whole graph per merge took 4 s for 20,000 nodes
    assertTrue(millis < 2_000, "fusing 24,000 nodes took " + millis + " ms");
    // running 24,000 nodes twice would take seconds: the values are checked on the small graphs
    assertEquals(8_000, fused.scheduled().stream().filter(n -> n.op() instanceof FusedOp).count());
  }
}
