package dev.cellgraph.cells.lang;

import java.util.Collection;
import java.util.Locale;

/** "did you mean ...?" by edit distance (with transpositions). */
final class Suggest {
  private Suggest() {}

  /** {@code , did you mean 'sigmoid'?} for the closest candidate, or the empty string. */
  static String suffix(String word, Collection<String> candidates, String prefix) {
    if (word.length() > 40) {
      return "";
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    int allowed = Math.max(1, Math.min(2, word.length() / 3));
    return best != null && bestDistance <= allowed ? ", did you mean '" + prefix + best + "'?" : "";
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    int[] before = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          cur[j] = Math.min(cur[j], before[j - 2] + 1); // a transposition: "tahn" is one step from "tanh"
        }
      }
      int[] t = before;
      before = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
