package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.cells.Cell;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints written by earlier versions still load: {@code checkpoint-format-1} was written by
 * the code before tensor names were parsed by {@link Checkpoint.Section} (6 of 9 steps of an LSTM
 * on the stream task, Adam, dropout 0.3, seed 42).
 */
class CheckpointFormatTest {
  private static final Cell LSTM = BuiltinCell.named("lstm", true);

  private static Trainer.Config config(Path dir) {
    return Trainer.Config.builder().steps(9).seed(42).hiddenSize(4).validateEvery(5)
        .learningRate(LearningRate.warmupCosine(0.05, 3, 0.1)).optimizer("adam").dropout(0.3)
        .checkpoint(dir, 0).build();
  }

  private static Path copyOfTheOldCheckpoint(Path dir) throws IOException {
    for (String f : List.of(Checkpoint.TENSORS, Checkpoint.JSON)) {
      try (InputStream in = CheckpointFormatTest.class.getResourceAsStream("checkpoint-format-1/" + f)) {
        Files.copy(in, dir.resolve(f));
      }
    }
    return dir;
  }

  @Test
  void anOldCheckpointLoadsIntoItsSections(@TempDir Path tmp) throws Exception {
    Checkpoint.Contents c = Checkpoint.load(copyOfTheOldCheckpoint(tmp));
    assertEquals(6, c.step());
    assertEquals(List.of("embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
        "rnn.bias_hh_l0", "head.weight", "head.bias"), List.copyOf(c.parameters().keySet()));
    assertEquals(1 + 2 * 7, c.optimizer().size()); // the step count, and Adam's two moments per parameter
    assertEquals(List.of("step", "m/embedding.weight", "v/embedding.weight"),
        List.copyOf(c.optimizer().keySet()).subList(0, 3));
    assertEquals(List.of("h", "c"), List.copyOf(c.carry().keySet()));
    assertEquals(6, c.history().size());
  }

  @Test
  void anOldCheckpointIsWrittenBackByteForByte(@TempDir Path tmp) throws Exception {
    Path old = copyOfTheOldCheckpoint(Files.createDirectory(tmp.resolve("old")));
    Path again = tmp.resolve("again");
    Checkpoint.save(again, Checkpoint.load(old));
    assertArrayEquals(Files.readAllBytes(old.resolve(Checkpoint.TENSORS)),
        Files.readAllBytes(again.resolve(Checkpoint.TENSORS)));
    assertEquals(Files.readString(old.resolve(Checkpoint.JSON)), Files.readString(again.resolve(Checkpoint.JSON)));
  }

  @Test
  void anOldCheckpointResumesAsAnUninterruptedRunDoes(@TempDir Path tmp) throws Exception {
    Trainer whole = Trainer.create(LSTM, ToyTasks.stream(), config(tmp.resolve("whole")));
    whole.run(new Trainer.Listener() {});
    Trainer resumed = Trainer.resume(LSTM, ToyTasks.stream(),
        config(copyOfTheOldCheckpoint(Files.createDirectory(tmp.resolve("old")))));
    resumed.run(new Trainer.Listener() {});
    // The file's first six steps ran in another JVM: the same numbers to float32 rounding. (In
    // a full suite run the resumed parameters have differed from an uninterrupted run in this
    // JVM by one float32 ulp, which a run resumed within one JVM does not: see TrainerTest.)
    for (String k : whole.parameters().keySet()) {
      assertTrue(whole.parameters().get(k).allClose(resumed.parameters().get(k), 1e-4, 1e-6), k);
    }
    assertEquals(whole.history().loss().size(), resumed.history().loss().size());
  }

  @Test
  void tensorNamesParseIntoSectionAndKey() {
    assertEquals(new Checkpoint.Key(Checkpoint.Section.OPTIMIZER, "m/head.bias"),
        Checkpoint.Section.parse("optimizer/m/head.bias"));
    assertEquals("param/W", Checkpoint.Section.PARAMETERS.tensorName("W"));
    assertEquals(null, Checkpoint.Section.parse(Checkpoint.RNG));
    assertEquals(null, Checkpoint.Section.parse("params/W"));
  }
}
