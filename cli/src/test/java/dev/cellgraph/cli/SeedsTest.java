package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --seeds: its parsing and refusals, the statistics over seeds, and compare --seeds end to end. */
class SeedsTest {
  private static List<Long> seeds(String... argv) {
    return Seeds.of(Args.parse(argv, Set.of("seed", "seeds"), Set.of()));
  }

  private static String refusal(String... argv) {
    try {
      seeds(argv);
    } catch (UsageException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted " + String.join(" ", argv));
  }

  @Test
  void aCountStartsAtTheSeedAndAListIsTakenAsGiven() {
    assertEquals(List.of(1L), seeds());
    assertEquals(List.of(1L, 2L, 3L), seeds("--seeds", "3"));
    assertEquals(List.of(7L, 8L), seeds("--seed", "7", "--seeds", "2"));
    assertEquals(List.of(4L, 1L, 9L), seeds("--seeds", "4,1, 9"));
  }

  @Test
  void badSeedListsAreRefusedWithExactMessages() {
    assertEquals("--seeds must be between 1 and 100 seeds, got 0", refusal("--seeds", "0"));
    assertEquals("--seeds must be a number of seeds (5) or a list of seeds (1,2,3), got 'five'",
        refusal("--seeds", "five"));
    assertEquals("--seeds: empty seed in '1,,2'", refusal("--seeds", "1,,2"));
    assertEquals("--seeds: 'x' is not a whole number", refusal("--seeds", "1,x"));
    assertEquals("--seeds: seed 2 is listed twice", refusal("--seeds", "2,3,2"));
    assertEquals("--seed and a list of --seeds both choose the seeds: give the list alone",
        refusal("--seed", "3", "--seeds", "1,2"));
  }

  @Test
  void statisticsOnFixedValuesCountDivergedRunsAsUnsolved() {
    SeedStats s = new SeedStats("lstm", List.of(1L, 2L, 3L, 4L, 5L),
        new double[] {0.01, 0.1545, 0.02, Double.NaN, 0.04}, OptionalDouble.of(0.05));
    assertEquals(0.03, s.median(), 1e-15); // the mean of the middle two of the four that finished
    assertEquals(0.01, s.min());
    assertEquals(0.1545, s.max());
    assertEquals(3, s.solved());
    assertEquals(List.of(1L, 3L, 5L), s.solvedSeeds());
    assertEquals(List.of(2L, 4L), s.unsolvedSeeds());
    assertEquals(1, s.diverged());
    assertEquals("0.0100-0.1545 (1 diverged)", SeedRuns.range(s, 4));
    SeedStats odd = new SeedStats("gru", List.of(1L, 2L, 3L), new double[] {0.3, 0.1, 0.2}, OptionalDouble.empty());
    assertEquals(0.2, odd.median());
    assertEquals(0, odd.solved(), "a task without a threshold is never solved");
  }

  @Test
  void compareOnTwoSeedsWritesTheStatisticsTheSeedTableAndTheRawCurves(@TempDir Path tmp) throws Exception {
    CliRunner r = CliRunner.run("compare", "--cells", "rnn,gru", "--seeds", "2", "--out", tmp.toString(), "--task",
        "copy", "--hidden-size", "6", "--length", "2", "--batch", "4", "--steps", "3", "--validate-every", "0");
    assertEquals(0, r.status(), r.err());
    String md = Files.readString(tmp.resolve("copy-compare.md"));
    assertTrue(md.contains("| cell | parameters | ms/step | validation nats/symbol, median | min-max "
        + "| solved (nats/symbol < 0.1) |"), md);
    assertTrue(md.matches("(?s).*\\| gru \\| [0-9,]+ \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+-[0-9.]+ \\| [0-2]/2 \\|\n.*"), md);
    assertTrue(md.contains("| cell | seed 1 | seed 2 |"), md);
    assertTrue(md.contains("By the median over 2 seeds"), md);
    List<String> csv = Files.readAllLines(tmp.resolve("copy-loss.csv"));
    assertTrue(csv.get(0).startsWith("run,seed,step,loss,"), csv.get(0));
    assertEquals(1 + 2 * 2 * 3, csv.size(), "a row per cell, seed and step");
    assertTrue(csv.contains(csv.stream().filter(l -> l.startsWith("gru,2,3,")).findFirst().orElseThrow()));
    assertTrue(Files.readString(tmp.resolve("copy-loss.svg")).contains("<svg"));
  }
}
