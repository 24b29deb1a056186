package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The schedules behind --lr-schedule: warm-up, then constant, step or cosine. */
class LearningRateTest {
  @Test
  void warmUpThenConstant() {
    LearningRate r = LearningRate.warmupConstant(0.1, 4);
    assertEquals(0.025, r.at(0, 100), 1e-15);
    assertEquals(0.1, r.at(3, 100), 1e-15);
    assertEquals(0.1, r.at(99, 100), 1e-15);
    assertEquals("warm-up 4 then constant 0.100000", r.describe());
  }

  @Test
  void stepMultipliesByGammaAtHalfAndThreeQuartersOfTheStepsAfterTheWarmUp() {
    LearningRate r = LearningRate.warmupStep(1.0, 10, 0.1);
    assertEquals(0.1, r.at(0, 110), 1e-15);
    assertEquals(1.0, r.at(10, 110), 1e-15);
    assertEquals(1.0, r.at(59, 110), 1e-15);
    assertEquals(0.1, r.at(60, 110), 1e-15);
    assertEquals(0.1, r.at(84, 110), 1e-15);
    assertEquals(0.01, r.at(85, 110), 1e-15);
    assertEquals(0.01, r.at(109, 110), 1e-15);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearningRate.warmupStep(1, 0, 2));
    assertEquals("decay factor (2.0) must be in (0, 1]", e.getMessage());
  }

  @Test
  void aRequestedStopEndsTheRunAtAStepBoundaryWithItsCheckpoint(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    Trainer.Config c = Trainer.Config.builder().steps(20).hiddenSize(4).validateEvery(0).checkpoint(dir, 0).build();
    Trainer t = Trainer.create(dev.cellgraph.cells.BuiltinCell.named("gru", true), ToyTasks.stream(), c);
    t.run(new Trainer.Listener() {
      @Override public void stepped(long step, double loss, double gradNorm, double lr) {
        if (step == 6) {
          t.requestStop("a test");
        }
      }
    });
    assertEquals(7, t.step());
    assertEquals("a test", t.stopReason());
    assertEquals(7, Checkpoint.load(dir).step());
    Trainer resumed = Trainer.resume(dev.cellgraph.cells.BuiltinCell.named("gru", true), ToyTasks.stream(), c);
    assertEquals(null, resumed.stopReason(), "a stop on request does not outlive the process");
    resumed.run(new Trainer.Listener() {});
    assertEquals(20, resumed.step());
  }
}
