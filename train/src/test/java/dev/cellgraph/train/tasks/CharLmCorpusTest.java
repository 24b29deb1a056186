package dev.cellgraph.train.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CharLmCorpusTest {
  @Test
  void theBundledTextsAreTheDocumentedExcerpts() {
    assertEquals(CharLmTask.bundledText(), CharLmTask.Corpus.JARGON.text());
    assertEquals(133_856, CharLmTask.Corpus.JARGON.text().length());
    String table = CharLmTask.Corpus.UNICODE.text();
    // the licence's '#' header is not part of the text the model reads
    assertEquals(417_291, table.length());
    assertTrue(table.startsWith("0000;<control>;Cc;0;BN;;;;;N;NULL;;;;\n0001;"), table.substring(0, 80));
    assertTrue(table.endsWith("1FFE;GREEK DASIA;Sk;0;ON;<compat> 0020 0314;;;;N;;;;;\n"));
    String[] lines = table.split("\n");
    assertEquals(7_355, lines.length);
    for (String line : lines) {
      // every record has its 15 fields, and every code point is below U+2000
      assertEquals(15, line.split(";", -1).length, line);
      assertTrue(Integer.parseInt(line.substring(0, line.indexOf(';')), 16) < 0x2000, line);
    }
    assertEquals("unicode-data.txt", CharLmTask.Corpus.named("unicode").fileName());
    assertEquals(CharLmTask.BUNDLED, CharLmTask.Corpus.named("jargon").fileName());
  }

  @Test
  void anUnknownNameListsTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CharLmTask.Corpus.named("shakespeare"));
    assertEquals("unknown corpus 'shakespeare': expected jargon or unicode", e.getMessage());
  }

  @Test
  void countModelsOfTheTableStopGainingAfterAFewCharacters() {
    // the figures docs/training.md and the demo's second section quote: past order 7 the window stops helping
    CharLmTask task = new CharLmTask("unicode-data.txt", CharLmTask.Corpus.UNICODE.text(), null, 64, 32);
    assertEquals(62, task.vocabularySize());
    assertEquals(2.021, task.ngramBitsPerCharacter(6), 5e-4);
    assertEquals(2.008, task.ngramBitsPerCharacter(7), 5e-4);
    assertEquals(2.015, task.ngramBitsPerCharacter(8), 5e-4);
  }
}
