package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableMap;
import dev.cellgraph.core.Suggest;
import java.util.Locale;

/**
 * How a name applied to a bracket that is not a function of {@link Fn} is refused: as an
 * unknown function with the closest known one, or, for the functions papers use that the
 * language has not got yet ({@code softmax}, {@code \mathrm{LN}}),
 * as not supported yet, so that such a name never silently becomes a matrix parameter.
 */
final class FunctionNames {
  /** Functions published cells use that the language cannot build yet, by lower-case name, with what to write meanwhile. */
  private static final ImmutableMap<String, String> NOT_YET = ImmutableMap.<String, String>builder()
      .put("softmax", "").put("ln", " (layer normalisation)").put("layernorm", " (layer normalisation)")
      .buildOrThrow();

  /** No function name is longer: a bound that keeps the lexer linear over runs such as {@code ab_ab_ab...}. */
  static final int LONGEST = 64;

  private FunctionNames() {}

  /**
   * The message for {@code word} applied to a bracket: {@code unknown function 'sigmod', did you
   * mean 'sigmoid'?}, or {@code function 'softmax' is not supported yet}.
   */
  static String unknown(String word) {
    String lower = word.toLowerCase(Locale.ROOT);
    if (NOT_YET.containsKey(lower) && !lower.equals("ln")) {
      return "function '" + word + "' is not supported yet" + NOT_YET.get(lower);
    }
    if (lower.equals("hard_sigmoid")) { // Keras changed its meaning between versions 2 and 3
      return "function '" + word + "' is ambiguous: Keras 2 computes clip(0.2 x + 0.5, 0, 1), write"
          + " hard_sigmoid_keras2; PyTorch and Keras 3 compute clip(x/6 + 1/2, 0, 1), write hardsigmoid";
    }
    if (word.equals("LN")) { // ln is the natural logarithm; LN, as papers write it, is layer normalisation
      return "function 'LN' is not defined: define it, as in 'LN(z; \\alpha, \\beta) = ...' (layer normalisation);"
          + " for the logarithm write ln or log";
    }
    return "unknown function '" + word + "'" + closest(word);
  }

  /** {@code , did you mean 'sigmoid'?}: by spelling, else a known function the word contains ({@code hard_sigmoid}). */
  private static String closest(String word) {
    if (word.length() < 2) {
      return ""; // any one letter is one edit from σ: no suggestion is better than that one
    }
    String s = Suggest.IN_FORMULAS.suffix(word, Fn.allSpellings(), "");
    if (!s.isEmpty()) {
      return s;
    }
    String lower = word.toLowerCase(Locale.ROOT);
    String best = null;
    for (String f : Fn.allSpellings()) {
      if (f.length() >= 3 && lower.contains(f.toLowerCase(Locale.ROOT)) && (best == null || f.length() > best.length())) {
        best = f;
      }
    }
    return best == null ? "" : ", did you mean '" + best + "'?";
  }

  /** The end of the word {@code [A-Za-z][A-Za-z0-9_]*} at {@code p}, looking at most {@link #LONGEST} characters ahead. */
  static int wordEnd(String s, int p) {
    int q = p;
    while (q < s.length() && q - p < LONGEST && (Letters.isAsciiLetter(s.charAt(q)) || s.charAt(q) == '_'
        || (q > p && s.charAt(q) >= '0' && s.charAt(q) <= '9'))) {
      q++;
    }
    while (q > p && s.charAt(q - 1) == '_') {
      q--;
    }
    return q;
  }

  /** Whether a '(' follows offset q, after spaces and LaTeX's {@code \left}. */
  static boolean calledAt(String s, int q) {
    while (q < s.length()) {
      char c = s.charAt(q);
      if (c == ' ' || c == '\t') {
        q++;
      } else if (s.startsWith("\\left", q) && !(q + 5 < s.length() && Letters.isAsciiLetter(s.charAt(q + 5)))) {
        q += 5;
      } else {
        return c == '(';
      }
    }
    return false;
  }

  /**
   * Whether the paper-notation word {@code w}, followed by '(' ({@code adjacent}: with nothing
   * between), is a function's name rather than letters that multiply: three letters or more,
   * two directly before the bracket ({@code LN(z)}), or letters joined by '_' ({@code hard_sigmoid}).
   */
  static boolean functionWord(String w, boolean adjacent) {
    int lead = 0;
    while (lead < w.length() && Letters.isAsciiLetter(w.charAt(lead))) {
      lead++;
    }
    if (lead == w.length()) {
      return lead >= 3 || (lead == 2 && adjacent);
    }
    return lead >= 2 && w.indexOf('_') > 0 && !w.matches(".*_(t|[0-9]+)$");
  }
}
