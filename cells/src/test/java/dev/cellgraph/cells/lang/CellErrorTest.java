package dev.cellgraph.cells.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Every kind of invalid cell, with the exact located message a user sees. */
class CellErrorTest {
  private static String error(String name, String text) {
    return assertThrows(CellFormulaException.class, () -> CellSpec.parse(text, name)).getMessage();
  }

  @Test
  void explainerGruBlockFailsBecauseHIsReadButNeverDefined() {
    String block = "$$ \\begin{aligned} &r_t = \\sigma (W^rx_t + U^rh_{t-1}) \\\\&z_t = \\sigma "
        + "(W^zx_t + U^zh_{t-1}) \\end{aligned} $$";
    assertEquals("gru.cell:1:47: 'h' is read at t-1 but 'h_t' is never defined\n"
        + block + "\n"
        + "                                              ^", error("gru.cell", block));
    CellFormulaException e = assertThrows(CellFormulaException.class, () -> CellSpec.parse(block));
    assertEquals("<string>", e.sourceName());
    assertEquals(47, e.column());
    assertEquals("'h' is read at t-1 but 'h_t' is never defined", e.detail());
    assertEquals(e.getMessage(), e.toString());
  }

  @Test
  void unknownFunctionSuggestsTheClosest() {
    assertEquals("a.cell:1:7: unknown function 'sigmod', did you mean 'sigmoid'?\n"
        + "h_t = sigmod(W h_{t-1})\n"
        + "      ^", error("a.cell", "h_t = sigmod(W h_{t-1})"));
    assertEquals("a.cell:1:6: unknown function 'sigmod', did you mean 'sigmoid'?\n"
        + "h' = sigmod(W h)\n"
        + "     ^", error("a.cell", "h' = sigmod(W h)"));
    assertEquals("a.cell:1:7: unknown command '\\tahn', did you mean '\\tanh'?\n"
        + "h_t = \\tahn(W h_{t-1})\n"
        + "      ^", error("a.cell", "h_t = \\tahn(W h_{t-1})"));
  }

  @Test
  void unbalancedBrackets() {
    assertEquals("a.cell:1:11: unbalanced brackets: '(' is never closed\n"
        + "h_t = tanh(W h_{t-1} + (U x_t)\n"
        + "          ^", error("a.cell", "h_t = tanh(W h_{t-1} + (U x_t)"));
    assertEquals("a.cell:1:30: unbalanced brackets: ')' has no matching '('\n"
        + "h_t = tanh(W h_{t-1} + U x_t))\n"
        + "                             ^", error("a.cell", "h_t = tanh(W h_{t-1} + U x_t))"));
    assertEquals("a.cell:1:39: unbalanced brackets: '[' at 1:24 is closed by ')'\n"
        + "h_t = tanh(W h_{t-1} + [U x_t, h_{t-1}))\n"
        + "                                      ^", error("a.cell", "h_t = tanh(W h_{t-1} + [U x_t, h_{t-1}))"));
  }

  @Test
  void nameDefinedTwice() {
    assertEquals("a.cell:2:1: 'r_t' is defined twice (first on line 1)\n"
        + "r_t = U x_t\n"
        + "^", error("a.cell", "r_t = W h_{t-1}\nr_t = U x_t\nh_t = r_t"));
  }

  @Test
  void cycleAmongSameStepDefinitions() {
    assertEquals("a.cell:2:1: cycle among same-step definitions: a_t -> b_t -> a_t\n"
        + "a_t = b_t + h_{t-1}\n"
        + "^", error("a.cell", "h_t = a_t\na_t = b_t + h_{t-1}\nb_t = a_t"));
  }

  @Test
  void shapeConflictNamesTheSubExpressionAndBothShapes() {
    assertEquals("gru.cell:4:24: shape mismatch in 'r * (U_n h)': r is [H], U_n h is [H+I]\n"
        + "  n = tanh(W_n x + r * (U_n h) + b_n)\n"
        + "                       ^", error("gru.cell", "input x\nstate h\nparam U_n : [H+I, H]\n"
            + "  n = tanh(W_n x + r * (U_n h) + b_n)\nr = sigmoid(W_r h) * h\nh' = n"));
  }

  @Test
  void shapeConflictForSomeSizesIsReportedWithNumbers() {
    CellSpec mut1 = Zoo.load("mut1");
    CellFormulaException e = assertThrows(CellFormulaException.class, () -> mut1.shapes(3, 4));
    assertEquals("mut1.cell:6:62: shape mismatch in 'h_t ⊙ (1 − z)': h_t is [4], 1 − z is [3]\n"
        + "h_{t+1} = tanh(W_hh (r ⊙ h_t) + tanh(x_t) + b_h) ⊙ z + h_t ⊙ (1 − z)\n"
        + "                                                             ^", e.getMessage());
  }

  @Test
  void parameterUsedAsMatrixAndVector() {
    assertEquals("a.cell:1:19: 'W' is used both as a matrix (at 1:7) and as a vector\n"
        + "h_t = W h_{t-1} + W\n"
        + "                  ^", error("a.cell", "h_t = W h_{t-1} + W"));
  }

  @Test
  void otherMistakes() {
    assertEquals("a.cell:1:1: no state: nothing is read at the previous step (write the previous value of "
        + "a state as h_{t-1})\ny = W x\n^", error("a.cell", "y = W x"));
    assertEquals("a.cell:1:7: 'u_t' is read but never defined; declare inputs with 'input u'\n"
        + "h_t = u_t + h_{t-1}\n      ^", error("a.cell", "h_t = u_t + h_{t-1}"));
    assertEquals("a.cell:1:7: the input 'x' has no previous value\n"
        + "h_t = x_{t-1} + h_{t-1}\n      ^", error("a.cell", "h_t = x_{t-1} + h_{t-1}"));
    assertEquals("a.cell:1:1: 'x' is the input and cannot be defined\nx' = x\n^", error("a.cell", "x' = x"));
    assertEquals("a.cell:2:10: state 'c' is declared but c' is never defined\n"
        + "state h, c\n         ^", error("a.cell", "h' = h\nstate h, c"));
    assertEquals("a.cell:1:16: expected an operand at the end of the line\nh_t = h_{t-1} +\n               ^",
        error("a.cell", "h_t = h_{t-1} +"));
    assertEquals("a.cell:1:7: unexpected character '?'\nh_t = ?\n      ^", error("a.cell", "h_t = ?"));
    assertEquals("a.cell:1:1: cannot tell which value is the output: declare it, as in 'output b'\n"
        + "a' = b\n^", error("a.cell", "a' = b\nb' = a"));
  }

  @Test
  void hugeInputIsRefused() {
    String text = "h' = h\n" + "# padding\n".repeat(CellSpec.MAX_CHARS / 10 + 1);
    assertEquals("big.cell: cell text too large: " + text.length() + " characters (the limit is 262144)",
        error("big.cell", text));
  }

  @Test
  void deepNestingIsRefusedWithoutStackOverflow() {
    String syntax = "formula nested too deeply (more than 600 levels of brackets, functions and signs)";
    for (String deep : new String[] {
        "h_t = " + "(".repeat(100_000) + "h_{t-1}" + ")".repeat(100_000),
        "h_t = " + "-".repeat(50_000) + "h_{t-1}",
        "h_t = " + "tanh ".repeat(20_000) + "h_{t-1}",
        "h_t = " + "[h_{t-1}, ".repeat(20_000) + "x_t" + "]".repeat(20_000),
        "h_t = " + "\\frac{".repeat(20_000) + "1}{2}"}) {
      assertEquals(syntax, assertThrows(CellFormulaException.class, () -> CellSpec.parse(deep)).detail());
    }
    for (String deep : new String[] {
        "h_t = " + "h_{t-1} + ".repeat(20_000) + "x_t",
        "h_t = " + "W ".repeat(50_000) + "h_{t-1}",
        "h_t = " + "-".repeat(300) + "h_{t-1}"}) {
      assertEquals("formula nested too deeply (more than 200 levels)",
          assertThrows(CellFormulaException.class, () -> CellSpec.parse(deep)).detail());
    }
  }

  @Test
  void bracketsDoNotCountAsLevelsOfTheFormula() {
    // 250 brackets around one name: deep text, a formula of one level
    CellSpec spec = CellSpec.parse("h_t = " + "(".repeat(250) + "h_{t-1}" + ")".repeat(250));
    assertEquals("h' = h\n", spec.toNormalizedString().substring(spec.toNormalizedString().indexOf("h' =")));
  }

  @Test
  void deepJavaBuiltTreesAreRefused() {
    Expr e = Expr.prev("h");
    for (int k = 0; k < 100; k++) {
      e = Expr.add(e, e); // shared subtrees: 2^100 nodes as a tree
    }
    Expr big = e;
    assertEquals("<builder>: formula of 'h' too large (more than 200 levels or 65536 nodes)",
        assertThrows(CellFormulaException.class, () -> CellSpec.builder().define("h", big).build()).getMessage());
  }
}
