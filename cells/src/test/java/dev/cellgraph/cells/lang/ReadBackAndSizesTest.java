package dev.cellgraph.cells.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The findings of the reliability issue, one test each: the normalized form reads back as the
 * same cell, sizes are proved or refused at a place, and the lexer is linear.
 */
class ReadBackAndSizesTest {
  private static String error(String text) {
    return assertThrows(CellFormulaException.class, () -> CellSpec.parse(text, "a.cell")).getMessage();
  }

  private static String shapeError(CellSpec spec, int inputSize, int hiddenSize) {
    return assertThrows(CellFormulaException.class, () -> spec.shapes(inputSize, hiddenSize)).getMessage();
  }

  /** The normalized form, checked to read back as the same cell with the same form. */
  private static String readBack(String text) {
    CellSpec spec = CellSpec.parse(text, "a.cell");
    String normalized = spec.toNormalizedString();
    CellSpec again = CellSpec.parse(normalized, "normalized.cell");
    assertEquals(spec, again);
    assertEquals(normalized, again.toNormalizedString());
    return normalized;
  }

  @Test
  void aTimeOffsetBeyondAnIntIsTheUsualLocatedError() {
    assertEquals("a.cell:1:14: unsupported time index on 'h_{t-2147483648}': a cell reads only this step and "
        + "the previous one\nh_t = tanh(W h_{t-2147483648} + x_t)\n             ^",
        error("h_t = tanh(W h_{t-2147483648} + x_t)"));
    assertEquals("a.cell:1:1: unsupported time index on 'h_{t+99999999999}': a cell defines values at one step "
        + "from the previous one\nh_{t+99999999999} = h_t\n^", error("h_{t+99999999999} = h_t"));
  }

  @Test
  void aLongRunOfPaperLettersIsLexedInLinearTime() {
    // 200,000 letters took 26 s when each letter rescanned the rest of the run
    String text = "h_t = " + "a".repeat(200_000) + " h_{t-1}";
    CellFormulaException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertThrows(CellFormulaException.class, () -> CellSpec.parse(text, "a.cell")));
    assertEquals("formula nested too deeply (more than 200 levels)", e.detail());
    String spaced = "h_t = " + "\\\\[".repeat(60_000) + "h_{t-1}";
    assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertThrows(CellFormulaException.class, () -> CellSpec.parse(spaced, "a.cell")));
  }

  @Test
  void aLongLineIsLocatedInLinearTimeAndColumnsCountCodePoints() {
    // each node's column was counted from the start of its line: quadratic on one long line
    Source line = new Source("a.cell", "σ" + "x".repeat(600_000));
    long sum = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      long total = 0;
      for (int k = 0; k <= 600_000; k++) {
        total += line.columnOf(k);
      }
      return total;
    });
    assertEquals(600_001L * 600_002 / 2, sum);
    CellFormulaException e = assertThrows(CellFormulaException.class,
        () -> CellSpec.parse("h_t = x_t \\label{\uD835\uDC4A\uD835\uDC4A} ?", "a.cell"));
    assertEquals(22, e.column());
  }

  @Test
  void aNegativeLeadingSizeTermReadsBack() {
    assertEquals("input x\nstate h : [-H+I-1]\noutput h\nh' = h + 1\n", readBack("state h : [I-H-1]\nh' = h + 1"));
    assertEquals(ImmutableList.of(Dim.I.minus(Dim.H).minus(Dim.of(1))),
        CellSpec.parse("param b : [-H+I-1]\nh' = tanh(h + x) + b").parameter("b").dims());
  }

  @Test
  void aLongNegationChainPrintsNoDeeperThanWritten() {
    String minus = "-".repeat(150);
    assertEquals("input x\nstate h\noutput h\nh' = " + minus + "h\n", readBack("h' = " + minus + "h"));
  }

  @Test
  void deepProductsAndFunctionsWithoutBracketsReadBack() {
    // each prints with brackets the text did not need: h * (h * (...)), tanh(tanh(...))
    readBack("h_t = " + "h_{t-1} ".repeat(150) + "x_t");
    readBack("h_t = " + "\\tanh ".repeat(150) + "h_{t-1}");
  }

  @Test
  void aClosingParenthesisInASubscriptIsRefused() {
    assertEquals("a.cell:1:8: unsupported subscript '{a)}': use letters, digits and balanced parentheses\n"
        + "h_t = W_{a)} h_{t-1}\n       ^", error("h_t = W_{a)} h_{t-1}"));
    assertEquals("a.cell:1:8: unsupported subscript '{(a}': use letters, digits and balanced parentheses\n"
        + "h_t = W_{(a} h_{t-1}\n       ^", error("h_t = W_{(a} h_{t-1}"));
  }

  @Test
  void scriptsThatWouldEndEarlyAreBracedInTheNormalizedForm() {
    String n = readBack("h_t = W_{a(b)} h_{t-1} + U^{(z)c} x_t");
    assertTrue(n.contains("h' = W_{a(b)} @ h + U^{(z)c} @ x\n"), n);
  }

  @Test
  void anAccentOverANameWithScriptsGoesOnItsLetter() {
    CellSpec spec = CellSpec.parse("h_t = \\tilde{W_{z}} h_{t-1}");
    assertEquals("W~_z", spec.parameters().get(0).name());
    assertEquals(spec, CellSpec.parse("h_t = \\tilde{W}_{z} h_{t-1}"));
    assertEquals("input x\nstate h\noutput h\nparam W~_z : [H, H]\nh' = W~_z @ h\n",
        readBack("h_t = \\tilde{W_{z}} h_{t-1}"));
    // the time index inside the braces is kept: this reads the previous value
    assertEquals(CellSpec.parse("h_t = \\hat{h}_{t-1}\n\\hat{h}_t = x_t"),
        CellSpec.parse("h_t = \\hat{h_{t-1}}\n\\hat{h}_t = x_t"));
  }

  @Test
  void aCellWhoseNormalizedFormWouldExceedTheLimitIsRefused() {
    StringBuilder text = new StringBuilder();
    for (int k = 0; k < 9000; k++) {
      text.append("a^{").append(k).append("}_t = W^{").append(k).append("}x_t\n");
    }
    text.append("h_t = h_{t-1}\n");
    assertTrue(text.length() < CellSpec.MAX_CHARS);
    assertEquals("a.cell: cell too large: its normalized form has 374702 characters (the limit is 262144)",
        error(text.toString()));
  }

  @Test
  void aDeclaredInputSizeIsCheckedAgainstTheInputSize() {
    CellSpec spec = CellSpec.parse("input u : [1]\nh' = tanh(W u + U h)", "a.cell");
    assertEquals(ImmutableList.of("I = 1"), spec.sizeRequirements());
    assertTrue(spec.toNormalizedString().startsWith("# needs I = 1\ninput u : [1]\n"));
    assertEquals("a.cell:1:7: input 'u' is declared [1] but the input size I is 3\ninput u : [1]\n      ^",
        shapeError(spec, 3, 4));
    assertEquals(1, spec.shapes(1, 4).ofVariable("u"));
    assertEquals("a.cell:1:7: input 'u' is declared [I+1], which is never the input size I\n"
        + "input u : [I+1]\n      ^", error("input u : [I+1]\nh' = tanh(W u + U h)"));
    // an input declared [H] makes the cell one for I = H
    assertEquals(ImmutableList.of("I = H"), CellSpec.parse("input u : [H]\nh' = h + u").sizeRequirements());
  }

  @Test
  void sizesThatAreNeverPositiveAreRefusedAtTheirDeclaration() {
    assertEquals("a.cell:1:7: the size of state 'h' is [-H], which is never positive\nstate h : [-H]\n      ^",
        error("state h : [-H]\nh' = h + 1"));
    assertEquals("a.cell:1:7: the size of parameter 'b' is [0], which is never positive\n"
        + "param b : [H-H]\n      ^", error("param b : [H-H]\nh' = h + b"));
    assertEquals("a.cell:3:6: shape mismatch in '[h, z]': 'z' would be [0], which is never positive\n"
        + "s' = [h, z]\n     ^", error("state s : [H]\nh' = W x\ns' = [h, z]\nz = V x"));
  }

  @Test
  void aSizeThatIsNotPositiveForTheGivenSizesIsALocatedError() {
    CellSpec spec = CellSpec.parse("state h : [I-H-1]\nh' = h + 1", "a.cell");
    assertEquals("a.cell:1:7: the size of state 'h' would be [-H+I-1] = -2 for I = 3, H = 4, which is not "
        + "positive\nstate h : [I-H-1]\n      ^", shapeError(spec, 3, 4));
    assertEquals(2, spec.shapes(7, 4).ofVariable("h"));
    CellSpec big = CellSpec.parse("state h : [1000000000H]\nh' = h + 1", "a.cell");
    assertEquals("a.cell:1:7: the size of state 'h' would be [1000000000H] = 3000000000 for I = 1, H = 3, more "
        + "than 2147483647\nstate h : [1000000000H]\n      ^", shapeError(big, 1, 3));
  }

  @Test
  void sizesTooLargeToPrintAreRefused() {
    assertEquals("a.cell:1:12: size too large: 2000000000H (each of its numbers is at most 1000000000)\n"
        + "state h : [1000000000H+1000000000H]\n           ^", error("state h : [1000000000H+1000000000H]\nh' = h"));
    StringBuilder doubling = new StringBuilder("a0 = [x, x]\n");
    for (int k = 1; k < 30; k++) {
      doubling.append('a').append(k).append(" = [a").append(k - 1).append(", a").append(k - 1).append("]\n");
    }
    doubling.append("h' = tanh(W a29 + h)\n");
    assertEquals("a.cell:30:7: size too large: '[a28, a28]' would be [1073741824I] (each of its numbers is at "
        + "most 1000000000)\na29 = [a28, a28]\n      ^", error(doubling.toString()));
  }

  @Test
  void javaBuiltCellsThatCannotBeWrittenAreRefused() {
    assertEquals("<builder>: the number 1.0E-300 has no decimal form of at most 40 characters",
        assertThrows(CellFormulaException.class, () -> CellSpec.builder()
            .define("h", Expr.mul(Expr.num(1e-300), Expr.prev("h"))).build()).getMessage());
    assertEquals("<builder>: a concatenation needs two parts or more: '[h_{t-1}]'",
        assertThrows(CellFormulaException.class, () -> CellSpec.builder()
            .define("h", Expr.matmul("W", Expr.concat(Expr.prev("h")))).build()).getMessage());
  }

  @Test
  void numbersPrintAsTheShortestDecimalThatReadsBack() {
    assertEquals("0.1", Printer.number(0.1));
    assertEquals("0.00000000000000000000000000001", Printer.number(1e-29));
    assertEquals("123456789012345680000", Printer.number(123456789012345678901.0));
    assertEquals("h' = 0.00000000000000000000000000001 * h\n",
        readBack("h' = 0.00000000000000000000000000001 h").lines().reduce((a, b) -> b).orElseThrow() + "\n");
  }

  @Test
  void anArgumentOrLocalOfNumbersAloneIsPutInTheBodyAndReadsBack() {
    // printed as 'z_g1 = 2 + 1', the argument read back as a constant: another cell
    assertEquals("h' = tanh(W @ h + (2 + 1) * (2 + 1) + U @ x)",
        last(readBack("g(z) = z * z\ninput x\nstate h\nh' = tanh(W @ h + g(2 + 1) + U @ x)")));
    // a local of numbers alone, one that reads it, and an argument of a nested application made numbers by them
    assertEquals("h' = tanh(W @ h + (h * 2 + (2 + 1)) + U @ x + ((2 + 1) * (2 + 1) + 2))",
        last(readBack("g(z) = z * c + a\nwhere a = c + 1, c = 2\nk(z) = z * z\nf(y) = k(y + 1) + y\ninput x\n"
            + "state h\nh' = tanh(W @ h + g(h) + U @ x + f(2))")));
    CellSpec spec = CellSpec.parse("g(z) = z * z\ninput x\nstate h\nh' = tanh(W @ h + g(2 + 1) + U @ x)", "a.cell");
    assertEquals(List.of("h"), spec.equations().stream().map(Equation::target).toList());
  }

  @Test
  void aDefinitionOfNumbersAloneOnceExpandedOrByTheDefaultEpsilonIsAConstant() {
    String text = "g(z) = z * z\ninput x\nstate h\ny = g(2)\nd = 2 \\epsilon\nh' = tanh(W @ h + y + d + U @ x)";
    assertEquals("epsilon = 0.00001\ny = 4\nd = 0.00002\nh' = tanh(W @ h + y + d + U @ x)",
        readBack(text).lines().skip(5).collect(java.util.stream.Collectors.joining("\n")));
    CellSpec spec = CellSpec.parse(text, "a.cell");
    assertEquals(Map.of("epsilon", 1e-5, "y", 4.0, "d", 2e-5), spec.constants());
    assertEquals("a.cell:3:1: the output 'y' is numbers alone, a constant, but it must be computed from the input or"
        + " the states\ny = g(2)\n^", error("g(z) = z\noutput y\ny = g(2)\nh' = tanh(W @ h + y + U @ x)"));
  }

  private static String last(String normalized) {
    return normalized.lines().reduce((a, b) -> b).orElseThrow();
  }
}
