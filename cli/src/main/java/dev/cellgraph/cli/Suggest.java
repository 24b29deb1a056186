package dev.cellgraph.cli;

import java.util.Collection;

/** The closest word to a misspelling, by edit distance. */
public final class Suggest {
  private Suggest() {}

  /** The candidate within edit distance 2 (or a third of the word) of {@code word}, or null. */
  public static String closest(String word, Collection<String> candidates) {
    String best = null;
    int bestD = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(word, c);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    int limit = Math.max(2, word.length() / 3);
    return bestD <= limit ? best : null;
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
