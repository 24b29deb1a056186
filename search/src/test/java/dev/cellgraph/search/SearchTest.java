package dev.cellgraph.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.cells.search.Candidate;
import dev.cellgraph.cells.search.Grammar;
import dev.cellgraph.cells.search.SearchSpace;
import dev.cellgraph.core.InvalidInputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SearchTest {
  private static final AtomicInteger CALLS = new AtomicInteger();

  /** A stand-in for training: a deterministic fitness from the cell (its size and hash), and a count of calls. */
  private static final Evaluator FAKE = trial -> {
    CALLS.incrementAndGet();
    CellSpec spec = CellSpec.parse(trial.cellText());
    double loss = spec.parameterCount(2, 4) / 100.0 + (Long.parseUnsignedLong(trial.hash(), 16) % 1000) / 1e4
        + trial.seed() * 1e-3;
    return new TrialResult(trial, loss, Double.NaN, spec.parameterCount(2, 4), 1e-3, false, 0, "");
  };

  private static Search search(Path dir, Evaluator evaluator, Backend backend, int generations) throws IOException {
    SearchSpace space = new SearchSpace(SearchSpace.Limits.of(2, 4), Grammar.defaults());
    List<Candidate> seeds = List.of(space.seed("lstm", Zoo.load("lstm")), space.seed("gru", Zoo.load("gru")));
    Strategy evolution = new Evolution(new Variation(space, Variation.Kind.MUTATE, seeds), 8, 4, 3, 0.1, 4);
    Search.Settings settings = new Search.Settings("adding", 10, 2, 1, generations, 5, Map.of("population", "8"));
    return new Search(settings, evolution, space, evaluator, backend, dir);
  }

  private static List<String> population(Search s) {
    List<String> out = new ArrayList<>();
    for (Strategy.Member m : s.strategy().population()) {
      out.add(m.proposal().key() + " " + m.fitness());
    }
    return out;
  }

  @Test
  void aSearchResumedAfterAKillEndsAsTheUninterruptedOneAndEvaluatesNothingTwice(@TempDir Path tmp) throws IOException {
    CALLS.set(0);
    List<String> straight;
    Map<String, Double> evaluated;
    List<String> rows;
    try (Backend b = new LocalBackend(2)) {
      Search s = search(tmp.resolve("a"), FAKE, b, 6);
      s.run(p -> { });
      straight = population(s);
      evaluated = Map.copyOf(s.evaluated());
      rows = rows(s.store().readAll());
    }
    int uninterruptedCalls = CALLS.getAndSet(0);
    try (Backend b = new LocalBackend(2)) {
      search(tmp.resolve("b"), FAKE, b, 6).runUntil(3, p -> { }); // killed after generation 3
      Search resumed = search(tmp.resolve("b"), FAKE, b, 6);
      resumed.resume();
      assertEquals(3, resumed.generation());
      resumed.run(p -> { });
      assertEquals(straight, population(resumed));
      assertEquals(evaluated, resumed.evaluated());
      assertEquals(rows, rows(resumed.store().readAll()));
    }
    assertEquals(uninterruptedCalls, CALLS.get(), "the resumed search evaluated exactly the trials left");
    assertTrue(uninterruptedCalls >= 2 * (8 + 5 * 2), "each cell is trained with two seeds: " + uninterruptedCalls);
  }

  private static List<String> rows(List<ResultRow> rows) {
    List<String> out = new ArrayList<>();
    for (ResultRow r : rows) {
      out.add(ResultsStore.json(r).replaceAll("\"seconds_per_step\":[^,]*,", ""));
    }
    return out;
  }

  @Test
  void everyCellIsEvaluatedOnce(@TempDir Path tmp) throws IOException {
    CALLS.set(0);
    try (Backend b = new LocalBackend(1)) {
      Search s = search(tmp, FAKE, b, 6);
      s.run(p -> { });
      assertEquals(2 * s.evaluated().size(), CALLS.get());
      assertEquals(s.trials(), CALLS.get());
      List<ResultRow> rows = s.store().readAll();
      assertEquals(rows.size(), rows.stream().map(r -> r.result().trial().hash() + r.result().trial().seed())
          .distinct().count(), "no (cell, seed) row twice");
    }
  }

  @Test
  void aTrialThatThrowsIsRecordedAndTheSearchGoesOn(@TempDir Path tmp) throws IOException {
    String lstm = dev.cellgraph.cells.search.Canonical.hash(Zoo.load("lstm"));
    Evaluator flaky = trial -> {
      if (trial.hash().equals(lstm)) {
        throw new IllegalStateException("the LSTM broke");
      }
      return FAKE.evaluate(trial);
    };
    try (Backend b = new LocalBackend(2)) {
      Search s = search(tmp, flaky, b, 3);
      s.run(p -> { });
      assertEquals(3, s.generation());
      List<ResultRow> failed = s.store().readAll().stream().filter(r -> r.result().failed()).toList();
      assertEquals(2, failed.size());
      assertEquals("IllegalStateException: the LSTM broke", failed.get(0).result().error());
      assertEquals(Double.POSITIVE_INFINITY, s.evaluated().get(failed.get(0).result().trial().hash() + "@4"));
    }
  }

  @Test
  void resumingWithOtherSettingsIsRefusedNamingThem(@TempDir Path tmp) throws IOException {
    try (Backend b = new LocalBackend(1)) {
      search(tmp, FAKE, b, 2).runUntil(1, p -> { });
      SearchSpace space = new SearchSpace(SearchSpace.Limits.of(2, 4), Grammar.defaults());
      Search other = new Search(new Search.Settings("copy", 10, 2, 1, 2, 5, Map.of("population", "8")),
          new Evolution(new Variation(space, Variation.Kind.MUTATE, List.of(space.seed("gru", Zoo.load("gru")))),
              8, 4, 3, 0.1, 4), space, FAKE, b, tmp);
      InvalidInputException e = assertThrows(InvalidInputException.class, other::resume);
      assertEquals("the search in " + tmp + " was started with other settings: task was adding, now copy "
          + "(resume with the same options, or start a new search in another directory)", e.getMessage());
    }
  }

  @Test
  void anUnknownMasterSaysWhereTheSparkBackEndIs() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Backends.open("spark://host:7077", 2));
    assertEquals("no back end for --master spark://host:7077 on the class path; " + Backends.SPARK_HINT, e.getMessage());
    try (Backend b = Backends.open(null, 3)) {
      assertEquals("local[3]", b.name());
    }
  }
}
