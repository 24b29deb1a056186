package dev.cellgraph.core;

import java.util.Collection;
import java.util.Locale;

/**
 * "Did you mean ...?": the candidate closest to a misspelled word by edit distance, under one of
 * two rules. {@link #IN_FORMULAS} is the formula language's (function names, commands, zoo names
 * in a {@code .cell} file): case is ignored, swapping two neighbouring letters is one edit, and
 * at most two edits and a third of the word are allowed. {@link #ON_COMMAND_LINE} is the
 * {@code cellgraph} program's (commands, options, zoo names): case counts, a swap is two edits,
 * and two edits or a third of the word are allowed. Ties go to the first candidate.
 *
 * <p>Immutable and thread-safe.
 */
public final class Suggest {
  /** The formula language's rule: case-insensitive, a transposition is one edit, at most min(2, n/3) edits. */
  public static final Suggest IN_FORMULAS = new Suggest(true, true, false);
  /** The command line's rule: case-sensitive Levenshtein distance, at most max(2, n/3) edits. */
  public static final Suggest ON_COMMAND_LINE = new Suggest(false, false, true);

  /** Longer words are not names anyone misspelled, and the distance grows with both lengths. */
  private static final int LONGEST_IN_FORMULAS = 40;

  private final boolean ignoreCase;
  private final boolean transpositions;
  private final boolean lenient;

  private Suggest(boolean ignoreCase, boolean transpositions, boolean lenient) {
    this.ignoreCase = ignoreCase;
    this.transpositions = transpositions;
    this.lenient = lenient;
  }

  /**
   * The candidate close enough to {@code word} under this rule, or null.
   *
   * @param word the misspelled word as the user wrote it
   * @param candidates the valid names to choose from, in order of preference for ties
   * @return the first candidate at the smallest edit distance if that distance is allowed, else
   *     {@code null}
   */
  public String closest(String word, Collection<String> candidates) {
    if (!lenient && word.length() > LONGEST_IN_FORMULAS) {
      return null;
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = ignoreCase ? distance(word.toLowerCase(Locale.ROOT), c.toLowerCase(Locale.ROOT)) : distance(word, c);
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    int allowed = lenient ? Math.max(2, word.length() / 3) : Math.max(1, Math.min(2, word.length() / 3));
    return best != null && bestDistance <= allowed ? best : null;
  }

  /**
   * {@code , did you mean 'sigmoid'?} (the candidate after {@code prefix}) for the closest candidate, or "".
   *
   * @param word the misspelled word as the user wrote it
   * @param candidates the valid names to choose from, in order of preference for ties
   * @param prefix text put before the candidate in the hint, such as {@code --} for an option
   * @return {@code , did you mean '...'?} with {@code prefix} and the candidate, or {@code ""}
   */
  public String suffix(String word, Collection<String> candidates, String prefix) {
    String best = closest(word, candidates);
    return best != null ? ", did you mean '" + prefix + best + "'?" : "";
  }

  /**
   * The edit distance between {@code a} and {@code b} under this rule's kind of edit (case as given).
   *
   * @param a the first word
   * @param b the second word
   * @return the number of edits turning {@code a} into {@code b}, at least 0
   */
  public int distance(String a, String b) {
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
        if (transpositions && i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
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
