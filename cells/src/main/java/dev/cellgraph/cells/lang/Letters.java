package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableMap;
import java.text.Normalizer;

/** The character classes of the formula language's lexical rules (docs/cell-language.md, "Identifiers"). */
final class Letters {
  /** Greek letters by their LaTeX names: {@code α} is {@code alpha}, {@code Φ} is {@code Phi}. */
  static final ImmutableMap<String, String> GREEK_LETTERS = greek();

  private Letters() {}


  static boolean isAsciiLetter(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isGreek(char c) {
    return GREEK_LETTERS.containsKey(String.valueOf(c));
  }

  static boolean isLetter(char c) {
    if (isAsciiLetter(c) || isGreek(c)) {
      return true;
    }
    if (c < 128) {
      return false;
    }
    String nfd = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFD);
    return nfd.length() > 1 && (isAsciiLetter(nfd.charAt(0)) || isGreek(nfd.charAt(0)));
  }

  private static ImmutableMap<String, String> greek() {
    String lower = "αalpha βbeta γgamma δdelta εepsilon ϵepsilon ζzeta ηeta θtheta ϑtheta ιiota κkappa "
        + "λlambda μmu νnu ξxi πpi ρrho τtau υupsilon φphi ϕphi χchi ψpsi ωomega Γgamma Δdelta "
        + "Θtheta Λlambda Ξxi Πpi Σsigma Υupsilon Φphi Ψpsi Ωomega";
    ImmutableMap.Builder<String, String> b = ImmutableMap.builder();
    for (String entry : lower.split(" ")) {
      String letter = entry.substring(0, 1);
      String name = entry.substring(1);
      if (Character.isUpperCase(letter.charAt(0))) {
        name = Character.toUpperCase(name.charAt(0)) + name.substring(1);
      }
      b.put(letter, name);
    }
    return b.buildOrThrow();
  }
}
