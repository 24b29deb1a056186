package dev.cellgraph.render;

import java.util.Map;

/**
 * LaTeX in a user's name turned into the Unicode it typesets as, so a diagram shows h̃ where the
 * cell file says {@code \tilde{h}}: accents become combining marks on their letter, Greek letter
 * commands become the letter, and font commands ({@code \mathbf}, {@code \mathrm}, ...) keep
 * only their argument. Scripts ({@code _t}, {@code ^{(t)}}) are left for {@link Labels#name}.
 *
 * <p>Thread-safe: static and stateless.
 */
final class Latex {
  private Latex() {}

  private static final Map<String, Character> ACCENTS = Map.of(
      "tilde", '\u0303', "widetilde", '\u0303', "hat", '\u0302', "widehat", '\u0302',
      "bar", '\u0304', "overline", '\u0304', "dot", '\u0307', "ddot", '\u0308',
      "vec", '\u20D7', "check", '\u030C');

  private static final java.util.Set<String> FONTS = java.util.Set.of(
      "mathbf", "mathrm", "mathit", "mathsf", "mathtt", "mathcal", "boldsymbol", "bm",
      "text", "textrm", "textit", "textbf", "operatorname");

  /** Greek letters by name; the {@code var} forms are the variant glyphs LaTeX prints. */
  private static final Map<String, String> GREEK = greek();

  private static Map<String, String> greek() {
    String table = "alpha α beta β gamma γ delta δ epsilon ϵ varepsilon ε zeta ζ eta η theta θ "
        + "vartheta ϑ iota ι kappa κ lambda λ mu μ nu ν xi ξ pi π rho ρ varrho ϱ sigma σ tau τ "
        + "upsilon υ phi ϕ varphi φ chi χ psi ψ omega ω Gamma Γ Delta Δ Theta Θ Lambda Λ Xi Ξ "
        + "Pi Π Sigma Σ Upsilon Υ Phi Φ Psi Ψ Omega Ω prime ′ top ⊤";
    String[] parts = table.split(" ");
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i < parts.length; i += 2) {
      m.put(parts[i], parts[i + 1]);
    }
    return Map.copyOf(m);
  }

  /** {@code text} with its LaTeX commands typeset; anything not understood is kept as written. */
  static String toUnicode(String text) {
    if (text.indexOf('\\') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int[] at = {0};
    while (at[0] < text.length()) {
      appendNext(text, at, out);
    }
    return out.toString();
  }

  /** Appends the typeset form of the item at {@code at[0]} (a command, a group or a character). */
  private static void appendNext(String s, int[] at, StringBuilder out) {
    char c = s.charAt(at[0]);
    if (c != '\\') {
      out.append(c);
      at[0]++;
      return;
    }
    int start = at[0] + 1;
    int end = start;
    while (end < s.length() && Character.isLetter(s.charAt(end))) {
      end++;
    }
    String command = s.substring(start, end);
    if (command.isEmpty()) {
      out.append(c); // a backslash before a non-letter (\, \;): not a command we typeset
      at[0]++;
      return;
    }
    at[0] = end;
    Character accent = ACCENTS.get(command);
    if (accent != null || FONTS.contains(command)) {
      String argument = toUnicode(argument(s, at));
      if (accent != null && !argument.isEmpty()) {
        // the mark goes on the first letter, as \tilde{W_z} typesets W̃_z in the cell language
        int first = Character.charCount(argument.codePointAt(0));
        out.append(argument, 0, first).append(accent.charValue()).append(argument, first, argument.length());
      } else {
        out.append(argument);
      }
      return;
    }
    String letter = GREEK.get(command);
    out.append(letter != null ? letter : "\\" + command);
  }

  /** A command's argument: a braced group (without its braces) or the next single character. */
  private static String argument(String s, int[] at) {
    while (at[0] < s.length() && s.charAt(at[0]) == ' ') {
      at[0]++;
    }
    if (at[0] >= s.length()) {
      return "";
    }
    if (s.charAt(at[0]) != '{') {
      if (s.charAt(at[0]) == '\\') {
        StringBuilder one = new StringBuilder();
        appendNext(s, at, one);
        return one.toString();
      }
      int cp = s.codePointAt(at[0]);
      at[0] += Character.charCount(cp);
      return new String(Character.toChars(cp));
    }
    int depth = 0;
    int open = at[0];
    for (int i = open; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '{') {
        depth++;
      } else if (ch == '}' && --depth == 0) {
        at[0] = i + 1;
        return s.substring(open + 1, i);
      }
    }
    at[0] = s.length(); // an unclosed group: the rest is its argument
    return s.substring(open + 1);
  }
}
