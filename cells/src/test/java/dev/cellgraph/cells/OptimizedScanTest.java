package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.autodiff.compile.CompiledScan;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scan compiler changes nothing but float rounding: every zoo cell and every built-in, two
 * layers, bidirectional, from given initial states, gives the same outputs, final states and
 * gradients (input, states, every parameter) to about 1e-12 in float64 with it on and off.
 */
class OptimizedScanTest {
  static Stream<String> cells() {
    return Stream.concat(
        Stream.of("builtin:rnn", "builtin:rnn-relu", "builtin:lstm", "builtin:gru", "builtin:lstm-proj"),
        Zoo.names().stream());
  }

  private static Cell cell(String name) {
    if (name.equals("builtin:lstm-proj")) {
      return BuiltinCell.projectedLstm(true, 2);
    }
    return name.startsWith("builtin:") ? BuiltinCell.named(name.substring(8), true)
        : FormulaCell.of(name, Zoo.load(name));
  }

  private static Recurrent layer(String name) {
    Cell cell = cell(name);
    boolean anySize = name.startsWith("builtin:") || Zoo.load(name).sizeRequirements().isEmpty();
    // cells that need I = H cannot stack bidirectional layers (layer 1 reads 2H)
    return anySize ? Recurrent.of(cell, 4, 5, 2, true) : Recurrent.of(cell, 5, 5, 1, true);
  }

  private static Recurrent.Result run(Recurrent layer, boolean optimize, long seed) {
    return run(layer, optimize ? CompileOptions.all() : CompileOptions.interpreted(), seed, 3, DType.FLOAT64);
  }

  private static Recurrent.Result run(Recurrent layer, CompileOptions options, long seed, int batch, DType dtype) {
    Rng rng = Rng.seeded(seed);
    Map<String, Tensor> params = layer.initialize(rng, dtype);
    Tensor x = Initializers.normal(rng, dtype, Shape.of(6, batch, layer.inputSize()), 0, 1);
    Map<String, Tensor> states = new LinkedHashMap<>();
    for (String s : layer.cell().stateNames()) {
      states.put(s, Initializers.normal(rng, dtype, layer.stateShape(s, batch), 0, 0.5));
    }
    Tensor gradOut = Initializers.normal(rng, dtype, Shape.of(6, batch, layer.outputSize()), 0, 1);
    return layer.run(params, x, states, gradOut, options);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void optimizedAndStepByStepAgreeOnEveryValueAndGradient(String name) {
    Recurrent layer = layer(name);
    Recurrent.Result on = run(layer, true, 23);
    Recurrent.Result off = run(layer, false, 23);
    close(name + " output", on.output(), off.output());
    assertEquals(off.finalStates().keySet(), on.finalStates().keySet());
    for (String s : off.finalStates().keySet()) {
      close(name + " final " + s, on.finalStates().get(s), off.finalStates().get(s));
    }
    assertEquals(off.gradients().keySet(), on.gradients().keySet());
    for (String g : off.gradients().keySet()) {
      close(name + " gradient of " + g, on.gradients().get(g), off.gradients().get(g));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void fusedAndUnfusedScansGiveTheSameBits(String name) {
    Recurrent layer = layer(name);
    Recurrent.Result off = run(layer, CompileOptions.all().withFuse(false), 29, 3, DType.FLOAT64);
    Recurrent.Result on = run(layer, CompileOptions.all(), 29, 3, DType.FLOAT64);
    assertEquals(off.output(), on.output(), name + " output");
    assertEquals(off.finalStates(), on.finalStates(), name + " final states");
    assertEquals(off.gradients(), on.gradients(), name + " gradients");
  }

  /**
   * Loops split by batch rows over two threads (each running all steps for its rows) give the
   * same bits as whole loops, for every cell, in float32 and float64, with the batch split in
   * blocks of 4 rows (12 rows: 4 + 8) and of single rows (10 rows: 5 + 5).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void scansSplitByBatchRowsGiveTheSameBitsAsWholeOnes(String name) {
    assertSameBitsOffAndOn(name, CompileOptions.all().withRowSplit(false), 31, 12, 10);
  }

  /**
   * Runs cell {@code name}'s layer on two threads with options {@code off}, then with everything
   * on, in float32 and float64 and for each batch size: outputs, final states and gradients must
   * be the same bits.
   */
  private static void assertSameBitsOffAndOn(String name, CompileOptions off, long seed, int... batches) {
    Recurrent layer = layer(name);
    Kernels.withThreads(2, () -> {
      for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
        for (int batch : batches) {
          Recurrent.Result a = run(layer, off, seed, batch, dtype);
          Recurrent.Result b = run(layer, CompileOptions.all(), seed, batch, dtype);
          String what = name + " " + dtype + " batch " + batch;
          assertEquals(a.output(), b.output(), what + " output");
          assertEquals(a.finalStates(), b.finalStates(), what + " final states");
          assertEquals(a.gradients(), b.gradients(), what + " gradients");
        }
      }
      return null;
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void everyZooAndBuiltinCellsLoopsAreRowWise(String name) {
    for (boolean reverse : new boolean[] {false, true}) {
      CompiledScan c = compiledScan(name, reverse);
      assertTrue(c.splitsByRows(), name + (reverse ? " backward" : " forward") + " loop: " + c.loopOps());
    }
  }

  /**
   * A one-layer cell (a zoo name, or {@code builtin:} and a built-in's name) over 5 steps (batch
   * 2, input and hidden 3, which every zoo cell accepts) and the gradient of sum(output).
   */
  private static Graph trainingGraphOf(String name) {
    Recurrent layer = Recurrent.of(cell(name), 3, 3);
    Graph g = new Graph();
    Node x = g.input("x", DType.FLOAT32, 5, 2, 3);
    Map<String, Node> params = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : layer.parameterShapes().entrySet()) {
      params.put(e.getKey(), g.parameter(e.getKey(), DType.FLOAT32, e.getValue().toArray()));
    }
    Node out = layer.build(g, x, Map.of(), params).output();
    Gradients.of(out.sum(), List.copyOf(params.values()));
    return g;
  }

  /**
   * The forward or the backward scan of {@link #trainingGraphOf}, compiled for 5 steps as a plan
   * that reads the outputs and final carries (not the histories) would compile it.
   */
  private static CompiledScan compiledScan(String name, boolean reverse) {
    return compiledScan(name, reverse, CompileOptions.all());
  }

  private static CompiledScan compiledScan(String name, boolean reverse, CompileOptions options) {
    for (Node n : trainingGraphOf(name).nodes()) {
      if (n.op() instanceof Scan.ScanOp s && s.reverse() == reverse) {
        boolean[] used = new boolean[s.outputCount()];
        Arrays.fill(used, 0, s.carryCount() + s.yCount(), true);
        return CompiledScan.compile(s, 5, reverse ? used : null, options);
      }
    }
    throw new AssertionError("no " + (reverse ? "backward" : "forward") + " scan for " + name);
  }

  private static long count(List<String> ops, java.util.function.Predicate<String> which) {
    return ops.stream().filter(which).count();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formulaLstmAndGru")
  void formulaLstmAndGruRunOneRecurrentProductPerStepLikeTheBuiltins(String name) {
    for (boolean reverse : new boolean[] {false, true}) {
      List<String> loop = compiledScan(name, reverse).loopOps();
      assertEquals(1, count(loop, op -> op.startsWith("matmul")),
          (reverse ? "backward" : "forward") + " loop: " + loop);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formulaLstmAndGru")
  void formulaCellsSumEachStackedWeightGradientInOneGemmOverAllSteps(String name) {
    List<String> post = compiledScan(name, true).postOps();
    // the per-gate weights are slices of Σ_t xᵀ g and Σ_t hᵀ g: one GEMM each, no product per step
    assertEquals(2, count(post, op -> op.equals("matmul Aᵀ")), post.toString());
    assertEquals(0, count(post, op -> op.startsWith("Σ axis")), post.toString());
  }

  @Test
  void formulaLstmComputesEachSharedGradientOnce() {
    List<String> post = compiledScan("lstm", true).postOps();
    // b_ii and b_hi have the same gradient, and the gates' cotangents, joined in the loop for
    // dgates W_hh, are stacked from there for Σ hᵀ dgates and summed once over the batch and
    // the steps for all eight biases (slices of one sum, not one sum per gate)
    assertEquals(List.of("Σ→[12]"), post.stream().filter(op -> op.startsWith("Σ")).toList(), post.toString());
    assertEquals(0, count(post, op -> op.equals("concat")), post.toString());
  }

  @Test
  void formulaLstmAddsEachGatesTwoBiasesOutsideTheLoopWhenNotSinking() {
    List<String> loop = compiledScan("lstm", false, CompileOptions.all().withSink(false)).loopOps();
    // W x + b_W + U h + b_U: (W x + b_W + b_U) is lifted, the loop adds U h once per gate (4),
    // then f c + i g (1); without the re-association it added twice per gate (9)
    assertEquals(5, count(loop, op -> op.equals("add")), loop.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("formulaLstmAndGru")
  void formulaCellsForwardPrePhaseIsTheInputProductAlone(String name) {
    // the bias adds and slices of x W are computed in the loop's fused pass, which reads them:
    // before the loop, only x [W_i; W_f; ...]ᵀ over all steps (and the weights stacked, U transposed)
    CompiledScan c = compiledScan(name, false);
    assertEquals(1, count(c.preOps(), op -> op.equals("matmul Bᵀ")), c.preOps().toString());
    assertEquals(0, count(c.preOps(), op -> !op.equals("matmul Bᵀ") && !op.equals("concat") && !op.equals("ᵀ")),
        c.preOps().toString());
  }

  /**
   * Sinking elementwise values of the sequences into the loop (the default) gives the same bits
   * as computing them for all steps before it, for every cell, in float32 and float64.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void sunkAndLiftedElementwiseValuesGiveTheSameBits(String name) {
    assertSameBitsOffAndOn(name, CompileOptions.all().withSink(false), 37, 12);
  }

  /**
   * The layer-normalised LSTM's loops run fused: its row means and variances, their [B, 1]
   * broadcasts, and the sum_to / broadcast_to of [B, 1] in its gradient are inside fused groups,
   * so each loop runs its recurrent product and a few fused groups, like the plain LSTM's.
   */
  @Test
  void layerNormalisedLstmLoopsKeepNoReductionOutsideAFusedGroup() {
    for (boolean reverse : new boolean[] {false, true}) {
      List<String> schedule = compiledScan("ln-lstm", reverse).loopSchedule();
      String what = (reverse ? "backward" : "forward") + " loop: " + schedule;
      assertEquals(0, count(schedule, op -> op.startsWith("Σ") || op.startsWith("broadcast")), what);
      assertEquals(1, count(schedule, op -> op.startsWith("matmul")), what);
      long groups = count(schedule, op -> op.startsWith("fused["));
      assertTrue(groups >= 1 && groups <= 2, what);
    }
  }

  static Stream<String> formulaLstmAndGru() {
    return Stream.of("lstm", "gru");
  }

  private static void close(String what, Tensor a, Tensor b) {
    assertTrue(a.allClose(b, 1e-12, 1e-12), what + ": max difference " + a.maxAbsDiff(b));
  }
}
