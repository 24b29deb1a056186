package dev.cellgraph.cells.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.cells.CellCheck;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The statements of issue 14's second section: user functions with per-application parameters,
 * activations, tuple targets, named sizes and the row-vector convention; in each notation, with
 * exact messages, gradient checks and the scan compiled (never run step by step).
 */
class StatementsTest {
  private static String error(String text) {
    return assertThrows(CellFormulaException.class, () -> CellSpec.parse(text, "cell.cell")).getMessage();
  }

  private static String detail(String text) {
    return assertThrows(CellFormulaException.class, () -> CellSpec.parse(text, "cell.cell")).detail();
  }

  private static List<String> names(CellSpec spec) {
    return spec.parameters().stream().map(Parameter::name).toList();
  }

  /** Ba et al.'s LN applied three times, with a body that the language can already write. */
  private static final String LN_LSTM = String.join("\n",
      "\\mathrm{LN}(z; \\alpha, \\beta) = \\frac{z - \\mu}{\\sigma} \\odot \\alpha + \\beta",
      "where \\mu = \\tanh(z), \\sigma = 1 + \\exp(z)",
      "(f_t; i_t; o_t; g_t) = \\mathrm{LN}(W_h h_{t-1}) + \\mathrm{LN}(W_x x_t) + b",
      "c_t = \\sigma(f_t) \\odot c_{t-1} + \\sigma(i_t) \\odot \\tanh(g_t)",
      "h_t = \\sigma(o_t) \\odot \\tanh(\\mathrm{LN}(c_t))");

  @Test
  void eachApplicationOfAFunctionHasItsOwnNumberedParameters() {
    CellSpec spec = CellSpec.parse(LN_LSTM, "ln.cell");
    assertEquals(List.of("W_h", "W_x", "alpha_1", "beta_1", "alpha_2", "beta_2", "b", "alpha_3", "beta_3"), names(spec));
    assertEquals("[4H, H]", spec.parameter("W_h").dims().toString());
    assertEquals("[4H]", spec.parameter("alpha_1").dims().toString());
    assertEquals("[H]", spec.parameter("alpha_3").dims().toString());
    assertEquals("vector [4H], the parameter alpha of application 1 of LN at 3:24, because it multiplies"
        + " '\\frac{z - \\mu}{\\sigma}' elementwise at 1:62", spec.why("alpha_1"));
    // an argument read twice and each local value are computed once, as values of the cell
    assertEquals(List.of("z_LN1", "mu_LN1", "sigma_LN1", "z_LN2", "mu_LN2", "sigma_LN2", "(f;i;o;g)", "f", "i", "o",
        "g", "mu_LN3", "sigma_LN3"), spec.intermediates());
    assertEquals(spec, CellSpec.parse(spec.toNormalizedString()));
  }

  @Test
  void theSameCellInUnicodeAndAsciiWithSharingAndNamedParameters() {
    CellSpec latex = CellSpec.parse(LN_LSTM);
    String unicode = String.join("\n",
        "LN(z; α, β) = (z − μ) / σ ⊙ α + β",
        "where μ = tanh(z), σ = 1 + exp(z)",
        "(f_t; i_t; o_t; g_t) = LN(W_h h_{t-1}) + LN(W_x x_t) + b",
        "c_t = σ(f_t) ⊙ c_{t-1} + σ(i_t) ⊙ tanh(g_t)",
        "h_t = σ(o_t) ⊙ tanh(LN(c_t))");
    assertEquals(latex, CellSpec.parse(unicode));
    String ascii = String.join("\n",
        "LN(z; alpha, beta) = (z - mu) / sigma * alpha + beta",
        "where mu = tanh(z), sigma = 1 + exp(z)",
        "(f, i, o, g) = LN(W_h h; alpha_1, beta_1) + LN(W_x x; alpha_2, beta_2) + b",
        "c' = sigmoid(f) * c + sigmoid(i) * tanh(g)",
        "h' = sigmoid(o) * tanh(LN(c'; alpha_3, beta_3))");
    assertEquals(latex, CellSpec.parse(ascii));
    CellSpec shared = CellSpec.parse("LN(z; a, b) = z * a + b\nshared a\nh' = tanh(LN(W x) + LN(U h))");
    assertEquals(List.of("W", "U", "a", "b_1", "b_2"), names(shared));
    assertEquals("vector [H], the parameter a of LN, shared by its applications, because it multiplies 'z' elementwise"
        + " at 1:19", shared.why("a"));
    CellSpec named = CellSpec.parse("F(z; a) = z * a\nh' = tanh(F(W x; g) + F(U h; g))");
    assertEquals(List.of("W", "U", "g"), names(named));
  }

  @Test
  void aFunctionParameterMayBeAMatrix() {
    CellSpec spec = CellSpec.parse("F(v; W, b) = \\tanh(W v + b)\nh_t = F(x_t) + F(h_{t-1})");
    assertEquals("[H, I]", spec.parameter("W_1").dims().toString());
    assertEquals("[H, H]", spec.parameter("W_2").dims().toString());
  }

  @Test
  void activationsAreTheFunctionsTheyName() {
    CellSpec tanh = CellSpec.parse("h_t = \\tanh(W x_t + U h_{t-1}) \\odot \\sigma(V h_{t-1})");
    assertEquals(tanh, CellSpec.parse("where g = \\tanh\nh_t = g(W x_t + U h_{t-1}) \\odot \\sigma(V h_{t-1})"));
    assertEquals(tanh, CellSpec.parse("activation φ = tanh\nh_t = φ(W x_t + U h_{t-1}) ⊙ σ(V h_{t-1})"));
    assertEquals(tanh, CellSpec.parse("activation phi = tanh\nh' = phi(W x + U h) * sigmoid(V h)"));
    assertEquals(tanh, CellSpec.parse("\\phi = \\tanh\nh_t = \\phi(W x_t + U h_{t-1}) \\odot \\sigma(V h_{t-1})"));
    CellSpec greff = CellSpec.parse("where g = h = \\tanh\ny^t = h(g(W x^t + R y^{t-1}))");
    assertEquals(CellSpec.parse("y^t = \\tanh(\\tanh(W x^t + R y^{t-1}))"), greff);
  }

  @Test
  void tupleTargetsSplitTheirValueIntoEqualParts() {
    CellSpec spec = CellSpec.parse("(f; i) = W x + U h + b\nh' = sigmoid(f) * h + i");
    assertEquals("[2H, I]", spec.parameter("W").dims().toString());
    assertEquals("(f; i) = W @ x + U @ h + b", spec.toNormalizedString().lines().filter(l -> l.startsWith("(")).findFirst()
        .orElseThrow());
    CellSpec states = CellSpec.parse("(a'; h') = W x + U h\nstate a");
    assertEquals(List.of("a", "h"), states.states());
    assertEquals(states, CellSpec.parse(states.toNormalizedString()));
    assertEquals("the parts of the tuple target '(f;i)' must be of one size, but part 1 is [H] and part 2 is [2H]",
        detail("param p : [2H]\n(f; i) = W x\nh' = f * h\ny = i * p\noutput h"));
    assertEquals("a tuple target names two values or more, as in (f_t; i_t)", detail("(f) = W x\nh' = f"));
    assertEquals("expected ';' or ')' in the tuple target, found ','", detail("(f; i, o) = W x\nh' = f"));
  }

  @Test
  void namedSizesAreGivenByTheCallerOrByASizeLine() {
    String sak = "state r : [P]\nstate c\nc_t = \\tanh(W x_t + R r_{t-1}) \\odot c_{t-1}\nr_t = W_{rm} c_t\noutput r";
    assertEquals("cell.cell:1:12: the size 'P' is not given: give it on the command line as --size P=N, in Java to"
        + " CellSpec.parse(text, name, Map.of(\"P\", N), Map.of()), or as a default with a line 'size P = N' before it is used\n"
        + "state r : [P]\n"
        + "           ^", error(sak));
    CellSpec three = CellSpec.parse(sak, "sak.cell", Map.of("P", 3), Map.of());
    assertEquals("[P, H]", three.parameter("W_rm").dims().toString());
    assertEquals("[H, P]", three.parameter("R").dims().toString());
    assertEquals(List.of(3, 4), java.util.Arrays.stream(three.shapes(2, 4).ofParameter("W_rm")).boxed().toList());
    assertTrue(three.toNormalizedString().startsWith("size P = 3\n"), three.toNormalizedString());
    assertEquals(three, CellSpec.parse(three.toNormalizedString()));
    assertEquals("H+2P", CellSpec.parse("size P = 3\nstate c : [H+2P]\nc_t = W c_{t-1}").dimOf("c").toString());
    CellSpec byLine = CellSpec.parse("size P = 3\n" + sak);
    assertEquals(three, byLine);
    CellSpec five = CellSpec.parse("size P = 3\n" + sak, "s", Map.of("P", 5), Map.of());
    assertEquals(5, five.shapes(2, 4).ofParameter("W_rm")[0]);
    assertTrue(!five.equals(three), "the same form with another value of P is another cell");
    assertEquals("a size is a whole number from 1 to 1000000000, found '0'", detail("size P = 0\n" + sak));
    assertEquals("s: the size 'Q' is given, but the cell has no size of that name (it has P)",
        assertThrows(CellFormulaException.class, () -> CellSpec.parse(sak, "s", Map.of("P", 3, "Q", 2), Map.of())).getMessage());
    assertEquals("a named size (p) is an upper-case letter with optional letters and digits, other than I and H",
        assertThrows(IllegalArgumentException.class, () -> CellSpec.parse(sak, "s", Map.of("p", 3), Map.of())).getMessage());
  }

  @Test
  void theRowConventionIsReadFromTheEquationsOrDeclared() {
    CellSpec rows = CellSpec.parse("input X\nstate H\nH_t = \\tanh(X_t W_{x} + H_{t-1} W_{h} + b)");
    assertEquals("row vectors (x W, W stored [in, out]), because every product has its parameter on the right, as"
        + " 'X_t W_{x}' at 3:13", rows.convention());
    assertEquals("[I, H]", rows.parameter("W_x").dims().toString());
    assertEquals(CellSpec.parse("input X\nstate H\nH_t = \\tanh(W_{x}^T X_t + W_{h}^T H_{t-1} + b)"), rows);
    assertEquals("column vectors (W x, W stored [out, in])", CellSpec.parse("h' = tanh(W x)").convention());
    CellSpec declared = CellSpec.parse("convention row\nh' = tanh(x W + b)");
    assertEquals("row vectors (x W, W stored [in, out]), declared at 1:12", declared.convention());
    assertEquals("parameter 'W' is on the left of 'x', but the cell declares the row-vector convention (x W):"
        + " write the parameter on the right", detail("convention row\nh' = tanh(W x + h U)"));
    // x W V is (x W) V, as matrices multiply
    assertEquals(CellSpec.parse("h' = tanh(V^T W^T x)"), CellSpec.parse("convention row\nh' = tanh(x W V)"));
  }

  @Test
  void mistakesInFunctionsAreLocatedErrors() {
    assertEquals("cell.cell:1:16: 'q' in the body of function 'LN' is not one of its arguments (z), parameters (a),"
        + " local definitions or the cell's constants: define it in a 'where' line after the function, as in 'where q = ...'\n"
        + "LN(z; a) = z * q\n"
        + "               ^", error("LN(z; a) = z * q\nh_t = LN(W h_{t-1})"));
    assertEquals("function 'LN' takes 1 argument (z), but 2 are given", detail("LN(z; a) = z * a\nh_t = LN(W h_{t-1}, x_t)"));
    assertEquals("function 'LN' has 1 parameter (a), but 2 are named here",
        detail("LN(z; a) = z * a\nh_t = LN(W h_{t-1}; b, c)"));
    assertEquals("function 'F' applies itself, which cannot be expanded", detail("F(z) = F(z)\nh' = F(W h)"));
    assertEquals("'z_t' in the body of function 'F': a function's names have no time index or prime (its argument"
        + " is this step's value)", detail("F(z) = \\tanh(z_t)\nh_t = F(W h_{t-1})"));
    assertEquals("'a_1', the name application 1 of F at 2:11 gives its own parameter or value, is also a name of the"
        + " cell: name the parameters where the function is applied, as in LN(z; \\alpha_a, \\beta_a), or rename the"
        + " other 'a_1'", detail("F(z; a) = z * a\nh' = tanh(F(W h) + a_1)"));
    assertEquals("'a_1' would name a parameter or value of both application 1 of F at 3:11 and application 1 of G at"
        + " 3:20: name the parameters where the functions are applied, as in LN(z; \\alpha_a, \\beta_a)",
        detail("F(z; a) = z * a\nG(z; a) = z + a\nh' = tanh(F(W h) + G(U h))"));
    assertEquals("'\\tanh' is a built-in function, which a cell cannot define: give yours another name, as in F(z) = ...",
        detail("\\tanh(z) = z\nh' = tanh(h)"));
    assertEquals("function 'F' is defined twice (first at 1:1)", detail("F(z) = z\nF(y) = y\nh' = F(h)"));
    assertEquals("'h_t' is a value, but 'h' is defined as a function at 1:11: give one of them another name",
        detail("where g = h = \\tanh\nh_t = g(W h_{t-1})"));
    assertEquals("'g' is an activation: apply it to one value, as in g(z)", detail("g = \\tanh\nh' = g(W h, x)"));
    assertEquals("'q' is shared but no function has a parameter of that name", detail("F(z; a) = z * a\nshared q\nh' = F(h)"));
    assertEquals("a 'where' line gives the local definitions of the function defined on the line before it (as in"
        + " 'where \\mu = \\mathrm{mean}(z)'), or activations (as in 'where g = h = \\tanh')",
        detail("h' = tanh(W h)\nwhere m = h"));
  }

  static Stream<String> featureCells() {
    return Stream.of(LN_LSTM,
        "F(v; W, b) = \\tanh(W v + b)\nh_t = F(x_t) \\odot F(h_{t-1})",
        "(f; i; g) = W x + U h + b\nh' = sigmoid(f) * h + sigmoid(i) * tanh(g)",
        "input X\nstate H\nH_t = \\tanh(X_t W_{x} + (H_{t-1} \\odot X_t) W_{h} + b)");
  }

  /** Every statement, differentiated through three steps in float64. */
  @ParameterizedTest
  @MethodSource("featureCells")
  void everyStatementPassesTheGradientCheck(String text) {
    CellSpec spec = CellSpec.parse(text);
    int in = spec.sizeRequirements().isEmpty() ? 3 : 4;
    GradCheck.Report rep = CellCheck.gradCheck(FormulaCell.of("cell", spec), in, 4, 3, 2, 19);
    assertTrue(rep.passed(), rep.toString());
  }

  /** The scan compiler takes each of them whole: none runs step by step. */
  @ParameterizedTest
  @MethodSource("featureCells")
  void everyStatementRunsCompiled(String text) {
    CellSpec spec = CellSpec.parse(text);
    int in = spec.sizeRequirements().isEmpty() ? 3 : 4;
    Recurrent layer = Recurrent.of(FormulaCell.of("cell", spec), in, 4);
    Rng rng = Rng.seeded(5);
    Map<String, Tensor> params = layer.initialize(rng, DType.FLOAT64);
    Tensor x = Initializers.normal(rng, DType.FLOAT64, Shape.of(6, 3, in), 0, 1);
    Map<String, Tensor> states = new LinkedHashMap<>();
    for (String s : layer.cell().stateNames()) {
      states.put(s, Initializers.normal(rng, DType.FLOAT64, layer.stateShape(s, 3), 0, 0.5));
    }
    Tensor gradOut = Initializers.normal(rng, DType.FLOAT64, Shape.of(6, 3, layer.outputSize()), 0, 1);
    long declines = Scan.declineCount();
    layer.run(params, x, states, gradOut, CompileOptions.all());
    assertEquals(declines, Scan.declineCount(), () -> "declined: " + Scan.lastDecline());
  }

  /** Found by GrammarTest: every statement ends at {@code \\} as at a line break, and a comma that ends the line is dropped. */
  @Test
  void conventionStrictAndSharedEndWhereEveryStatementEnds() {
    assertEquals(CellSpec.parse("convention row\nh_t = \\tanh(x_t W + h_{t-1} U)"),
        CellSpec.parse("convention row \\\\ h_t = \\tanh(x_t W + h_{t-1} U)"));
    assertEquals("parameter 'W' is not declared, and every parameter must be (strict): declare it, as in"
        + " 'param W : [H, I]'", detail("strict \\\\ h_t = \\tanh(W x_t + h_{t-1})"));
    String ln = "LN(z; a) = z * a\nshared a%s\nh' = LN(W x) + LN(U h)\n";
    assertEquals(CellSpec.parse(String.format(ln, "")), CellSpec.parse(String.format(ln, ",")));
  }
}
