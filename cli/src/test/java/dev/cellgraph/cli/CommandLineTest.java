package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The cellgraph program as a user runs it: exit codes, messages, files. */
class CommandLineTest {
  /** The golden cases live with the cells tests; the test runs in the examples module folder. */
  static final Path GOLDEN = Paths.get("..", "cells", "src", "test", "resources", "golden");

  record Run(int status, String out, String err) {}

  static Run run(String... args) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int status = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8));
    return new Run(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  static Stream<String> goldenCases() throws Exception {
    List<String> r = new ArrayList<>();
    for (String kind : new String[] {"pytorch", "cells", "lengths", "cells-lengths"}) {
      try (Stream<Path> s = Files.list(GOLDEN.resolve(kind))) {
        s.map(p -> kind + "/" + p.getFileName()).sorted().forEach(r::add);
      }
    }
    return r.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goldenCases")
  void runMatchesPyTorchThroughTheCommandLine(String name, @TempDir Path tmp) throws Exception {
    Path dir = GOLDEN.resolve(name);
    JsonObject c = JsonParser.parseString(Files.readString(dir.resolve("case.json"))).getAsJsonObject();
    List<String> args = new ArrayList<>(List.of("run", "--weights", dir.resolve("weights.safetensors").toString(),
        "--input", dir.resolve("input.safetensors").toString(), "--out", tmp.resolve("out.safetensors").toString()));
    if (!Files.exists(dir.resolve("cell.cell"))) {
      args.addAll(List.of("--cell", c.get("cell").getAsString(), "--layers", c.get("num_layers").getAsString()));
      if (c.get("bidirectional").getAsBoolean()) {
        args.add("--bidirectional");
      }
      if (c.get("cell").getAsString().equals("rnn")) {
        args.addAll(List.of("--nonlinearity", c.get("nonlinearity").getAsString()));
      }
    } else {
      args.addAll(List.of("--cell", dir.resolve("cell.cell").toString()));
    }
    if (c.has("batch_first") && c.get("batch_first").getAsBoolean()) {
      args.add("--batch-first");
    } else if (c.has("initial_state") && !c.get("initial_state").getAsBoolean()
        && !(c.has("lengths") && !c.get("lengths").isJsonNull())) {
      args.add("--time-major"); // nothing else in the file says which axis is the batch
    }
    Run r = run(args.toArray(new String[0]));
    assertEquals(0, r.status(), r.err());
    Map<String, Tensor> got = SafeTensors.read(tmp.resolve("out.safetensors"));
    Map<String, Tensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
    boolean f32 = c.get("dtype").getAsString().equals("float32");
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      Tensor g = got.get(e.getKey());
      assertNotNull(g, "missing " + e.getKey());
      assertTrue(g.allClose(e.getValue(), f32 ? 1e-4 : 1e-9, f32 ? 1e-5 : 1e-12), e.getKey());
    }
    assertEquals(expected.keySet(), got.keySet());
  }

  @Test
  void theExplainersSimpleRnnIsAValidCellWithParametersWUV(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("simple.cell");
    Files.writeString(f, "$$ \\begin{aligned} &s_t = \\tanh (Ws_{t-1} + Ux_t) \\\\&h_t = Vs_t \\end{aligned} $$\n");
    Run r = run("check", f.toString(), "--input-size", "3", "--hidden-size", "4", "--gradcheck");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("notation:  latex"), r.out());
    assertTrue(r.out().contains("states:    s"), r.out());
    for (String p : new String[] {"W ", "U ", "V "}) {
      assertTrue(r.out().contains("\n  " + p), p + " in " + r.out());
    }
    assertTrue(r.out().contains("gradient check (float64, 3 steps, batch 2): passed"), r.out());
  }

  @Test
  void benchPrintsOneJsonLineWithTorchRnnFields() {
    Run r = run("bench", "--cell", "lstm", "--input-size", "3", "--hidden-size", "4", "--batch", "2",
        "--steps", "5", "--reps", "3", "--warmup", "1", "--warmup-seconds", "0", "--threads", "1", "--json");
    assertEquals(0, r.status(), r.err());
    String line = r.out().strip();
    assertTrue(line.startsWith("{\"cell\": \"lstm\", \"impl\": \"builtin\", \"config\": null, \"threads\": 1, "
        + "\"I\": 3, \"H\": 4, \"B\": 2, \"T\": 5, \"seconds\": "), line);
    assertTrue(line.contains("\"best_seconds\": ") && line.contains("\"peak_heap_mb\": ") && line.endsWith("}"), line);
  }

  @Test
  void benchVerboseLogsTheKernelsAndGemmBlockingOnErrWhenTheOutputIsJson() {
    Run r = run("--verbose", "bench", "--cell", "rnn", "--input-size", "3", "--hidden-size", "4", "--batch", "2",
        "--steps", "3", "--reps", "1", "--warmup", "0", "--warmup-seconds", "0", "--threads", "1", "--json");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().strip().startsWith("{\"cell\": \"rnn\""), r.out());
    String expected = "kernels: " + dev.cellgraph.core.kernel.Kernels.describe() + "; 1 thread\n";
    assertTrue(r.err().contains(expected), r.err());
    assertTrue(expected.contains("GEMM: ") || expected.contains("plain"), expected);
    Run plain = run("--verbose", "bench", "--cell", "rnn", "--input-size", "3", "--hidden-size", "4", "--batch", "2",
        "--steps", "3", "--reps", "1", "--warmup", "0", "--warmup-seconds", "0", "--threads", "1");
    assertEquals(0, plain.status(), plain.err());
    assertTrue(plain.out().startsWith(expected), plain.out());
    Run normal = run("bench", "--cell", "rnn", "--input-size", "3", "--hidden-size", "4", "--batch", "2",
        "--steps", "3", "--reps", "1", "--warmup", "0", "--warmup-seconds", "0", "--threads", "1");
    assertFalse(normal.out().contains("kernels: "), normal.out());
  }

  @Test
  void benchTimesFormulaAndBuiltinInterleaved() {
    Run r = run("bench", "--cell", "gru", "--formula", "--against-builtin", "--input-size", "3", "--hidden-size",
        "4", "--batch", "2", "--steps", "5", "--reps", "3", "--warmup", "1", "--warmup-seconds", "0", "--threads",
        "1", "--json");
    assertEquals(0, r.status(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(2, lines.length, r.out());
    assertTrue(lines[0].startsWith("{\"cell\": \"gru\", \"impl\": \"builtin\", "), lines[0]);
    assertTrue(lines[0].endsWith(", \"interleaved\": true}"), lines[0]);
    assertTrue(lines[1].startsWith("{\"cell\": \"gru\", \"impl\": \"formula\", "), lines[1]);
    assertTrue(lines[1].matches(".*, \"interleaved\": true, \"vs_builtin\": [0-9]+\\.[0-9]{3}}"), lines[1]);
  }

  @Test
  void benchWithLengthsTimesThePaddedMaskedAndPackedRunsInterleaved() {
    Run r = run("bench", "--cell", "lstm", "--input-size", "3", "--hidden-size", "4", "--batch", "6",
        "--steps", "8", "--reps", "3", "--warmup", "1", "--warmup-seconds", "0", "--threads", "1", "--lengths",
        "uniform", "--json");
    assertEquals(0, r.status(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(3, lines.length, r.out());
    assertTrue(lines[0].endsWith(", \"interleaved\": true, \"lengths\": \"none\", \"run\": \"padded\"}"), lines[0]);
    assertTrue(lines[1].matches(".*, \"lengths\": \"uniform\", \"run\": \"masked\", \"vs_padded\": [0-9]+\\.[0-9]{3}}"),
        lines[1]);
    assertTrue(lines[2].matches(".*, \"lengths\": \"uniform\", \"run\": \"packed\", \"vs_padded\": [0-9]+\\.[0-9]{3}}"),
        lines[2]);
  }

  /** {@link #run} with {@code input} as standard input. */
  private static Run runWithInput(String input, String... args) {
    java.io.InputStream stdin = System.in;
    try {
      System.setIn(new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
      return run(args);
    } finally {
      System.setIn(stdin);
    }
  }

  @Test
  void benchServesOneStepPerLineOfInput() {
    Run r = runWithInput("builtin\nformula 3\nbuiltin 2\n", "bench", "--cell", "lstm", "--formula", "--against-builtin", "--input-size", "3", "--hidden-size", "4",
          "--batch", "2", "--steps", "5", "--warmup", "1", "--warmup-seconds", "0", "--threads", "1", "--serve");
    assertEquals(0, r.status(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(3, lines.length, r.out());
    String t = "[0-9]+\\.[0-9]{6}";
    assertTrue(lines[0].matches(t), lines[0]);
    assertTrue(lines[1].matches(t + " " + t + " " + t), lines[1]);
    assertTrue(lines[2].matches(t + " " + t), lines[2]);
  }

  @Test
  void benchServeRejectsAnUnknownImpl() {
    Run r = runWithInput("custom\n", "bench", "--cell", "rnn", "--input-size", "3", "--hidden-size", "4", "--batch", "2", "--steps", "5",
          "--warmup", "0", "--warmup-seconds", "0", "--threads", "1", "--serve");
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains("cellgraph bench: --serve: 'custom' is not one of builtin"), r.err());
  }

  @Test
  void benchServeRejectsABadStepCount() {
    Run r = runWithInput("builtin two\n", "bench", "--cell", "rnn", "--input-size", "3", "--hidden-size", "4", "--batch", "2", "--steps", "5",
          "--warmup", "0", "--warmup-seconds", "0", "--threads", "1", "--serve");
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains("cellgraph bench: --serve: expected 'IMPL [STEPS]' with STEPS a positive integer, "
        + "got 'builtin two'"), r.err());
  }

  @Test
  void benchAgainstBuiltinNeedsFormula() {
    Run r = run("bench", "--cell", "gru", "--against-builtin");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().contains("--against-builtin compares the formula cell with the built-in: add --formula"),
        r.err());
  }

  @Test
  void benchRejectsAnUnknownConfig() {
    Run r = run("bench", "--cell", "lstm", "--config", "huge");
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains("cellgraph bench: --config must be one of small, medium, large, got 'huge'"), r.err());
  }

  @Test
  void theExplainersGruFragmentFailsWithTheLocatedMessage(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("gru.cell");
    String block = "$$ \\begin{aligned} &r_t = \\sigma (W^rx_t + U^rh_{t-1}) \\\\&z_t = \\sigma (W^zx_t + U^zh_{t-1}) \\end{aligned} $$";
    Files.writeString(f, block + "\n");
    Run r = run("check", f.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph check: gru.cell:1:47: 'h' is read at t-1 but 'h_t' is never defined\n"
        + block + "\n" + " ".repeat(46) + "^\n", r.err());
    assertEquals("", r.out());
  }

  @Test
  void checkSaysWhyEachParameterIsAMatrixOrAVectorAndWarnsOfAProductWrittenLikeACall(@TempDir Path tmp)
      throws Exception {
    Path f = tmp.resolve("w.cell");
    Files.writeString(f, "h' = tanh(W (x) + U h + b)\n");
    Run r = run("check", f.toString(), "--input-size", "3", "--hidden-size", "4");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("why:\n"
        + "  W: matrix [H, I], because it multiplies 'x' at 1:11\n"
        + "  U: matrix [H, H], because it multiplies 'h' at 1:19\n"
        + "  b: vector [H], because it is added to 'W (x) + U h' at 1:25\n"), r.out());
    assertEquals("cellgraph check: w.cell:1:11: warning: 'W (...)' is read as the parameter W times the bracket;"
        + " write W \\cdot (...) to say so\n"
        + "h' = tanh(W (x) + U h + b)\n"
        + "          ^\n", r.err());
    Run strict = run("check", f.toString(), "--strict");
    assertEquals(2, strict.status());
    assertTrue(strict.err().startsWith("cellgraph check: w.cell:1:11: parameter 'W' is not declared, and every "
        + "parameter must be (strict): declare it, as in 'param W : [H, I]'\n"), strict.err());
  }

  @Test
  void checkTakesNamedSizesAndSaysWhichProductConventionItRead() {
    Run p = run("check", "lstm-projected", "--size", "P=3", "--input-size", "4", "--hidden-size", "5");
    assertEquals(0, p.status(), p.err());
    assertTrue(p.out().contains("  W_rm  matrix  [P, H]         = [3, 5]       15\n"), p.out());
    assertTrue(p.out().contains("products:  column vectors (W x, W stored [out, in])\n"), p.out());
    Run d2l = run("check", "d2l-gru");
    assertTrue(d2l.out().contains("products:  row vectors (x W, W stored [in, out]), because every product has its"
        + " parameter on the right, as '\\mathbf{X}_t \\mathbf{W}_{xr}' at 9:24\n"), d2l.out());
    Run bad = run("check", "lstm-projected", "--size", "p=3");
    assertEquals(2, bad.status());
    assertEquals("cellgraph check: --size takes NAME=N[,NAME=N...] (an upper-case name other than I and H, and a whole"
        + " number from 1 to 999999999), as in --size P=64; found 'p=3'\n", bad.err().lines().findFirst().orElseThrow()
        + "\n");
  }

  @Test
  void checkListsEveryConstantWithItsValueAndWhereTheValueComesFrom(@TempDir Path tmp) throws Exception {
    Run janet = run("check", "janet", "--input-size", "3", "--hidden-size", "4");
    assertEquals(0, janet.status(), janet.err());
    assertTrue(janet.out().contains("products:  column vectors (W x, W stored [out, in])\n"
        + "constants:\n"
        + "  beta = 1  defined at janet.cell:5:1\n"
        + "parameters (I = 3, H = 4):\n"), janet.out());
    for (String spelling : new String[] {"beta", "\\beta", "β"}) {
      Run set = run("check", "janet", "--set", spelling + "=2.5");
      assertEquals(0, set.status(), set.err());
      assertTrue(set.out().contains("constants:\n  beta = 2.5  given by --set\n"), spelling + ": " + set.out());
    }
    Path f = tmp.resolve("ln.cell");
    Files.writeString(f, "\\gamma = 2\nh_t = \\tanh(W x_t + U h_{t-1}) \\gamma / \\sqrt{\\mathrm{var}(h_{t-1}) + \\epsilon}\n");
    Run two = run("check", f.toString(), "--set", "ε=1e-3");
    assertEquals(0, two.status(), two.err());
    assertTrue(two.out().contains("constants:\n"
        + "  gamma   = 2      defined at ln.cell:1:1\n"
        + "  epsilon = 0.001  given by --set\n"), two.out());
    Run byDefault = run("check", f.toString());
    assertTrue(byDefault.out().contains("  epsilon = 0.00001  the default (define it, as in '\\epsilon = 1e-6', or"
        + " --set epsilon=...)\n"), byDefault.out());
    assertFalse(run("check", "gru").out().contains("constants:"), "a cell without constants lists none");
  }

  @Test
  void setSaysWhatIsWrongWithItsNameOrValue() {
    assertEquals("cellgraph check: janet.cell: cannot set 'betta': the cell has no constant or name 'betta', did you"
        + " mean 'beta'?\n", run("check", "janet", "--set", "betta=2").err());
    assertEquals("cellgraph check: janet.cell: cannot set 'W_f': it is a learnable parameter of the cell, not a"
        + " constant; to make it a fixed hyperparameter, define it in the cell with a line such as 'W_f = 1', which"
        + " --set then overrides\n", run("check", "janet", "--set", "W_f=1").err());
    assertEquals("cellgraph check: janet.cell: cannot set 'h': it is a value the cell computes, not a constant\n",
        run("check", "janet", "--set", "h=1").err());
    assertEquals("cellgraph check: --set beta=abc: 'abc' is not a number (such as 2, 0.5 or 1e-3)\n",
        run("check", "janet", "--set", "beta=abc").err());
    assertEquals("cellgraph check: --set beta=NaN: 'NaN' is not a number (such as 2, 0.5 or 1e-3)\n",
        run("check", "janet", "--set", "beta=NaN").err());
    assertEquals("cellgraph check: --set beta=1e999: 1e999 is too large for a number\n",
        run("check", "janet", "--set", "beta=1e999").err());
    assertEquals("cellgraph check: --set takes NAME=V[,NAME=V...] (a constant of the cell, spelled as in the cell or"
        + " as beta, \\beta or β, and a number), as in --set beta=2.5; found 'beta'\n",
        run("check", "janet", "--set", "beta").err());
    assertEquals("cellgraph check: --set gives beta twice (as beta and \\beta)\n",
        run("check", "janet", "--set", "beta=1,\\beta=2").err());
    assertEquals("cellgraph check: --set \\betta=1: '\\betta' is not a name: unknown command '\\betta', did you"
        + " mean '\\beta'?\n", run("check", "janet", "--set", "\\betta=1").err());
    Run builtin = run("check", "lstm", "--set", "beta=1");
    assertEquals(2, builtin.status());
    assertEquals("cellgraph check: lstm.cell: cannot set 'beta': the cell has no constant or name 'beta'\n",
        builtin.err());
  }

  @Test
  void checkKeepsTheParameterTableInColumnsForDiagonalParameters() {
    Run r = run("check", "lstm-graves", "--input-size", "3", "--hidden-size", "4");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("parameters (I = 3, H = 4):\n"
        + "  W_ci  diagonal  [H]            = [4]          4\n"
        + "  W_cf  diagonal  [H]            = [4]          4\n"
        + "  W_co  diagonal  [H]            = [4]          4\n"
        + "  W_xi  matrix    [H, I]         = [4, 3]       12\n"), r.out());
  }

  @Test
  void renderAndGradflowTakeSetAsCheckDoes(@TempDir Path tmp) {
    Run render = run("render", "janet", "--set", "beta=2", "--format", "dot", "-o", tmp.resolve("j.dot").toString());
    assertEquals(0, render.status(), render.err());
    Run bad = run("gradflow", "--cells", "janet,gru", "--set", "beta=2", "--steps", "3", "--hidden-size", "4",
        "-o", tmp.resolve("g.dot").toString());
    assertEquals(2, bad.status(), bad.out());
    assertEquals("cellgraph gradflow: gru.cell: cannot set 'beta': the cell has no constant or name 'beta'\n",
        bad.err());
  }

  @Test
  void checkNamesTheParametersOfEachFunctionApplication(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("ln.cell");
    Files.writeString(f, "LN(z; a, b) = z * a + b\nh' = tanh(LN(W x) + LN(U h))\n");
    Run r = run("check", f.toString(), "--input-size", "3", "--hidden-size", "4");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("  a_2: vector [H], the parameter a of application 2 of LN at 2:21, because it"
        + " multiplies 'z' elementwise at 1:19\n"), r.out());
  }

  @Test
  void everyZooCellPassesCheckWithGradcheck() {
    for (String name : dev.cellgraph.cells.lang.Zoo.names()) {
      Run r = run("check", name, "--input-size", "8", "--hidden-size", "8", "--gradcheck");
      assertEquals(0, r.status(), name + ": " + r.out() + r.err());
    }
  }

  @Test
  void unknownCellSuggestsTheClosestZooName() {
    Run r = run("check", "lstn");
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("cellgraph check: unknown cell 'lstn'; did you mean 'lstm'?"), r.err());
  }

  @Test
  void runRefusesFlagsThatDisagreeWithTheWeights(@TempDir Path tmp) {
    Path dir = GOLDEN.resolve("pytorch/gru");
    Path out = tmp.resolve("out.safetensors");
    Run r = run("run", "--cell", "gru", "--weights", dir.resolve("weights.safetensors").toString(),
        "--input", dir.resolve("input.safetensors").toString(), "--out", out.toString(), "--layers", "2");
    assertEquals(2, r.status());
    assertEquals("cellgraph run: " + dir.resolve("weights.safetensors")
        + ": --layers 2 disagrees with the weights, which hold 1 layer\n", r.err());
    assertFalse(Files.exists(out));
    Run wrongCell = run("run", "--cell", "lstm", "--weights", dir.resolve("weights.safetensors").toString(),
        "--input", dir.resolve("input.safetensors").toString(), "--out", out.toString());
    assertEquals(2, wrongCell.status());
    assertEquals("cellgraph run: " + dir.resolve("weights.safetensors") + ": weight 'weight_hh_l0' is [12, 4], "
        + "expected [12, 3] (Recurrent lstm (input 3, hidden 3, 1 layer)); these are gru weights "
        + "(--cell gru)\n",
        wrongCell.err());
  }

  @Test
  void runReadsAProjectedLstmFromItsWeights(@TempDir Path tmp) throws Exception {
    Path dir = GOLDEN.resolve("pytorch/lstm-proj-2layer-bidirectional");
    Path out = tmp.resolve("out.safetensors");
    Run r = run("run", "--cell", "lstm", "--weights", dir.resolve("weights.safetensors").toString(),
        "--input", dir.resolve("input.safetensors").toString(), "--out", out.toString());
    assertEquals(0, r.status(), r.err());
    Map<String, Tensor> got = SafeTensors.read(out);
    // proj_size 1, hidden 4: h is projected, c is not
    assertEquals(dev.cellgraph.core.Shape.of(4, 2, 2), got.get("output").shape());
    assertEquals(dev.cellgraph.core.Shape.of(4, 2, 1), got.get("h_n").shape());
    assertEquals(dev.cellgraph.core.Shape.of(4, 2, 4), got.get("c_n").shape());
    assertEquals(dev.cellgraph.core.Shape.of(1, 4), got.get("grad.weight_hr_l1_reverse").shape());
    Map<String, Tensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
    for (String k : expected.keySet()) {
      assertTrue(got.get(k).allClose(expected.get(k), 1e-9, 1e-12), k);
    }
  }

  @Test
  void runBlamesTheTensorAtFault(@TempDir Path tmp) throws Exception {
    Path dir = GOLDEN.resolve("pytorch/lstm");
    Map<String, Tensor> w = new java.util.LinkedHashMap<>(SafeTensors.read(dir.resolve("weights.safetensors")));
    Map<String, Tensor> in = new java.util.LinkedHashMap<>(SafeTensors.read(dir.resolve("input.safetensors")));
    String out = tmp.resolve("o.safetensors").toString();
    Path badHh = tmp.resolve("hh.safetensors");
    Map<String, Tensor> wrongHh = new java.util.LinkedHashMap<>(w);
    wrongHh.put("weight_hh_l0", Tensor.zeros(dev.cellgraph.core.DType.FLOAT64, dev.cellgraph.core.Shape.of(16, 5)));
    SafeTensors.write(badHh, wrongHh);
    Run hh = run("run", "--cell", "lstm", "--weights", badHh.toString(), "--input", dir.resolve("input.safetensors")
        .toString(), "--out", out);
    assertEquals(2, hh.status());
    assertEquals("cellgraph run: " + badHh + ": weight 'weight_hh_l0' is [16, 5], expected [16, 4] "
        + "(Recurrent lstm (input 3, hidden 4, 1 layer))\n", hh.err());

    Path wide = tmp.resolve("wide.safetensors");
    Map<String, Tensor> wideIn = new java.util.LinkedHashMap<>(in);
    wideIn.put("input", Tensor.zeros(dev.cellgraph.core.DType.FLOAT64, dev.cellgraph.core.Shape.of(5, 2, 7)));
    SafeTensors.write(wide, wideIn);
    Run features = run("run", "--cell", "lstm", "--weights", dir.resolve("weights.safetensors").toString(),
        "--input", wide.toString(), "--out", out);
    assertEquals(2, features.status());
    assertEquals("cellgraph run: " + wide + ": input is [5, 2, 7]: 7 features, but the weights take 3 "
        + "(weight_ih_l0 is [16, 3]); expected [T, B, 3]\n", features.err());

    Path mixed = tmp.resolve("mixed.safetensors");
    Map<String, Tensor> mixedW = new java.util.LinkedHashMap<>(w);
    mixedW.put("bias_hh_l0", w.get("bias_hh_l0").to(dev.cellgraph.core.DType.FLOAT32));
    SafeTensors.write(mixed, mixedW);
    Run dtypes = run("run", "--cell", "lstm", "--weights", mixed.toString(), "--input",
        dir.resolve("input.safetensors").toString(), "--out", out);
    assertEquals(2, dtypes.status());
    assertEquals("cellgraph run: " + mixed + ": weights mix dtypes: 'bias_hh_l0' is float32, while the other 3 are "
        + "float64; all must have one dtype\n", dtypes.err());

    Path garbage = tmp.resolve("garbage.safetensors");
    Files.writeString(garbage, "weight_ih_l0,weight_hh_l0\n0.1,0.2\n");
    Run notSafetensors = run("run", "--cell", "lstm", "--weights", garbage.toString(), "--input",
        dir.resolve("input.safetensors").toString(), "--out", out);
    assertEquals(2, notSafetensors.status());
    assertEquals("cellgraph run: garbage.safetensors: not a safetensors file: its first 8 bytes give a header length"
        + " of 7592915488530326903, over the limit of 104857600 bytes\n", notSafetensors.err());
    assertFalse(Files.exists(Path.of(out)));
  }

  @Test
  void runWritesTheSameSafetensorsToStandardOutputWithDash(@TempDir Path tmp) throws Exception {
    Path dir = GOLDEN.resolve("pytorch/gru");
    Path file = tmp.resolve("out.safetensors");
    String[] common = {"run", "--cell", "gru", "--weights", dir.resolve("weights.safetensors").toString(),
        "--input", dir.resolve("input.safetensors").toString(), "--out"};
    assertEquals(0, run(concat(common, file.toString())).status());
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int status = Main.run(concat(common, "-"), new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8));
    assertEquals(0, status, e.toString(StandardCharsets.UTF_8));
    assertArrayEquals(Files.readAllBytes(file), o.toByteArray());
    assertTrue(e.toString(StandardCharsets.UTF_8).startsWith("wrote standard output: output, h_n"),
        e.toString(StandardCharsets.UTF_8));
    assertFalse(Files.exists(Path.of("-")));
  }

  /** Runs {@code cellgraph run --cell CELL} on a golden case's weights and the given input file, plus {@code more}. */
  private static Run runOn(String cell, String golden, Path input, Path out, String... more) {
    Path w = GOLDEN.resolve(golden).resolve("weights.safetensors");
    return run(concat(new String[] {"run", "--cell", cell, "--weights", w.toString(), "--input", input.toString(),
        "--out", out.toString()}, more));
  }

  @Test
  void runRefusesAnInputWhoseLayoutNothingSettles(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("out.safetensors");
    Path noState = GOLDEN.resolve("pytorch/lstm-nostate/input.safetensors");
    Run r = runOn("lstm", "pytorch/lstm-nostate", noState, out);
    assertEquals(2, r.status(), r.err());
    assertEquals("cellgraph run: " + noState + ": the input [5, 2, 3] may be time-major [T, B, I] or batch-first"
        + " [B, T, I], and no initial state or 'lengths' gives its batch size: pass --time-major or --batch-first"
        + " (or give h0)\n", r.err());
    assertFalse(Files.exists(out));
    assertEquals(0, runOn("lstm", "pytorch/lstm-nostate", noState, out, "--time-major").status());

    Path batchFirst = GOLDEN.resolve("lengths/lstm-batchfirst/input.safetensors");
    Run bf = runOn("lstm", "lengths/lstm-batchfirst", batchFirst, tmp.resolve("bf.safetensors"));
    assertEquals(2, bf.status(), bf.err());
    assertEquals("cellgraph run: " + batchFirst + ": h0 [1, 2, 4] and c0 [1, 2, 4] give a batch of 2, the input"
        + " [2, 5, 3]'s axis 0: it is batch-first [B, T, I]; pass --batch-first\n", bf.err());
    Run forced = runOn("lstm", "lengths/lstm-batchfirst", batchFirst, tmp.resolve("bf.safetensors"), "--time-major");
    assertEquals("cellgraph run: " + batchFirst + ": initial state 'h0' is [1, 2, 4], expected [1, 5, 4] (the input"
        + " [2, 5, 3] read as time-major [T, B, I])\n", forced.err());

    Map<String, Tensor> gru = SafeTensors.read(GOLDEN.resolve("pytorch/gru/input.safetensors"));
    Path square = tmp.resolve("square.safetensors");
    SafeTensors.write(square, Map.of("input", gru.get("input").slice(0, 0, 2), "h0", gru.get("h0")));
    Run sq = runOn("gru", "pytorch/gru", square, out);
    assertEquals("cellgraph run: " + square + ": the input [2, 2, 3] may be time-major [T, B, I] or batch-first"
        + " [B, T, I] (both axes are 2 long): pass --time-major or --batch-first\n", sq.err());
    assertEquals(0, runOn("gru", "pytorch/gru", square, out, "--batch-first").status());

    Run both = runOn("gru", "pytorch/gru", square, out, "--batch-first", "--time-major");
    assertEquals("cellgraph run: --batch-first and --time-major exclude each other\n", both.err());
    Path flat = tmp.resolve("flat.safetensors");
    SafeTensors.write(flat, Map.of("input", gru.get("input").select(1, 0)));
    assertEquals("cellgraph run: " + flat + ": input must be batch-first [B, T, I]; got [5, 3]\n",
        runOn("gru", "pytorch/gru", flat, out, "--batch-first").err());
    assertEquals("cellgraph run: " + flat + ": input must be time-major [T, B, I] or, with --batch-first, [B, T, I];"
        + " got [5, 3]\n", runOn("gru", "pytorch/gru", flat, out).err());
  }

  @Test
  void runChecksTheLengthsAgainstTheInput(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("out.safetensors");
    Map<String, Tensor> in = new java.util.LinkedHashMap<>(
        SafeTensors.read(GOLDEN.resolve("lengths/gru-1layer/input.safetensors")));
    Path file = tmp.resolve("in.safetensors");
    in.put("lengths", Tensor.ofLongs(new long[] {4, 0, 5, 3}, 4));
    SafeTensors.write(file, in);
    assertEquals("cellgraph run: " + file + ": lengths[1] is 0, expected 1 to 6 (the steps of the input [6, 4, 3]"
        + " read as time-major [T, B, I])\n", runOn("gru", "lengths/gru-1layer", file, out).err());
    in.put("lengths", Tensor.ofLongs(new long[] {4, 1, 5}, 3));
    SafeTensors.write(file, in);
    assertEquals("cellgraph run: " + file + ": 'lengths' is [3], expected [4]: one length per sequence of the input"
        + " [6, 4, 3] read as time-major [T, B, I]\n", runOn("gru", "lengths/gru-1layer", file, out, "--time-major").err());
    in.put("lengths", Tensor.of(new double[] {4, 1, 5, 3}, 4));
    SafeTensors.write(file, in);
    assertEquals("cellgraph run: " + file + ": 'lengths' is float64, expected int64 (or int32)\n",
        runOn("gru", "lengths/gru-1layer", file, out).err());
    assertFalse(Files.exists(out));
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void versionNamesTheBuildTheJavaAndTheKernels() {
    Run r = run("--version");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().matches("cellgraph \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java \\d+, kernels: .+\\)\n"), r.out());
    assertEquals(r.out(), run("-V").out());
    Run extra = run("--version", "train");
    assertEquals(2, extra.status());
    assertEquals("cellgraph: --version takes nothing after it, not 'train'\n", extra.err());
  }

  @Test
  void aQuickDemoNeverOverwritesAFullDemosReport() {
    assertEquals("cellgraph-demo", DemoCommand.defaultOut(false));
    assertEquals("cellgraph-demo-quick", DemoCommand.defaultOut(true));
  }

  @Test
  void badOptionsAreNamedWithASuggestion() {
    Run r = run("check", "gru", "--hiden-size", "3");
    assertEquals(2, r.status());
    assertEquals("cellgraph check: unknown option '--hiden-size'; did you mean --hidden-size?\n", r.err());
    Run n = run("check", "gru", "--hidden-size", "x");
    assertEquals("cellgraph check: --hidden-size must be a whole number, got 'x'\n", n.err());
    Run u = run("chek");
    assertEquals(2, u.status());
    assertTrue(u.err().startsWith("cellgraph: unknown command 'chek'; did you mean 'check'?"), u.err());
  }

  @Test
  void aCorruptWeightsFileIsAMessageNotAStackTrace(@TempDir Path tmp) throws Exception {
    Path bad = tmp.resolve("w.safetensors");
    Files.write(bad, new byte[] {1, 2, 3});
    Path in = GOLDEN.resolve("pytorch/gru/input.safetensors");
    Run r = run("run", "--cell", "gru", "--weights", bad.toString(), "--input", in.toString(),
        "--out", tmp.resolve("o.safetensors").toString());
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("cellgraph run: "), r.err());
    assertFalse(r.err().contains("\tat "), r.err());
  }
}
