package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.search.Backends;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchCommandTest {
  private static String[] tiny(Path out, String generations, String... more) {
    List<String> a = new java.util.ArrayList<>(List.of("search", "--task", "adding", "--from", "gru,mgu",
        "--budget-steps", "8", "--population", "4", "--generations", generations, "--hidden-size", "4", "--length",
        "5", "--batch", "4", "--workers", "2", "--retrain-seeds", "1", "--top", "1", "--out", out.toString()));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @Test
  void aSmallSearchWritesRowsAReportAndResumes(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("s");
    CliRunner r = CliRunner.run(tiny(out, "2"));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("generation 1/2: 4 proposed, 4 new, 4 trials"), r.out());
    assertTrue(r.out().contains("generation 2/2: 1 proposed"), r.out());
    String report = Files.readString(out.resolve("report.md"));
    for (String section : List.of("## Best cells", "## Best so far", "## Loss against size", "## The space",
        "## Against LSTM and GRU", "| lstm |", "| gru |", "![diagram of cell 1](best-1.svg)")) {
      assertTrue(report.contains(section), section + " in\n" + report);
    }
    for (String f : List.of("best-so-far.png", "loss-vs-parameters.svg", "best-1.svg", "results.csv",
        "results/generation-00000.jsonl", "results/generation-00001.jsonl")) {
      assertTrue(Files.exists(out.resolve(f)), f);
    }
    List<String> csv = Files.readAllLines(out.resolve("results.csv"));
    assertTrue(csv.get(0).startsWith("generation,hash,parent,mutation,task,hidden,steps,seed,validation_loss"));

    CliRunner again = CliRunner.run(tiny(out, "2"));
    assertEquals(2, again.status());
    assertEquals("cellgraph search: " + out + " already holds a search; pass --resume to continue it, or choose "
        + "another directory\n", again.err());

    CliRunner more = CliRunner.run(tiny(out, "3", "--resume"));
    assertEquals(0, more.status(), more.err());
    assertTrue(more.out().contains("resuming the search in " + out + " after generation 2"), more.out());
    assertTrue(more.out().contains("generation 3/3"), more.out());
    assertTrue(!more.out().contains("generation 1/3"), "the first two generations are not run again");

    CliRunner other = CliRunner.run(tiny(out, "4", "--resume", "--lr", "0.02"));
    assertEquals(2, other.status());
    assertEquals("cellgraph search: the search in " + out + " was started with other settings: lr was 0.01, now "
        + "0.02 (resume with the same options, or start a new search in another directory)\n", other.err());
  }

  @Test
  void aSearchStartsFromTheZoosLargestCell(@TempDir Path tmp) {
    // ln-lstm's 15 equations are more than the 12 a search from small cells allows: the limits follow the start
    List<String> a = new java.util.ArrayList<>(List.of(tiny(tmp.resolve("s"), "1")));
    a.set(a.indexOf("gru,mgu"), "ln-lstm");
    CliRunner r = CliRunner.run(a.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("generation 1/1: 4 proposed"), r.out());
  }

  @Test
  void mistakesAreUsageErrorsWithExactMessages(@TempDir Path tmp) {
    CliRunner r = CliRunner.run(tiny(tmp.resolve("a"), "1", "--master", "spark://host:7077"));
    assertEquals(2, r.status());
    assertEquals("cellgraph search: no back end for --master spark://host:7077 on the class path; "
        + Backends.SPARK_HINT + "\n", r.err());
    r = CliRunner.run("search", "--task", "addition");
    assertEquals("cellgraph search: unknown task 'addition': expected adding, copy, charlm, charlm-lines, seqmnist\n", r.err());
    r = CliRunner.run("search", "--task", "adding", "--space", "random", "--from", "gru");
    assertEquals("cellgraph search: --from applies to --space mutate and grid; --space random draws cells from the "
        + "grammar\n", r.err());
    r = CliRunner.run("search", "--task", "adding", "--from", "gru,gru");
    assertEquals("cellgraph search: 'gru' is listed twice in 'gru,gru'\n", r.err());
    r = CliRunner.run("search", "--task", "adding", "--from", "mut1");
    assertEquals("cellgraph search: --from: cell mut1 cannot start the search: mut1.cell:6:62: shape mismatch in "
        + "'h_t ⊙ (1 − z)': h_t is [16], 1 − z is [2] (it needs I = H; here I = 2, H = 16)\n", r.err());
    r = CliRunner.run("search", "--task", "adding", "--resume", "--out", tmp.resolve("none").toString());
    assertEquals("cellgraph search: --resume: there is no search in " + tmp.resolve("none") + "\n", r.err());
  }
}
