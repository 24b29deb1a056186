package dev.cellgraph.train.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Kneser-Ney baseline of the character model: a proper distribution, and better with order. */
class NGramModelTest {
  @Test
  void everyContextGivesADistributionThatSumsToOne() {
    Random r = new Random(7);
    int v = 5;
    int[] text = new int[400];
    for (int i = 0; i < text.length; i++) {
      text[i] = i > 0 && r.nextDouble() < 0.6 ? (text[i - 1] + 1) % v : r.nextInt(v);
    }
    for (int order = 1; order <= 4; order++) {
      NGramModel m = new NGramModel(text, v, order);
      for (int trial = 0; trial < 30; trial++) {
        int[] probe = new int[6];
        for (int i = 0; i < probe.length; i++) {
          probe[i] = r.nextInt(v);
        }
        double sum = 0;
        for (int w = 0; w < v; w++) {
          probe[probe.length - 1] = w;
          double p = m.probability(probe, probe.length - 1);
          assertTrue(p > 0, "order " + order + ": P = " + p);
          sum += p;
        }
        assertEquals(1.0, sum, 1e-12, "order " + order);
      }
    }
  }

  @Test
  void aUnigramModelOfAUniformTextIsUniform() {
    int[] text = {0, 1, 2, 3, 0, 1, 2, 3};
    NGramModel m = new NGramModel(text, 4, 1);
    assertEquals(2.0, m.bitsPerCharacter(text, 0), 1e-12);
  }

  @Test
  void onTheBundledTextHigherOrdersPredictBetterUpToAPoint() {
    CharLmTask task = new CharLmTask("bundled", CharLmTask.bundledText(), null, 32, 16);
    double uni = task.ngramBitsPerCharacter(1);
    double tri = task.ngramBitsPerCharacter(3);
    double five = task.ngramBitsPerCharacter(5);
    assertTrue(uni > 4.0 && uni < 5.0, "unigram " + uni);
    assertTrue(tri < uni - 1.0, "trigram " + tri + " against unigram " + uni);
    assertTrue(five < tri, "5-gram " + five + " against trigram " + tri);
  }

  @Test
  void badArgumentsAreRefusedWithTheirValues() {
    assertEquals("n-gram order (0) must be in [1, 8]",
        assertThrows(IllegalArgumentException.class, () -> new NGramModel(new int[] {0}, 2, 0)).getMessage());
    assertEquals("character id 3 is outside the vocabulary [0, 2)",
        assertThrows(IllegalArgumentException.class, () -> new NGramModel(new int[] {0, 3}, 2, 1)).getMessage());
  }
}
