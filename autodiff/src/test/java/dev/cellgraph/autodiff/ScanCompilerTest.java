package dev.cellgraph.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.compile.CompiledScan;
import dev.cellgraph.autodiff.compile.Optimizer;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scan compiler: what it moves out of the loop, and that results do not change. */
class ScanCompilerTest {
  @AfterEach
  void restore() {
    Optimizer.setEnabled(true);
  }

  @SuppressWarnings("unchecked")
  private static List<Tensor> lossAndGradients(boolean optimize, boolean reverse) {
    Optimizer.setEnabled(optimize);
    Object[] st = CompositeAndScanTest.scanSetup(7, reverse);
    List<Node> wrt = (List<Node>) st[4];
    Node loss = (Node) st[2];
    List<Node> outs = new ArrayList<>(List.of(loss));
    outs.addAll(Gradients.of(loss, wrt).list());
    return Plan.evaluate(outs, (Map<Node, Tensor>) st[3]);
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
    CompiledScan c = CompiledScan.compile(scanOp((Graph) st[0], false), 7, null);
    // x W for all steps at once; only h U, the adds and tanh stay in the loop
    assertEquals(1, count(c.preOps(), "matmul"), c.preOps().toString());
    assertEquals(1, count(c.loopOps(), "matmul"), c.loopOps().toString());
    assertTrue(c.loopOps().contains("tanh"), c.loopOps().toString());
  }

  @SuppressWarnings("unchecked")
  @Test
  void backwardScanRecomputesInBatchAndSumsWeightGradientsInOneGemmEach() {
    Object[] st = CompositeAndScanTest.scanSetup(7, false);
    Graph g = (Graph) st[0];
    Gradients.of((Node) st[2], (List<Node>) st[4]);
    Scan.ScanOp back = scanOp(g, true);
    boolean[] used = new boolean[back.outputCount()];
    Arrays.fill(used, 0, back.carryCount() + back.yCount(), true); // what a plan reads: not the history
    CompiledScan c = CompiledScan.compile(back, 7, used);
    // the recomputed forward (x W and h U of every step) is batched
    assertEquals(2, count(c.preOps(), "matmul"), c.preOps().toString());
    assertTrue(c.preOps().contains("tanh"), c.preOps().toString());
    // the loop is the cotangent chain only: one product with Uᵀ per step, no weight gradient;
    // the constant U is transposed once in the pre phase, so the loop's product reads it row-major
    assertEquals(List.of("matmul"), c.loopOps().stream().filter(s -> s.startsWith("matmul")).toList(),
        c.loopOps().toString());
    assertFalse(c.loopOps().contains("tanh"), c.loopOps().toString());
    // dW = Σ xᵀ g and dU = Σ hᵀ g as one GEMM each over all steps, dx as one GEMM
    assertEquals(2, count(c.postOps(), "matmul Aᵀ"), c.postOps().toString());
    assertEquals(1, count(c.postOps(), "matmul Bᵀ"), c.postOps().toString());
  }

  /**
   * A step whose carry a is passed through unchanged and whose carry h is also a stacked output:
   * the loop's reused arrays (fused outputs, step slices) must never overwrite a value still held
   * by a carry, a stacked output or an input.
   */
  @SuppressWarnings("unchecked")
  private static List<Tensor> passThroughScan(boolean optimize, boolean reverse) {
    Optimizer.setEnabled(optimize);
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
    return Plan.evaluate(outs, vals);
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

  @Test
  void theSwitchTurnsTheCompilerOff() {
    Optimizer.setEnabled(false);
    assertFalse(Optimizer.enabled());
    Optimizer.setEnabled(true);
    assertTrue(Optimizer.enabled());
  }
}
