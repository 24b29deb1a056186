package dev.cellgraph.cells.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.cells.CellCheck;
import dev.cellgraph.cells.FormulaCell;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * The second edition's constructs together, in generated cells: reductions, a user function with
 * parameters and local definitions, tuple targets, transposes, constants, scalar parameters and
 * diagonal matrices, in primed ASCII and in LaTeX paper notation. Every such cell parses, reads
 * back from its normalized form as itself, and a few pass a float64 gradient check; one-character
 * edits of the zoo fail, if at all, with the language's exception located at file:line:column.
 */
@Tag("fuzz")
class SecondEditionPropertyTest {
  /** The characters an edit inserts: the language's punctuation, and a few letters and digits. */
  private static final String INSERTED = "()[]{}_^'=,;:+-*/\\ \n$&%#xhWTσα0.1|~";

  @Property(seed = "1607", tries = 250)
  void secondEditionCellsParseAndReadBack(@ForAll("cells") String text) {
    CellSpec spec = CellSpec.parse(text, "fuzz.cell");
    CellSpec again = CellSpec.parse(spec.toNormalizedString(), "normalized.cell");
    assertEquals(spec, again, () -> "the normalized form reads back as another cell:\n" + text);
    assertEquals(spec.toNormalizedString(), again.toNormalizedString(), text);
  }

  // a gradient check of a 3-step sequence costs tens of milliseconds: a few cells keep it short
  @Property(seed = "1608", tries = 4)
  void secondEditionCellsPassTheGradientCheck(@ForAll("cells") String text) {
    CellSpec spec = CellSpec.parse(text, "fuzz.cell");
    GradCheck.Report rep = CellCheck.gradCheck(FormulaCell.of("fuzz", spec), 3, 4, 3, 2, 17);
    assertTrue(rep.passed(), () -> rep + "\n" + text);
  }

  @Property(seed = "1609")
  void oneCharacterEditsOfTheZooFailOnlyWithALocatedError(@ForAll("edits") String text) {
    try {
      CellSpec.parse(text, "fuzz.cell");
    } catch (CellFormulaException e) {
      assertTrue(e.getMessage().matches("(?s)fuzz\\.cell:" + e.line() + ":" + e.column() + ": .+") && e.line() > 0
          && e.column() > 0, () -> "not located at file:line:column: " + e.getMessage() + "\nfor:\n" + text);
    }
  }

  @Provide
  Arbitrary<String> cells() {
    return Arbitraries.longs().map(seed -> cell(new Random(seed)));
  }

  @Provide
  Arbitrary<String> edits() {
    return Arbitraries.longs().map(seed -> {
      Random r = new Random(seed);
      StringBuilder s = new StringBuilder(Zoo.text(Zoo.names().get(r.nextInt(Zoo.names().size()))));
      int at = r.nextInt(s.length());
      if (r.nextBoolean()) {
        s.deleteCharAt(at);
      } else {
        s.insert(at, INSERTED.charAt(r.nextInt(INSERTED.length())));
      }
      return s.toString();
    });
  }

  /** One cell: a layer norm, a tuple split into gates, two state updates, each with random terms. */
  static String cell(Random r) {
    boolean latex = r.nextBoolean();
    Terms t = new Terms(r, latex);
    int k = 2 + r.nextInt(3);
    List<String> gates = List.of("f", "i", "o", "g").subList(0, k);
    StringBuilder s = new StringBuilder();
    s.append("input x\nstate h, c\n");
    s.append(latex ? "param \\gamma : []\n\\lambda = 0.5\n" : "param gamma : []\nlambda = 0.5\n");
    s.append(latex
        ? "\\mathrm{LN}(z; \\alpha, \\beta) = \\frac{z - \\mu}{\\sigma} \\odot \\alpha + \\beta\n"
            + "where \\mu = \\mathrm{mean}(z), \\sigma = \\sqrt{\\mathrm{mean}((z - \\mu)^2) + \\epsilon}\n"
        : "LN(z; a, b) = (z - m) / s * a + b\nwhere m = mean(z), s = sqrt(var(z) + epsilon)\n");
    List<String> names = new ArrayList<>();
    for (String g : gates) {
      names.add(latex ? g + "_t" : g);
    }
    s.append('(').append(String.join(latex ? "; " : ", ", names)).append(") = ").append(t.sum(true)).append('\n');
    String f = latex ? "f_t" : "f";
    String i = latex ? "i_t" : "i";
    String c = latex ? "c_{t-1}" : "c";
    String sig = latex ? "\\sigma" : "sigmoid";
    String tanh = latex ? "\\tanh" : "tanh";
    String update = k == 2 ? tanh + "(" + i + ")" : sig + "(" + i + ") * " + tanh + "(" + (k == 4 ? "g_t" : "o_t") + ")";
    if (!latex) {
      update = update.replace("g_t", "g").replace("o_t", "o");
    }
    s.append(latex ? "c_t = " : "c' = ").append(sig).append('(').append(f).append(") * ").append(c).append(" + ")
        .append(update).append('\n');
    String cNow = latex ? "c_t" : "c'";
    s.append(latex ? "h_t = " : "h' = ").append(tanh).append('(').append(cNow).append(") * ")
        .append(latex ? "\\lambda" : "lambda").append(" + ").append(latex ? "\\gamma" : "gamma").append(" * ")
        .append(latex ? "\\mathrm{LN}(" : "LN(").append(t.sum(false)).append(")\n");
    return s.toString();
  }

  /** Random smooth terms, each with its own parameters. */
  private static final class Terms {
    final Random r;
    final boolean latex;
    int n;

    Terms(Random r, boolean latex) {
      this.r = r;
      this.latex = latex;
    }

    /** Two or three terms; in a tuple's right-hand side (whole) no diagonal product, which is of size H. */
    String sum(boolean whole) {
      List<String> terms = new ArrayList<>(List.of(sized()));
      for (int m = 1 + r.nextInt(2); m > 0; m--) {
        int kind = r.nextInt(4);
        terms.add(kind == 0 ? reduction() : kind == 1 && !whole ? diag() : sized());
      }
      return String.join(" + ", terms);
    }

    private String w() {
      n++;
      return latex ? "W_{" + n + "}" : "W" + n;
    }

    private String x() {
      return latex ? "x_t" : "x";
    }

    private String h() {
      return latex ? "h_{t-1}" : "h";
    }

    private String v() {
      return r.nextBoolean() ? w() + " " + x() : w() + " " + h();
    }

    private String sized() {
      return switch (r.nextInt(9)) {
        case 0 -> v();
        case 1 -> w() + (latex ? "^\\top " : "^T ") + x();
        case 2 -> (latex ? "\\mathrm{LN}(" : "LN(") + v() + ")";
        case 3 -> (latex ? "\\lambda" : "lambda") + " * (" + v() + ")";
        case 4 -> (latex ? "\\gamma \\odot \\tanh(" : "gamma * tanh(") + v() + ")";
        case 5 -> "(" + v() + ")^2";
        case 6 -> latex ? "\\sqrt{1 + (" + v() + ")^2}" : "sqrt(1 + (" + v() + ")^2)";
        case 7 -> latex ? "\\frac{1}{1 + \\exp(" + v() + ")}" : "1 / (1 + exp(" + v() + "))";
        default -> (latex ? "\\mathrm{elu}(" : "elu(") + v() + ")";
      };
    }

    private String reduction() {
      return switch (r.nextInt(3)) {
        case 0 -> (latex ? "\\mathrm{mean}(" : "mean(") + v() + ")";
        case 1 -> (latex ? "\\operatorname{Var}(" : "var(") + v() + ")";
        default -> latex ? "\\frac{1}{H} \\sum_{i=1}^{H} (" + v() + ")" : "sum(" + v() + ") / H";
      };
    }

    private String diag() {
      n++;
      return latex ? "\\mathrm{diag}(w_{" + n + "})\\, " + h() : "diag(w" + n + ") " + h();
    }
  }
}
