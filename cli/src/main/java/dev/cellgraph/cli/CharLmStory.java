package dev.cellgraph.cli;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * What the demo's character-model section says about its results: the n-gram baseline rows of its
 * table and a paragraph of interpretation computed from the measured numbers (which cell is best,
 * by how much against the best n-gram order, and what the train/validation gap means), so the text
 * always matches the table above it.
 */
final class CharLmStory {
  /** A difference smaller than this (in bits/char) is reported as a tie: it is within run-to-run noise. */
  static final double TIE = 0.02;
  /** A train/validation gap above this (in bits/char) is reported as overfitting. */
  static final double OVERFIT = 0.1;

  private CharLmStory() {}

  /** One cell's result: its name and its final training and validation bits per character. */
  record Result(String cell, double trainBits, double validationBits) {}

  /**
   * The table rows of the n-gram baselines (order to validation bits/char), in the columns of
   * {@link Experiments#table}: no parameters, time or training figure, only the validation one.
   */
  static String ngramRows(SortedMap<Integer, Double> ngram) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<Integer, Double> e : ngram.entrySet()) {
      sb.append(String.format(Locale.ROOT, "| %d-gram counts (Kneser-Ney) | - | - | - | %.4f |\n", e.getKey(),
          e.getValue()));
    }
    return sb.toString();
  }

  /** The order of the best (lowest validation bits/char) n-gram baseline. */
  static int bestOrder(SortedMap<Integer, Double> ngram) {
    return ngram.entrySet().stream().min(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  /**
   * The interpretation paragraph: the best cell against the best n-gram order, the spread between
   * the cells, and the train/validation gap of the best cell with what it means. {@code results}
   * holds the cells that trained (at least one); {@code ngram} at least one order; {@code dropout} is
   * the dropout probability of training (its training figures are measured with it on).
   */
  static String interpretation(List<Result> results, SortedMap<Integer, Double> ngram, double dropout) {
    if (results.isEmpty() || ngram.isEmpty()) {
      throw new IllegalArgumentException("an interpretation needs at least one cell (" + results.size()
          + ") and one n-gram order (" + ngram.size() + ")");
    }
    Result best = results.stream().min(Comparator.comparingDouble(Result::validationBits)).orElseThrow();
    Result worst = results.stream().max(Comparator.comparingDouble(Result::validationBits)).orElseThrow();
    int order = bestOrder(ngram);
    double counts = ngram.get(order);
    double margin = counts - best.validationBits();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "The best cell on the held-out text is %s at %.2f bits/char", best.cell(),
        best.validationBits()));
    if (margin > TIE) {
      sb.append(String.format(Locale.ROOT, ", %.2f bit below the best count model (the %d-gram, %.2f): it predicts "
          + "from more context than a fixed window of %d characters", margin, order, counts, order - 1));
    } else if (margin >= -TIE) {
      sb.append(String.format(Locale.ROOT, ", level with the best count model (the %d-gram, %.2f): with this budget "
          + "it has learnt no more than the counts of the last %d characters give", order, counts, order - 1));
    } else {
      sb.append(String.format(Locale.ROOT, ", %.2f bit above the best count model (the %d-gram, %.2f): with this "
          + "budget it has not yet learnt what the counts of the last %d characters give", -margin, order, counts,
          order - 1));
    }
    sb.append(". ");
    if (results.size() > 1) {
      double spread = worst.validationBits() - best.validationBits();
      if (spread <= TIE) {
        sb.append(String.format(Locale.ROOT, "All %d cells lie within %.2f bit of each other. ", results.size(),
            spread));
      } else {
        sb.append(String.format(Locale.ROOT, "The worst, %s, is %.2f bit behind it. ", worst.cell(), spread));
      }
    }
    double gap = best.validationBits() - best.trainBits();
    if (gap > OVERFIT) {
      sb.append(String.format(Locale.ROOT, "Its training figure (%.2f) is %.2f bit lower than its validation "
          + "figure: part of what it learnt is particular to the training text (overfitting), so more text or "
          + "more dropout would help more than a longer run.", best.trainBits(), gap));
    } else if (gap >= -OVERFIT) {
      sb.append(String.format(Locale.ROOT, "Its training and validation figures differ by %.2f bit (%.2f and "
          + "%.2f): it is not overfitting, so a larger model or a longer run would still gain.", Math.abs(gap),
          best.trainBits(), best.validationBits()));
    } else {
      sb.append(String.format(Locale.ROOT, "Its validation figure is %.2f bit below its training figure (%.2f): "
          + "the training figure averages the last 50 steps%s, while validation measures the final model.", -gap,
          best.trainBits(), dropout > 0 ? String.format(Locale.ROOT, " with dropout %.2f on", dropout) : ""));
    }
    return sb.toString();
  }
}
