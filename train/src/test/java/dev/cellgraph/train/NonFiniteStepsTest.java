package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A step with a NaN or infinite loss or gradient is never applied: the run stops (or skips it) and no bad checkpoint is written. */
class NonFiniteStepsTest {
  private static final Trainer.Listener QUIET = new Trainer.Listener() {};
  private static final Cell RNN = BuiltinCell.named("rnn", true);

  private static Trainer.Builder config(long steps) {
    return Trainer.Config.builder().steps(steps).seed(3).hiddenSize(4).validateEvery(0)
        .learningRate(LearningRate.constant(0.01));
  }

  private static Map<String, Tensor> copy(Map<String, Tensor> m) {
    return new LinkedHashMap<>(m);
  }

  @Test
  void aNonFiniteGradientWithAFiniteLossStopsTheRunBeforeItIsApplied() throws Exception {
    Trainer t = Trainer.create(RNN, ToyTasks.rigged(4, Float.POSITIVE_INFINITY), config(10).build());
    List<Double> losses = new ArrayList<>();
    Map<String, Tensor> before = new LinkedHashMap<>();
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.run(new Trainer.Listener() {
      @Override
      public void stepped(long step, double loss, double gradNorm, double lr) {
        losses.add(loss);
        before.clear();
        before.putAll(t.parameters());
      }
    }));
    assertEquals("training diverged at step 5: the gradient of 'rnn.weight_ih_l0' holds NaN (the loss is finite)",
        e.getMessage());
    assertEquals(4, t.step());
    assertEquals(before, copy(t.parameters()));
    assertEquals(4, losses.size());
  }

  @Test
  void aNaNLossStopsTheRunNamingTheStepAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ck");
    Trainer t = Trainer.create(RNN, ToyTasks.rigged(6, Float.NaN), config(10).checkpoint(dir, 4).build());
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.run(QUIET));
    assertEquals("training diverged at step 7: the loss is NaN; the checkpoint in " + dir + " (step 4) is kept",
        e.getMessage());
    Checkpoint.Contents c = Checkpoint.load(dir);
    assertEquals(4, c.step());
    for (Tensor p : c.parameters().values()) {
      for (float v : TensorAccess.floats(p)) {
        assertTrue(Float.isFinite(v));
      }
    }
  }

  @Test
  void aStopBeforeAnyCheckpointSaysNoneWasWritten(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ck");
    Trainer t = Trainer.create(RNN, ToyTasks.rigged(1, Float.NaN), config(10).checkpoint(dir, 4).build());
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.run(QUIET));
    assertEquals("training diverged at step 2: the loss is NaN; no checkpoint was written", e.getMessage());
    assertTrue(!Files.exists(dir.resolve(Checkpoint.TENSORS)));
  }

  @Test
  void skippingLeavesTheParametersAndHalvesTheLearningRateAndResumesExactly(@TempDir Path tmp) throws Exception {
    Trainer.Builder skip = config(10).onNonFinite(Trainer.OnNonFinite.SKIP);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    Trainer whole = Trainer.create(RNN, ToyTasks.rigged(4, Float.POSITIVE_INFINITY),
        skip.checkpoint(tmp.resolve("whole"), 3).build());
    List<Double> rates = new ArrayList<>();
    Progress p = Progress.lines(out, "rnn", 1e9);
    whole.run(new Trainer.Listener() {
      @Override
      public void stepped(long step, double loss, double gradNorm, double lr) {
        rates.add(lr);
      }

      @Override
      public void skipped(long step, String reason, double lrScale) {
        p.skipped(step, reason, lrScale);
      }
    });
    assertEquals(10, whole.step());
    assertEquals(0.5, whole.learningRateScale());
    assertEquals(List.of(0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.005, 0.005), rates);
    assertEquals("rnn: step 5 skipped: the gradient of 'rnn.weight_ih_l0' holds NaN (the loss is finite); "
        + "learning rate now 0.5 times the schedule\n", bytes.toString(StandardCharsets.UTF_8));

    Trainer first = Trainer.create(RNN, ToyTasks.rigged(4, Float.POSITIVE_INFINITY),
        config(10).onNonFinite(Trainer.OnNonFinite.SKIP).checkpoint(tmp.resolve("part"), 3).build());
    first.run(QUIET, 6);
    Trainer resumed = Trainer.resume(RNN, ToyTasks.rigged(4, Float.POSITIVE_INFINITY),
        config(10).onNonFinite(Trainer.OnNonFinite.SKIP).checkpoint(tmp.resolve("part"), 3).build());
    assertEquals(0.5, resumed.learningRateScale());
    resumed.run(QUIET);
    assertEquals(whole.parameters(), resumed.parameters());
  }

  @Test
  void skippingGivesUpAfterTenConsecutiveBadSteps() {
    Task alwaysBad = new Task() {
      final Task base = ToyTasks.rigged(0, Float.NaN);
      @Override public String name() { return "sum"; }
      @Override public Map<String, String> settings() { return base.settings(); }
      @Override public dev.cellgraph.train.nn.SequenceModel model(Cell c, int h, double d) { return base.model(c, h, d); }
      @Override public List<Batch> validationBatches() { return base.validationBatches(); }
      @Override public dev.cellgraph.autodiff.Node loss(dev.cellgraph.train.nn.SequenceModel.Forward f,
          Map<String, dev.cellgraph.autodiff.Node> b) { return base.loss(f, b); }
      @Override public Batch trainingBatch(long step, dev.cellgraph.core.random.Rng rng) {
        return base.trainingBatch(step < 2 ? 1 : 0, rng);
      }
    };
    Trainer t = Trainer.create(RNN, alwaysBad, config(30).onNonFinite(Trainer.OnNonFinite.SKIP).build());
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.run(QUIET));
    assertEquals("training diverged at step 13: the loss is NaN, the 10 steps before it were skipped too",
        e.getMessage());
    assertEquals(Math.pow(0.5, 10), t.learningRateScale());
  }

  @Test
  void aCheckpointIsNeverWrittenFromNonFiniteParameters(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("ck");
    Trainer t = Trainer.create(RNN, ToyTasks.regression(), config(4).checkpoint(dir, 2).build());
    t.run(QUIET, 2);
    byte[] good = Files.readAllBytes(dir.resolve(Checkpoint.TENSORS));
    float[] w = TensorAccess.floats(t.parameters().get("rnn.weight_hh_l0"));
    w[0] = Float.NaN;
    TrainingDivergedException e = assertThrows(TrainingDivergedException.class, t::saveCheckpoint);
    assertEquals("training diverged at step 2: parameter 'rnn.weight_hh_l0' holds NaN, so no checkpoint is "
        + "written; the checkpoint in " + dir + " (step 2) is kept", e.getMessage());
    assertArrayEquals(good, Files.readAllBytes(dir.resolve(Checkpoint.TENSORS)));
  }
}
