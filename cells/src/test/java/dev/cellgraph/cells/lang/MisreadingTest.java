package dev.cellgraph.cells.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Texts from papers that must never compute a different cell silently: exact messages, and transposes computed. */
class MisreadingTest {
  private static String error(String text) {
    return assertThrows(CellFormulaException.class, () -> CellSpec.parse(text, "cell.cell")).getMessage();
  }

  private static String detail(String text) {
    return assertThrows(CellFormulaException.class, () -> CellSpec.parse(text, "cell.cell")).detail();
  }

  @Test
  void hardSigmoidIsAmbiguousInEveryNotation() {
    String keras = "function 'hard_sigmoid' is ambiguous: Keras 2 computes clip(0.2 x + 0.5, 0, 1), write"
        + " hard_sigmoid_keras2; PyTorch and Keras 3 compute clip(x/6 + 1/2, 0, 1), write hardsigmoid";
    assertEquals("cell.cell:3:7: " + keras + "\n"
        + "i_t = hard_sigmoid(W_i x_t + U_i h_{t-1} + b_i)\n"
        + "      ^", error("h_t = i_t\n\ni_t = hard_sigmoid(W_i x_t + U_i h_{t-1} + b_i)"));
    assertEquals(keras, detail("h' = hard_sigmoid(W x + U h)"));
    assertEquals(keras, detail("h_t = \\text{hard\\_sigmoid}(W x_t + U h_{t-1})"));
    assertEquals("unknown function 'hardsigmod', did you mean 'hardsigmoid'?",
        detail("h_t = \\operatorname{hardsigmod}(W x_t + U h_{t-1})"));
    assertEquals("unknown function 'sigmod2', did you mean 'sigmoid'?", detail("h' = \\mathit{sigmod2} (W x + U h)"));
  }

  @Test
  void bothHardSigmoidsParseUnderTheirOwnNames() {
    assertEquals(Fn.HARDSIGMOID, ((Expr.Apply) CellSpec.parse("h' = hardsigmoid(W x + U h)").equations().get(0).expr()).fn());
    assertEquals(Fn.HARD_SIGMOID_KERAS2,
        ((Expr.Apply) CellSpec.parse("h_t = hard_sigmoid_keras2(W x_t + U h_{t-1})").equations().get(0).expr()).fn());
    assertEquals(Fn.HARD_SIGMOID_KERAS2,
        ((Expr.Apply) CellSpec.parse("h_t = \\mathrm{hard\\_sigmoid\\_keras2}(W x_t + U h_{t-1})").equations().get(0).expr())
            .fn());
  }

  @Test
  void lookingForFunctionWordsStaysLinear() {
    String text = "h_t = " + "ab_".repeat(80_000) + "x";
    long start = System.nanoTime();
    assertThrows(CellFormulaException.class, () -> CellSpec.parse("\\alpha\n" + text)); // LaTeX: one-letter scripts
    assertTrue(System.nanoTime() - start < 2_000_000_000L);
  }

  @Test
  void functionsPapersUseThatTheLanguageHasNotGotAreNotSupportedYet() {
    assertEquals("cell.cell:1:7: function 'softmax' is not supported yet\n"
        + "h_t = \\mathrm{softmax}(W x_t + U h_{t-1})\n"
        + "      ^", error("h_t = \\mathrm{softmax}(W x_t + U h_{t-1})"));
    assertEquals("function 'LN' is not defined: define it, as in 'LN(z; \\alpha, \\beta) = ...' (layer normalisation);"
        + " for the logarithm write ln or log",
        detail("h_t = \\mathrm{LN}(W x_t) + U h_{t-1}"));
    assertEquals("function 'LN' is not defined: define it, as in 'LN(z; \\alpha, \\beta) = ...' (layer normalisation);"
        + " for the logarithm write ln or log",
        detail("h_t = LN(W x_t) + U h_{t-1}"));
    assertEquals("function 'softmax' is not supported yet", detail("h' = softmax(W x + U h)"));
  }

  @Test
  void aLetterNothingDefinesAppliedToABracketIsAnUnknownFunction() {
    String greff = "\\bar{z}^t = W_z x^t + R_z y^{t-1} + b_z\nc^t = g(\\bar{z}^t) + c^{t-1}\ny^t = h(c^t)";
    assertEquals("cell.cell:2:7: unknown function 'g'; define it (g(z) = ..., or g = \\tanh for an activation), or for a product write g \\cdot (...), or declare g with 'param'\n"
        + "c^t = g(\\bar{z}^t) + c^{t-1}\n"
        + "      ^", error(greff));
    assertEquals("unknown function 'h'; define it (h(z) = ..., or h = \\tanh for an activation), or for a product write h \\cdot (...), or declare h with 'param'",
        detail("\\bar{z}^t = W_z x^t + R_z y^{t-1} + b_z\nc^t = \\tanh(\\bar{z}^t) + c^{t-1}\ny^t = h(c^t)"));
    assertEquals("unknown function 'Phi'; define it (\\Phi(z) = ..., or \\Phi = \\tanh for an activation), or for a product write \\Phi \\cdot (...), or declare Phi with 'param'",
        detail("h_t = \\tanh(\\Phi(x_t) + U h_{t-1})"));
    assertEquals("unknown function 'Phi'; define it (Φ(z) = ..., or Φ = \\tanh for an activation), or for a product write Φ \\cdot (...), or declare Phi with 'param'",
        detail("h_t = tanh(Φ(x_t) + U h_{t-1})"));
    assertEquals("unknown function 'W'; define it (W(z) = ..., or W = \\tanh for an activation), or for a product write W \\cdot (...), or declare W with 'param'",
        detail("h' = tanh(W(x) + U h)"));
  }

  @Test
  void explicitProductsStayProductsAndASpacedOneIsAWarning() {
    CellSpec plain = CellSpec.parse("h' = tanh(W @ x + U @ h)");
    for (String text : new String[] {"h' = tanh(W @ (x) + U h)", "h_t = \\tanh(W \\cdot (x_t) + U h_{t-1})",
        "h' = tanh(W x + U h)", "param W : [H, I]\nh' = tanh(W(x) + U h)"}) {
      CellSpec spec = CellSpec.parse(text);
      assertEquals(plain.toNormalizedString(), spec.toNormalizedString(), text);
      assertEquals(List.of(), spec.warnings(), text);
    }
    CellSpec spaced = CellSpec.parse("h_t = tanh(W (x_t) + U h_{t-1})", "cell.cell");
    assertEquals(plain.toNormalizedString(), spaced.toNormalizedString());
    assertEquals(List.of("cell.cell:1:12: warning: 'W (...)' is read as the parameter W times the bracket;"
        + " write W \\cdot (...) to say so\n"
        + "h_t = tanh(W (x_t) + U h_{t-1})\n"
        + "           ^"), spaced.warnings());
  }

  @Test
  void everySpellingOfTheTransposeKeepsTheParametersName() {
    CellSpec spec = CellSpec.parse("h_t = \\tanh(W^\\top x_t + U^{\\mathsf T} h_{t-1} + V^⊤ h_{t-1} + Z^{T} x_t + Y^T x_t)");
    assertEquals("input x\nstate h\noutput h\nparam W : [I, H]\nparam U : [H, H]\nparam V : [H, H]\n"
        + "param Z : [I, H]\nparam Y : [I, H]\nh' = tanh(W^T @ x + U^T @ h + V^T @ h + Z^T @ x + Y^T @ x)\n",
        spec.toNormalizedString());
    assertEquals(spec, CellSpec.parse(spec.toNormalizedString()));
    assertEquals("matrix [I, H], because its transpose multiplies 'x_t' at 1:13", spec.why("W"));
    assertEquals(CellSpec.parse("h' = tanh(W_x^T x + U h)"), CellSpec.parse("h_t = \\tanh(W^{\\top}_x x_t + U h_{t-1})"));
  }

  @Test
  void aTransposeOutsideAMatrixProductIsAnError() {
    assertEquals("cell.cell:1:17: 'b^T' is transposed but multiplies nothing: a transpose is the left operand"
        + " of a matrix product, as in W^T x\n"
        + "h' = tanh(W x + b^T)\n"
        + "                ^", error("h' = tanh(W x + b^T)"));
    assertEquals("'h^T': only a parameter can be transposed, and 'h' is a variable", detail("h' = tanh(W x + h^T)"));
    assertEquals("two transposes on one name", detail("h' = tanh(W^T^T x)"));
  }

  @Test
  void transposedProductComputesWTransposedTimesX() {
    int in = 3;
    int hid = 4;
    FormulaCell transposed = FormulaCell.of("t", CellSpec.parse("h' = tanh(W^T x + U h)"));
    FormulaCell plain = FormulaCell.of("p", CellSpec.parse("h' = tanh(V x + U h)"));
    Rng rng = Rng.seeded(14);
    Tensor w = Initializers.normal(rng, DType.FLOAT64, dev.cellgraph.core.Shape.of(in, hid), 0, 0.5);
    Tensor u = Initializers.normal(rng, DType.FLOAT64, dev.cellgraph.core.Shape.of(hid, hid), 0, 0.5);
    Tensor x = Initializers.normal(rng, DType.FLOAT64, dev.cellgraph.core.Shape.of(2, in), 0, 1);
    Tensor h = Initializers.normal(rng, DType.FLOAT64, dev.cellgraph.core.Shape.of(2, hid), 0, 1);
    Map<String, Tensor> values = Map.of("W", w, "V", w.transpose(), "U", u, "x", x, "h", h);
    Tensor a = step(transposed, in, hid, values);
    Tensor b = step(plain, in, hid, values);
    assertEquals(0.0, a.maxAbsDiff(b));
    double uh = 0;
    for (int k = 0; k < hid; k++) {
      uh += u.get(1, k) * h.get(0, k);
    }
    double expected = Math.tanh(dot(w, x, 0, 1, in) + uh); // row 0, unit 1: (Wᵀx)_1 = Σ_i W[i, 1] x_i
    assertEquals(expected, a.get(0, 1), 1e-15);
  }

  /** Σ_k m[k, col] v[row, k]: a column of m against a row of v, for a transposed product. */
  private static double dot(Tensor m, Tensor v, int row, int col, int n) {
    double s = 0;
    for (int k = 0; k < n; k++) {
      s += m.get(k, col) * v.get(row, k);
    }
    return s;
  }

  private static Tensor step(FormulaCell cell, int in, int hid, Map<String, Tensor> values) {
    Function step = cell.step(DType.FLOAT64, 2, in, hid);
    Map<Node, Tensor> feeds = new HashMap<>();
    for (Node p : step.params()) {
      feeds.put(p, values.get(p.name()));
    }
    return Plan.evaluate(step.results(), feeds).get(0);
  }

  @Test
  void theRowVectorConventionMixedWithColumnVectorsIsRefused() {
    String mixed = "input X\nstate H\n"
        + "R_t = \\sigma(\\mathbf{X}_t \\mathbf{W}_{xr} + \\mathbf{U} \\mathbf{H}_{t-1} + \\mathbf{b}_r)\n"
        + "\\mathbf{H}_t = R_t";
    assertEquals("cell.cell:3:27: parameter '\\mathbf{W}_{xr}' is on the right of the input '\\mathbf{X}_t' (the"
        + " row-vector convention, x W), but other products have the parameter on the left (column vectors): write the"
        + " matrix on the left, \\mathbf{W}_{xr} \\mathbf{X}_t (W is stored [out, in]), or every product as x W (the row"
        + " convention, W stored [in, out]; a 'convention row' line says so), or use ⊙ for an elementwise product\n"
        + "R_t = \\sigma(\\mathbf{X}_t \\mathbf{W}_{xr} + \\mathbf{U} \\mathbf{H}_{t-1} + \\mathbf{b}_r)\n"
        + "                          ^", error(mixed));
    assertEquals("parameter 'U' is on the right of '(r * h)' (the row-vector convention, x W), but other products have"
        + " the parameter on the left (column vectors): write the matrix on the left, U (r * h) (W is stored [out, in]),"
        + " or every product as x W (the row convention, W stored [in, out]; a 'convention row' line says so), or use ⊙"
        + " for an elementwise product", detail("h' = tanh(W x + (r * h) U)"));
    assertEquals(CellSpec.parse("h' = tanh(W x + 2 * b)"), CellSpec.parse("h' = tanh(W x + 2 b)"));
  }

  @Test
  void checkSaysWhyEachParameterIsWhatItIs() {
    CellSpec spec = CellSpec.parse("param U : [H, H]\nh_t = \\tanh(W x_t + U h_{t-1} + b) \\odot p", "cell.cell");
    assertEquals("matrix [H, I], because it multiplies 'x_t' at 2:13", spec.why("W"));
    assertEquals("matrix [H, H], declared at 1:7", spec.why("U"));
    assertEquals("vector [H], because it is added to 'W x_t + U h_{t-1}' at 2:33", spec.why("b"));
    assertEquals("vector [H], because it multiplies '\\tanh(W x_t + U h_{t-1} + b)' elementwise at 2:42", spec.why("p"));
  }

  @Test
  void strictCellsDeclareEveryParameter() {
    assertEquals("cell.cell:3:17: parameter 'U' is not declared, and every parameter must be (strict): declare it,"
        + " as in 'param U : [H, H]'\n"
        + "h' = tanh(W x + U h)\n"
        + "                ^", error("strict\nparam W : [H, I]\nh' = tanh(W x + U h)"));
    CellSpec declared = CellSpec.parse("strict # no inference\nparam W : [H, I]\nparam U : [H, H]\nh' = tanh(W x + U h)");
    assertEquals(CellSpec.parse("h' = tanh(W x + U h)"), declared);
    CellSpec loose = CellSpec.parse("h' = tanh(W x + U h)", "cell.cell");
    assertEquals("cell.cell:1:11: parameter 'W' is not declared, and every parameter must be (strict): declare it,"
        + " as in 'param W : [H, I]'\n"
        + "h' = tanh(W x + U h)\n"
        + "          ^", assertThrows(CellFormulaException.class, loose::requireDeclaredParameters).getMessage());
    assertEquals(declared, declared.requireDeclaredParameters());
    assertEquals(List.of("strict"), CellSpec.parse("strict = x + h\nh' = strict").intermediates()); // a name, not the line
  }

  @Test
  void aLoneSigmaIsTheNameSigmaInPrimedNotationToo() {
    // the merge of the two editions looped here, adding tokens until the heap was gone (FuzzTest)
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertEquals(CellSpec.parse("h' = tanh(W x + U h) / sigma"), CellSpec.parse("h' = tanh(W x + U h) / σ"));
      assertEquals(CellSpec.parse("h' = tanh(W x + U h) * sigma_1"), CellSpec.parse("h' = tanh(W x + U h) * σ_1"));
      assertEquals(CellSpec.parse("h' = sigmoid(W x + U h)"), CellSpec.parse("h' = σ(W x + U h)"));
      assertThrows(CellFormulaException.class, () -> CellSpec.parse("@\rσ\n'\\tilde{⊙⭂=*\\alphaexpoutput \\0.5=ׯshared "));
    });
  }
}
