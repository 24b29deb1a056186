package dev.cellgraph.cells.lang;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/**
 * Generated cell texts for the property tests: whole cells from the grammar in every notation,
 * mutations of the zoo, LaTeX fragments and size declarations. Each text comes from a seed, so
 * a failure that jqwik reports is its seed and the text it prints.
 */
final class CellTexts {
  private CellTexts() {}

  /** How names and operators are spelled. */
  enum Style { PRIMED, PAPER_ASCII, PAPER_UNICODE, LATEX }

  private static final String[] FUNCTIONS_ASCII = {"tanh", "sigmoid", "sigma", "sigm", "relu", "ReLU", "exp",
      "log", "ln", "softplus", "softsign", "abs"};
  private static final String[] FUNCTIONS_LATEX = {"\\tanh", "\\sigma", "\\mathrm{sigm}", "\\operatorname{relu}",
      "\\exp", "\\log", "\\ln", "\\mathrm{softplus}", "\\text{softsign}", "\\mathrm{abs}"};
  private static final String[] STATES = {"h", "c", "s", "m"};
  private static final String[] INTERMEDIATES = {"r", "z", "f", "g", "n", "a"};
  private static final String[] SUBSCRIPTS = {"i", "f", "hr", "iz", "1", "2", "ho", "c"};
  private static final String[] SIZES = {"H", "I", "2H", "H+I", "2*H", "H-1", "3", "128", "I+H+1", "-H+2I",
      "1000000000H", "2H-I", "0", "-1", "H-H", "1000000000H+1000000000H", "1000000001", "I-I+1"};

  /** Whole cells, mostly valid, in all four notations. */
  static Arbitrary<String> grammarCells() {
    return Arbitraries.longs().map(seed -> cell(new Random(seed)));
  }

  /** A zoo cell's text with one to four random edits (deletions, insertions, swaps). */
  static Arbitrary<String> zooMutations() {
    return Arbitraries.longs().map(seed -> mutate(new Random(seed)));
  }

  /** Strings of LaTeX pieces, with a few random characters. */
  static Arbitrary<String> latexFragments() {
    return Arbitraries.longs().map(seed -> fragments(new Random(seed)));
  }

  /** Cells with declared sizes of every kind, valid or not. */
  static Arbitrary<String> sizedCells() {
    return Arbitraries.longs().map(seed -> sized(new Random(seed)));
  }

  /**
   * Cells with the statements of issue 14's second section (functions and their applications,
   * activations, shared parameters, tuple targets, named sizes, the row convention), in each
   * notation, mostly valid, a third of them with one random edit.
   */
  static Arbitrary<String> statementCells() {
    return Arbitraries.longs().map(seed -> statements(new Random(seed)));
  }

  private static final String[][] FUNCTION_LINES = {
      {"LN(z; a, b) = (z - m) / s * a + b\nwhere m = tanh(z), s = 1 + exp(z)", "LN"},
      {"\\mathrm{LN}(z; \\alpha, \\beta) = \\frac{z - \\mu}{\\sigma} \\odot \\alpha + \\beta\n"
          + "where \\mu = \\tanh(z), \\sigma = 1 + \\exp(z)", "\\mathrm{LN}"},
      {"F(v; W) = tanh(W v)", "F"}, {"G(u, v; p) = u * p + v", "G"}, {"g = h = tanh", "g"},
      {"where \\phi = \\tanh", "\\phi"}, {"activation φ = σ", "φ"}, {"K(z) = K(z)", "K"}};
  private static final String[] EXTRAS = {"shared a\n", "shared q\n", "convention row\n", "convention column\n",
      "size P = 3\n", "size P = 0\n", "state r : [P]\n", "size Q = 2\nstate q : [Q]\nq_t = W_q q_{t-1}\nq' = V q\n"};

  static String statements(Random r) {
    String[] f = FUNCTION_LINES[r.nextInt(FUNCTION_LINES.length)];
    boolean primed = r.nextBoolean();
    String h = primed ? "h" : "h_{t-1}";
    String x = primed ? "x" : "x_t";
    String call = f[1].equals("G") ? f[1] + "(W " + x + ", U " + h + ")"
        : f[1] + "(W " + x + (r.nextInt(4) == 0 ? "; a_9, b_9" : "") + ")";
    String[] bodies = {
        "(f; i) = " + call + " + " + f[1] + "(U " + h + ") + b\n" + (primed ? "h' = f * h + i" : "h_t = f_t * h_{t-1} + i_t"),
        (primed ? "h' = " : "h_t = ") + "tanh(" + call + ")",
        "(f, i, o) = " + call + "\n" + (primed ? "h' = f * h + i * o" : "h_t = f_t * h_{t-1} + i_t * o_t"),
        (primed ? "h' = tanh(x W + h U)" : "h_t = \\tanh(x_t W + h_{t-1} U)"),
        (primed ? "h' = tanh(" + call + " + x W)" : "h_t = " + call)};
    StringBuilder s = new StringBuilder(r.nextBoolean() ? "" : EXTRAS[r.nextInt(EXTRAS.length)]);
    s.append(f[0]).append('\n').append(bodies[r.nextInt(bodies.length)]).append('\n');
    if (r.nextInt(3) == 0) {
      int at = r.nextInt(s.length());
      String[] pieces = {";", ",", "(", ")", "=", "where ", "shared ", "LN(", "g(", "\\sigma", "_t", "'", " W", "\n"};
      switch (r.nextInt(3)) {
        case 0 -> s.deleteCharAt(at);
        case 1 -> s.insert(at, pieces[r.nextInt(pieces.length)]);
        default -> s.setCharAt(at, s.charAt(r.nextInt(s.length())));
      }
    }
    return s.toString();
  }

  static String cell(Random r) {
    Style style = Style.values()[r.nextInt(Style.values().length)];
    Gen g = new Gen(r, style);
    return g.cell();
  }

  private static final class Gen {
    final Random r;
    final Style style;
    final List<String> states = new ArrayList<>();
    final List<String> intermediates = new ArrayList<>();
    final java.util.Set<String> tilded = new java.util.HashSet<>();
    int params;
    String input = "x";

    Gen(Random r, Style style) {
      this.r = r;
      this.style = style;
    }

    String cell() {
      int ns = 1 + r.nextInt(3);
      for (int k = 0; k < ns; k++) {
        states.add(STATES[k]);
      }
      int ni = r.nextInt(4);
      for (int k = 0; k < ni; k++) {
        intermediates.add(INTERMEDIATES[r.nextInt(INTERMEDIATES.length)]);
      }
      StringBuilder s = new StringBuilder();
      if (r.nextInt(4) == 0) {
        input = "u";
        s.append("input u").append(r.nextInt(3) == 0 ? " : [" + SIZES[r.nextInt(4)] + "]" : "").append('\n');
      }
      if (r.nextInt(3) == 0) {
        s.append("state ").append(String.join(", ", states));
        if (states.size() == 1 && r.nextBoolean()) {
          s.append(" : [").append(SIZES[r.nextInt(5)]).append(']');
        }
        s.append('\n');
      }
      if (r.nextInt(6) == 0) {
        s.append("output ").append(states.get(0)).append('\n');
      }
      boolean latexBlock = style == Style.LATEX && r.nextBoolean();
      if (latexBlock) {
        s.append("$$\\begin{aligned}\n");
      }
      List<String> defined = new ArrayList<>();
      List<String> targets = new ArrayList<>(intermediates);
      targets.addAll(states);
      for (String t : targets) {
        if (defined.contains(t)) {
          continue; // a repeated intermediate name: defined once (a second definition is tested elsewhere)
        }
        s.append(latexBlock ? "& " : "").append(target(t)).append(latexBlock ? " &= " : " = ");
        s.append(expr(3, defined));
        defined.add(t);
        s.append(latexBlock ? (r.nextBoolean() ? " \\\\\n" : ",\\\\\n") : r.nextInt(8) == 0 ? ".\n" : "\n");
      }
      if (latexBlock) {
        s.append("\\end{aligned}$$\n");
      }
      return s.toString();
    }

    String target(String name) {
      boolean state = states.contains(name);
      return switch (style) {
        case PRIMED -> name + (state ? "'" : "");
        case PAPER_ASCII, PAPER_UNICODE -> name + "_t";
        case LATEX -> {
          if (r.nextInt(4) == 0 && !state) {
            tilded.add(name);
          }
          yield tilded.contains(name) ? "\\tilde{" + name + "}_t" : name + "_t";
        }
      };
    }

    String read(List<String> defined) {
      int k = r.nextInt(4);
      if (k == 0 || defined.isEmpty() && k == 1) {
        return style == Style.PRIMED ? input : input + "_t";
      }
      if (k == 1) {
        String d = defined.get(r.nextInt(defined.size()));
        boolean state = states.contains(d);
        return switch (style) {
          case PRIMED -> d + (state ? "'" : "");
          default -> (tilded.contains(d) ? "\\tilde{" + d + "}" : d) + "_t";
        };
      }
      String st = states.get(r.nextInt(states.size()));
      return switch (style) {
        case PRIMED -> st;
        case LATEX -> st + "_{t-1}";
        default -> st + "_{t-1}";
      };
    }

    String param(char letter) {
      String sub = SUBSCRIPTS[r.nextInt(SUBSCRIPTS.length)] + (params++ % 3 == 0 ? "" : String.valueOf(params));
      return switch (style) {
        case PRIMED, PAPER_ASCII, PAPER_UNICODE -> letter + "_" + sub;
        case LATEX -> r.nextInt(5) == 0 ? "\\mathbf{" + letter + "}_{" + sub + "}" : letter + "_{" + sub + "}";
      };
    }

    String fn() {
      if (style == Style.LATEX) {
        return FUNCTIONS_LATEX[r.nextInt(FUNCTIONS_LATEX.length)];
      }
      if (style == Style.PAPER_UNICODE && r.nextInt(3) == 0) {
        return "σ";
      }
      return FUNCTIONS_ASCII[r.nextInt(FUNCTIONS_ASCII.length)];
    }

    String times() {
      return switch (style) {
        case PRIMED -> r.nextBoolean() ? " * " : " ";
        case PAPER_ASCII -> " * ";
        case PAPER_UNICODE -> r.nextBoolean() ? " ⊙ " : " ∗ ";
        case LATEX -> r.nextBoolean() ? " \\odot " : " * ";
      };
    }

    String matmul() {
      return switch (style) {
        case PRIMED -> r.nextBoolean() ? " @ " : " ";
        case PAPER_ASCII -> " ";
        case PAPER_UNICODE -> r.nextBoolean() ? " · " : " ";
        case LATEX -> r.nextBoolean() ? " \\cdot " : " ";
      };
    }

    String expr(int depth, List<String> defined) {
      int k = depth <= 0 ? r.nextInt(3) : r.nextInt(12);
      return switch (k) {
        case 0 -> read(defined);
        case 1 -> param('W') + matmul() + (r.nextBoolean() ? read(defined) : "(" + expr(depth - 1, defined) + ")");
        case 2 -> r.nextInt(3) == 0 ? number() : param('b');
        case 3, 4 -> fn() + "(" + expr(depth - 1, defined) + ")";
        case 5, 6 -> expr(depth - 1, defined) + (r.nextBoolean() ? " + " : " - ") + expr(depth - 1, defined);
        case 7 -> "(" + expr(depth - 1, defined) + ")" + times() + "(" + expr(depth - 1, defined) + ")";
        case 8 -> style == Style.LATEX
            ? "\\frac{" + expr(depth - 1, defined) + "}{" + expr(depth - 1, defined) + "}"
            : "(" + expr(depth - 1, defined) + ") / (" + expr(depth - 1, defined) + ")";
        case 9 -> "-" + (r.nextBoolean() ? read(defined) : "(" + expr(depth - 1, defined) + ")");
        case 10 -> param('W') + matmul() + "[" + read(defined) + ", " + read(defined) + "]";
        default -> "(1 - " + expr(depth - 1, defined) + ")" + times() + read(defined);
      };
    }

    String number() {
      return switch (r.nextInt(4)) {
        case 0 -> "1";
        case 1 -> "0.5";
        case 2 -> String.valueOf(r.nextInt(1000));
        default -> "0." + "0".repeat(r.nextInt(30)) + (1 + r.nextInt(999));
      };
    }
  }

  static String mutate(Random r) {
    String name = Zoo.names().get(r.nextInt(Zoo.names().size()));
    String text = Zoo.text(name);
    StringBuilder s = new StringBuilder(text);
    for (int m = 1 + r.nextInt(4); m > 0; m--) {
      int at = r.nextInt(s.length() + 1);
      switch (r.nextInt(4)) {
        case 0 -> {
          if (at < s.length()) {
            s.deleteCharAt(at);
          }
        }
        case 1 -> s.insert(at, PIECES[r.nextInt(PIECES.length)]);
        case 2 -> {
          if (at < s.length()) {
            s.setCharAt(at, text.charAt(r.nextInt(text.length())));
          }
        }
        default -> {
          int from = r.nextInt(text.length());
          s.insert(at, text, from, Math.min(text.length(), from + r.nextInt(20)));
        }
      }
    }
    return s.toString();
  }

  static final String[] PIECES = {
      "h", "x", "W", "_t", "_{t-1}", "_{t+1}", "_{t-2147483648}", "^r", "^{(z)}", "_{a)}", "_{(a}", "'", " ", "\n",
      "\\\\", "&", "$$", "=", "+", "-", "−", "*", "∗", "⊙", "·", "@", "/", "(", ")", "[", "]", "{", "}", ",", ".",
      ":", "1", "0.5", "σ", "tanh", "sigmoid", "\\sigma", "\\tanh", "\\frac", "\\tilde{", "\\hat", "\\mathrm{",
      "\\begin{aligned}", "\\end{aligned}", "C̃", "α", "\\alpha", "input ", "state ", "output ", "param ", "[H, I]",
      "# c\n", "% c\n", "_", "^", "\\", "~", "\u0303", "\u0301", "\t", "\r", "ĥ", "relu", "sigmod", "exp", "z_t",
      "W_{hr}", "\\tilde{W_{z}}", "\\hat{h_{t-1}}", ": [-H+I-1]", ": [1]", "\\\\[2pt]", "\uFEFF", "\u0000",
      "\uD800", "𝑊", "---", "[", "input u : [1]\n", "h' = W U\n"};

  static String fragments(Random r) {
    String[] latex = {"\\tilde{", "\\hat{", "\\bar{", "\\widetilde{", "\\mathrm{", "\\mathbf{", "\\text{",
        "\\operatorname{", "\\frac{", "}{", "}", "{", "\\left(", "\\right)", "\\left[", "\\right]", "\\cdot", "\\odot",
        "\\circ", "\\ast", "\\sigma", "\\tanh", "\\alpha", "\\Sigma", "\\quad", "\\,", "\\;", "\\!", "\\\\",
        "\\\\[2pt]", "\\begin{aligned}", "\\end{aligned}", "\\begin{array}{ll}", "\\label{eq}", "\\tag{1}", "&", "&=",
        "$", "$$", "_", "^", "_{", "^{", "t", "t-1", "t+1", "h", "x", "W", "C", "b", "'", " ", "\n", "=", "+", "-",
        "(", ")", "[", "]", ",", "\\unknown", "\\big", "\\vec{", "\\theta", "\\varepsilon", "%", "#"};
    StringBuilder s = new StringBuilder();
    int len = r.nextInt(30);
    if (r.nextBoolean()) {
      s.append("h_t = ");
    }
    for (int k = 0; k < len; k++) {
      if (r.nextInt(10) == 0) {
        s.appendCodePoint(r.nextInt(0x2400));
      } else {
        s.append(latex[r.nextInt(latex.length)]);
      }
    }
    if (r.nextBoolean()) {
      s.append(" + W h_{t-1}");
    }
    return s.toString();
  }

  static String sized(Random r) {
    StringBuilder s = new StringBuilder();
    String size = SIZES[r.nextInt(SIZES.length)];
    switch (r.nextInt(5)) {
      case 0 -> s.append("input u : [").append(size).append("]\nh' = tanh(W u + U h)\n");
      case 1 -> s.append("state h : [").append(size).append("]\nh' = tanh(W x + U h)\n");
      case 2 -> s.append("param W : [").append(size).append(", ").append(SIZES[r.nextInt(SIZES.length)])
          .append("]\nh' = tanh(W x + h)\n");
      case 3 -> s.append("state h : [").append(size).append("]\nstate c : [").append(SIZES[r.nextInt(SIZES.length)])
          .append("]\nh' = W [c, h, x]\nc' = c + 1\n");
      default -> {
        // concatenations that double a size per equation: how large can a size get?
        int n = 1 + r.nextInt(40);
        s.append("a0 = [x, x]\n");
        for (int k = 1; k < n; k++) {
          s.append('a').append(k).append(" = [a").append(k - 1).append(", a").append(k - 1).append("]\n");
        }
        s.append("h' = tanh(W a").append(n - 1).append(" + h)\n");
      }
    }
    return s.toString();
  }
}
