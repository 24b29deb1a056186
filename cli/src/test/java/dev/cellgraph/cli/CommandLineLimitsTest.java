package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.core.DType;
import dev.cellgraph.train.tasks.AddingTask;
import dev.cellgraph.train.tasks.CopyTask;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Command lines within every option's range that a run still cannot carry out: refused up front
 * with the figures (exit 2), never an OutOfMemoryError, an overflow or an input overwritten.
 */
class CommandLineLimitsTest {
  private static final String HEAP = MemoryBudget.size(Runtime.getRuntime().maxMemory());

  @Test
  void aBatchWhoseTensorsExceedOneArrayIsRefusedNamingTheirSize() {
    CliRunner r = CliRunner.run("train", "--cell", "gru", "--task", "adding", "--length", "100000", "--batch", "100000");
    assertEquals(2, r.status(), r.err());
    assertEquals("cellgraph train: a batch of 100,000 sequences of 100,000 steps needs tensors of [100000, 100000, 96]"
        + " = 960,000,000,000 elements, more than the 2,147,483,647 of one tensor; lower --length, --batch or "
        + "--hidden-size\n", r.err());
  }

  @Test
  void aHiddenSizeWhoseParametersDoNotFitIsRefusedWithTheFigures() {
    CliRunner r = CliRunner.run("train", "--cell", "gru", "--task", "adding", "--hidden-size", "20000");
    assertEquals(2, r.status(), r.err());
    // 3 x 20000 x (2 + 20000 + 2) GRU parameters plus the head, four copies in float32; per step and
    // sequence the state (20000), the gates (60000), the output and the input (1 + 2)
    assertEquals("cellgraph train: this run needs at least 23.8 GB of memory (parameters with gradients and optimizer "
        + "state 19.2 GB; activations kept for the backward pass 512 MB: length 50 x batch 32 x 80,003 values; "
        + "validation 4.1 GB; data 427 KB), but the JVM may use at most " + HEAP + "; lower --hidden-size, --length "
        + "or --batch, or give Java more memory (CELLGRAPH_JAVA_OPTS=-Xmx...)\n", r.err());
  }

  @Test
  void aLongCopyTaskIsRefusedBeforeItsDataIsMade() {
    CliRunner r = CliRunner.run("train", "--cell", "lstm", "--task", "copy", "--length", "100000");
    assertEquals(2, r.status(), r.err());
    assertEquals("cellgraph train: a validation batch of 256 sequences of 100,010 steps needs tensors of "
        + "[100010, 256, 128] = 3,277,127,680 elements, more than the 2,147,483,647 of one tensor; lower --length, "
        + "--batch or --hidden-size\n", r.err());
    CliRunner half = CliRunner.run("train", "--cell", "lstm", "--task", "copy", "--length", "50000");
    assertEquals(2, half.status(), half.err());
    assertTrue(half.err().startsWith("cellgraph train: this run needs at least 13.0 GB of memory"), half.err());
    assertTrue(half.err().contains("length 50,010 x batch 32 x 216 values"), half.err());
  }

  @Test
  void compareCountsEveryJobThatRunsAtOnce() {
    CliRunner r = CliRunner.run("compare", "--cells", "gru,lstm", "--task", "copy", "--length", "30000", "--jobs", "2");
    assertEquals(2, r.status(), r.err());
    assertTrue(r.err().startsWith("cellgraph compare: this run needs at least "), r.err());
    assertTrue(r.err().contains(" of memory for 2 jobs at once ("), r.err());
  }

  @Test
  void theEstimateIsALowerBoundFromTheSizes() {
    MemoryBudget lstm = new MemoryBudget(AddingTask.modelOf(BuiltinCell.named("lstm", true), 32, 0), DType.FLOAT32,
        50, 32, 256, 0);
    assertEquals(128, lstm.gateWidth());
    assertEquals(64, lstm.stateWidth());
    assertEquals(64 + 128 + 1 + 2, lstm.keptPerStep());
    assertEquals(4L * 4 * (4 * 32 * (2 + 32 + 2) + 33), lstm.parameterBytes());
    MemoryBudget gru = new MemoryBudget(CopyTask.model(BuiltinCell.named("gru", true), 8, 32, 0), DType.FLOAT64,
        10, 4, 256, 0);
    assertEquals(96, gru.gateWidth());
    assertEquals(10L * 4 * (32 + 96 + 8 + 16) * 8, gru.activationBytes());
  }

  @Test
  void sampleWithAnotherCellNamesTheCellTheCheckpointHolds(@TempDir Path tmp) throws Exception {
    Path text = tmp.resolve("abc.txt");
    Files.writeString(text, "abcabcabd ".repeat(200));
    Path ck = tmp.resolve("lm");
    CliRunner t = CliRunner.run("train", "--cell", "gru", "--task", "charlm", "--data", text.toString(),
        "--hidden-size", "8", "--length", "8", "--batch", "4", "--steps", "2", "--checkpoint", ck.toString());
    assertEquals(0, t.status(), t.err());
    CliRunner s = CliRunner.run("sample", "--checkpoint", ck.toString(), "--cell", "lstm");
    assertEquals(2, s.status(), s.err());
    assertEquals("cellgraph sample: --cell lstm: this checkpoint holds a gru, not a lstm (" + ck
        + " was trained with --cell gru)\n", s.err());
  }

  @Test
  void sampleWithAFormulaFileOfOtherShapesNamesTheParameter(@TempDir Path tmp) throws Exception {
    Path text = tmp.resolve("abc.txt");
    Files.writeString(text, "abcabcabd ".repeat(200));
    Path cell = tmp.resolve("mine.cell");
    Files.writeString(cell, "state h\nh' = tanh(W x + U h + b)\n");
    Path ck = tmp.resolve("lm");
    CliRunner t = CliRunner.run("train", "--cell", cell.toString(), "--task", "charlm", "--data", text.toString(),
        "--hidden-size", "8", "--length", "8", "--batch", "4", "--steps", "2", "--checkpoint", ck.toString());
    assertEquals(0, t.status(), t.err());
    Path moved = tmp.resolve("elsewhere");
    Files.createDirectories(moved);
    Files.writeString(moved.resolve("mine.cell"), "state h\nh' = tanh(W [h, x] + U h + b)\n");
    CliRunner s = CliRunner.run("sample", "--checkpoint", ck.toString(), "--cell", moved.resolve("mine.cell").toString(),
        "--prime", "ab");
    assertEquals(2, s.status(), s.err());
    assertTrue(s.err().startsWith("cellgraph sample: " + ck + ": the checkpoint's parameter '"), s.err());
  }

  @Test
  void runRefusesAnOutputThatIsItsInputOrWeightsByAnyName(@TempDir Path tmp) throws Exception {
    Path golden = CommandLineTest.GOLDEN.resolve("pytorch/gru");
    Path weights = Files.copy(golden.resolve("weights.safetensors"), tmp.resolve("w.safetensors"));
    Path input = Files.copy(golden.resolve("input.safetensors"), tmp.resolve("in.safetensors"));
    byte[] w = Files.readAllBytes(weights);
    byte[] in = Files.readAllBytes(input);
    Path link = Files.createSymbolicLink(tmp.resolve("link.safetensors"), input);

    CliRunner same = CliRunner.run("run", "--cell", "gru", "--weights", weights.toString(), "--input",
        input.toString(), "--out", input.toString());
    assertEquals(2, same.status(), same.err());
    assertEquals("cellgraph run: --out " + input + " is the --input file; writing the result there would destroy it, "
        + "choose another file\n", same.err());
    CliRunner viaLink = CliRunner.run("run", "--cell", "gru", "--weights", weights.toString(), "--input",
        input.toString(), "--out", link.toString());
    assertEquals(2, viaLink.status(), viaLink.err());
    assertEquals("cellgraph run: --out " + link + " is the --input file " + input + "; writing the result there "
        + "would destroy it, choose another file\n", viaLink.err());
    CliRunner dotted = CliRunner.run("run", "--cell", "gru", "--weights", weights.toString(), "--input",
        input.toString(), "--out", tmp.resolve(".").resolve("w.safetensors").toString());
    assertEquals(2, dotted.status(), dotted.err());
    assertTrue(dotted.err().contains("is the --weights file"), dotted.err());

    assertArrayEquals(w, Files.readAllBytes(weights));
    assertArrayEquals(in, Files.readAllBytes(input));
    assertTrue(Files.isSymbolicLink(link));
    assertFalse(Files.exists(tmp.resolve("out.safetensors")));
    CliRunner ok = CliRunner.run("run", "--cell", "gru", "--weights", weights.toString(), "--input",
        input.toString(), "--out", tmp.resolve("out.safetensors").toString());
    assertEquals(0, ok.status(), ok.err());
  }
}
