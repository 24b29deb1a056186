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
    for (String kind : new String[] {"pytorch", "cells"}) {
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
    if (name.startsWith("pytorch/")) {
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
    assertTrue(wrongCell.err().contains("weight 'weight_ih_l0' is [12, 3], expected [16, 3]"), wrongCell.err());
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
