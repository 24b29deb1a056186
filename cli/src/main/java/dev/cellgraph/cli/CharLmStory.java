package dev.cellgraph.cli;

import dev.cellgraph.train.Sampler;
import dev.cellgraph.train.tasks.CharLmTask;
import dev.cellgraph.train.tasks.NGramModel;
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
          + "figure: part of what it learnt does not carry over to the held-out text, because it is particular to "
          + "the training text (overfitting) or because the held-out tenth differs from the rest.", best.trainBits(),
          gap));
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

  /** The field groups of a UnicodeData.txt record (15 fields), as the per-field table shows them. */
  static final List<String> FIELD_GROUPS = List.of("code point (field 1)", "name (2)",
      "category, combining class, bidi class (3-5)", "decomposition (6)",
      "numeric values, mirrored, old name, comment (7-12)", "case mappings and the line's end (13-15)");

  /** What field group {@code g} adds to the cell's lead over the whole text: its share times its gain. */
  private static double gain(double[][] bits, int g) {
    return bits[g][0] * (bits[g][1] - bits[g][2]);
  }

  /** The group of {@link #FIELD_GROUPS} of the field numbered {@code field} from 0. */
  static int fieldGroup(int field) {
    if (field <= 1) {
      return field;
    }
    if (field <= 4) {
      return 2;
    }
    return field == 5 ? 3 : field <= 11 ? 4 : 5;
  }

  /**
   * Where a cell and a count model differ on the held-out lines of a ';'-separated table: per
   * group of {@link #FIELD_GROUPS}, the share of the characters and the mean bits/char of each
   * model. A character belongs to the field of the ';' before it on its line (a separator ends its
   * field). Scored from the first whole line of the held-out tenth, the cell after reading the 2,000
   * characters before it.
   *
   * @return per group {share, n-gram bits/char, cell bits/char}
   */
  static double[][] fieldBits(String text, String vocabulary, NGramModel ngram, Sampler cell) {
    int[] ids = CharLmTask.encode(vocabulary, text);
    int from = text.indexOf('\n', CharLmTask.heldOutFrom(ids.length)) + 1;
    if (from <= 0 || from >= ids.length) {
      throw new IllegalArgumentException("the held-out tenth has no whole line to score");
    }
    cell.reset();
    double[] logp = null;
    for (int i = Math.max(0, from - 2000); i < from; i++) {
      logp = cell.feed(ids[i]);
    }
    double[][] sums = new double[FIELD_GROUPS.size()][3];
    int field = 0;
    for (int p = from; p < ids.length; p++) {
      int g = fieldGroup(Math.min(field, 14));
      sums[g][0] += 1;
      sums[g][1] -= Math.log(ngram.probability(ids, p));
      sums[g][2] -= logp[ids[p]];
      char c = text.charAt(p);
      field = c == '\n' ? 0 : c == ';' ? field + 1 : field;
      if (p + 1 < ids.length) {
        logp = cell.feed(ids[p]);
      }
    }
    int n = ids.length - from;
    double[][] out = new double[sums.length][3];
    for (int g = 0; g < sums.length; g++) {
      double count = Math.max(sums[g][0], 1);
      out[g] = new double[] {sums[g][0] / n, sums[g][1] / count / Math.log(2), sums[g][2] / count / Math.log(2)};
    }
    return out;
  }

  /**
   * The per-field table of {@link #fieldBits} and a sentence on where the cell's lead over the
   * count model comes from, computed from it.
   */
  static String fieldTable(double[][] bits, String cellName, int order) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Where the best cell, %s, and the %d-gram differ "
        + "on the held-out lines, field by field (bits per character):%n%n| field | share of the characters | "
        + "%d-gram | %s |%n|---|---:|---:|---:|%n", cellName, order, order, cellName));
    double lead = 0;
    int most = 0;
    int least = 0;
    for (int g = 0; g < bits.length; g++) {
      sb.append(String.format(Locale.ROOT, "| %s | %.1f%% | %.2f | %.2f |%n", FIELD_GROUPS.get(g), 100 * bits[g][0],
          bits[g][1], bits[g][2]));
      lead += gain(bits, g);
      most = gain(bits, g) > gain(bits, most) ? g : most;
      least = gain(bits, g) < gain(bits, least) ? g : least;
    }
    sb.append(String.format(Locale.ROOT, "%nOver these lines the %s is %.2f bit/char %s the %d-gram", cellName,
        Math.abs(lead), lead >= 0 ? "below" : "above", order));
    if (gain(bits, most) > 0) {
      sb.append(String.format(Locale.ROOT, ". It gains most on the %s, %.2f against %.2f bits/char (%.2f bit/char of "
          + "the whole)", FIELD_GROUPS.get(most), bits[most][2], bits[most][1], gain(bits, most)));
    }
    if (gain(bits, least) < 0) {
      sb.append(String.format(Locale.ROOT, "%s loses most on the %s, %.2f against %.2f (%.2f bit/char of the whole)",
          gain(bits, most) > 0 ? ", and" : ". It", FIELD_GROUPS.get(least), bits[least][2], bits[least][1],
          -gain(bits, least)));
    }
    return sb.append(".\n").toString();
  }
}
