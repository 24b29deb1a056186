package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The character-model section's text, computed from given numbers. */
class CharLmStoryTest {
  private static SortedMap<Integer, Double> ngram() {
    SortedMap<Integer, Double> m = new TreeMap<>();
    m.put(2, 3.95);
    m.put(3, 3.34);
    m.put(4, 2.96);
    m.put(5, 2.82);
    m.put(6, 2.79);
    return m;
  }

  @Test
  void aCellThatBeatsTheCountsAndOverfitsIsToldSo() {
    List<CharLmStory.Result> r = List.of(new CharLmStory.Result("rnn", 2.40, 2.75),
        new CharLmStory.Result("lstm", 2.10, 2.50), new CharLmStory.Result("gru", 2.15, 2.55));
    assertEquals("The best cell on the held-out text is lstm at 2.50 bits/char, 0.29 bit below the best count "
        + "model (the 6-gram, 2.79): it predicts from more context than a fixed window of 5 characters. The worst, "
        + "rnn, is 0.25 bit behind it. Its training figure (2.10) is 0.40 bit lower than its validation figure: "
        + "part of what it learnt does not carry over to the held-out text, because it is particular to the "
        + "training text (overfitting) or because the held-out tenth differs from the rest.",
        CharLmStory.interpretation(r, ngram(), 0));
  }

  @Test
  void aCellBehindTheCountsWithoutAGapIsToldSo() {
    List<CharLmStory.Result> r = List.of(new CharLmStory.Result("gru", 3.02, 3.10),
        new CharLmStory.Result("mgu", 3.00, 3.11));
    assertEquals("The best cell on the held-out text is gru at 3.10 bits/char, 0.31 bit above the best count model "
        + "(the 6-gram, 2.79): with this budget it has not yet learnt what the counts of the last 5 characters "
        + "give. All 2 cells lie within 0.01 bit of each other. Its training and validation figures differ by 0.08 "
        + "bit (3.02 and 3.10): it is not overfitting, so a larger model or a longer run would still gain.",
        CharLmStory.interpretation(r, ngram(), 0));
  }

  @Test
  void aTieAndAnEasierHeldOutTextAreToldSo() {
    List<CharLmStory.Result> r = List.of(new CharLmStory.Result("lstm", 2.95, 2.80));
    assertEquals("The best cell on the held-out text is lstm at 2.80 bits/char, level with the best count model "
        + "(the 6-gram, 2.79): with this budget it has learnt no more than the counts of the last 5 characters "
        + "give. Its validation figure is 0.15 bit below its training figure (2.95): the training figure averages the "
        + "last 50 steps with dropout 0.25 on, while validation measures the final model.",
        CharLmStory.interpretation(r, ngram(), 0.25));
  }

  @Test
  void theNgramRowsFillTheValidationColumnOnly() {
    SortedMap<Integer, Double> m = new TreeMap<>();
    m.put(2, 3.95123);
    m.put(5, 2.81609);
    assertEquals("| 2-gram counts (Kneser-Ney) | - | - | - | 3.9512 |\n| 5-gram counts (Kneser-Ney) | - | - | - | 2.8161 |\n",
        CharLmStory.ngramRows(m));
    assertEquals(5, CharLmStory.bestOrder(m));
  }

  @Test
  void noCellIsAnError() {
    assertEquals("an interpretation needs at least one cell (0) and one n-gram order (5)",
        assertThrows(IllegalArgumentException.class, () -> CharLmStory.interpretation(List.of(), ngram(), 0))
            .getMessage());
  }

  @Test
  void theFieldTableSaysWhereTheLeadComesFrom() {
    double[][] bits = {{0.1, 3.0, 1.0}, {0.5, 1.0, 0.9}, {0.1, 2.0, 2.0}, {0.1, 1.0, 1.2}, {0.1, 0.5, 0.5},
        {0.1, 1.0, 1.0}};
    // lead: 0.1 * 2.0 + 0.5 * 0.1 + 0.1 * -0.2 = 0.23; the code point adds most, the decomposition takes away
    assertEquals("Where the best cell, gru, and the 7-gram differ on the held-out lines, field by field (bits per "
        + "character):\n\n| field | share of the characters | 7-gram | gru |\n|---|---:|---:|---:|\n"
        + "| code point (field 1) | 10.0% | 3.00 | 1.00 |\n| name (2) | 50.0% | 1.00 | 0.90 |\n"
        + "| category, combining class, bidi class (3-5) | 10.0% | 2.00 | 2.00 |\n"
        + "| decomposition (6) | 10.0% | 1.00 | 1.20 |\n"
        + "| numeric values, mirrored, old name, comment (7-12) | 10.0% | 0.50 | 0.50 |\n"
        + "| case mappings and the line's end (13-15) | 10.0% | 1.00 | 1.00 |\n\n"
        + "Over these lines the gru is 0.23 bit/char below the 7-gram. It gains most on the code point (field 1), "
        + "1.00 against 3.00 bits/char (0.20 bit/char of the whole), and loses most on the decomposition (6), 1.20 "
        + "against 1.00 (0.02 bit/char of the whole).\n",
        CharLmStory.fieldTable(bits, "gru", 7));
    double[][] behind = {{0.5, 1.0, 2.0}, {0.5, 1.0, 1.0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    assertTrue(CharLmStory.fieldTable(behind, "rnn", 6).endsWith("Over these lines the rnn is 0.50 bit/char above "
        + "the 6-gram. It loses most on the code point (field 1), 2.00 against 1.00 (0.50 bit/char of the whole).\n"));
  }

  @Test
  void fieldsFallIntoTheirGroups() {
    int[] expected = {0, 1, 2, 2, 2, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5};
    for (int f = 0; f < expected.length; f++) {
      assertEquals(expected[f], CharLmStory.fieldGroup(f), "field " + f);
    }
  }

  @Test
  void fieldBitsSplitBothModelsScoresWithoutLosingAny() {
    StringBuilder t = new StringBuilder();
    for (int c = 0; c < 1500; c++) {
      // 31 characters a line, of which "XXXX;" (5) is the code point's field
      t.append(String.format(java.util.Locale.ROOT, "%04X;L%02d;Lu;0;L;;;;;N;;;;%04X;%n", c, c % 100, c + 1));
    }
    String text = t.toString();
    dev.cellgraph.train.tasks.CharLmTask task = new dev.cellgraph.train.tasks.CharLmTask("t", text, null, 16, 4);
    dev.cellgraph.train.nn.SequenceModel model = task.model(CellRef.resolve("gru").cell(), 8, 0);
    java.util.Map<String, dev.cellgraph.core.Tensor> params = new java.util.LinkedHashMap<>(
        model.initialize(dev.cellgraph.core.random.Rng.seeded(1), dev.cellgraph.core.DType.FLOAT64));
    int[] ids = task.encode(text);
    int split = dev.cellgraph.train.tasks.CharLmTask.heldOutFrom(ids.length);
    dev.cellgraph.train.tasks.NGramModel counts = new dev.cellgraph.train.tasks.NGramModel(
        java.util.Arrays.copyOf(ids, split), task.vocabularySize(), 3);
    double[][] bits = CharLmStory.fieldBits(text, task.vocabulary(), counts,
        new dev.cellgraph.train.Sampler(model, params));
    int from = text.indexOf('\n', split) + 1;
    // the cell scored independently, in order from the same warm-up
    dev.cellgraph.train.Sampler cell = new dev.cellgraph.train.Sampler(model, params);
    double[] logp = null;
    for (int i = from - 2000; i < from; i++) {
      logp = cell.feed(ids[i]);
    }
    double cellBits = 0;
    for (int p = from; p < ids.length; p++) {
      cellBits -= logp[ids[p]];
      if (p + 1 < ids.length) {
        logp = cell.feed(ids[p]);
      }
    }
    cellBits /= (ids.length - from) * Math.log(2);
    double share = 0;
    double ngram = 0;
    double mixed = 0;
    for (double[] g : bits) {
      share += g[0];
      ngram += g[0] * g[1];
      mixed += g[0] * g[2];
    }
    assertEquals(1, share, 1e-12);
    assertEquals(counts.bitsPerCharacter(ids, from), ngram, 1e-9);
    assertEquals(cellBits, mixed, 1e-9);
    assertEquals(5 / 31.0, bits[0][0], 1e-12);
    assertEquals(4 / 31.0, bits[1][0], 1e-12);
    // the fields 13-15 and the newline: ";" of the empty uppercase, "XXXX;" of the lowercase mapping, "\n"
    assertEquals(7 / 31.0, bits[5][0], 1e-12);
  }
}
