package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the progress display prints: one unit, each validation once, no ETA before steps after the warm-up are timed. */
class ProgressTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  private List<String> lines() {
    return bytes.toString(StandardCharsets.UTF_8).lines().toList();
  }

  @Test
  void noEtaUntilStepsAfterTheWarmUpAreTimedAndEveryFigureInTheTasksUnit() throws Exception {
    Progress p = Progress.lines(out, "lstm", 0).withMetric("bits/char", l -> l / Math.log(2));
    p.started(0, 100);
    int etaFrom = Progress.WARM_UP_STEPS + Progress.TIMED_STEPS;
    for (int s = 0; s < etaFrom; s++) {
      Thread.sleep(2);
      p.stepped(s, Math.log(2) * 3, 1, 0.01);
    }
    p.validated(etaFrom - 1, Math.log(2) * 2.5);
    List<String> l = lines();
    for (int s = 0; s < etaFrom - 1; s++) {
      assertEquals("lstm: step " + (s + 1) + "/100  ETA --  train bits/char 3.0000", l.get(s));
    }
    assertTrue(l.get(etaFrom - 1).matches("lstm: step " + etaFrom + "/100  \\d+\\.\\d\\d step/s  ETA \\d+:\\d\\d  "
        + "train bits/char 3\\.0000"), l.get(etaFrom - 1));
    assertEquals("lstm: step " + etaFrom + " validation bits/char 2.5000", l.get(etaFrom));
    assertEquals(etaFrom + 1, l.size(), "the validation is printed once, on its own line");
  }

  @Test
  void aResumedRunTimesItsOwnStepsAndNotesArePrinted() {
    Progress p = Progress.lines(out, "gru", 1000);
    p.started(40, 50);
    p.stepped(40, 1, 1, 0.1);
    p.noted(40, "stopping at step 41 (stopped by a signal)");
    assertEquals(List.of("gru: resuming at step 40 of 50", "gru: stopping at step 41 (stopped by a signal)"), lines());
  }

  @Test
  void aBoardRedrawsEachRunsLineInPlaceOnATerminalAndPrintsWholeLinesInALog() {
    ProgressBoard board = ProgressBoard.terminal(out);
    Progress a = board.add("adding rnn", 15);
    board.add("adding gru", 15);
    a.started(0, 10);
    bytes.reset();
    board.draw(0, "adding rnn [==>]");
    assertEquals("\033[2A\r\033[2Kadding rnn [==>]\033[2B\r", bytes.toString(StandardCharsets.UTF_8));
    bytes.reset();
    a.validated(4, 0.25);
    String shown = bytes.toString(StandardCharsets.UTF_8);
    String above = "\033[2A\r\033[2Kadding rnn: step 5 validation loss 0.2500\n\033[2Kadding rnn [==>]\n\033[2Kadding gru\n";
    assertTrue(shown.startsWith(above), shown);
    // then the run's row again, with this validation, so the row never shows an older one
    assertEquals("\033[2A\r\033[2Kadding rnn [>                       ] step 0/10  ETA --  train loss NaN  "
        + "validation (step 5) 0.2500\033[2B\r", shown.substring(above.length()));

    bytes.reset();
    ProgressBoard log = ProgressBoard.lines(out);
    Progress b = log.add("copy lstm", 0);
    b.started(0, 2);
    b.stepped(0, 0.5, 1, 0.1);
    b.validated(0, 0.4);
    assertEquals(List.of("copy lstm: step 1/2  ETA --  train loss 0.5000", "copy lstm: step 1 validation loss 0.4000"),
        lines());
    assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("\033"));
  }
}
