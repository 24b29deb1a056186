package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The charlm-lines task through train and compare, and --buckets' values. */
class LinesTaskCommandTest {
  private static final String[] TINY = {"--task", "charlm-lines", "--hidden-size", "4", "--batch", "8", "--steps", "3",
      "--validate-every", "0"};

  private static String[] concat(String[] a, String... b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void trainReadsTheBundledTextLineByLineInBuckets(@TempDir Path tmp) throws Exception {
    CliRunner r = CliRunner.run(concat(new String[] {"train", "--cell", "gru", "--out", tmp.toString()},
        concat(TINY, "--buckets", "4")));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("training gru on the character model on the lines of jargon.txt (2,304 sequences of "
        + "3 to 75 characters, vocabulary 95; 2,089 training, 215 validation; batch 8, 4 buckets)"), r.out());
    assertTrue(r.out().contains("done: gru charlm-lines final training bits/char "), r.out());
    String results = Files.readString(tmp.resolve(TrainCommand.RESULTS));
    assertTrue(results.contains("\"charlm-lines\""), results);
    assertTrue(results.contains("\"bits/char\""), results);
  }

  @Test
  void compareTrainsEveryCellOnTheLines(@TempDir Path tmp) throws Exception {
    CliRunner r = CliRunner.run(concat(new String[] {"compare", "--cells", "rnn,gru", "--out", tmp.toString()}, TINY));
    assertEquals(0, r.status(), r.err());
    String table = Files.readString(tmp.resolve("charlm-lines-compare.md"));
    assertTrue(table.contains("| rnn |") && table.contains("| gru |"), table);
    assertTrue(Files.exists(tmp.resolve("charlm-lines-loss.csv")));
  }

  @Test
  void bucketsMustBeAtLeastOneAndApplyOnlyToTasksOfDifferentLengths() {
    CliRunner r = CliRunner.run(concat(new String[] {"train", "--cell", "gru"}, concat(TINY, "--buckets", "0")));
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --buckets must be between 1 and 1000000, got 0\n", r.err());
    r = CliRunner.run("train", "--cell", "gru", "--task", "copy", "--buckets", "2");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --buckets applies to --task charlm-lines and file (sequences of different "
        + "lengths); the copy task's sequences all have the same length\n", r.err());
    r = CliRunner.run("compare", "--cells", "gru", "--task", "charlm-lines", "--bidirectional");
    assertEquals(2, r.status());
    assertEquals("cellgraph compare: --bidirectional does not fit --task charlm-lines: the model predicts each "
        + "character from the ones before it, and the reverse direction would read the very characters it is to "
        + "predict\n", r.err());
  }
}
