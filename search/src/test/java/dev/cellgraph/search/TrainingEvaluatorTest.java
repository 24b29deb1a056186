package dev.cellgraph.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.cells.search.Canonical;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class TrainingEvaluatorTest {
  private static final TrainingEvaluator TINY = TrainingEvaluator.forTask("adding").withLength(8).withBatch(8);

  private static Trial trial(String text, long seed) {
    return new Trial(text, Canonical.hash(CellSpec.parse(text)), "", "seed", "adding", 4, 30, seed);
  }

  @Test
  void theSameTrialGivesTheSameRow() throws Exception {
    Trial t = trial(Zoo.text("gru"), 3);
    TrialResult a = TINY.evaluate(t);
    // shipped as a distributed back end ships it: serialized and read back
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(TINY);
      out.writeObject(t);
    }
    TrialResult b;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      b = ((Evaluator) in.readObject()).evaluate((Trial) in.readObject());
    }
    TrialResult c = TINY.withKernelThreads(2).evaluate(t);
    assertEquals("", a.error());
    assertFalse(a.diverged());
    assertTrue(a.validationLoss() > 0 && a.validationLoss() < 1, "MSE of the adding problem: " + a.validationLoss());
    for (TrialResult r : new TrialResult[] {b, c}) {
      assertEquals(a.validationLoss(), r.validationLoss());
      assertEquals(a.gradCheckError(), r.gradCheckError());
      assertEquals(a.parameters(), r.parameters());
    }
    assertTrue(a.secondsPerStep() > 0);
    // the GRU's 3 (H I + H H + 2 H) parameters at I = 2, H = 4, and the dense head's H + 1
    assertEquals(3 * (4 * 2 + 4 * 4 + 2 * 4) + 4 + 1, a.parameters());
    assertTrue(a.gradCheckError() < 1e-6, "the derived gradient matches finite differences: " + a.gradCheckError());
  }

  @Test
  void anotherSeedIsAnotherTrial() {
    assertTrue(TINY.evaluate(trial(Zoo.text("gru"), 1)).validationLoss()
        != TINY.evaluate(trial(Zoo.text("gru"), 2)).validationLoss());
  }

  @Test
  void aCellThatDoesNotParseFailsWithItsMessage() {
    Trial t = new Trial("h' = tanh(W x + ", "0", "", "seed", "adding", 4, 5, 1);
    TrialResult r = TINY.evaluate(t);
    assertTrue(r.failed());
    assertTrue(r.error().startsWith("candidate.cell:1:"), r.error());
    assertTrue(Double.isNaN(r.validationLoss()));
  }

  @Test
  void aCellThatBlowsUpIsDivergedNotFailed() {
    TrialResult r = TINY.withGradCheck(false).withLearningRate(5).evaluate(
        trial("h' = exp(exp(exp(W x + U h + b)))", 1));
    assertTrue(r.diverged(), String.valueOf(r));
    assertFalse(r.failed());
  }
}
