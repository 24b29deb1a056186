package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TrainerTest {
  private static final Trainer.Listener QUIET = new Trainer.Listener() {};
  private static final Cell LSTM = BuiltinCell.named("lstm", true);
  private static final Cell GRU = BuiltinCell.named("gru", true);

  private static Trainer.Builder config(long steps) {
    return Trainer.Config.builder().steps(steps).seed(42).hiddenSize(4).validateEvery(5)
        .learningRate(LearningRate.warmupCosine(0.05, 3, 0.1));
  }

  @Test
  void theSameSeedGivesTheSameRunBitForBit() throws Exception {
    Trainer a = Trainer.create(LSTM, ToyTasks.stream(), config(12).dropout(0.2).build());
    Trainer b = Trainer.create(LSTM, ToyTasks.stream(), config(12).dropout(0.2).build());
    a.run(QUIET);
    b.run(QUIET);
    assertEquals(a.parameters(), b.parameters());
    assertEquals(a.history().loss(), b.history().loss());
    Trainer c = Trainer.create(LSTM, ToyTasks.stream(), config(12).dropout(0.2).seed(43).build());
    c.run(QUIET);
    assertNotEquals(a.history().loss(), c.history().loss());
  }

  @Test
  void trainingLowersTheLoss() throws Exception {
    Trainer t = Trainer.create(GRU, ToyTasks.stream(), config(60).hiddenSize(8).build());
    t.run(QUIET);
    double first = t.history().validationLoss().get(0);
    assertTrue(t.history().lastValidationLoss() < 0.8 * first,
        "validation loss went from " + first + " to " + t.history().lastValidationLoss());
  }

  /** Carried state, dropout masks from the Rng, Adam moments and the schedule all survive a resume. */
  @ParameterizedTest
  @ValueSource(strings = {"adam", "sgd", "rmsprop", "adamw"})
  void aResumedRunIsBitIdenticalToAnUninterruptedOne(String optimizer, @TempDir Path tmp) throws Exception {
    Trainer.Config whole = config(17).optimizer(optimizer).dropout(0.3).checkpoint(tmp.resolve("whole"), 4).build();
    Trainer uninterrupted = Trainer.create(LSTM, ToyTasks.stream(), whole);
    uninterrupted.run(QUIET);

    Trainer.Config parts = config(17).optimizer(optimizer).dropout(0.3).checkpoint(tmp.resolve("parts"), 4).build();
    Trainer first = Trainer.create(LSTM, ToyTasks.stream(), parts);
    first.run(QUIET, 7);   // "interrupted" after step 7, between two periodic checkpoints
    assertEquals(7, Checkpoint.load(tmp.resolve("parts")).step());
    Trainer resumed = Trainer.resume(LSTM, ToyTasks.stream(), parts);
    assertEquals(7, resumed.step());
    resumed.run(QUIET);

    assertEquals(uninterrupted.parameters(), resumed.parameters());
    assertEquals(uninterrupted.history().loss(), resumed.history().loss());
    assertEquals(uninterrupted.history().gradNorm(), resumed.history().gradNorm());
    assertEquals(uninterrupted.history().validationLoss(), resumed.history().validationLoss());
    assertEquals(uninterrupted.history().validationSteps(), resumed.history().validationSteps());
  }

  @Test
  void resumingFreshBatchesFromTheSavedRandomState(@TempDir Path tmp) throws Exception {
    Trainer a = Trainer.create(GRU, ToyTasks.regression(), config(9).checkpoint(tmp.resolve("a"), 0).build());
    a.run(QUIET);
    Trainer.Config c = config(9).checkpoint(tmp.resolve("b"), 0).build();
    Trainer.create(GRU, ToyTasks.regression(), c).run(QUIET, 4);
    Trainer b = Trainer.resume(GRU, ToyTasks.regression(), c);
    b.run(QUIET);
    assertEquals(a.parameters(), b.parameters());
    assertEquals(a.history().loss(), b.history().loss());
  }

  @Test
  void aCheckpointOfAnotherCellOrSizeIsRefusedNamingTheDifferences(@TempDir Path tmp) throws Exception {
    Trainer.create(LSTM, ToyTasks.stream(), config(2).checkpoint(tmp, 0).build()).run(QUIET);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Trainer.resume(GRU, ToyTasks.stream(), config(2).hiddenSize(5).checkpoint(tmp, 0).build()));
    assertEquals("checkpoint " + tmp + " was written by a different run, so it cannot be resumed: "
        + "cell is \"lstm\" there, \"gru\" here; hidden size is 4 there, 5 here", e.getMessage());
  }

  @Test
  void theCheckpointHasReadableMetadata(@TempDir Path tmp) throws Exception {
    Trainer.create(LSTM, ToyTasks.stream(), config(3).checkpoint(tmp, 0).build()).run(QUIET);
    String json = Files.readString(tmp.resolve(Checkpoint.JSON));
    assertTrue(json.contains("\"cell\": \"lstm\""), json);
    assertTrue(json.contains("\"task\": \"stream\""), json);
    assertTrue(json.contains("\"step\": 3"), json);
    assertFalse(Files.list(tmp).anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary files left");
  }

  @Test
  void aDamagedCheckpointIsAnErrorNamingTheFile(@TempDir Path tmp) throws Exception {
    Files.writeString(tmp.resolve(Checkpoint.TENSORS), "not a checkpoint");
    Exception e = assertThrows(Exception.class,
        () -> Trainer.resume(LSTM, ToyTasks.stream(), config(2).checkpoint(tmp, 0).build()));
    assertTrue(e.getMessage().contains(Checkpoint.TENSORS), e.getMessage());
  }

  @Test
  void plainProgressLinesWhenNotOnATerminal() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Trainer.create(GRU, ToyTasks.stream(), config(10).build()).run(Progress.lines(out, "gru", 0));
    String s = bytes.toString(StandardCharsets.UTF_8);
    assertFalse(s.contains("\r"), "no carriage returns in a log");
    assertTrue(s.contains("gru: step 10/10"), s);
    assertTrue(s.matches("(?s).*gru: step 5/10  .*train loss \\d\\.\\d{4}  validation loss \\d\\.\\d{4}\n.*"), s);
  }

  @Test
  void gradientFlowHasOneNormPerStep() {
    Trainer t = Trainer.create(LSTM, ToyTasks.regression(), config(1).build());
    Batch b = t.task().validationBatches().get(0);
    double[] n = GradientFlow.norms(t.model(), t.parameters(), t.task(), b);
    assertEquals(6, n.length);
    for (double v : n) {
      assertTrue(v > 0 && Double.isFinite(v), "norm " + v);
    }
  }

  @Test
  void gradientClippingScalesAllGradientsTogether() {
    Map<String, Tensor> g = Map.of("a", Tensor.of(new double[] {3}, 1), "b", Tensor.of(new double[] {4}, 1));
    double norm = GradientClipping.globalNorm(g.values());
    assertEquals(5, norm, 0);
    Map<String, Tensor> c = GradientClipping.clip(g, norm, 1.0);
    assertEquals(1.0, GradientClipping.globalNorm(c.values()), 1e-6);
    assertEquals(0.8, c.get("b").item(), 1e-6);
    assertTrue(GradientClipping.clip(g, norm, 10) == g);
  }
}
