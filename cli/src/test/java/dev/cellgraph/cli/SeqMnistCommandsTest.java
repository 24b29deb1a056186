package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.train.tasks.SeqMnistTaskTest;
import dev.cellgraph.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train and compare --task seqmnist on a tiny generated download: results, determinism, and exit 2 for bad data. */
class SeqMnistCommandsTest {
  @TempDir Path tmp;

  private String[] tiny(Path data, String... more) {
    String[] base = {"--task", "seqmnist", "--data", data.toString(), "--hidden-size", "4", "--batch", "4",
        "--validate-every", "0"};
    if (!Arrays.asList(more).contains("--steps")) {
      base = cmd(base, new String[] {"--steps", "4"});
    }
    String[] r = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, r, base.length, more.length);
    return r;
  }

  private static String[] cmd(String[] head, String[] tail) {
    String[] r = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, r, head.length, tail.length);
    return r;
  }

  @Test
  void trainReportsValidationAndTestAccuracyRowByRowAndPixelByPixel() throws Exception {
    Path data = SeqMnistTaskTest.writeDataSet(tmp.resolve("d"), 36, 10);
    CliRunner r = CliRunner.run(cmd(new String[] {"train", "--cell", "lstm"}, tiny(data)));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("on the sequential MNIST-format images of " + data + " (row by row: T = 3, input "
        + "size 4; 33 training, 3 validation, 10 test images; batch 4)"), r.out());
    assertTrue(Pattern.compile("accuracy: validation \\d+\\.\\d\\d% \\(3 images\\), test \\d+\\.\\d\\d% \\(10 images\\)")
        .matcher(r.out()).find(), r.out());

    CliRunner p = CliRunner.run(cmd(new String[] {"train", "--cell", "gru"}, tiny(data, "--pixels", "--permute")));
    assertEquals(0, p.status(), p.err());
    assertTrue(p.out().contains("(permuted pixel by pixel: T = 12, input size 1;"), p.out());
  }

  @Test
  void theSameSeedGivesTheSameModelAndAnotherModeCannotResumeIt() throws Exception {
    Path data = SeqMnistTaskTest.writeDataSet(tmp.resolve("d"), 36, 10);
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    CliRunner first = CliRunner.run(cmd(new String[] {"train", "--cell", "gru", "--checkpoint", a.toString()},
        tiny(data, "--steps", "12")));
    assertEquals(0, first.status(), first.err());
    assertEquals(0, CliRunner.run(cmd(new String[] {"train", "--cell", "gru", "--checkpoint", b.toString()},
        tiny(data, "--steps", "12"))).status());
    // 12 steps of 4 images cross an epoch of 33: the reshuffle is seeded too
    assertEquals(Checkpoint.load(a).parameters(), Checkpoint.load(b).parameters());
    CliRunner other = CliRunner.run(cmd(new String[] {"train", "--cell", "gru", "--checkpoint", a.toString(),
        "--resume"}, tiny(data, "--steps", "12", "--pixels")));
    assertEquals(2, other.status());
    assertTrue(other.err().contains("\"mode\":\"rows\""), other.err());
  }

  @Test
  void compareAddsAccuracyColumnsToItsTable() throws Exception {
    Path data = SeqMnistTaskTest.writeDataSet(tmp.resolve("d"), 36, 10);
    CliRunner r = CliRunner.run(cmd(new String[] {"compare", "--cells", "rnn,gru", "--out", tmp.resolve("o").toString()},
        tiny(data)));
    assertEquals(0, r.status(), r.err());
    String md = Files.readString(tmp.resolve("o").resolve("seqmnist-compare.md"));
    assertTrue(md.contains("| cell | parameters | ms/step | final training cross-entropy | validation cross-entropy "
        + "| validation accuracy | test accuracy |\n|---|---:|---:|---:|---:|---:|---:|\n"), md);
    assertTrue(Pattern.compile("\\| gru \\| [0-9,]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+% \\| [0-9.]+% \\|\n")
        .matcher(md).find(), md);
  }

  @Test
  void badDataAndOptionsAreUsageErrors() throws Exception {
    Path data = SeqMnistTaskTest.writeDataSet(tmp.resolve("d"), 36, 10);
    CliRunner r = CliRunner.run(cmd(new String[] {"train", "--cell", "gru"}, tiny(data, "--length", "5")));
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --length does not apply to --task seqmnist: a sequence is an image's rows (T = 28), "
        + "or its pixels with --pixels (T = 784)\n", r.err());

    r = CliRunner.run("train", "--cell", "gru", "--task", "adding", "--pixels");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --pixels applies to --task seqmnist\n", r.err());

    Path missing = tmp.resolve("nowhere");
    r = CliRunner.run(cmd(new String[] {"train", "--cell", "gru"}, tiny(missing)));
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("cellgraph train: --data " + missing + " is not a directory; for --task seqmnist"),
        r.err());

    Path gz = data.resolve("train-images-idx3-ubyte.gz");
    byte[] bytes = Files.readAllBytes(gz);
    Files.write(gz, Arrays.copyOf(bytes, bytes.length / 2));
    r = CliRunner.run(cmd(new String[] {"compare", "--cells", "gru"}, tiny(data)));
    assertEquals(2, r.status());
    assertEquals("cellgraph compare: " + gz + ": truncated gzip stream (Unexpected end of ZLIB input stream)\n",
        r.err());
  }
}
