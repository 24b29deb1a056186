package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cli.CommandLineTest.Run;
import org.junit.jupiter.api.Test;

/** {@code cellgraph bench --stream}: single inference steps of one stream. */
class StreamBenchTest {
  @Test
  void streamPrintsOneJsonLinePerCellWithModeStreamAndBatch1() {
    Run r = CommandLineTest.run("bench", "--cell", "lstm", "--config", "small", "--stream", "--reps", "20",
        "--warmup", "3", "--warmup-seconds", "0", "--threads", "1", "--json");
    assertEquals(0, r.status(), r.err());
    String line = r.out().strip();
    assertTrue(line.startsWith("{\"cell\": \"lstm\", \"impl\": \"builtin\", \"config\": \"small\", \"threads\": 1, "
        + "\"I\": 32, \"H\": 64, \"B\": 1, \"T\": 1, \"layers\": 1, \"seconds\": "), line);
    assertTrue(line.endsWith(", \"mode\": \"stream\", \"steps\": 20}"), line);
  }

  @Test
  void streamTimesTheFormulaCellAgainstTheBuiltinInterleaved() {
    Run r = CommandLineTest.run("bench", "--cell", "gru", "--formula", "--against-builtin", "--stream",
        "--input-size", "3", "--hidden-size", "4", "--batch", "2", "--reps", "10", "--warmup", "1",
        "--warmup-seconds", "0", "--threads", "1", "--json");
    assertEquals(0, r.status(), r.err());
    String[] lines = r.out().strip().split("\n");
    assertEquals(2, lines.length, r.out());
    assertTrue(lines[0].startsWith("{\"cell\": \"gru\", \"impl\": \"builtin\", \"config\": null, \"threads\": 1, "
        + "\"I\": 3, \"H\": 4, \"B\": 2, \"T\": 1, "), lines[0]);
    assertTrue(lines[0].endsWith("\"mode\": \"stream\", \"steps\": 10, \"interleaved\": true}"), lines[0]);
    assertTrue(lines[1].matches(".*\"impl\": \"formula\", .*\"mode\": \"stream\", \"steps\": 10, \"interleaved\": true,"
        + " \"vs_builtin\": [0-9]+\\.[0-9]{3}}"), lines[1]);
  }

  @Test
  void streamPrintsMicrosecondsPerStepWithoutJson() {
    Run r = CommandLineTest.run("bench", "--cell", "rnn", "--stream", "--input-size", "3", "--hidden-size", "4",
        "--reps", "5", "--warmup", "0", "--warmup-seconds", "0", "--threads", "1");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().strip().matches("rnn \\(builtin\\) stream I=3 H=4 B=1, 1 layer, float32, 1 thread: "
        + "[0-9]+\\.[0-9]{2} µs/step \\(median of 5 steps, best [0-9]+\\.[0-9]{2}\\)"), r.out());
  }

  @Test
  void streamRefusesOptionsThatDoNotApply() {
    Run r = CommandLineTest.run("bench", "--cell", "lstm", "--stream", "--steps", "5");
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains("cellgraph bench: --stream times single steps of one stream: --steps does not apply"),
        r.err());
    r = CommandLineTest.run("bench", "--cell", "lstm", "--stream", "--serve");
    assertEquals(2, r.status(), r.out());
    assertTrue(r.err().contains("--stream times single steps of one stream: --serve does not apply"), r.err());
  }
}
