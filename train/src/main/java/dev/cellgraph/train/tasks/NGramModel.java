package dev.cellgraph.train.tasks;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A character n-gram model with interpolated Kneser-Ney smoothing (Chen &amp; Goodman 1998, the
 * discount of each order estimated as n₁ / (n₁ + 2n₂)): the count-based baseline a character-level
 * recurrent model has to beat. The highest order uses raw counts, lower orders continuation
 * counts (in how many contexts a string was seen), the lowest one is interpolated with the uniform
 * distribution over the vocabulary, so every character has a probability above zero.
 *
 * <p>Immutable after construction and thread-safe.
 */
public final class NGramModel {
  private final int order;
  private final int vocabulary;
  /** Per order n (index n-1): counts of n-grams (raw at the top order, continuation below). */
  private final Map<Long, Integer>[] counts;
  /** Per order n: for each context of n-1 characters, the sum of its n-grams' counts. */
  private final Map<Long, Long>[] contextTotals;
  /** Per order n: for each context, how many distinct characters follow it. */
  private final Map<Long, Integer>[] contextTypes;
  private final double[] discount;

  /**
   * Counts every n-gram of {@code ids} (ids in [0, vocabulary)) up to length {@code order}.
   *
   * @param ids the training text as character ids
   * @param vocabulary the vocabulary size V (at least 1)
   * @param order the order n, in [1, 8]
   * @throws IllegalArgumentException if the order is not in [1, 8], an id is out of range, or the
   *     text is shorter than the order
   */
  @SuppressWarnings("unchecked")
  public NGramModel(int[] ids, int vocabulary, int order) {
    if (order < 1 || order > 8) {
      throw new IllegalArgumentException("n-gram order (" + order + ") must be in [1, 8]");
    }
    if (vocabulary < 1) {
      throw new IllegalArgumentException("vocabulary size (" + vocabulary + ") must be at least 1");
    }
    if (ids.length < order) {
      throw new IllegalArgumentException("a text of " + ids.length + " characters has no " + order + "-grams");
    }
    for (int id : ids) {
      if (id < 0 || id >= vocabulary) {
        throw new IllegalArgumentException("character id " + id + " is outside the vocabulary [0, " + vocabulary + ")");
      }
    }
    this.order = order;
    this.vocabulary = vocabulary;
    this.counts = new Map[order];
    this.contextTotals = new Map[order];
    this.contextTypes = new Map[order];
    this.discount = new double[order];
    Map<Long, Integer> top = new HashMap<>();
    for (int i = order - 1; i < ids.length; i++) {
      top.merge(key(ids, i - order + 1, order), 1, Integer::sum);
    }
    counts[order - 1] = top;
    for (int n = order - 1; n >= 1; n--) {
      // continuation count of an n-gram: the distinct characters seen before it
      Map<Long, Set<Integer>> before = new HashMap<>();
      for (int i = n - 1; i < ids.length; i++) {
        int start = i - n + 1;
        if (start > 0) {
          before.computeIfAbsent(key(ids, start, n), k -> new HashSet<>()).add(ids[start - 1]);
        }
      }
      Map<Long, Integer> c = new HashMap<>();
      before.forEach((k, s) -> c.put(k, s.size()));
      counts[n - 1] = c;
    }
    for (int n = 1; n <= order; n++) {
      Map<Long, Long> totals = new HashMap<>();
      Map<Long, Integer> types = new HashMap<>();
      long ones = 0;
      long twos = 0;
      for (Map.Entry<Long, Integer> e : counts[n - 1].entrySet()) {
        long context = e.getKey() / (vocabulary + 1L);
        totals.merge(context, (long) e.getValue(), Long::sum);
        types.merge(context, 1, Integer::sum);
        ones += e.getValue() == 1 ? 1 : 0;
        twos += e.getValue() == 2 ? 1 : 0;
      }
      contextTotals[n - 1] = totals;
      contextTypes[n - 1] = types;
      discount[n - 1] = ones + twos == 0 ? 0.5 : Math.max(0.05, Math.min(0.95, ones / (double) (ones + 2 * twos)));
    }
  }

  /** The n-gram of {@code ids[start .. start+n)} as a number in base V+1 (digits id+1: no leading-zero clashes). */
  private long key(int[] ids, int start, int n) {
    long k = 0;
    for (int i = start; i < start + n; i++) {
      k = k * (vocabulary + 1L) + ids[i] + 1;
    }
    return k;
  }

  /**
   * The order n of the model (context of n - 1 characters).
   *
   * @return the order n
   */
  public int order() {
    return order;
  }

  /**
   * P(ids[at] | the up to order-1 characters before it in {@code ids}), interpolated down to the
   * uniform distribution.
   *
   * @param ids the text as character ids
   * @param at the position of the character scored
   * @return the smoothed probability of {@code ids[at]}, above zero
   */
  public double probability(int[] ids, int at) {
    int available = Math.min(order - 1, at);
    return probability(ids, at, available + 1);
  }

  /** The interpolated probability at order {@code n} (context of n-1 characters). */
  private double probability(int[] ids, int at, int n) {
    double lower = n == 1 ? 1.0 / vocabulary : probability(ids, at, n - 1);
    long context = n == 1 ? 0 : key(ids, at - n + 1, n - 1);
    Long total = contextTotals[n - 1].get(context);
    if (total == null || total == 0) {
      return lower; // an unseen context: all its mass goes to the shorter one
    }
    Integer c = counts[n - 1].get(context * (vocabulary + 1L) + ids[at] + 1);
    double d = discount[n - 1];
    double own = Math.max((c == null ? 0 : c) - d, 0) / total;
    double backoff = d * contextTypes[n - 1].get(context) / total;
    return own + backoff * lower;
  }

  /**
   * The mean of -log₂ P over the characters {@code ids[from..]} (each with the context before it in {@code ids}).
   *
   * @param ids the text as character ids
   * @param from the position of the first character scored
   * @return the mean bits per character over {@code ids[from..]}
   */
  public double bitsPerCharacter(int[] ids, int from) {
    if (from < 0 || from >= ids.length) {
      throw new IllegalArgumentException("no characters to score from " + from + " in a text of " + ids.length);
    }
    double sum = 0;
    for (int i = from; i < ids.length; i++) {
      sum -= Math.log(probability(ids, i));
    }
    return sum / (ids.length - from) / Math.log(2);
  }
}
