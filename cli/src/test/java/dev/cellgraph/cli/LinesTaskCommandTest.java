package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
  void sampleWritesLinesFromACharLmLinesCheckpoint(@TempDir Path tmp) throws Exception {
    Path text = tmp.resolve("ab.txt");
    Files.writeString(text, "abc\n".repeat(400)); // lines a model learns to end after a few dozen steps
    Path ck = tmp.resolve("runs/lines");
    CliRunner t = CliRunner.run("train", "--cell", "gru", "--task", "charlm-lines", "--data", text.toString(),
        "--hidden-size", "8", "--batch", "8", "--steps", "60", "--lr", "0.05", "--validate-every", "0",
        "--out", tmp.toString(), "--checkpoint", ck.toString());
    assertEquals(0, t.status(), t.err());
    CliRunner s = CliRunner.run("sample", "--checkpoint", ck.toString(), "--length", "40", "--prime", "a");
    assertEquals(0, s.status(), s.err());
    List<String> lines = s.out().lines().toList();
    assertTrue(lines.size() >= 5, "the model ends its lines: " + s.out());
    assertTrue(lines.stream().allMatch(l -> l.startsWith("a")), "every line starts with the prime: " + s.out());
    assertTrue(lines.stream().filter(l -> l.equals("abc")).count() >= 3, s.out());
    // the characters drawn (the ends of lines among them), and a newline after a last line cut short
    int drawn = s.out().length() - lines.size();
    assertTrue(drawn == 40 || drawn == 41, drawn + ": " + s.out());
    assertEquals(s.out(), CliRunner.run("sample", "--checkpoint", ck.toString(), "--length", "40", "--prime", "a").out(),
        "the same seed draws the same lines");

    CliRunner bad = CliRunner.run("sample", "--checkpoint", ck.toString(), "--prime", "a\nb");
    assertEquals(2, bad.status());
    assertEquals("cellgraph sample: --prime: a line model starts every line with TEXT, which must be a non-empty start "
        + "of a line (no newline)\n", bad.err());
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
  void aFileTakesBucketsOnlyWhenItHasLengths(@TempDir Path tmp) throws Exception {
    double[] x = new double[30 * 4 * 3];
    double[] y = new double[30 * 2];
    double[] lengths = new double[30];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.sin(i);
    }
    for (int i = 0; i < 30; i++) {
      y[2 * i] = Math.cos(i);
      lengths[i] = 1 + i % 4;
    }
    Tensor inputs = Tensor.of(DType.FLOAT32, x, Shape.of(30, 4, 3));
    Tensor targets = Tensor.of(DType.FLOAT32, y, Shape.of(30, 2));
    Path plain = tmp.resolve("plain.safetensors");
    SafeTensors.write(plain, Map.of("inputs", inputs, "targets", targets));
    CliRunner r = CliRunner.run("train", "--cell", "gru", "--task", "file", "--data", plain.toString(), "--batch", "8",
        "--buckets", "2");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --buckets applies to a file with 'lengths'; " + plain + " has none, so all its "
        + "sequences have the same length\n", r.err());
    Path padded = tmp.resolve("padded.safetensors");
    SafeTensors.write(padded, Map.of("inputs", inputs, "targets", targets, "lengths",
        Tensor.of(DType.INT64, lengths, Shape.of(30))));
    r = CliRunner.run("train", "--cell", "gru", "--task", "file", "--data", padded.toString(), "--batch", "8",
        "--buckets", "2", "--hidden-size", "4", "--steps", "2", "--validate-every", "0", "--out", tmp.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("lengths given, 2 buckets; 27 training, 3 validation; batch 8)"), r.out());
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

  @Test
  void corpusNamesABundledTextOfTheCharacterTasksOnly(@TempDir Path tmp) throws Exception {
    CliRunner r = CliRunner.run("train", "--cell", "gru", "--task", "charlm", "--corpus", "unicode", "--hidden-size",
        "4", "--steps", "2", "--validate-every", "0", "--out", tmp.resolve("run").toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("unicode-data.txt (417,291 characters, vocabulary 62"), r.out());
    // the corpus is part of the run's recipe, so --config replays it
    r = CliRunner.run("train", "--config", tmp.resolve("run").resolve("config.json").toString(), "--out",
        tmp.resolve("replay").toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("unicode-data.txt (417,291 characters, vocabulary 62"), r.out());
    r = CliRunner.run("train", "--cell", "gru", "--task", "charlm", "--corpus", "shakespeare");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --corpus: unknown corpus 'shakespeare': expected jargon or unicode\n", r.err());
    Path text = tmp.resolve("t.txt");
    Files.writeString(text, "abc ".repeat(2000));
    r = CliRunner.run("compare", "--cells", "gru", "--task", "charlm-lines", "--corpus", "unicode", "--data",
        text.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph compare: --data and --corpus both name the text; give one of them\n", r.err());
    r = CliRunner.run("train", "--cell", "gru", "--task", "adding", "--corpus", "unicode");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --corpus applies to --task charlm and charlm-lines (a bundled text)\n", r.err());
  }
}
