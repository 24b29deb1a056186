package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.autodiff.compile.CompiledScan;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sequences of different lengths in one batch: every built-in and zoo cell, stacked and
 * bidirectional, gives each sequence what running it alone gives (outputs, final states, every
 * gradient, float64), compiled, with a gradient that passes the finite-difference check.
 */
class SequenceLengthsTest {
  private static final int STEPS = 7;
  /** Unsorted, one of them the whole input, none reaching the last step (which is then never computed). */
  private static final int[] LENGTHS = {5, 2, 6, 1};

  static Stream<String> cells() {
    return Stream.concat(Stream.of("builtin:rnn", "builtin:rnn-relu", "builtin:lstm", "builtin:gru"),
        Zoo.names().stream());
  }

  private static Cell cell(String name) {
    return name.startsWith("builtin:") ? BuiltinCell.named(name.substring(8), true)
        : FormulaCell.of(name, Zoo.load(name));
  }

  private static Recurrent layer(String name) {
    boolean anySize = name.startsWith("builtin:") || Zoo.load(name).sizeRequirements().isEmpty();
    return anySize ? Recurrent.of(cell(name), 4, 5, 2, true) : Recurrent.of(cell(name), 5, 5, 1, true);
  }

  /** Parameters, input, initial states and output cotangent of {@code layer} for a batch of {@code batch}. */
  private record Case(Map<String, Tensor> params, Tensor input, Map<String, Tensor> states, Tensor gradOutput) {
    static Case of(Recurrent layer, int batch, long seed) {
      Rng rng = Rng.seeded(seed);
      Map<String, Tensor> params = layer.initialize(rng, DType.FLOAT64);
      Tensor x = Initializers.normal(rng, DType.FLOAT64, Shape.of(STEPS, batch, layer.inputSize()), 0, 1);
      Map<String, Tensor> states = new LinkedHashMap<>();
      for (String s : layer.cell().stateNames()) {
        states.put(s, Initializers.normal(rng, DType.FLOAT64, layer.stateShape(s, batch), 0, 0.5));
      }
      Tensor go = Initializers.normal(rng, DType.FLOAT64, Shape.of(STEPS, batch, layer.outputSize()), 0, 1);
      return new Case(params, x, states, go);
    }

    /** Sequence {@code b} alone, cut to {@code length} steps. */
    Case alone(int b, int length) {
      Map<String, Tensor> s = new LinkedHashMap<>();
      states.forEach((k, v) -> s.put(k, v.slice(1, b, b + 1)));
      return new Case(params, input.slice(1, b, b + 1).slice(0, 0, length), s,
          gradOutput.slice(1, b, b + 1).slice(0, 0, length));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void eachSequenceGetsWhatRunningItAloneGives(String name) {
    Recurrent layer = layer(name);
    Case c = Case.of(layer, LENGTHS.length, 41);
    long declines = Scan.declineCount();
    Recurrent.Result all = layer.run(c.params(), c.input(), LENGTHS, c.states(), c.gradOutput());
    assertEquals(declines, Scan.declineCount(), "the masked scans were declined: " + Scan.lastDecline());
    Map<String, Tensor> paramGrads = new LinkedHashMap<>();
    for (int b = 0; b < LENGTHS.length; b++) {
      int n = LENGTHS[b];
      Case one = c.alone(b, n);
      Recurrent.Result r = layer.run(one.params(), one.input(), one.states(), one.gradOutput());
      String seq = name + " sequence " + b + " (length " + n + ")";
      close(seq + " output", all.output().slice(1, b, b + 1).slice(0, 0, n), r.output());
      zero(seq + " output past its length", all.output().slice(1, b, b + 1).slice(0, n, STEPS));
      close(seq + " input gradient", all.gradients().get("input").slice(1, b, b + 1).slice(0, 0, n),
          r.gradients().get("input"));
      zero(seq + " input gradient past its length", all.gradients().get("input").slice(1, b, b + 1).slice(0, n, STEPS));
      for (String s : layer.cell().stateNames()) {
        close(seq + " final " + s, all.finalStates().get(s).slice(1, b, b + 1), r.finalStates().get(s));
        close(seq + " gradient of " + s + "0", all.gradients().get(s + "0").slice(1, b, b + 1),
            r.gradients().get(s + "0"));
      }
      for (String p : layer.parameterShapes().keySet()) {
        paramGrads.merge(p, r.gradients().get(p), Tensor::add);
      }
    }
    for (String p : layer.parameterShapes().keySet()) {
      close(name + " gradient of " + p, all.gradients().get(p), paramGrads.get(p));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void theMaskedGradientPassesTheFiniteDifferenceCheck(String name) {
    Recurrent layer = name.startsWith("builtin:") || Zoo.load(name).sizeRequirements().isEmpty()
        ? Recurrent.of(cell(name), 3, 3, 2, true) : Recurrent.of(cell(name), 3, 3, 1, true);
    int[] lengths = {3, 1, 4};
    GradCheck.Report rep = CellCheck.gradCheck(layer, 4, lengths.length, lengths, 43);
    assertTrue(rep.passed(), name + ": " + rep);
  }

  /**
   * The masked scans of a one-layer training graph compile as the bare ones do: the loops split
   * by batch rows, one recurrent product per step each way, and the backward loop reads the saved
   * gates instead of recomputing them. The forward mask joins the cell's fused pass; the backward
   * adds at most one pass (joining the recurrent product's gradient with what the mask passes through).
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void maskedScansCompileLikeTheBareOnes(String name) {
    List<CompiledScan> bare = trainingScans(name, false);
    List<CompiledScan> masked = trainingScans(name, true);
    for (int i = 0; i < 2; i++) {
      String what = name + (i == 0 ? " forward" : " backward") + " loop: " + masked.get(i).loopOps();
      assertTrue(masked.get(i).splitsByRows(), what);
      assertEquals(matmuls(bare.get(i).loopOps()), matmuls(masked.get(i).loopOps()), what);
      assertEquals(count(bare.get(i).loopOps(), "sigmoid"), count(masked.get(i).loopOps(), "sigmoid"), what);
      assertEquals(count(bare.get(i).loopOps(), "tanh"), count(masked.get(i).loopOps(), "tanh"), what);
    }
    assertEquals(bare.get(0).loopSchedule().size(), masked.get(0).loopSchedule().size(),
        name + " forward loop: " + masked.get(0).loopSchedule());
    assertTrue(masked.get(1).loopSchedule().size() <= bare.get(1).loopSchedule().size() + 1,
        name + " backward loop: " + masked.get(1).loopSchedule() + ", bare " + bare.get(1).loopSchedule());
  }

  /**
   * A packed run's scans, forward and backward, compute every phase over the rows still running:
   * the loop, and the input products and weight gradients of the pre and post phases.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void packedScansComputeEveryPhaseOverTheRunningRowsOnly(String name) {
    List<CompiledScan> packed = trainingScans(name, true, true);
    assertTrue(packed.get(0).packsEveryPhase(), name + " forward");
    assertTrue(packed.get(1).packsEveryPhase(), name + " backward");
    assertTrue(trainingScans(name, true, false).stream().noneMatch(CompiledScan::packsEveryPhase), name + " masked");
  }

  private static List<CompiledScan> trainingScans(String name, boolean masked) {
    return trainingScans(name, masked, false);
  }

  /**
   * The forward and the backward scan of a one-layer layer over 5 steps with the gradient of
   * sum(output), masked for lengths (and then packed, or not) or not.
   */
  private static List<CompiledScan> trainingScans(String name, boolean masked, boolean packed) {
    Recurrent layer = Recurrent.of(cell(name), 3, 3);
    Graph g = new Graph();
    Node x = g.input("x", DType.FLOAT32, 5, 2, 3);
    Node mask = masked ? g.input("mask", DType.FLOAT32, 5, 2) : null;
    Map<String, Node> params = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : layer.parameterShapes().entrySet()) {
      params.put(e.getKey(), g.parameter(e.getKey(), DType.FLOAT32, e.getValue().toArray()));
    }
    Node out = layer.build(g, x, mask, Map.of(), params, List.of(), packed, null).output();
    Gradients.of(out.sum(), List.copyOf(params.values()));
    List<CompiledScan> r = new ArrayList<>();
    for (boolean reverse : new boolean[] {false, true}) {
      for (Node n : g.nodes()) {
        if (n.op() instanceof Scan.ScanOp s && s.reverse() == reverse) {
          boolean[] used = new boolean[s.outputCount()];
          Arrays.fill(used, 0, s.carryCount() + s.yCount(), true);
          r.add(CompiledScan.compile(s, 5, reverse ? used : null, CompileOptions.all()));
          break;
        }
      }
    }
    return r;
  }

  private static long matmuls(List<String> ops) {
    return ops.stream().filter(op -> op.startsWith("matmul")).count();
  }

  private static long count(List<String> ops, String op) {
    return ops.stream().filter(op::equals).count();
  }

  @Test
  void lengthsThatAreAllTheInputsStepsGiveTheBitsOfTheUnmaskedRun() {
    Recurrent layer = layer("builtin:lstm");
    Case c = Case.of(layer, 3, 47);
    Recurrent.Result bare = layer.run(c.params(), c.input(), c.states(), c.gradOutput());
    Recurrent.Result full = layer.run(c.params(), c.input(), new int[] {STEPS, STEPS, STEPS}, c.states(),
        c.gradOutput());
    assertEquals(bare, full);
  }

  @Test
  void equalLengthsShorterThanTheInputRunTheCutInputUnmasked() {
    Recurrent layer = layer("builtin:gru");
    Case c = Case.of(layer, 3, 53);
    Recurrent.Result cut = layer.run(c.params(), c.input().slice(0, 0, 4), c.states(),
        c.gradOutput().slice(0, 0, 4));
    Recurrent.Result r = layer.run(c.params(), c.input(), new int[] {4, 4, 4}, c.states(), c.gradOutput());
    assertEquals(cut.output(), r.output().slice(0, 0, 4));
    zero("output past the lengths", r.output().slice(0, 4, STEPS));
    assertEquals(cut.finalStates(), r.finalStates());
    assertEquals(cut.gradients().get("weight_hh_l1_reverse"), r.gradients().get("weight_hh_l1_reverse"));
    zero("input gradient past the lengths", r.gradients().get("input").slice(0, 4, STEPS));
  }

  @Test
  void paddingIsNeverRead() {
    Recurrent layer = layer("builtin:lstm");
    Case c = Case.of(layer, LENGTHS.length, 59);
    double[] v = c.input().toDoubleArray();
    int row = LENGTHS.length * layer.inputSize();
    for (int t = 0; t < STEPS; t++) {
      for (int b = 0; b < LENGTHS.length; b++) {
        if (t >= LENGTHS[b]) {
          Arrays.fill(v, t * row + b * layer.inputSize(), t * row + (b + 1) * layer.inputSize(),
              t % 2 == 0 ? Double.NaN : Double.POSITIVE_INFINITY);
        }
      }
    }
    Tensor poisoned = Tensor.of(DType.FLOAT64, v, c.input().shape());
    Recurrent.Result clean = layer.run(c.params(), c.input(), LENGTHS, c.states(), c.gradOutput());
    Recurrent.Result r = layer.run(c.params(), poisoned, LENGTHS, c.states(), c.gradOutput());
    assertEquals(clean, r);
  }

  @Test
  void lengthsAreCheckedWithMessagesThatSayWhatIsExpected() {
    Recurrent layer = layer("builtin:gru");
    Case c = Case.of(layer, 3, 61);
    assertEquals("recurrent gru: lengths has 2 entries, expected one per sequence of the batch (3)",
        assertThrows(InvalidInputException.class,
            () -> layer.run(c.params(), c.input(), new int[] {1, 2}, c.states(), null)).getMessage());
    assertEquals("recurrent gru: lengths[1] is 0, expected 1 to 7 (the input's steps)",
        assertThrows(InvalidInputException.class,
            () -> layer.run(c.params(), c.input(), new int[] {1, 0, 2}, c.states(), null)).getMessage());
    assertEquals("recurrent gru: lengths[2] is 8, expected 1 to 7 (the input's steps)",
        assertThrows(InvalidInputException.class,
            () -> layer.run(c.params(), c.input(), new int[] {1, 2, 8}, c.states(), null)).getMessage());
    assertEquals("recurrent gru: grad_output is [7, 3, 5], expected the output's shape [7, 3, 10]",
        assertThrows(InvalidInputException.class, () -> layer.run(c.params(), c.input(), new int[] {1, 2, 3},
            c.states(), c.gradOutput().slice(2, 0, 5))).getMessage());
    Graph g = new Graph();
    Node x = g.input("x", DType.FLOAT64, 7, 3, 4);
    Node mask = g.input("mask", DType.FLOAT64, 7, 2);
    Map<String, Node> params = new LinkedHashMap<>();
    layer.parameterShapes().forEach((k, s) -> params.put(k, g.parameter(k, DType.FLOAT64, s.toArray())));
    assertEquals("recurrent gru: the mask is float64[7, 2], expected float64[7, 3] (one 0 or 1 per step and sequence)",
        assertThrows(InvalidInputException.class, () -> layer.build(g, x, mask, Map.of(), params)).getMessage());
  }

  @Test
  void noLengthsIsTheUnmaskedRun() {
    Recurrent layer = layer("builtin:rnn");
    Case c = Case.of(layer, 2, 67);
    assertEquals(layer.run(c.params(), c.input(), c.states(), null),
        layer.run(c.params(), c.input(), null, c.states(), null));
    assertNull(layer.run(c.params(), c.input(), new int[] {3, 7}, c.states(), null).gradients().get("input"));
  }

  /**
   * The packed run (each step over the sorted batch's running prefix) computes what the masked
   * carry over every step computes, for every cell, stacked and bidirectional, from initial
   * states: bit for bit but for the parameters' gradients, sums over the batch in sorted order.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void thePackedRunGivesTheNumbersOfTheMaskedOne(String name) {
    Recurrent layer = layer(name);
    int[] lengths = {7, 3, 6, 2, 7, 5, 1, 4, 6, 3};
    Case c = Case.of(layer, lengths.length, 71);
    long declines = Scan.declineCount();
    Recurrent.Result packed = layer.run(c.params(), c.input(), lengths, c.states(), c.gradOutput());
    assertEquals(declines, Scan.declineCount(), "the packed scans were declined: " + Scan.lastDecline());
    Recurrent.Result masked = layer.runMasked(c.params(), c.input(), lengths, c.states(), c.gradOutput(),
        CompileOptions.defaults());
    sameButParameterSums(name, packed, masked);
  }

  /** The rows of a packed run's blocks change nothing: one thread or two, split by rows or not, the same bits. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("someCells")
  void thePackedRunIsTheSameForAnyRowSplit(String name) {
    Recurrent layer = layer(name);
    int[] lengths = {7, 3, 6, 2, 7, 5, 1, 4, 6, 3, 7, 2, 5, 1, 4, 6, 2};
    Case c = Case.of(layer, lengths.length, 73);
    Recurrent.Result two = Kernels.withThreads(2, () -> layer.run(c.params(), c.input(), lengths, c.states(),
        c.gradOutput()));
    Recurrent.Result one = Kernels.withThreads(1, () -> layer.run(c.params(), c.input(), lengths, c.states(),
        c.gradOutput()));
    Recurrent.Result whole = Kernels.withThreads(2, () -> layer.run(c.params(), c.input(), lengths, c.states(),
        c.gradOutput(), CompileOptions.defaults().withRowSplit(false)));
    same(name + ", one thread", one, two);
    same(name + ", not split", whole, two);
  }

  /**
   * A batch large enough that the copies into and out of the packed layout are split over two
   * threads (from 2^16 elements): the bits of one thread, and the masked run's numbers.
   */
  @Test
  void aLargePackedRunCopiesOnTwoThreadsWithTheBitsOfOne() {
    Recurrent layer = Recurrent.of(BuiltinCell.named("lstm", true), 16, 512, 1, false); // output [7, 32, 512]
    int batch = 32;
    int[] lengths = new int[batch];
    Rng rng = Rng.seeded(83);
    for (int b = 0; b < batch; b++) {
      lengths[b] = 1 + rng.nextInt(STEPS);
    }
    lengths[5] = STEPS;
    Case c = Case.of(layer, batch, 89);
    Recurrent.Result two = Kernels.withThreads(2, () -> layer.run(c.params(), c.input(), lengths, c.states(),
        c.gradOutput()));
    Recurrent.Result one = Kernels.withThreads(1, () -> layer.run(c.params(), c.input(), lengths, c.states(),
        c.gradOutput()));
    same("lstm, one thread", one, two);
    sameButParameterSums("lstm, masked", two, layer.runMasked(c.params(), c.input(), lengths, c.states(),
        c.gradOutput(), CompileOptions.defaults()));
  }

  /** Batches at the edges: sequences of one step each but one, and all of one length shorter than the input. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("someCells")
  void thePackedRunOfOneStepSequencesAndOfEqualLengths(String name) {
    Recurrent layer = layer(name);
    Case c = Case.of(layer, 9, 79);
    int[] ones = {1, 1, 1, 7, 1, 1, 1, 1, 1};
    sameButParameterSums(name + ", ones", layer.run(c.params(), c.input(), ones, c.states(), c.gradOutput()),
        layer.runMasked(c.params(), c.input(), ones, c.states(), c.gradOutput(), CompileOptions.defaults()));
    int[] equal = new int[9];
    Arrays.fill(equal, 4);
    same(name + ", equal", layer.run(c.params(), c.input(), equal, c.states(), c.gradOutput()),
        layer.runMasked(c.params(), c.input(), equal, c.states(), c.gradOutput(), CompileOptions.defaults()));
  }

  static Stream<String> someCells() {
    return Stream.of("builtin:lstm", "builtin:gru", "ln-lstm");
  }

  @Test
  void aPackingSortsLongestFirst() {
    Packing p = Packing.of(new int[] {3, 8, 8, 1, 8, 2, 8, 8});
    assertEquals(8, p.longest());
    assertEquals(List.of(8, 8, 8, 8, 8, 3, 2, 1), Arrays.stream(p.sortedLengths()).boxed().toList());
    assertEquals(List.of(8, 7, 6, 5, 5, 5, 5, 5), Arrays.stream(p.batchSizes()).boxed().toList());
    Tensor x = Tensor.of(DType.FLOAT64, new double[] {0, 1, 2, 3, 4, 5, 6, 7}, Shape.of(1, 8, 1));
    assertEquals(List.of(1.0, 2.0, 4.0, 6.0, 7.0, 0.0, 5.0, 3.0), toList(p.sorted(x, 1)));
    assertEquals(x, p.unsorted(p.sorted(x, 1), 1));
    Packing q = Packing.of(new int[] {2, 3, 1});
    assertEquals(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0), toList(q.mask(DType.FLOAT64)));
  }

  /** {@code a} is {@code b}, bit for bit but for the parameters' gradients, within 1e-12. */
  private static void sameButParameterSums(String what, Recurrent.Result a, Recurrent.Result b) {
    Map<String, Tensor> aGrads = new LinkedHashMap<>(a.gradients());
    Map<String, Tensor> bGrads = new LinkedHashMap<>(b.gradients());
    assertEquals(bGrads.keySet(), aGrads.keySet(), what);
    for (String p : List.copyOf(bGrads.keySet())) {
      boolean batched = p.equals("input") || p.endsWith("0") && b.finalStates().containsKey(p.substring(0, p.length() - 1));
      if (!batched) {
        close(what + " gradient of " + p, aGrads.remove(p), bGrads.remove(p));
      }
    }
    same(what, new Recurrent.Result(a.output(), a.finalStates(), aGrads),
        new Recurrent.Result(b.output(), b.finalStates(), bGrads));
  }

  private static void same(String what, Recurrent.Result a, Recurrent.Result b) {
    assertEquals(b.output(), a.output(), what + " output, max difference " + a.output().maxAbsDiff(b.output()));
    assertEquals(b.finalStates().keySet(), a.finalStates().keySet(), what);
    b.finalStates().forEach((k, t) -> assertEquals(t, a.finalStates().get(k), what + " final " + k
        + ", max difference " + t.maxAbsDiff(a.finalStates().get(k))));
    assertEquals(b.gradients().keySet(), a.gradients().keySet(), what);
    b.gradients().forEach((k, t) -> assertEquals(t, a.gradients().get(k), what + " gradient of " + k
        + ", max difference " + t.maxAbsDiff(a.gradients().get(k))));
  }

  private static List<Double> toList(Tensor t) {
    return Arrays.stream(t.toDoubleArray()).boxed().toList();
  }

  private static void close(String what, Tensor a, Tensor b) {
    assertEquals(b.shape(), a.shape(), what);
    assertTrue(a.allClose(b, 1e-10, 1e-12), what + ": max difference " + a.maxAbsDiff(b));
  }

  private static void zero(String what, Tensor t) {
    assertEquals(0.0, t.abs().sum().item(), what);
  }
}
