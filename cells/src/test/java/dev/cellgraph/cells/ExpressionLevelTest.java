package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.cells.lang.CellFormulaException;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Dim;
import dev.cellgraph.cells.lang.Fn;
import dev.cellgraph.cells.lang.Parameter;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The expression level of the language's second edition: reductions over the hidden axis and
 * powers, constants and scalar parameters, diagonal matrices and the piecewise activations, each
 * in LaTeX, Unicode and ASCII, with their values, their subgradients at the kinks (PyTorch's) and
 * their gradients, compiled without falling back to the interpreter.
 */
class ExpressionLevelTest {
  /** Ba et al. 2016, eq. 4, normalising a simple RNN's pre-activation (their section 3.1), as the paper writes it. */
  static final String BA_LATEX = "a^t = W_{hh} h^{t-1} + W_{xh} x^t\n"
      + "\\mu^t = \\frac{1}{H}\\sum_{i=1}^{H} a_i^t\n"
      + "\\sigma^t = \\sqrt{\\frac{1}{H}\\sum_{i=1}^{H}(a_i^t - \\mu^t)^2}\n"
      + "h^t = \\tanh\\left[\\frac{g}{\\sigma^t} \\odot (a^t - \\mu^t) + b\\right]\n";
  static final String BA_UNICODE = "a_t = W_hh h_{t-1} + W_xh x_t\n"
      + "μ_t = (1/H) ∑_i a_i\n"
      + "σ_t = √((1/H) ∑_i (a_i - μ_t)^2)\n"
      + "h_t = tanh(g ⊙ (a_t - μ_t) / σ_t + b)\n";
  static final String BA_ASCII = "input x\nstate h\n"
      + "a = W_hh h + W_xh x\n"
      + "mu = mean(a)\n"
      + "sigma = sqrt(mean((a - mu)^2))\n"
      + "h' = tanh(g * (a - mu) / sigma + b)\n";

  private static Map<String, Tensor> params(Recurrent layer, long seed) {
    return layer.initialize(Rng.seeded(seed), DType.FLOAT64);
  }

  private static Tensor run(CellSpec spec, Map<String, Tensor> params, CompileOptions options) {
    Recurrent layer = Recurrent.of(FormulaCell.of("c", spec), 3, 4);
    Tensor x = Initializers.normal(Rng.seeded(3), DType.FLOAT64, Shape.of(5, 2, 3), 0, 1);
    return layer.run(params, x, Map.of(), null, options).output();
  }

  @Test
  void baEquationFourReadsTheSameInLatexUnicodeAndAscii() {
    CellSpec latex = CellSpec.parse(BA_LATEX, "ba.cell");
    CellSpec unicode = CellSpec.parse(BA_UNICODE, "ba.cell");
    CellSpec ascii = CellSpec.parse(BA_ASCII, "ba.cell");
    assertEquals(List.of("W_hh", "W_xh", "g", "b"), latex.parameters().stream().map(Parameter::name).toList());
    assertEquals(Dim.of(1), latex.dimOf("mu"));
    assertEquals(Dim.of(1), latex.dimOf("sigma"));
    Map<String, Tensor> p = params(Recurrent.of(FormulaCell.of("c", latex), 3, 4), 7);
    Tensor a = run(latex, p, CompileOptions.all());
    assertTrue(a.maxAbsDiff(run(unicode, p, CompileOptions.all())) < 1e-15);
    assertTrue(a.maxAbsDiff(run(ascii, p, CompileOptions.all())) < 1e-15);
    assertEquals(CellSpec.parse(latex.toNormalizedString()), latex);
  }

  @Test
  void aReductionIsOneNumberPerExampleThatBroadcastsOverTheHiddenAxis() {
    CellSpec spec = CellSpec.parse("h' = tanh(W x + U h) - mean(tanh(W x + U h))\n");
    Tensor y = run(spec, params(Recurrent.of(FormulaCell.of("c", spec), 3, 4), 5), CompileOptions.all());
    for (int t = 0; t < 5; t++) {
      for (int b = 0; b < 2; b++) {
        double s = 0;
        for (int k = 0; k < 4; k++) {
          s += y.get(t, b, k);
        }
        assertEquals(0.0, s, 1e-14);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {BA_LATEX, BA_ASCII,
      "\\beta = 0.5\nparam \\alpha : []\nh_t = \\tanh(\\alpha W h_{t-1} + \\beta U x_t) + \\mathrm{diag}(w_c) h_{t-1}\n",
      "param W_ci : diag[H]\nh' = sigmoid(W_ci h + U x)^2 * var(U x + h) + (2 + tanh(V x))^{-1}\n",
      "h' = elu(W x + U h, 0.5) + leaky_relu(V x, 0.2)\n",
      "h' = gelu(R h) + gelu_tanh(P x) + selu(Q h + W x)\n",
      "h' = hardtanh(W x + U h) + hardsigmoid(V x) + hard_sigmoid_keras2(R h) + clip(P x, -0.5, 0.5)\n",
      "h' = max(W x + U h, 0) + min(V x, R h) + softsign(P x) + softplus(Q h) + \\sqrt{abs(S x)}\n"})
  void passesTheGradientCheckAndRunsCompiledWithTheInterpretersNumbers(String text) {
    CellSpec spec = CellSpec.parse(text, "cell.cell");
    FormulaCell cell = FormulaCell.of("c", spec);
    GradCheck.Report rep = CellCheck.gradCheck(cell, 3, 4, 3, 2, 17);
    assertTrue(rep.passed(), rep.toString());
    Map<String, Tensor> p = params(Recurrent.of(cell, 3, 4), 11);
    long declined = Scan.declineCount();
    Tensor on = run(spec, p, CompileOptions.all());
    assertEquals(declined, Scan.declineCount(), Scan.lastDecline());
    assertTrue(on.maxAbsDiff(run(spec, p, CompileOptions.interpreted())) < 1e-13);
  }

  // ---------------------------------------------------------------- constants

  @Test
  void aConstantLineIsAConstantAndSetOverridesIt() {
    String janet = "\\beta = 1\ns_t = W_f h_{t-1} + U_f x_t + b_f\nh_t = \\sigma(s_t) \\odot h_{t-1}"
        + " + (1 - \\sigma(s_t - \\beta)) \\odot \\tanh(W_c h_{t-1} + U_c x_t + b_c)\n";
    CellSpec spec = CellSpec.parse(janet, "janet.cell");
    assertEquals(Map.of("beta", 1.0), spec.constants());
    assertEquals("defined at 1:1", spec.whyConstant("beta"));
    assertTrue(spec.parameters().stream().noneMatch(q -> q.name().equals("beta")));
    CellSpec two = spec.withConstants(Map.of("beta", 2.0));
    assertEquals(2.0, two.constants().get("beta"));
    assertEquals("set from outside the cell (--set)", two.whyConstant("beta"));
    assertTrue(two.toNormalizedString().contains("\nbeta = 2\n"), two.toNormalizedString());
    assertEquals(two, CellSpec.parse(two.toNormalizedString()));
  }

  @Test
  void aNameSpelledAsAnyNotationHasItsCanonicalName() {
    for (String s : new String[] {"beta", "\\beta", "β", " \\beta "}) {
      assertEquals("beta", CellSpec.canonicalName(s), s);
    }
    assertEquals("gamma_1", CellSpec.canonicalName("\\gamma_{1}"));
    assertEquals("gamma_1", CellSpec.canonicalName("γ_1"));
    assertEquals("epsilon", CellSpec.canonicalName("ε"));
    assertEquals("lambda", CellSpec.canonicalName("lambda"));
    assertEquals("'h'' is not a name",
        assertThrows(IllegalArgumentException.class, () -> CellSpec.canonicalName("h'")).getMessage());
    assertEquals("'a b' is not a name",
        assertThrows(IllegalArgumentException.class, () -> CellSpec.canonicalName("a b")).getMessage());
    assertEquals("'2' is not a name",
        assertThrows(IllegalArgumentException.class, () -> CellSpec.canonicalName("2")).getMessage());
    assertEquals("'\\betta' is not a name: unknown command '\\betta', did you mean '\\beta'?",
        assertThrows(IllegalArgumentException.class, () -> CellSpec.canonicalName("\\betta")).getMessage());
  }

  @Test
  void setRefusesALearnableParameter() {
    CellSpec spec = CellSpec.parse("h' = tanh(W x + U h) * lambda\n", "c.cell");
    assertEquals("c.cell: cannot set 'lambda': it is a learnable parameter of the cell, not a constant; to make it a"
        + " fixed hyperparameter, define it in the cell with a line such as 'lambda = 1', which --set then overrides",
        assertThrows(CellFormulaException.class, () -> spec.withConstants(Map.of("lambda", 0.5))).getMessage());
    assertEquals("c.cell: cannot set 'alpha': it is a declared parameter of the cell, not a constant",
        assertThrows(CellFormulaException.class, () -> CellSpec.parse("param \\alpha : []\nh' = tanh(\\alpha W h)",
            "c.cell", Map.of("alpha", 1.0))).getMessage());
  }

  @Test
  void aFunctionBodyReadsTheCellsConstantsAndSetReachesThem() {
    String text = "\\gamma = 2\nF(z) = \\gamma z / \\sqrt{\\mathrm{mean}((z)^2) + \\epsilon}\nh_t = F(W h_{t-1} + U x_t)\n";
    CellSpec spec = CellSpec.parse(text, "f.cell");
    assertEquals(Map.of("gamma", 2.0, "epsilon", 1e-5), spec.constants());
    CellSpec set = spec.withConstants(Map.of("gamma", 3.0, "epsilon", 1e-3));
    assertEquals(Map.of("gamma", 3.0, "epsilon", 1e-3), set.constants());
    assertEquals("set from outside the cell (--set)", set.whyConstant("epsilon"));
    assertEquals(List.of("W", "U"), set.parameters().stream().map(Parameter::name).toList());
  }

  @Test
  void setRefusesWhatIsNotAConstant() {
    CellSpec spec = CellSpec.parse("h' = tanh(W x + U h) * lambda\n", "c.cell");
    assertEquals("c.cell: cannot set 'h': it is a value the cell computes, not a constant",
        assertThrows(CellFormulaException.class, () -> spec.withConstants(Map.of("h", 1.0))).getMessage());
    assertEquals("c.cell: cannot set 'lamda': the cell has no constant or name 'lamda', did you mean 'lambda'?",
        assertThrows(CellFormulaException.class, () -> spec.withConstants(Map.of("lamda", 1.0))).getMessage());
  }

  @Test
  void epsilonIsAConstantWithADocumentedDefault() {
    CellSpec spec = CellSpec.parse("h_t = \\tanh(W x_t) / \\sqrt{\\mathrm{var}(U h_{t-1}) + \\epsilon}\n");
    assertEquals(Map.of("epsilon", 1e-5), spec.constants());
    assertTrue(spec.whyConstant("epsilon").startsWith("the default"));
    assertEquals(Map.of("epsilon", 1e-3), spec.withConstants(Map.of("epsilon", 1e-3)).constants());
  }

  @Test
  void aScalarParameterIsOneNumber() {
    CellSpec spec = CellSpec.parse("param \\alpha : []\nh_t = \\tanh(\\alpha W h_{t-1} + U x_t)\n");
    Parameter alpha = spec.parameter("alpha");
    assertEquals(Parameter.Role.SCALAR, alpha.role());
    assertArrayEquals(new int[0], alpha.shape(3, 4));
    assertEquals(1 + 16 + 12, spec.parameterCount(3, 4));
    assertTrue(spec.why("alpha").startsWith("scalar [], declared at 1:7"), spec.why("alpha"));
  }

  // ---------------------------------------------------------------- diagonal matrices

  @Test
  void aDiagonalMatrixIsStoredAsItsDiagonal() {
    CellSpec declared = CellSpec.parse("param W_{ci} : diag[H]\nh_t = \\tanh(W_{ci} h_{t-1} + U x_t)\n");
    assertEquals(Parameter.Role.DIAGONAL, declared.parameter("W_ci").role());
    assertArrayEquals(new int[] {4}, declared.parameter("W_ci").shape(3, 4));
    CellSpec applied = CellSpec.parse("h_t = \\tanh(\\mathrm{diag}(W_{ci})\\, h_{t-1} + U x_t)\n");
    assertEquals(Parameter.Role.VECTOR, applied.parameter("W_ci").role());
    CellSpec product = CellSpec.parse("h_t = \\tanh(W_{ci} \\odot h_{t-1} + U x_t)\n");
    assertEquals(product.equations(), applied.equations());
    assertEquals(declared.equations(), applied.equations());
    assertEquals("param W_ci : diag[H]", declared.toNormalizedString().lines()
        .filter(l -> l.startsWith("param W_ci")).findFirst().orElseThrow());
    assertEquals(declared, CellSpec.parse(declared.toNormalizedString()));
  }

  @Test
  void diagOutsideAProductIsAnError() {
    assertEquals("c.cell:1:19: '\\mathrm{diag}(w)' is a diagonal matrix: it can only multiply a vector, as in diag(w) c\n"
        + "h_t = \\tanh(x_t + \\mathrm{diag}(w)) + h_{t-1}\n"
        + "                  ^",
        assertThrows(CellFormulaException.class,
            () -> CellSpec.parse("h_t = \\tanh(x_t + \\mathrm{diag}(w)) + h_{t-1}", "c.cell")).getMessage());
  }

  // ---------------------------------------------------------------- activations and their kinks

  /** fn at xs and its derivative there, from the graph the language builds. */
  private static double[][] valueAndSlope(Fn fn, double[] xs, Double... constants) {
    Graph g = new Graph(fn.toString());
    Node x = g.input("x", DType.FLOAT64, xs.length);
    Node y = fn.apply(x, null, List.of(constants));
    Node dx = Gradients.of(y.sum(), List.of(x)).list().get(0);
    List<Tensor> out = Plan.compile(List.of(y, dx), List.of(x)).run(List.of(Tensor.of(DType.FLOAT64, xs, Shape.of(xs.length))));
    return new double[][] {out.get(0).toDoubleArray(), out.get(1).toDoubleArray()};
  }

  @Test
  void activationsComputePyTorchsValues() {
    double[] xs = {-2, -1, 0, 1, 2};
    // torch.nn.functional on tensor([-2., -1., 0., 1., 2.], dtype=torch.float64)
    assertArrayEquals(new double[] {-0.04550026389635842, -0.15865525393145702, 0, 0.841344746068543,
        1.9544997361036416}, valueAndSlope(Fn.GELU, xs)[0], 1e-15);
    assertArrayEquals(new double[] {-0.04540230591222494, -0.15880800939172324, 0, 0.8411919906082768,
        1.954597694087775}, valueAndSlope(Fn.GELU_TANH, xs)[0], 1e-15);
    assertArrayEquals(new double[] {-0.8646647167633873, -0.6321205588285577, 0, 1, 2}, valueAndSlope(Fn.ELU, xs)[0], 1e-15);
    assertArrayEquals(new double[] {-1.5201664685956948, -1.1113307378125625, 0, 1.0507009873554805,
        2.101401974710961}, valueAndSlope(Fn.SELU, xs)[0], 1e-15);
    assertArrayEquals(new double[] {0.16666666666666666, 0.3333333333333333, 0.5, 0.6666666666666666, 0.8333333333333334},
        valueAndSlope(Fn.HARDSIGMOID, xs)[0], 2e-16);
    assertArrayEquals(new double[] {0.1, 0.3, 0.5, 0.7, 0.9}, valueAndSlope(Fn.HARD_SIGMOID_KERAS2, xs)[0], 1e-15);
    assertArrayEquals(new double[] {-0.4, -0.2, 0, 1, 2}, valueAndSlope(Fn.LEAKY_RELU, xs, 0.2)[0], 0);
    assertArrayEquals(new double[] {-1, -1, 0, 1, 1}, valueAndSlope(Fn.HARDTANH, xs)[0], 0);
  }

  @Test
  void subgradientsAtTheKinksArePyTorchs() {
    // relu'(0) = 0; leaky_relu'(0) = slope; elu'(0) = alpha; hardtanh' and hardsigmoid' are 0 at
    // their bounds; clamp (clip, max and min with a constant) passes the gradient at its bounds
    assertArrayEquals(new double[] {0, 0, 1}, valueAndSlope(Fn.RELU, new double[] {-1, 0, 1})[1], 0);
    assertArrayEquals(new double[] {0.2, 0.2, 1}, valueAndSlope(Fn.LEAKY_RELU, new double[] {-1, 0, 1}, 0.2)[1], 0);
    assertArrayEquals(new double[] {0.5, 1}, valueAndSlope(Fn.ELU, new double[] {0, 1}, 0.5)[1], 0);
    assertArrayEquals(new double[] {0, 0, 1, 0, 0}, valueAndSlope(Fn.HARDTANH, new double[] {-2, -1, 0, 1, 2})[1], 0);
    assertArrayEquals(new double[] {0, 0, 1.0 / 6, 0, 0}, valueAndSlope(Fn.HARDSIGMOID, new double[] {-4, -3, 0, 3, 4})[1], 1e-17);
    assertArrayEquals(new double[] {0, 1, 1, 1, 0}, valueAndSlope(Fn.CLIP, new double[] {-2, -1, 0, 1, 2}, -1.0, 1.0)[1], 0);
    assertArrayEquals(new double[] {0, 0.2, 0.2, 0.2, 0},
        valueAndSlope(Fn.HARD_SIGMOID_KERAS2, new double[] {-3, -2.5, 0, 2.5, 3})[1], 1e-16);
    assertArrayEquals(new double[] {0, 1, 1}, valueAndSlope(Fn.MAX, new double[] {-1, 0, 1}, 0.0)[1], 0);
    assertArrayEquals(new double[] {1, 1, 0}, valueAndSlope(Fn.MIN, new double[] {-1, 0, 1}, 0.0)[1], 0);
  }

  @Test
  void everySpellingOfTheNewFunctionsParses() {
    for (String text : List.of("h_t = \\max(W x_t, U h_{t-1})", "h_t = \\operatorname{clip}(W x_t + U h_{t-1}, 0, 1)",
        "h_t = \\mathrm{GELU}(W x_t + U h_{t-1})", "h_t = \\mathrm{leaky\\_relu}(W x_t + U h_{t-1}, 0.1)",
        "h' = LeakyReLU(W x + U h)", "h_t = max (W x_t + U h_{t-1}, 0)", "h_t = √(abs(W x_t + U h_{t-1}))",
        "h_t = ∑_i x_i + U h_{t-1}", "h_t = W x_t + U h_{t-1} - \\operatorname{Var}(W x_t)")) {
      CellSpec.parse(text + "\n", "c.cell");
    }
  }

  @Test
  void unsupportedConstructsSayWhatIsUnsupported() {
    assertEquals("c.cell:1:7: '\\max_' (a maximum over an index) is not supported: \\max(a, b) and \\min(a, b) are elementwise",
        firstLine("h_t = \\max_i (W x_t) + U h_{t-1}"));
    assertEquals("c.cell:1:12: an n-th root \\sqrt[n]{...} is not supported: write (...)^{1/n}",
        firstLine("h_t = \\sqrt[3]{W x_t} + U h_{t-1}"));
    assertEquals("c.cell:1:7: clip takes 3 arguments (x, min, max), not 2", firstLine("h_t = clip(W x_t + U h_{t-1}, 0)"));
    assertEquals("c.cell:1:37: argument 2 of leaky_relu must be a constant number (such as 0.2, or a constant defined as"
        + " 'c = 0.2'), not 'h_{t-1}'", firstLine("h_t = leaky_relu(W x_t + U h_{t-1}, h_{t-1})"));
    assertEquals("c.cell:1:15: an exponent must be a constant number, such as ^2, ^{1/2} or ^{-1}, not '{h}'",
        firstLine("h_t = (W x_t)^{h} + U h_{t-1}"));
    assertEquals("c.cell:1:14: the index 'j' of the sum is in the subscript of 'W_{ij}': only sums over the hidden axis,"
        + " \\sum_j z_j, are supported (a matrix product is written W x)",
        firstLine("h_t = \\sum_j W_{ij} x_j + U h_{t-1}"));
    assertEquals("c.cell:1:7: mean reduces over the hidden axis, but 'mean(x_t)' is one number per example",
        firstLine("h_t = mean(mean(x_t)) + U h_{t-1}"));
    assertEquals("c.cell:1:7: '\\prod' is not supported in a cell's formulas", firstLine("h_t = \\prod_i x_t + U h_{t-1}"));
  }

  private static String firstLine(String text) {
    return assertThrows(CellFormulaException.class, () -> CellSpec.parse(text, "c.cell")).getMessage().lines()
        .findFirst().orElseThrow();
  }
}
