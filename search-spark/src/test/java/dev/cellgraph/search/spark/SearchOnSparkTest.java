package dev.cellgraph.search.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.cells.search.Candidate;
import dev.cellgraph.cells.search.Grammar;
import dev.cellgraph.cells.search.SearchSpace;
import dev.cellgraph.search.Backend;
import dev.cellgraph.search.Backends;
import dev.cellgraph.search.Evolution;
import dev.cellgraph.search.LocalBackend;
import dev.cellgraph.search.ResultRow;
import dev.cellgraph.search.Search;
import dev.cellgraph.search.TrainingEvaluator;
import dev.cellgraph.search.TrialResult;
import dev.cellgraph.search.Variation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A small real search (evolution from LSTM and GRU, trained on the adding problem) on Spark local[2] and on the local back end. */
class SearchOnSparkTest {
  /** T = 8, batch 8, with the gradient check: a trial trains in a fraction of a second. */
  private static final TrainingEvaluator TINY = TrainingEvaluator.forTask("adding").withLength(8).withBatch(8);

  private static List<ResultRow> search(Path dir, Backend backend) throws IOException {
    SearchSpace space = new SearchSpace(SearchSpace.Limits.of(2, 4), Grammar.defaults());
    List<Candidate> seeds = List.of(space.seed("lstm", Zoo.load("lstm")), space.seed("gru", Zoo.load("gru")));
    Evolution evolution = new Evolution(new Variation(space, Variation.Kind.MUTATE, seeds), 4, 2, 2, 0.1, 4);
    Search.Settings settings = new Search.Settings("adding", 12, 2, 1, 2, 7, Map.of("population", "4"));
    Search search = new Search(settings, evolution, space, TINY, backend, dir);
    search.run(p -> { });
    return search.store().readAll();
  }

  /** A row without its timing, the one measurement that differs run to run. */
  private static ResultRow untimed(ResultRow row) {
    TrialResult r = row.result();
    return new ResultRow(row.generation(), new TrialResult(r.trial(), r.validationLoss(), r.validationAccuracy(),
        r.parameters(), 0, r.diverged(), r.gradCheckError(), r.error()));
  }

  @Test
  void aSearchOnSparkWritesTheRowsOfTheLocalBackEndBitForBit(@TempDir Path tmp) throws IOException {
    EmbeddedSpark.backend(); // the tests' shared local[2,2], which the back end below reuses
    List<ResultRow> onSpark;
    try (Backend spark = Backends.open("local[2]", 2)) {
      assertEquals("spark local[2]", spark.name());
      onSpark = search(tmp.resolve("spark"), spark);
    }
    List<ResultRow> local;
    try (Backend threads = new LocalBackend(2)) {
      local = search(tmp.resolve("local"), threads);
    }
    assertEquals(local.stream().map(SearchOnSparkTest::untimed).toList(),
        onSpark.stream().map(SearchOnSparkTest::untimed).toList());
    assertTrue(local.size() >= 2 * (4 + 2), "two seeds of four cells, then of two children: " + local.size());
    assertTrue(local.stream().filter(r -> !r.result().failed()).count() >= 8, "most trials trained: " + local);
    assertTrue(onSpark.stream().allMatch(r -> r.result().failed() || r.result().secondsPerStep() > 0),
        "the executors timed their steps");
  }
}
