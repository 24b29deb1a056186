package dev.cellgraph.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.compile.CompiledScan;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.kernel.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scan compiler: what it moves out of the loop, and that results do not change. */
class ScanCompilerTest {
  /** The compiler on with everything, or the reference it is checked against. */
  static CompileOptions options(boolean optimize) {
    return optimize ? CompileOptions.all() : CompileOptions.interpreted();
  }

  @SuppressWarnings("unchecked")
  private static List<Tensor> lossAndGradients(boolean optimize, boolean reverse) {
    Object[] st = CompositeAndScanTest.scanSetup(7, reverse);
    List<Node> wrt = (List<Node>) st[4];
    Node loss = (Node) st[2];
    List<Node> outs = new ArrayList<>(List.of(loss));
    outs.addAll(Gradients.of(loss, wrt).list());
    return Plan.evaluate(outs, (Map<Node, Tensor>) st[3], options(optimize));
  }

  @Test
  void optimizedAndStepByStepScansAgreeForwardAndReverse() {
    for (boolean reverse : new boolean[] {false, true}) {
      List<Tensor> on = lossAndGradients(true, reverse);
      List<Tensor> off = lossAndGradients(false, reverse);
      for (int i = 0; i < on.size(); i++) {
        assertTrue(on.get(i).allClose(off.get(i), 1e-12, 1e-13),
            "value " + i + (reverse ? " (reverse)" : "") + ": max difference " + on.get(i).maxAbsDiff(off.get(i)));
      }
    }
  }

  /**
   * A scan over {@code t} steps of {@code h' = tanh(x W + h U [+ the batch mean of h])} on a
   * batch of {@code batch} rows: [the loss, the final h, the gradients of the loss with respect
   * to h0, xs, W and U], their feeds (h0, xs, W, U), and random values for them.
   */
  private static Object[] batchScanGraph(boolean mixRows, int batch, int t, Graph[] graph) {
    Graph body = new Graph("step");
    Node h = body.input("h", DType.FLOAT64, batch, 4);
    Node x = body.input("x", DType.FLOAT64, batch, 3);
    Node w = body.parameter("W", DType.FLOAT64, 3, 4);
    Node u = body.parameter("U", DType.FLOAT64, 4, 4);
    Node pre = x.matmul(w).add(h.matmul(u));
    Node hn = (mixRows ? pre.add(h.mean(0, true)) : pre).tanh();
    Function step = Function.of("step", List.of(h, x, w, u), List.of(hn, hn));
    Graph g = new Graph("seq");
    Node h0 = g.input("h0", DType.FLOAT64, batch, 4);
    Node xs = g.input("xs", DType.FLOAT64, t, batch, 3);
    Node gw = g.parameter("W", DType.FLOAT64, 3, 4);
    Node gu = g.parameter("U", DType.FLOAT64, 4, 4);
    Scan s = Scan.of(step, List.of(h0), List.of(xs), List.of(gw, gu), false, true);
    Node loss = s.outputs().get(0).square().sum();
    List<Node> feeds = List.of(h0, xs, gw, gu);
    List<Node> outs = new ArrayList<>(List.of(loss, s.finalCarries().get(0)));
    outs.addAll(Gradients.of(loss, feeds).list());
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    List<Tensor> values = List.of(CompositeAndScanTest.random(r, batch, 4), CompositeAndScanTest.random(r, t, batch, 3),
        CompositeAndScanTest.random(r, 3, 4), CompositeAndScanTest.random(r, 4, 4));
    graph[0] = g;
    return new Object[] {outs, feeds, values};
  }

  /** {@link #batchScanGraph} over 6 steps of a batch of 8, evaluated on two threads. */
  @SuppressWarnings("unchecked")
  private static List<Tensor> batchScan(boolean mixRows, boolean optimize, boolean rowSplit, Graph[] graph) {
    Object[] st = batchScanGraph(mixRows, 8, 6, graph);
    CompileOptions o = options(optimize).withRowSplit(rowSplit);
    return Kernels.withThreads(2, () -> Plan.compile((List<Node>) st[0], (List<Node>) st[1], o).run((List<Tensor>) st[2]));
  }

  @Test
  void loopsThatKeepBatchRowsApartSplitByRowsAndGiveTheSameBits() {
    Graph[] g = new Graph[1];
    List<Tensor> split = batchScan(false, true, true, g);
    for (boolean reverse : new boolean[] {false, true}) {
      Scan.ScanOp op = scanOp(g[0], reverse);
      boolean[] used = new boolean[op.outputCount()];
      Arrays.fill(used, 0, op.carryCount() + op.yCount(), true);
      assertTrue(CompiledScan.compile(op, 6, reverse ? used : null, CompileOptions.all()).splitsByRows(),
          reverse ? "backward" : "forward");
    }
    List<Tensor> whole = batchScan(false, true, false, g);
    List<Tensor> stepByStep = batchScan(false, false, true, g);
    for (int i = 0; i < split.size(); i++) {
      assertEquals(whole.get(i), split.get(i), "value " + i);
      assertTrue(split.get(i).allClose(stepByStep.get(i), 1e-12, 1e-13), "value " + i);
    }
  }

  /**
   * A row-split run moves the block boundaries towards the faster thread's share (by how long
   * each block took last time, so they vary from run to run); the results never change.
   */
  @SuppressWarnings("unchecked")
  @Test
  void repeatedRunsWithMovingRowBlocksGiveTheSameBits() {
    Object[] st = batchScanGraph(false, 24, 9, new Graph[1]);
    Plan plan = Plan.compile((List<Node>) st[0], (List<Node>) st[1]);
    List<Tensor> in = (List<Tensor>) st[2];
    Kernels.withThreads(2, () -> {
      List<Tensor> first = plan.run(in);
      for (int run = 0; run < 40; run++) {
        assertEquals(first, plan.run(in), "run " + run);
      }
      return null;
    });
  }

  /**
   * A packed scan ({@link Scan#packed}) computes each step over the rows up to the last one its
   * mask marks as running, and for the others keeps the carry and repeats the step before's
   * value, once each padded stretch has begun: shown with a step that, against the promise, does
   * not keep the carry of a padded row, so that a skipped row shows. Forward and reverse, on one
   * thread (one block) and two (two blocks), the same bits.
   */
  @Test
  void aPackedScanComputesEachStepOverTheRowsUpToTheLastRunningOne() {
    int batch = 8;
    int t = 6;
    // per position, the rows up to the last running one; the rows computed add up to whole steps of
    // the batch (32 in either direction), so no padded row is computed to fill the packed layout
    int[] running = {8, 0, 0, 2, 7, 1};
    double[] m = new double[t * batch];
    for (int pos = 0; pos < t; pos++) {
      for (int b = 0; b < running[pos]; b++) {
        m[pos * batch + b] = b == 1 && pos == 4 ? 0 : 1; // a padded row inside the prefix is computed
      }
    }
    Graph body = new Graph("step");
    Node h = body.input("h", DType.FLOAT64, batch, 4);
    Node x = body.input("x", DType.FLOAT64, batch, 3);
    Node mask = body.input("m", DType.FLOAT64, batch, 1);
    Node w = body.parameter("W", DType.FLOAT64, 3, 4);
    Node u = body.parameter("U", DType.FLOAT64, 4, 4);
    Node hn = x.matmul(w).add(h.matmul(u)).tanh();
    Function step = Function.of("step", List.of(h, x, mask, w, u), List.of(hn, hn.add(mask)));
    java.util.SplittableRandom r = new java.util.SplittableRandom(5);
    Tensor h0 = CompositeAndScanTest.random(r, batch, 4);
    Tensor xs = CompositeAndScanTest.random(r, t, batch, 3);
    Tensor ms = Tensor.of(DType.FLOAT64, m, dev.cellgraph.core.Shape.of(t, batch, 1));
    Tensor wv = CompositeAndScanTest.random(r, 3, 4);
    Tensor uv = CompositeAndScanTest.random(r, 4, 4);
    for (boolean reverse : new boolean[] {false, true}) {
      // the reference, step by step: rows [0, computed) are stepped, the rest kept or repeated
      Tensor hr = h0;
      Tensor[] ys = new Tensor[t];
      int was = batch;
      for (int s = 0; s < t; s++) {
        int pos = reverse ? t - 1 - s : s;
        int computed = Math.max(running[pos], was);
        was = running[pos];
        Tensor stepped = xs.select(0, pos).matmul(wv).add(hr.matmul(uv)).tanh();
        Tensor y = stepped.add(ms.select(0, pos));
        if (computed < batch) {
          int before = reverse ? pos + 1 : pos - 1;
          stepped = Tensor.concat(0, stepped.slice(0, 0, computed), hr.slice(0, computed, batch));
          y = Tensor.concat(0, y.slice(0, 0, computed), ys[before].slice(0, computed, batch));
        }
        hr = stepped;
        ys[pos] = y;
      }
      Graph g = new Graph("seq");
      Node gh = g.input("h0", DType.FLOAT64, batch, 4);
      Node gx = g.input("xs", DType.FLOAT64, t, batch, 3);
      Node gm = g.input("ms", DType.FLOAT64, t, batch, 1);
      Node gw = g.parameter("W", DType.FLOAT64, 3, 4);
      Node gu = g.parameter("U", DType.FLOAT64, 4, 4);
      Scan scan = Scan.packed(step, List.of(gh), List.of(gx, gm), List.of(gw, gu), reverse, 1);
      assertEquals(1, ((Scan.ScanOp) scan.node().op()).liveMask());
      Plan plan = Plan.compile(List.of(scan.finalCarries().get(0), scan.outputs().get(0)),
          List.of(gh, gx, gm, gw, gu), CompileOptions.all());
      for (int threads : new int[] {1, 2}) {
        List<Tensor> out = Kernels.withThreads(threads, () -> plan.run(List.of(h0, xs, ms, wv, uv)));
        String what = (reverse ? "reverse, " : "forward, ") + threads + " thread" + (threads == 1 ? "" : "s");
        assertEquals(hr, out.get(0), what + ": final carry");
        assertEquals(Tensor.stack(0, Arrays.asList(ys)), out.get(1), what + ": stacked y");
      }
    }
  }

  @Test
  void loopsThatMixBatchRowsRunWhole() {
    Graph[] g = new Graph[1];
    List<Tensor> optimized = batchScan(true, true, true, g);
    assertFalse(CompiledScan.compile(scanOp(g[0], false), 6, null, CompileOptions.all()).splitsByRows());
    List<Tensor> stepByStep = batchScan(true, false, true, g);
    for (int i = 0; i < optimized.size(); i++) {
      assertTrue(optimized.get(i).allClose(stepByStep.get(i), 1e-12, 1e-13),
          "value " + i + ": max difference " + optimized.get(i).maxAbsDiff(stepByStep.get(i)));
    }
  }

  private static Scan.ScanOp scanOp(Graph g, boolean reverse) {
    for (Node n : g.nodes()) {
      if (n.op() instanceof Scan.ScanOp && ((Scan.ScanOp) n.op()).reverse() == reverse) {
        return (Scan.ScanOp) n.op();
      }
    }
    throw new AssertionError("no " + (reverse ? "reverse " : "") + "scan in " + g);
  }

  private static long count(List<String> ops, String label) {
    return Collections.frequency(ops, label);
  }

  @Test
  void forwardScanHoistsTheInputProductOutOfTheLoop() {
    Object[] st = CompositeAndScanTest.scanSetup(7, false);
    CompiledScan c = CompiledScan.compile(scanOp((Graph) st[0], false), 7, null, CompileOptions.all());
    // x W for all steps at once; only h U, the adds and tanh stay in the loop
    assertEquals(1, count(c.preOps(), "matmul"), c.preOps().toString());
    assertEquals(1, count(c.loopOps(), "matmul"), c.loopOps().toString());
    assertTrue(c.loopOps().contains("tanh"), c.loopOps().toString());
  }

  private static CompiledScan compiledBackward(boolean saves) {
    return compiledBackward(saves, CompileOptions.all());
  }

  private static CompiledScan compiledBackward(boolean saves, CompileOptions options) {
    Object[] st = CompositeAndScanTest.scanSetup(7, false, saves);
    Graph g = (Graph) st[0];
    @SuppressWarnings("unchecked")
    List<Node> wrt = (List<Node>) st[4];
    Gradients.of((Node) st[2], wrt);
    Scan.ScanOp back = scanOp(g, true);
    boolean[] used = new boolean[back.outputCount()];
    Arrays.fill(used, 0, back.carryCount() + back.yCount(), true); // what a plan reads: not the history
    return CompiledScan.compile(back, 7, used, options);
  }

  @Test
  void backwardScanReadsSavedActivationsAndSumsWeightGradientsInOneGemmEach() {
    CompiledScan c = compiledBackward(true);
    // tanh is saved by the forward scan: nothing of the forward is recomputed, and tanh's
    // derivative 1 - y² of the saved y is computed in the loop's fused pass, where it is read
    // (no pass over all steps before the loop)
    assertEquals(List.of(), c.preOps());
    assertTrue(c.loopOps().contains("square"), c.loopOps().toString());
    // the loop is the cotangent chain only: one product with Uᵀ per step (U packed transposed
    // once per run, straight from U: no pass transposes it), no weight gradient
    assertEquals(List.of("matmul Bᵀ"), c.loopOps().stream().filter(s -> s.startsWith("matmul")).toList(),
        c.loopOps().toString());
    assertFalse(c.loopOps().contains("tanh"), c.loopOps().toString());
    // dW = Σ xᵀ g and dU = Σ hᵀ g as one GEMM each over all steps, dx as one GEMM
    assertEquals(2, count(c.postOps(), "matmul Aᵀ"), c.postOps().toString());
    assertEquals(1, count(c.postOps(), "matmul Bᵀ"), c.postOps().toString());
  }

  @Test
  void withoutSinkingTheDerivativeOfTheSavedActivationIsComputedForAllStepsBeforeTheLoop() {
    CompiledScan c = compiledBackward(true, CompileOptions.all().withSink(false));
    assertTrue(c.preOps().contains("square"), c.preOps().toString());
    assertFalse(c.loopOps().contains("square"), c.loopOps().toString());
  }

  @Test
  void elementwiseValuesSinkOnlyIntoLoopsSplitByBatchRows() {
    // a loop that takes the batch mean of h runs whole: its 1 - y² stays a pass before the loop
    Graph body = new Graph("mean_step");
    Node h = body.input("h", DType.FLOAT64, 4, 3);
    Node y = body.input("y", DType.FLOAT64, 4, 3);
    Node hn = h.sub(h.mean(0, true)).add(y.square().oneMinus());
    Function step = Function.of("mean_step", List.of(h, y), List.of(hn, hn));
    Graph g = new Graph("seq");
    Node h0 = g.input("h0", DType.FLOAT64, 4, 3);
    Node ys = g.input("ys", DType.FLOAT64, 6, 4, 3);
    Scan sc = Scan.of(step, List.of(h0), List.of(ys), List.of(), false);
    CompiledScan c = CompiledScan.compile(scanOp(g, false), 6, null, CompileOptions.all());
    assertFalse(c.splitsByRows(), c.loopOps().toString());
    assertTrue(c.preOps().contains("square"), c.preOps().toString());
    assertFalse(c.loopOps().contains("square"), c.loopOps().toString());
    assertEquals(1, sc.outputs().size());
  }

  /**
   * A step whose carry a is passed through unchanged and whose carry h is also a stacked output:
   * the loop's reused arrays (fused outputs, step slices) must never overwrite a value still held
   * by a carry, a stacked output or an input.
   */
  @SuppressWarnings("unchecked")
  private static List<Tensor> passThroughScan(boolean optimize, boolean reverse) {
    Graph body = new Graph("pass_step");
    Node h = body.input("h", DType.FLOAT64, 2, 3);
    Node a = body.input("a", DType.FLOAT64, 2, 3);
    Node x = body.input("x", DType.FLOAT64, 2, 3);
    Node c = body.parameter("c", DType.FLOAT64, 3);
    Node hn = h.mul(0.5).add(x).add(c).tanh().named("h'");
    Function step = Function.of("pass_step", List.of(h, a, x, c), List.of(hn, a, hn.sigmoid().mul(a), hn));
    Graph g = new Graph("seq");
    Node h0 = g.input("h0", DType.FLOAT64, 2, 3);
    Node a0 = g.input("a0", DType.FLOAT64, 2, 3);
    Node xs = g.input("xs", DType.FLOAT64, 6, 2, 3);
    Node cp = g.parameter("c", DType.FLOAT64, 3);
    Scan sc = Scan.of(step, List.of(h0, a0), List.of(xs), List.of(cp), reverse);
    List<Node> outs = new ArrayList<>(sc.finalCarries());
    outs.addAll(sc.outputs());
    Node loss = sc.outputs().get(0).square().sum().add(sc.outputs().get(1).sum())
        .add(sc.finalCarries().get(0).sum()).add(sc.finalCarries().get(1).square().sum());
    outs.addAll(Gradients.of(loss, List.of(h0, a0, xs, cp)).list());
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    Map<Node, Tensor> vals = Map.of(h0, CompositeAndScanTest.random(r, 2, 3), a0, CompositeAndScanTest.random(r, 2, 3),
        xs, CompositeAndScanTest.random(r, 6, 2, 3), cp, CompositeAndScanTest.random(r, 3));
    return Plan.evaluate(outs, vals, options(optimize));
  }

  @Test
  void reusedLoopBuffersNeverOverwriteALiveValue() {
    for (boolean reverse : new boolean[] {false, true}) {
      List<Tensor> on = passThroughScan(true, reverse);
      List<Tensor> off = passThroughScan(false, reverse);
      for (int i = 0; i < on.size(); i++) {
        assertTrue(on.get(i).allClose(off.get(i), 1e-13, 1e-14),
            "value " + i + (reverse ? " (reverse)" : "") + ": max difference " + on.get(i).maxAbsDiff(off.get(i)));
      }
    }
  }

  /**
   * A run's large temporaries come from a pool the next run reuses: the results of one run must
   * survive the next, and values left in the reused arrays must not leak into its results.
   */
  @SuppressWarnings("unchecked")
  @Test
  void aRunsResultsSurviveTheNextRunThatReusesItsArrays() {
    Object[] st = CompositeAndScanTest.scanSetup(7, false);
    Scan s = (Scan) st[1];
    List<Node> wrt = (List<Node>) st[4];
    Map<Node, Tensor> vals = (Map<Node, Tensor>) st[3];
    List<Node> outs = new ArrayList<>(List.of(s.finalCarries().get(0), s.outputs().get(0)));
    outs.addAll(Gradients.of((Node) st[2], wrt).list());
    Plan plan = Plan.compile(outs, wrt);
    List<Tensor> feedsA = wrt.stream().map(vals::get).toList();
    List<Tensor> feedsB = feedsA.stream().map(t -> t.mul(-0.5)).toList();
    List<Tensor> a = plan.run(feedsA);
    List<Tensor> aSnapshot = a.stream().map(t -> t.mul(1.0)).toList();
    List<Tensor> b = plan.run(feedsB);
    assertEquals(aSnapshot, a, "the first run's results after the second run");
    assertEquals(aSnapshot, plan.run(feedsA), "the first run again, in arrays the second run used");
    assertEquals(b, plan.run(feedsB), "the second run again");
    assertFalse(aSnapshot.equals(b));
  }

  @Test
  void backwardScanWithoutResidualsRecomputesTheForwardInBatch() {
    CompiledScan c = compiledBackward(false);
    // the recomputed forward (x W and h U of every step) is batched; its elementwise rest (the
    // add, tanh, 1 - y²) is computed in the loop's fused pass, which reads it
    assertEquals(2, count(c.preOps(), "matmul"), c.preOps().toString());
    assertFalse(c.preOps().contains("tanh"), c.preOps().toString());
    assertTrue(c.loopOps().contains("tanh"), c.loopOps().toString());
    assertEquals(List.of("matmul Bᵀ"), c.loopOps().stream().filter(s -> s.startsWith("matmul")).toList(),
        c.loopOps().toString());
    assertEquals(2, count(c.postOps(), "matmul Aᵀ"), c.postOps().toString());
    assertEquals(1, count(c.postOps(), "matmul Bᵀ"), c.postOps().toString());
  }

  @Test
  void gradientsOfStackedWeightsAreSlicesOfOneGemmOverAllSteps() {
    // h' = tanh(a + h U) ⊙ σ(b), [a, b] = x [W_a; W_b]ᵀ: one product with the stacked weights, as
    // a formula cell computes W_a x and W_b x; dW_a and dW_b are slices of its gradient
    DType f64 = DType.FLOAT64;
    Graph body = new Graph("stacked_step");
    Node h = body.input("h", f64, 2, 4);
    Node x = body.input("x", f64, 2, 3);
    Node wa = body.parameter("W_a", f64, 4, 3);
    Node wb = body.parameter("W_b", f64, 4, 3);
    Node u = body.parameter("U", f64, 4, 4);
    Node ab = x.matmul(Node.concat(0, wa, wb), false, true);
    Node hn = ab.slice(1, 0, 4).add(h.matmul(u)).tanh().mul(ab.slice(1, 4, 8).sigmoid()).named("h'");
    Function step = Function.of("stacked_step", List.of(h, x, wa, wb, u), List.of(hn, hn));
    Graph g = new Graph("seq");
    Node h0 = g.input("h0", f64, 2, 4);
    Node xs = g.input("xs", f64, 7, 2, 3);
    List<Node> ws = List.of(g.parameter("W_a", f64, 4, 3), g.parameter("W_b", f64, 4, 3), g.parameter("U", f64, 4, 4));
    Scan s = Scan.of(step, List.of(h0), List.of(xs), ws, false);
    Gradients.of(s.outputs().get(0).sum(), ws);
    Scan.ScanOp back = scanOp(g, true);
    boolean[] used = new boolean[back.outputCount()];
    Arrays.fill(used, 0, back.carryCount(), true);
    CompiledScan c = CompiledScan.compile(back, 7, used, CompileOptions.all());
    // Σ_t xᵀ g over all steps once, then sliced into dW_a and dW_b; Σ_t hᵀ g once: no product
    // is lifted to [T, ...] and summed over time
    assertEquals(2, count(c.postOps(), "matmul Aᵀ"), c.postOps().toString());
    assertEquals(0, c.postOps().stream().filter(o -> o.startsWith("Σ axis")).count(), c.postOps().toString());
    assertEquals(2, c.postOps().stream().filter(o -> o.startsWith("slice")).count(), c.postOps().toString());
  }

  /**
   * The options are part of what a compiled scan is kept under: one scan op run by plans with
   * different options compiles once for each, and each plan gets what its options ask for.
   */
  @SuppressWarnings("unchecked")
  @Test
  void plansWithDifferentOptionsNeverShareACompiledScan() {
    Object[] st = batchScanGraph(false, 8, 6, new Graph[1]);
    List<Node> outs = (List<Node>) st[0];
    List<Node> feeds = (List<Node>) st[1];
    List<Tensor> in = (List<Tensor>) st[2];
    Plan whole = Plan.compile(outs, feeds, CompileOptions.all().withRowSplit(false));
    Plan split = Plan.compile(outs, feeds, CompileOptions.all());
    Plan interpreted = Plan.compile(outs, feeds, CompileOptions.interpreted());
    List<Tensor> a = Kernels.withThreads(2, () -> whole.run(in));
    List<Tensor> b = Kernels.withThreads(2, () -> split.run(in));
    List<Tensor> c = interpreted.run(in);
    assertEquals(a, b, "row split and whole loops give the same bits");
    for (int i = 0; i < a.size(); i++) {
      assertTrue(a.get(i).allClose(c.get(i), 1e-12, 1e-13), "value " + i);
    }
    assertEquals(CompileOptions.interpreted(), interpreted.options());
  }
}
