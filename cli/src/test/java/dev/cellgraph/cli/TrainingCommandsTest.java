package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, sample and compare from the command line: results, files, and exit status 2 for bad input. */
class TrainingCommandsTest {
  private static final String[] TINY_COPY = {"--task", "copy", "--hidden-size", "6", "--length", "2", "--batch", "4",
      "--steps", "3", "--validate-every", "0"};

  private static String[] concat(String[] a, String... b) {
    String[] r = new String[a.length + b.length];
    System.arraycopy(a, 0, r, 0, a.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  @Test
  void trainWritesACheckpointAndRefusesToOverwriteIt(@TempDir Path tmp) throws Exception {
    Path ck = tmp.resolve("ck");
    CliRunner r = CliRunner.run(concat(new String[] {"train", "--cell", "gru"}, concat(TINY_COPY, "--checkpoint",
        ck.toString())));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("done: gru copy"), r.out());
    byte[] before = Files.readAllBytes(ck.resolve(Checkpoint.TENSORS));

    CliRunner again = CliRunner.run(concat(new String[] {"train", "--cell", "gru"}, concat(TINY_COPY, "--checkpoint",
        ck.toString())));
    assertEquals(2, again.status());
    assertEquals("cellgraph train: " + ck + " already holds a checkpoint; pass --resume to continue it, or choose "
        + "another directory\n", again.err());
    assertArrayEquals(before, Files.readAllBytes(ck.resolve(Checkpoint.TENSORS)));

    CliRunner other = CliRunner.run(concat(new String[] {"train", "--cell", "lstm", "--resume"},
        concat(TINY_COPY, "--checkpoint", ck.toString())));
    assertEquals(2, other.status());
    assertTrue(other.err().contains("cell is \"gru\" there, \"lstm\" here"), other.err());
    assertArrayEquals(before, Files.readAllBytes(ck.resolve(Checkpoint.TENSORS)));

    CliRunner done = CliRunner.run(concat(new String[] {"train", "--cell", "gru", "--resume"},
        concat(TINY_COPY, "--checkpoint", ck.toString())));
    assertEquals(0, done.status(), done.err());
    assertTrue(done.out().contains("nothing to do"), done.out());
  }

  @Test
  void badArgumentsAndDataAreUsageErrors(@TempDir Path tmp) throws Exception {
    CliRunner r = CliRunner.run("train", "--cell", "gru", "--task", "addition");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: unknown task 'addition': expected adding, charlm, charlm-lines, copy, seqmnist or file\n", r.err());

    Path missing = tmp.resolve("missing.txt");
    r = CliRunner.run("train", "--cell", "gru", "--task", "charlm", "--data", missing.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph train: the data file " + missing + " does not exist or is not a file\n", r.err());

    Path binary = tmp.resolve("binary.txt");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0x41, (byte) 0xc3});
    r = CliRunner.run("train", "--cell", "gru", "--task", "charlm", "--data", binary.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph train: the data file " + binary + " is not UTF-8 text\n", r.err());

    Path huge = tmp.resolve("huge.txt");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength((64L << 20) + 1); // sparse: no disk space used
    }
    r = CliRunner.run("train", "--cell", "gru", "--task", "charlm", "--data", huge.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph train: the data file " + huge + " has 67108865 bytes; the limit is 67108864 (64 MiB)\n",
        r.err());

    Path small = tmp.resolve("small.txt");
    Files.writeString(small, "tiny text");
    r = CliRunner.run("train", "--cell", "gru", "--task", "charlm", "--data", small.toString());
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("cellgraph train: small.txt: the text has 9 characters"), r.err());

    r = CliRunner.run("train", "--cell", "gru", "--task", "adding", "--data", small.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --data applies to --task charlm, charlm-lines, seqmnist and file; the adding task generates its data\n", r.err());

    r = CliRunner.run("train", "--cell", "gru", "--task", "adding", "--steps", "0");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --steps must be between 1 and 100000000, got 0\n", r.err());

    r = CliRunner.run("train", "--cell", "gru", "--task", "adding", "--resume");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --resume needs --checkpoint DIR\n", r.err());

    r = CliRunner.run("train", "--cell", "gru", "--task", "adding", "--hiden-size", "3");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: unknown option '--hiden-size'; did you mean --hidden-size?\n", r.err());
  }

  @Test
  void sampleGeneratesTextFromACharacterModel(@TempDir Path tmp) throws Exception {
    Path text = tmp.resolve("abc.txt");
    Files.writeString(text, "abcabcabd ".repeat(200));
    Path ck = tmp.resolve("lm");
    CliRunner t = CliRunner.run("train", "--cell", "lstm", "--task", "charlm", "--data", text.toString(),
        "--hidden-size", "8", "--length", "8", "--batch", "4", "--steps", "4", "--checkpoint", ck.toString());
    assertEquals(0, t.status(), t.err());
    CliRunner s = CliRunner.run("sample", "--checkpoint", ck.toString(), "--length", "30", "--prime", "ab");
    assertEquals(0, s.status(), s.err());
    String sample = s.out().stripTrailing();
    assertEquals(32, sample.length(), sample);
    assertTrue(sample.chars().allMatch(c -> "abcd ".indexOf(c) >= 0), sample);
    assertEquals(s.out(), CliRunner.run("sample", "--checkpoint", ck.toString(), "--length", "30", "--prime", "ab").out(),
        "the same seed gives the same text");

    CliRunner bad = CliRunner.run("sample", "--checkpoint", ck.toString(), "--prime", "xyz");
    assertEquals(2, bad.status());
    assertEquals("cellgraph sample: --prime: character 'x' is not in the model's vocabulary\n", bad.err());
  }

  @Test
  void compareWritesATableAndOnePlotForAllCells(@TempDir Path tmp) throws Exception {
    CliRunner r = CliRunner.run(concat(new String[] {"compare", "--cells", "rnn,gru", "--out", tmp.toString()},
        TINY_COPY));
    assertEquals(0, r.status(), r.err());
    String md = Files.readString(tmp.resolve("copy-compare.md"));
    assertTrue(md.contains("| rnn |") && md.contains("| gru |"), md);
    assertTrue(Files.size(tmp.resolve("copy-loss.png")) > 1000);
    assertTrue(Files.readString(tmp.resolve("copy-loss.svg")).contains("<svg"));

    CliRunner dup = CliRunner.run(concat(new String[] {"compare", "--cells", "rnn,rnn"}, TINY_COPY));
    assertEquals(2, dup.status());
    assertEquals("cellgraph compare: --cells: 'rnn' is listed twice\n", dup.err());
  }

  @Test
  void anOutputPathThatIsAFileIsRefusedAndKept(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("report");
    Files.writeString(file, "keep me");
    CliRunner r = CliRunner.run("demo", "--quick", "--out", file.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph demo: --out " + file + " is a file, not a directory\n", r.err());
    assertEquals("keep me", Files.readString(file));
    assertFalse(r.out().contains("report:"));
  }

  @Test
  void aDirectoryUnderAFileNamesTheFile(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("afile");
    Files.writeString(file, "keep me");
    Path under = file.resolve("run");
    CliRunner r = CliRunner.run(concat(new String[] {"compare", "--cells", "rnn", "--out", under.toString()}, TINY_COPY));
    assertEquals(2, r.status());
    assertEquals("cellgraph compare: --out " + under + ": '" + file + "' is a file, not a directory\n", r.err());
    r = CliRunner.run(concat(new String[] {"train", "--cell", "rnn", "--checkpoint", under.resolve("ck").toString()},
        TINY_COPY));
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --checkpoint " + under.resolve("ck") + ": '" + file
        + "' is a file, not a directory\n", r.err());
    assertEquals("keep me", Files.readString(file));
  }
}
