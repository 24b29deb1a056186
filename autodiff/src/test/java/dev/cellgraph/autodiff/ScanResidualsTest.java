package dev.cellgraph.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Residuals: the forward scan saves the step values its VJP reads, and the gradient's reverse scan
 * reads them instead of recomputing the forward step. Same gradients as recomputing, nothing
 * saved when no gradient is taken, second order still right.
 */
class ScanResidualsTest {
  private static final DType F64 = DType.FLOAT64;
  private static final int B = 2;
  private static final int I = 3;
  private static final int H = 4;

  /** An LSTM step in PyTorch's layout: gates sliced from one product, named as the formulas name them. */
  static Function lstmStep() {
    Graph g = new Graph("lstm_step");
    Node h = g.input("h", F64, B, H);
    Node c = g.input("c", F64, B, H);
    Node x = g.input("x", F64, B, I);
    Node w = g.parameter("W", F64, I, 4 * H);
    Node u = g.parameter("U", F64, H, 4 * H);
    Node b = g.parameter("b", F64, 4 * H);
    Node gates = x.matmul(w).add(h.matmul(u)).add(b);
    Node i = gates.slice(1, 0, H).sigmoid().named("i");
    Node f = gates.slice(1, H, 2 * H).sigmoid().named("f");
    Node gg = gates.slice(1, 2 * H, 3 * H).tanh().named("g");
    Node o = gates.slice(1, 3 * H, 4 * H).sigmoid().named("o");
    Node cn = f.mul(c).add(i.mul(gg)).named("c'");
    Node hn = o.mul(cn.tanh()).named("h'");
    return Function.of("lstm_step", List.of(h, c, x, w, u, b), List.of(hn, cn, hn));
  }

  /** A GRU step: the candidate reads a slice of the recurrent product, and 1 - z. */
  static Function gruStep() {
    Graph g = new Graph("gru_step");
    Node h = g.input("h", F64, B, H);
    Node x = g.input("x", F64, B, I);
    Node w = g.parameter("W", F64, I, 3 * H);
    Node u = g.parameter("U", F64, H, 3 * H);
    Node b = g.parameter("b", F64, 3 * H);
    Node gi = x.matmul(w);
    Node gh = h.matmul(u).add(b);
    Node r = gi.slice(1, 0, H).add(gh.slice(1, 0, H)).sigmoid().named("r");
    Node z = gi.slice(1, H, 2 * H).add(gh.slice(1, H, 2 * H)).sigmoid().named("z");
    Node n = gi.slice(1, 2 * H, 3 * H).add(r.mul(gh.slice(1, 2 * H, 3 * H))).tanh().named("n");
    Node hn = z.oneMinus().mul(n).add(z.mul(h)).named("h'");
    return Function.of("gru_step", List.of(h, x, w, u, b), List.of(hn, hn.softplus()));
  }

  /** An RNN step whose output is its new state: the saved tanh is read from the stacked output. */
  static Function rnnOutputIsStateStep() {
    Graph g = new Graph("rnn_step");
    Node h = g.input("h", F64, B, H);
    Node x = g.input("x", F64, B, I);
    Node w = g.parameter("W", F64, I, H);
    Node u = g.parameter("U", F64, H, H);
    Node hn = x.matmul(w).add(h.matmul(u)).tanh().named("h'");
    return Function.of("rnn_step", List.of(h, x, w, u), List.of(hn, hn));
  }

  /** A relu RNN: relu's derivative reads its input, the pre-activation. */
  static Function reluStep() {
    Graph g = new Graph("relu_step");
    Node h = g.input("h", F64, B, H);
    Node x = g.input("x", F64, B, I);
    Node w = g.parameter("W", F64, I, H);
    Node u = g.parameter("U", F64, H, H);
    Node hn = x.matmul(w).add(h.matmul(u)).relu().mul(0.5).add(h.mul(0.5)).named("h'");
    return Function.of("relu_step", List.of(h, x, w, u), List.of(hn, hn.square()));
  }

  private static Function step(String name) {
    switch (name) {
      case "lstm": return lstmStep();
      case "gru": return gruStep();
      case "rnn": return rnnOutputIsStateStep();
      case "relu": return reluStep();
      default: throw new IllegalArgumentException(name);
    }
  }

  /** A scan of {@code step} over T steps: graph, scan, loss, values, the nodes to differentiate. */
  private static final class Setup {
    final Graph g = new Graph("seq");
    final Scan scan;
    final Node loss;
    final Map<Node, Tensor> values = new HashMap<>();
    final List<Node> wrt = new ArrayList<>();

    Setup(Function step, int t, boolean reverse, boolean saves) {
      SplittableRandom r = new SplittableRandom(17);
      int nc = step.results().size() - 1;
      List<Node> init = new ArrayList<>();
      List<Node> consts = new ArrayList<>();
      List<Node> params = step.params();
      for (int i = 0; i < params.size(); i++) {
        Node p = params.get(i);
        Node n;
        if (i < nc) {
          n = g.input(p.name() + "0", p.type());
          init.add(n);
          values.put(n, CompositeAndScanTest.random(r, p.shape().toArray()));
        } else if (i == nc) {
          int[] d = new int[p.rank() + 1];
          d[0] = t;
          System.arraycopy(p.shape().toArray(), 0, d, 1, p.rank());
          n = g.input("xs", F64, d);
          values.put(n, CompositeAndScanTest.random(r, d));
        } else {
          n = g.parameter(p.name(), p.type());
          consts.add(n);
          values.put(n, CompositeAndScanTest.random(r, p.shape().toArray()).mul(0.7));
        }
        wrt.add(n);
      }
      scan = Scan.of(step, init, List.of(wrt.get(nc)), consts, reverse, saves);
      Node l = scan.outputs().get(0).tanh().sum();
      for (Node fc : scan.finalCarries()) {
        l = l.add(fc.square().sum());
      }
      loss = l;
    }

    List<Tensor> lossAndGradients(CompileOptions options) {
      List<Node> outs = new ArrayList<>(List.of(loss));
      outs.addAll(Gradients.of(loss, wrt).list());
      return Plan.evaluate(outs, values, options);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"lstm", "gru", "rnn", "relu"})
  void savedValuesGiveTheGradientsOfRecomputingWithTheCompilerOnAndOff(String name) {
    for (boolean optimize : new boolean[] {true, false}) {
      for (boolean reverse : new boolean[] {false, true}) {
        CompileOptions o = ScanCompilerTest.options(optimize);
        List<Tensor> saved = new Setup(step(name), 6, reverse, true).lossAndGradients(o);
        List<Tensor> recomputed = new Setup(step(name), 6, reverse, false).lossAndGradients(o);
        for (int i = 0; i < saved.size(); i++) {
          assertTrue(saved.get(i).allClose(recomputed.get(i), 1e-12, 1e-12), name + " value " + i
              + (optimize ? "" : " (compiler off)") + (reverse ? " (reverse)" : "") + ": max difference "
              + saved.get(i).maxAbsDiff(recomputed.get(i)));
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"lstm", "gru", "rnn", "relu"})
  void savedValuesGradientMatchesFiniteDifferences(String name) {
    for (boolean optimize : new boolean[] {true, false}) {
      Setup s = new Setup(step(name), 5, false, true);
      GradCheck.Report rep = GradCheck.withDefaults().options(ScanCompilerTest.options(optimize))
          .check(s.loss, s.wrt, s.values);
      assertTrue(rep.passed(), name + (optimize ? "" : " (compiler off)") + ": " + rep);
    }
  }

  @Test
  void lstmSavesItsGateActivationsAndTheTanhOfTheNewCellState() {
    Scan.ScanOp op = (Scan.ScanOp) new Setup(lstmStep(), 3, false, true).scan.node().op();
    List<String> saved = new ArrayList<>();
    for (Node n : op.residuals()) {
      saved.add(n.op().name());
    }
    // i, f, g, o and tanh(c'): not the product or its slices (free to recompute, or not read),
    // not c' (tanh's derivative reads its result), not the weights' transposes (constant)
    assertEquals(List.of("sigmoid", "sigmoid", "tanh", "sigmoid", "tanh"), saved);
  }

  @Test
  void gruSavesTheSliceOfTheRecurrentProductItReadsNotOneMinusZ() {
    Scan.ScanOp op = (Scan.ScanOp) new Setup(gruStep(), 3, false, true).scan.node().op();
    List<String> saved = new ArrayList<>();
    for (Node n : op.residuals()) {
      saved.add(n.op().name());
    }
    // r, z, the slice of h U + b that r multiplies, n, and h' (the output softplus(h') has a
    // derivative that reads it); 1 - z is recomputed from z
    assertEquals(List.of("sigmoid", "sigmoid", "slice", "tanh", "identity"), saved);
  }

  @Test
  void aSavedValueThatIsTheOutputIsReadFromTheOutput() {
    Setup s = new Setup(rnnOutputIsStateStep(), 4, false, true);
    Scan.ScanOp op = (Scan.ScanOp) s.scan.node().op();
    assertEquals(0, op.residualCount());
    Gradients.of(s.loss, s.wrt);
    Scan.ScanOp back = reverseScan(s.g);
    // the reverse step still takes the saved tanh, bound to the forward scan's stacked outputs
    Node bound = backNode(s.g).input(back.carryCount() + back.sequenceCount() - 1);
    assertEquals(s.scan.outputs().get(0), bound);
  }

  private static Node backNode(Graph g) {
    for (Node n : g.nodes()) {
      if (n.op() instanceof Scan.ScanOp && n.op().label().startsWith("reverse")) {
        return n;
      }
    }
    throw new AssertionError("no reverse scan in " + g);
  }

  private static Scan.ScanOp reverseScan(Graph g) {
    return (Scan.ScanOp) backNode(g).op();
  }

  @Test
  void withoutGradientsNoResidualIsComputed() {
    for (boolean optimize : new boolean[] {true, false}) {
      CompileOptions o = ScanCompilerTest.options(optimize);
      Setup s = new Setup(lstmStep(), 4, false, true);
      Node n = s.scan.node();
      Scan.ScanOp op = (Scan.ScanOp) n.op();
      List<Tensor> in = new ArrayList<>();
      for (Node x : n.inputs()) {
        in.add(s.values.get(x));
      }
      boolean[] used = new boolean[op.outputCount()];
      Arrays.fill(used, 0, op.carryCount() + op.yCount(), true);
      List<Tensor> out = op.compute(in, used, o);
      int first = op.carryCount() + op.yCount() + op.carryCount();
      assertEquals(5, op.outputCount() - first);
      for (int k = first; k < op.outputCount(); k++) {
        assertNull(out.get(k), "residual " + (k - first) + (optimize ? "" : " (compiler off)"));
      }
      Arrays.fill(used, true);
      out = op.compute(in, used, o);
      for (int k = first; k < op.outputCount(); k++) {
        assertNotNull(out.get(k), "residual " + (k - first) + (optimize ? "" : " (compiler off)"));
      }
    }
  }

  /** tanh that counts how often it runs. */
  private static final class CountedTanh extends Op {
    final AtomicInteger runs = new AtomicInteger();

    @Override public OpKind kind() { return OpKind.OPAQUE; }
    @Override public String name() { return "counted_tanh"; }
    @Override public List<TensorType> inferTypes(List<TensorType> in) { return List.of(in.get(0)); }

    @Override public List<Tensor> compute(List<Tensor> in) {
      runs.incrementAndGet();
      return List.of(in.get(0).tanh());
    }

    @Override public List<Node> backward(Node node, List<Node> g) {
      return List.of(g.get(0).mul(node.square().oneMinus()));
    }
  }

  @Test
  void aPlanWithoutGradientsDoesNotRunWhatOnlyResidualsNeed() {
    // y = 2 counted_tanh(h'): its tanh is saved for the gradient; a loss of the final state alone
    // reads neither y nor the residuals, so the compiled scan never runs counted_tanh
    CountedTanh counted = new CountedTanh();
    Graph body = new Graph("step");
    Node h = body.input("h", F64, B, H);
    Node x = body.input("x", F64, B, I);
    Node w = body.parameter("W", F64, I, H);
    Node u = body.parameter("U", F64, H, H);
    Node hn = x.matmul(w).add(h.matmul(u)).tanh().named("h'");
    Node y = body.apply(counted, List.of(hn)).mul(2.0);
    Function step = Function.of("step", List.of(h, x, w, u), List.of(hn, y));
    Setup s = new Setup(step, 5, false, true);
    assertEquals(2, ((Scan.ScanOp) s.scan.node().op()).residualCount());
    Node inference = s.scan.finalCarries().get(0).sum();
    // what the compiled scan runs: explicit, so that the suite's run with the compiler off agrees
    Plan.evaluate(List.of(inference), s.values, CompileOptions.all());
    assertEquals(0, counted.runs.get());
    Node dw = Gradients.of(inference, s.wrt.get(2)).get(s.wrt.get(2));
    Plan.evaluate(List.of(inference, dw), s.values, CompileOptions.all());
    assertEquals(5, counted.runs.get()); // the gradient reads the residual, computed once per step
  }

  @Test
  void secondOrderThroughSavedValuesMatchesFiniteDifferences() {
    for (boolean optimize : new boolean[] {true, false}) {
      // the gradient of (d loss / d W . V) with respect to U and the initial state
      Setup s = new Setup(lstmStep(), 4, false, true);
      Node w = s.wrt.get(3);
      Node dW = Gradients.of(s.loss, w).get(w);
      Node v = s.g.constant(CompositeAndScanTest.random(new SplittableRandom(3), I, 4 * H));
      Node directional = dW.mul(v).sum();
      GradCheck.Report rep = GradCheck.withDefaults().options(ScanCompilerTest.options(optimize))
          .check(directional, List.of(s.wrt.get(4), s.wrt.get(0), s.wrt.get(1)), s.values);
      assertTrue(rep.passed(), (optimize ? "" : "compiler off: ") + rep);
      // the first gradient's reverse scan read the residuals, so their cotangents reached the
      // forward scan, whose second backward recomputed with them
      boolean residualCotangents = false;
      for (Node n : s.g.nodes()) {
        if (n.op() instanceof Scan.ScanOp) {
          for (Node p : ((Scan.ScanOp) n.op()).step().params()) {
            residualCotangents |= "dsaved0".equals(p.name());
          }
        }
      }
      assertTrue(residualCotangents, "no reverse scan took the residuals' cotangents");
    }
  }

  @Test
  void aFusedStepSavesNothingAndItsGradientChecks() {
    Function derived = rnnOutputIsStateStep();
    Function fused = derived.withFused(new FusedRule() {
      @Override
      public List<Tensor> forward(List<Tensor> in) {
        Tensor hn = in.get(1).matmul(in.get(2)).add(in.get(0).matmul(in.get(3))).tanh();
        return List.of(hn, hn);
      }

      @Override
      public List<Tensor> backward(List<Tensor> in, List<Tensor> out, List<Tensor> cot) {
        throw new UnsupportedOperationException("a scan differentiates the derived step");
      }
    });
    for (boolean optimize : new boolean[] {true, false}) {
      Setup s = new Setup(fused, 5, false, true);
      assertEquals(0, ((Scan.ScanOp) s.scan.node().op()).residualCount());
      GradCheck.Report rep = GradCheck.withDefaults().options(ScanCompilerTest.options(optimize))
          .check(s.loss, s.wrt, s.values);
      assertTrue(rep.passed(), (optimize ? "" : "compiler off: ") + rep);
    }
  }
}
