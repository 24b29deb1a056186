package dev.cellgraph.cells.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalTest {
  /** PyTorch's GRU with every name changed, the terms of each sum and each product reordered and regrouped. */
  private static final String GRU_REWRITTEN = String.join("\n",
      "input u",
      "state s",
      "a = sigmoid(b_1 + (V_1 s + b_2) + U_1 u)",
      "q = sigmoid(U_2 u + b_3 + V_2 s + b_4)",
      "m = tanh((V_3 s + b_6) * a + (b_5 + U_3 u))",
      "s' = s * q + m * (1 - q)");

  @Test
  void theGruWrittenTwoWaysHasOneForm() {
    CellSpec gru = Zoo.load("gru");
    CellSpec other = CellSpec.parse(GRU_REWRITTEN, "gru2.cell");
    assertEquals(Canonical.form(gru), Canonical.form(other));
    assertEquals(Canonical.hash(gru), Canonical.hash(other));
  }

  @Test
  void theGruInPaperNotationHasTheSameForm() {
    String paper = String.join("\n",
        "r_t = \\sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})",
        "z_t = \\sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})",
        "n_t = \\tanh(W_{in} x_t + b_{in} + r_t \\odot (W_{hn} h_{t-1} + b_{hn}))",
        "h_t = (1 - z_t) \\odot n_t + z_t \\odot h_{t-1}");
    assertEquals(Canonical.hash(Zoo.load("gru")), Canonical.hash(CellSpec.parse(paper, "gru.tex")));
  }

  @Test
  void aSwappedGateIsADifferentCell() {
    // z and 1 - z exchanged: the GRU of Cho et al. against PyTorch's, which are different cells
    String cho = GRU_REWRITTEN.replace("s' = s * q + m * (1 - q)", "s' = s * (1 - q) + m * q");
    assertNotEquals(Canonical.hash(Zoo.load("gru")), Canonical.hash(CellSpec.parse(cho, "cho.cell")));
  }

  @Test
  void sharingAParameterIsNotRenaming() {
    String shared = GRU_REWRITTEN.replace("b_4", "b_3");
    assertNotEquals(Canonical.hash(Zoo.load("gru")), Canonical.hash(CellSpec.parse(shared, "shared.cell")));
  }

  @Test
  void subtractionIsNotCommutative() {
    CellSpec a = CellSpec.parse("h' = tanh(W x - U h)");
    CellSpec b = CellSpec.parse("h' = tanh(U h - W x)");
    CellSpec c = CellSpec.parse("h' = tanh(-U h + W x)");
    assertNotEquals(Canonical.hash(a), Canonical.hash(b));
    assertEquals(Canonical.hash(a), Canonical.hash(c));
  }

  @Test
  void everyZooCellHasItsOwnHashButTheOnesThatComputeTheSame() {
    // Greff's vanilla LSTM as the paper prints it (where g = h = tanh, the pre-activations as
    // values of their own) is the peephole LSTM: one cell, one hash
    assertEquals(Canonical.hash(Zoo.load("lstm-peephole")), Canonical.hash(Zoo.load("lstm-vanilla")));
    // so is Graves's 2013 LSTM, its peepholes declared diagonal
    assertEquals(Canonical.hash(Zoo.load("lstm-peephole")), Canonical.hash(Zoo.load("lstm-graves")));
    Map<String, String> seen = new HashMap<>();
    for (String name : Zoo.names()) {
      if (name.equals("lstm-vanilla") || name.equals("lstm-graves")) {
        continue;
      }
      String previous = seen.put(Canonical.hash(Zoo.load(name)), name);
      assertEquals(null, previous, name + " has the hash of " + previous);
    }
  }

  @Test
  void theFormIsReadable() {
    assertEquals(String.join("\n",
        "in I; states s0:H; out s0",
        "s0' = tanh(sum(+(P0),+(matmul(P1,s0[t-1])),+(matmul(P2,x0))))"),
        Canonical.form(CellSpec.parse("h' = tanh(W x + U h + b)")));
  }
}
