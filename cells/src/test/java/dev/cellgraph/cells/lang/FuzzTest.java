package dev.cellgraph.cells.lang;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Whatever the text, parsing ends quickly with a spec or a CellFormulaException. */
class FuzzTest {
  private static final String[] PIECES = {
      "h", "x", "W", "_t", "_{t-1}", "_{t+1}", "^r", "^{(z)}", "'", " ", "\n", "\\\\", "&", "$$", "=", "+", "-",
      "−", "*", "∗", "⊙", "·", "@", "/", "(", ")", "[", "]", "{", "}", ",", ".", ":", "1", "0.5", "σ", "tanh",
      "sigmoid", "\\sigma", ";", "where ", "activation ", "shared ", "convention row\n", "size P = 3\n", "[P]",
      "LN(", "LN(z; a, b) = z * a + b\n", "g = \\tanh\n", "(f; i) = ", "(f, i) = ", "x W", "\\tanh", "\\frac", "\\tilde{", "\\hat", "\\mathrm{", "\\begin{aligned}",
      "\\end{aligned}", "C̃", "α", "\\alpha", "input ", "state ", "output ", "param ", "[H, I]", "# c\n",
      "% c\n", "_", "^", "\\", "~", "\u0303", "\u0301", "\t", "\r", "ĥ", "relu", "sigmod", "exp", "z_t", "W_{hr}"};

  @Test
  void randomTextOnlyEverThrowsCellFormulaException() {
    // a guard against hangs only: generous, so that a loaded machine does not fail it
    assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
      Random random = new Random(20150315);
      for (int n = 0; n < 20_000; n++) {
        StringBuilder s = new StringBuilder();
        int len = random.nextInt(40);
        for (int k = 0; k < len; k++) {
          if (random.nextInt(8) == 0) {
            s.append((char) random.nextInt(0x3000));
          } else {
            s.append(PIECES[random.nextInt(PIECES.length)]);
          }
        }
        check(s.toString());
      }
    });
  }

  @Test
  void mutatedZooCellsOnlyEverThrowCellFormulaException() {
    // a guard against hangs only: generous, so that a loaded machine does not fail it
    assertTimeoutPreemptively(Duration.ofSeconds(180), () -> {
      Random random = new Random(7);
      for (String name : Zoo.names()) {
        String text = Zoo.text(name);
        for (int n = 0; n < 500; n++) {
          StringBuilder s = new StringBuilder(text);
          for (int m = 1 + random.nextInt(3); m > 0; m--) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(3)) {
              case 0 -> s.deleteCharAt(at);
              case 1 -> s.insert(at, PIECES[random.nextInt(PIECES.length)]);
              default -> s.setCharAt(at, text.charAt(random.nextInt(text.length())));
            }
          }
          check(s.toString());
        }
      }
    });
  }

  private static void check(String text) {
    try {
      CellSpec spec = CellSpec.parse(text, "fuzz.cell");
      spec.toNormalizedString();
      try {
        spec.shapes(3, 4);
        spec.shapes(4, 4);
      } catch (CellFormulaException e) {
        // cells that need I = H
      }
      CellSpec again = CellSpec.parse(spec.toNormalizedString(), "normalized.cell");
      if (!again.equals(spec)) {
        fail("normalized form differs for:\n" + text + "\n---\n" + spec.toNormalizedString());
      }
    } catch (CellFormulaException e) {
      e.getMessage();
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("parsing threw " + e + " for:\n" + text, e);
    }
  }
}
