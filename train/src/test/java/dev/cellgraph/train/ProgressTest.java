package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the progress display prints: one unit, each validation once and in its step's line, no ETA
 * before steps after the warm-up are timed, a rate from the recent steps, one row per run on a
 * terminal.
 */
class ProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  /** A clock the test moves: nanoseconds. */
  private long now;

  private List<String> lines() {
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  private void step(Progress p, long step, double loss, double seconds) {
    now += (long) (seconds * 1e9);
    p.stepped(step, loss, 1, 0.01);
  }

  @Test
  void noEtaUntilStepsAfterTheWarmUpAreTimedAndEveryFigureInTheTasksUnit() {
    Progress p = Progress.lines(out, "lstm", 0, () -> now).withMetric("bits/char", l -> l / Math.log(2));
    p.started(0, 100);
    int etaFrom = Progress.WARM_UP_STEPS + Progress.TIMED_STEPS;
    for (int s = 0; s < etaFrom; s++) {
      step(p, s, Math.log(2) * 3, 0.5);
    }
    p.validated(etaFrom - 1, Math.log(2) * 2.5);
    p.finished(etaFrom);
    List<String> l = lines();
    for (int s = 0; s < etaFrom - 1; s++) {
      assertEquals("lstm: step " + (s + 1) + "/100  ETA --  train bits/char 3.0000", l.get(s));
    }
    // 2 steps/s from the 10 timed steps: 85 steps to go take 42.5 s
    assertEquals("lstm: step 15/100  2.00 step/s  ETA 0:43  train bits/char 3.0000  validation bits/char 2.5000",
        l.get(etaFrom - 1));
    assertEquals(etaFrom, l.size(), "the validation is in its step's line, printed once");
  }

  @Test
  void theRateAndTheTrainingLossComeFromTheRecentSteps() {
    Progress p = Progress.lines(out, "gru", 1e6, () -> now);
    p.started(0, 1000);
    for (int s = 0; s < 30; s++) {
      step(p, s, 9, 10); // the slow start: 0.1 step/s
    }
    for (int s = 30; s < 30 + Progress.WINDOW; s++) {
      step(p, s, s % 2 == 0 ? 1 : 2, 0.25); // then 4 steps/s, losses 1 and 2 alternating
    }
    p.validated(49, 0.5);
    // the mean since the warm-up would be 45 steps in 255 s (0.18 step/s): the last 20 steps say 4 step/s
    assertEquals(List.of("gru: step 50/1000  4.00 step/s  ETA 3:58  train loss 1.5000  validation loss 0.5000"),
        lines());
  }

  @Test
  void theRateLeavesOutValidationsAndTheEtaAddsThoseToCome() {
    Progress p = Progress.lines(out, "rnn", 1e6, () -> now);
    p.started(0, 100);
    for (int s = 0; s < 20; s++) {
      step(p, s, 1, 1); // a step takes 1 s
      if ((s + 1) % 10 == 0) {
        now += 5_000_000_000L; // and a validation every 10 steps 5 s
        p.validated(s, 0.5);
      }
    }
    // 80 steps at 1 step/s, then 8 validations of 5 s: 2 minutes; the rate shown is the steps' own
    assertEquals(List.of("rnn: step 10/100  ETA --  train loss 1.0000  validation loss 0.5000",
        "rnn: step 20/100  1.00 step/s  ETA 2:00  train loss 1.0000  validation loss 0.5000"), lines());
  }

  @Test
  void aRowTooWideForTheTerminalLosesWholeFieldsNotDigits() {
    String row = "charlm lstm [====>       ] 40/120  3.1/s  ETA 0:26  train bits/char 3.8348  val 0.0923 @40";
    assertEquals(row, Progress.fit(row, row.length()));
    assertEquals("charlm lstm [====>       ] 40/120  3.1/s  ETA 0:26  train bits/char 3.8348",
        Progress.fit(row, row.length() - 3));
    assertEquals("charlm lstm [====>       ] 40/120", Progress.fit(row, 39));
  }

  @Test
  void aResumedRunTimesItsOwnStepsAndNotesArePrinted() {
    Progress p = Progress.lines(out, "gru", 1000, () -> now);
    p.started(40, 50);
    step(p, 40, 1, 1);
    p.noted(40, "stopping at step 41 (stopped by a signal)");
    p.finished(41);
    assertEquals(List.of("gru: resuming at step 40 of 50", "gru: stopping at step 41 (stopped by a signal)"), lines());
  }

  @Test
  void aLineDueAtAStepWithoutValidationIsPrintedAtTheNextEvent() {
    Progress p = Progress.lines(out, "rnn", 0, () -> now);
    p.started(0, 3);
    step(p, 0, 0.5, 1);
    assertEquals(List.of(), lines(), "held back in case the step's validation follows");
    step(p, 1, 0.7, 1);
    assertEquals(List.of("rnn: step 1/3  ETA --  train loss 0.5000"), lines());
    p.skipped(2, "the loss is NaN", 0.5);
    assertEquals(List.of("rnn: step 1/3  ETA --  train loss 0.5000", "rnn: step 2/3  ETA --  train loss 0.6000",
        "rnn: step 3 skipped: the loss is NaN; learning rate now 0.5 times the schedule"), lines());
  }

  @Test
  void aBoardKeepsOneRowPerRunOnATerminalWithItsLastValidation() {
    ProgressBoard board = ProgressBoard.terminal(out, 200);
    Progress a = board.add("adding rnn", 15, () -> now);
    board.add("adding gru", 15, () -> now);
    assertEquals("adding rnn  waiting\nadding gru  waiting\n", bytes.toString(StandardCharsets.UTF_8));
    a.started(0, 10);
    bytes.reset();
    step(a, 0, 0.3, 1);
    String row1 = "adding rnn [=>          ] 1/10  ETA --  train loss 0.3000";
    assertEquals("\033[2A\r\033[2K" + row1 + "\033[2B\r", bytes.toString(StandardCharsets.UTF_8));
    bytes.reset();
    a.validated(0, 0.25);
    assertEquals("\033[2A\r\033[2K" + row1 + "  val 0.2500 @1\033[2B\r",
        bytes.toString(StandardCharsets.UTF_8), "the validation is in the row, not a line of its own");
    bytes.reset();
    a.noted(0, "learning rate halved");
    assertEquals("\033[2A\r\033[2Kadding rnn: learning rate halved\n\033[2K" + row1
        + "  val 0.2500 @1\n\033[2Kadding gru  waiting\n", bytes.toString(StandardCharsets.UTF_8));
    bytes.reset();
    now += 61_000_000_000L;
    a.finished(1);
    assertEquals("\033[2A\r\033[2Kadding rnn [=>          ] 1/10  done in 1:02  train loss 0.3000  val 0.2500 @1"
        + "\033[2B\r", bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aTerminalRowIsCutToTheWidthSoItNeverWraps() {
    ProgressBoard board = ProgressBoard.terminal(out, 40);
    Progress a = board.add("charlm lstm seed 3", 15, () -> now);
    a.started(0, 10);
    bytes.reset();
    step(a, 0, 0.3, 1);
    String shown = bytes.toString(StandardCharsets.UTF_8);
    String row = shown.substring("\033[1A\r\033[2K".length(), shown.length() - "\033[1B\r".length());
    assertEquals("charlm lstm seed 3 [=>          ] 1/10", row, "cut at a field's end, under 40 columns");
  }

  @Test
  void aBoardInALogPrintsWholeLinesNamingTheirRun() {
    ProgressBoard log = ProgressBoard.lines(out);
    Progress b = log.add("copy lstm", 0, () -> now);
    Progress c = log.add("copy gru", 0, () -> now);
    b.started(0, 2);
    c.started(0, 2);
    step(b, 0, 0.5, 1);
    step(c, 0, 0.6, 1);
    b.validated(0, 0.4);
    step(c, 1, 0.6, 1);
    c.finished(2);
    assertEquals(List.of("copy lstm: step 1/2  ETA --  train loss 0.5000  validation loss 0.4000",
        "copy gru: step 1/2  ETA --  train loss 0.6000", "copy gru: step 2/2  ETA --  train loss 0.6000"), lines());
    assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\033"));
    assertTrue(lines().stream().allMatch(l -> l.startsWith("copy ")));
  }
}
