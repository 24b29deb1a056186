package dev.cellgraph.cells.lang;

import static dev.cellgraph.cells.lang.Expr.add;
import static dev.cellgraph.cells.lang.Expr.matmul;
import static dev.cellgraph.cells.lang.Expr.mul;
import static dev.cellgraph.cells.lang.Expr.num;
import static dev.cellgraph.cells.lang.Expr.param;
import static dev.cellgraph.cells.lang.Expr.prev;
import static dev.cellgraph.cells.lang.Expr.sub;
import static dev.cellgraph.cells.lang.Expr.var;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CellSpecTest {
  static final String SIMPLE_RNN_LATEX =
      "% the simple RNN, exactly as a LaTeX source writes it (display math and all)\n"
          + "$$ \\begin{aligned} &s_t = \\tanh (Ws_{t-1} + Ux_t) \\\\&h_t = Vs_t \\end{aligned} $$\n";
  static final String COLAH_UNICODE = "# LSTM with concatenated inputs, in Unicode\n"
      + "f_t = σ(W_f · [h_{t-1}, x_t] + b_f)\n"
      + "i_t = σ(W_i · [h_{t-1}, x_t] + b_i)\n"
      + "C̃_t = tanh(W_C · [h_{t-1}, x_t] + b_C)\n"
      + "C_t = f_t ∗ C_{t-1} + i_t ∗ C̃_t\n"
      + "o_t = σ(W_o [h_{t-1}, x_t] + b_o)\n"
      + "h_t = o_t ∗ tanh(C_t)\n";
  static final String GRU_ASCII = "# GRU in ASCII, next-state values primed\n"
      + "input x\n"
      + "state h\n"
      + "r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)\n"
      + "z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)\n"
      + "n = tanh(W_in x + b_in + r * (W_hn h + b_hn))\n"
      + "h' = (1 - z) * n + z * h\n";

  static Map<String, List<Integer>> shapes(CellSpec spec, int inputSize, int hiddenSize) {
    Map<String, List<Integer>> out = new LinkedHashMap<>();
    for (Parameter p : spec.parameters()) {
      out.put(p.name(), java.util.Arrays.stream(p.shape(inputSize, hiddenSize)).boxed().toList());
    }
    return out;
  }

  @Test
  void latexDisplayMathBlockIsTheSimpleRnnWithParametersWUV() {
    CellSpec spec = CellSpec.parse(SIMPLE_RNN_LATEX);
    assertEquals(Notation.LATEX, spec.notation());
    assertEquals(List.of("x"), spec.inputs());
    assertEquals(List.of("s"), spec.states());
    assertEquals("h", spec.output());
    assertEquals(List.of("h"), spec.intermediates());
    assertEquals(Map.of("W", List.of(4, 4), "U", List.of(4, 3), "V", List.of(4, 4)), shapes(spec, 3, 4));
    assertEquals(Parameter.Role.MATRIX, spec.parameter("W").role());
    assertEquals(16 + 12 + 16, spec.parameterCount(3, 4));
  }

  @Test
  void unicodeLstmHasConcatenatedWeightsOfHPlusIColumns() {
    CellSpec spec = CellSpec.parse(COLAH_UNICODE);
    assertEquals(Notation.UNICODE, spec.notation());
    assertEquals(List.of("h", "C"), spec.states());
    assertEquals("h", spec.output());
    assertEquals(List.of("f", "i", "C~", "o"), spec.intermediates());
    assertEquals(List.of(Dim.H, Dim.H.plus(Dim.I)), spec.parameter("W_f").dims());
    assertEquals("W_f : [H, H+I]", spec.parameter("W_f").toString());
    assertEquals(Parameter.Role.VECTOR, spec.parameter("b_C").role());
    Equation candidate = spec.equations().get(2);
    assertEquals("C~", candidate.target());
    assertEquals("C̃_t", candidate.spelling());
  }

  @Test
  void asciiPrimedGruHasPyTorchNamesAndShapes() {
    CellSpec spec = CellSpec.parse(GRU_ASCII);
    assertEquals(Notation.ASCII, spec.notation());
    assertEquals(List.of("h"), spec.states());
    assertEquals(List.of("W_ir", "b_ir", "W_hr", "b_hr", "W_iz", "b_iz", "W_hz", "b_hz", "W_in", "b_in",
        "W_hn", "b_hn"), spec.parameters().stream().map(Parameter::name).toList());
    assertEquals(List.of(5, 3), shapes(spec, 3, 5).get("W_in"));
    assertEquals(List.of(5, 5), shapes(spec, 3, 5).get("W_hn"));
    assertEquals(List.of(5), shapes(spec, 3, 5).get("b_hn"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"simple-rnn", "colah-lstm"})
  void goldenCellsHaveExactlyTheParametersOfTheirCase(String name) throws IOException {
    String dir = "golden/" + name + "/";
    String cell = resource(dir + "cell.cell");
    String json = resource(dir + "case.json");
    int inputSize = intField(json, "input_size");
    int hiddenSize = intField(json, "hidden_size");
    String params = json.substring(json.indexOf("\"parameters\""));
    Map<String, List<Integer>> expected = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\"([^\"]+)\":\\s*\\[([^\\]]*)\\]").matcher(params);
    while (m.find()) {
      expected.put(m.group(1), Pattern.compile(",").splitAsStream(m.group(2))
          .map(String::strip).map(Integer::parseInt).toList());
    }
    Matcher states = Pattern.compile("\"states\":\\s*\\[([^\\]]*)\\]").matcher(json);
    assertTrue(states.find());
    List<String> expectedStates = Pattern.compile(",").splitAsStream(states.group(1))
        .map(s -> s.strip().replace("\"", "")).toList();

    CellSpec spec = CellSpec.parse(cell, name + ".cell");
    assertEquals(expected, shapes(spec, inputSize, hiddenSize));
    assertEquals(expectedStates, spec.states());
  }

  private static String resource(String path) throws IOException {
    try (InputStream in = CellSpecTest.class.getResourceAsStream(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static int intField(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":\\s*(\\d+)").matcher(json);
    assertTrue(m.find(), field);
    return Integer.parseInt(m.group(1));
  }

  @Test
  void builderGruEqualsParsedGru() {
    CellSpec built = CellSpec.builder()
        .input("x")
        .state("h")
        .define("r", Fn.SIGMOID.of(add(matmul("W_ir", var("x")), param("b_ir"), matmul("W_hr", prev("h")), param("b_hr"))))
        .define("z", Fn.SIGMOID.of(add(matmul("W_iz", var("x")), param("b_iz"), matmul("W_hz", prev("h")), param("b_hz"))))
        .define("n", Fn.TANH.of(add(matmul("W_in", var("x")), param("b_in"),
            mul(var("r"), add(matmul("W_hn", prev("h")), param("b_hn"))))))
        .define("h", add(mul(sub(num(1), var("z")), var("n")), mul(var("z"), prev("h"))))
        .build();
    CellSpec parsed = CellSpec.parse(GRU_ASCII);
    assertEquals(parsed, built);
    assertEquals(parsed.hashCode(), built.hashCode());
    assertEquals(Zoo.load("gru"), built);
    assertEquals(Notation.BUILDER, built.notation());
    assertEquals(parsed.toNormalizedString(), built.toNormalizedString());
  }

  @Test
  void builderErrorsHaveNoLocation() {
    CellFormulaException e = assertThrows(CellFormulaException.class, () -> CellSpec.builder()
        .define("h", add(matmul("W", prev("h")), param("W"))).build());
    assertEquals("<builder>: 'W' is used both as a matrix and as a vector", e.getMessage());
  }

  @Test
  void threeNotationsOfOneCellAreEqual() {
    CellSpec latex = CellSpec.parse("$$ h_t = \\tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}) $$");
    CellSpec unicode = CellSpec.parse("h_t = tanh(W_ih · x_t + b_ih + W_hh · h_{t−1} + b_hh)");
    CellSpec ascii = CellSpec.parse("h' = tanh(W_ih x + b_ih + W_hh h + b_hh)");
    assertEquals(Zoo.load("rnn"), latex);
    assertEquals(latex, unicode);
    assertEquals(latex, ascii);
    assertNotEquals(Zoo.load("rnn-relu"), ascii);
  }

  @Test
  void juxtapositionOfVariablesIsElementwiseAndOfAParameterIsAMatrixProduct() {
    CellSpec spec = CellSpec.parse("\\tilde{h}_t = \\tanh(W x_t)\nh_t = z_t h_{t-1} + (1 - z_t) \\tilde{h}_t\n"
        + "z_t = \\sigma(U h_{t-1})");
    Equation h = spec.equations().get(2);
    assertEquals("h", h.target());
    Expr.Binary sum = (Expr.Binary) h.expr();
    assertEquals(Expr.BinaryOp.MUL, ((Expr.Binary) sum.left()).op());
    assertInstanceOf(Expr.MatMul.class, ((Expr.Apply) spec.equations().get(0).expr()).arg());
    assertEquals(List.of("h~", "z", "h"), spec.equations().stream().map(Equation::target).toList());
  }

  @Test
  void canonicalNamesDropBracesBackslashesAndTime() {
    CellSpec spec = CellSpec.parse(
        "r_t = \\sigma(W_{hr} h_{t-1} + W^{r} x_t + W^{(z)} x_t + \\hat{b} + \\mathrm{bias}_{\\alpha})\n"
            + "h_t = r_t \\odot h_{t-1}");
    assertEquals(List.of("W_hr", "W^r", "W^(z)", "b^", "bias_alpha"),
        spec.parameters().stream().map(Parameter::name).toList());
    assertEquals(spec, CellSpec.parse(spec.toNormalizedString()));
  }

  @Test
  void functionWordsAreRecognizedBeforeLettersMultiply() {
    CellSpec spec = CellSpec.parse("h_t = tanh(Wh_{t-1}) + \\exp(Ux_t) + sigmoid(Vx_t)");
    assertEquals(List.of("W", "U", "V"), spec.parameters().stream().map(Parameter::name).toList());
  }

  @Test
  void fracNumbersAndNegationParse() {
    CellSpec spec = CellSpec.parse("h_t = \\frac{1}{2} W h_{t-1} - 0.25 \\cdot x_t + -h_{t-1}", "f.cell");
    assertEquals(spec, CellSpec.parse(spec.toNormalizedString()));
    assertEquals("h' = 1 / 2 * W @ h - 0.25 * x + -h", spec.toNormalizedString().lines()
        .filter(l -> l.startsWith("h'")).findFirst().orElseThrow());
  }

  @Test
  void timeStepsWrittenAsTPlusOne() {
    CellSpec spec = Zoo.load("mut1");
    assertEquals(List.of("h"), spec.states());
    assertEquals(List.of("I = H"), spec.sizeRequirements());
    assertEquals(65920, spec.parameterCount(128, 128));
  }

  @Test
  void declaredShapesOverrideInference() {
    CellSpec spec = CellSpec.parse("input u\nstate s : [2H]\nparam A : [2H, I]\ns' = tanh(A u + B s)");
    assertEquals(List.of("u"), spec.inputs());
    assertArrayEquals(new int[] {8, 3}, spec.parameter("A").shape(3, 4));
    assertArrayEquals(new int[] {8, 8}, spec.parameter("B").shape(3, 4));
  }

  @Test
  void undeterminedDimensionsDefaultToH() {
    CellSpec spec = CellSpec.parse("a_t = W h_{t-1}\nh_t = V a_t", "f.cell");
    assertEquals(List.of(Dim.H, Dim.H), spec.parameter("W").dims());
    assertEquals(Dim.H, spec.dimOf("a"));
  }

  @Test
  void shapesOfEverySubExpression() {
    CellSpec spec = CellSpec.parse(COLAH_UNICODE);
    ShapeInfo s = spec.shapes(3, 4);
    Expr.Apply f = (Expr.Apply) spec.equations().get(0).expr();
    Expr.Binary sum = (Expr.Binary) f.arg();
    Expr.MatMul product = (Expr.MatMul) sum.left();
    assertArrayEquals(new int[] {4, 7}, s.of(product.matrix()));
    assertArrayEquals(new int[] {7}, s.of(product.vector()));
    assertArrayEquals(new int[] {4}, s.of(product));
    assertEquals(List.of(Dim.H.plus(Dim.I)), spec.dimsOf(product.vector()));
    assertEquals(3, s.ofVariable("x"));
    assertArrayEquals(new int[] {4}, s.ofParameter("b_f"));
    Equation c = spec.equations().get(3);
    Expr.Binary sumOfProducts = (Expr.Binary) c.expr();
    Span left = sumOfProducts.left().span();
    assertEquals(5, left.line());
    assertEquals(7, left.column());
    assertEquals("f_t ∗ C_{t-1}", COLAH_UNICODE.substring(left.start(), left.end()));
  }

  @Test
  void parsesFilesWithTheirNameInErrors(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.cell");
    Files.writeString(file, "h_t = tanh(W h_{t-1}", StandardCharsets.UTF_8);
    CellFormulaException e = assertThrows(CellFormulaException.class, () -> CellSpec.parse(file));
    assertEquals("bad.cell", e.sourceName());
    assertEquals(1, e.line());
    assertEquals(11, e.column());
    Path good = dir.resolve("rnn.cell");
    Files.writeString(good, Zoo.text("rnn"), StandardCharsets.UTF_8);
    assertEquals(Zoo.load("rnn"), CellSpec.parse(good));
    Path binary = dir.resolve("bin.cell");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x41});
    assertEquals("bin.cell: not valid UTF-8",
        assertThrows(CellFormulaException.class, () -> CellSpec.parse(binary)).getMessage());
  }

  @Test
  void sizesMustBePositive() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Zoo.load("gru").shapes(0, 4));
    assertEquals("input size (0) must be positive", e.getMessage());
  }
}
