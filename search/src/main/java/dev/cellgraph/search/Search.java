package dev.cellgraph.search;

import static java.util.Objects.requireNonNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cellgraph.cells.search.SearchSpace;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.io.AtomicFiles;
import dev.cellgraph.core.random.Rng;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A search: generation after generation, the strategy proposes cells, the ones not evaluated
 * before (by canonical hash and hidden size) become one trial per seed, the back end evaluates
 * them, the rows go to the {@link ResultsStore}, and the strategy learns each proposal's fitness
 * (mean validation loss over the seeds; infinite if any seed failed or diverged). After every
 * generation the whole state (generation, random state, the fitness of every cell evaluated, the
 * space's counters, the strategy's state) is written atomically to {@code search-state.json}: a
 * killed search resumed from it proposes, evaluates and ends exactly as the uninterrupted one,
 * re-running at most the generation it was killed in, and never a trial it recorded.
 *
 * <p>Not thread-safe: one thread runs a search (its back end runs the trials in parallel).
 */
public final class Search {
  /** The state file in the search's directory. */
  public static final String STATE = "search-state.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  /**
   * What defines a search beyond its strategy.
   *
   * @param task the task of every trial
   * @param steps the training budget of every trial
   * @param seeds K: every cell is trained with the seeds {@code firstSeed .. firstSeed + K - 1}
   * @param firstSeed the first trial seed
   * @param generations how many generations to run
   * @param seed the seed of the search's own choices
   * @param recorded the settings a resumed search must have been started with (the command's options)
   */
  public record Settings(String task, int steps, int seeds, long firstSeed, int generations, long seed,
      Map<String, String> recorded) {
    /**
     * Checks the counts and copies {@code recorded}.
     *
     * @param task the task of every trial, not null
     * @param steps the training budget of every trial, at least 1
     * @param seeds the number of seeds each cell is trained with, at least 1
     * @param firstSeed the first trial seed
     * @param generations how many generations to run, at least 1
     * @param seed the seed of the search's own choices
     * @param recorded the settings a resumed search must match; copied
     * @throws IllegalArgumentException if {@code steps}, {@code seeds} or {@code generations} is less than 1
     */
    public Settings {
      requireNonNull(task, "task");
      if (steps < 1 || seeds < 1 || generations < 1) {
        throw new IllegalArgumentException("steps (" + steps + "), seeds (" + seeds + ") and generations ("
            + generations + ") must be at least 1");
      }
      recorded = Map.copyOf(recorded);
    }
  }

  /** What one generation did, for a progress display. */
  public record Progress(int generation, int generations, int proposals, int evaluated, int trials,
      double best, String bestKey, double trialsPerSecond, double seconds) {}

  /** Receives a {@link Progress} after every generation. */
  @FunctionalInterface
  public interface Listener {
    /**
     * Called after generation {@code p.generation()} has been evaluated and recorded.
     *
     * @param p what the generation just finished did
     */
    void generation(Progress p);
  }

  private final Settings settings;
  private final Strategy strategy;
  private final SearchSpace space;
  private final Evaluator evaluator;
  private final Backend backend;
  private final Path dir;
  private final ResultsStore store;

  private int generation;
  private Rng rng;
  /** The fitness of every proposal key evaluated, in order of evaluation. */
  private final LinkedHashMap<String, Double> evaluated = new LinkedHashMap<>();
  private final List<Double> bestSoFar = new ArrayList<>();
  private long trialsRun;

  /**
   * A search that writes its results to {@code dir}, resuming what is there.
   *
   * @param settings what the search runs: task, budget, seeds, generations
   * @param strategy what proposes the cells and learns their fitness
   * @param space the cells the strategy may propose
   * @param evaluator what trains and measures each trial
   * @param backend what runs the trials of a generation
   * @param dir the directory of the results and the state file
   * @throws IOException if the directory cannot be read or written
   */
  public Search(Settings settings, Strategy strategy, SearchSpace space, Evaluator evaluator, Backend backend,
      Path dir) throws IOException {
    this.settings = requireNonNull(settings, "settings");
    this.strategy = requireNonNull(strategy, "strategy");
    this.space = requireNonNull(space, "space");
    this.evaluator = requireNonNull(evaluator, "evaluator");
    this.backend = requireNonNull(backend, "backend");
    this.dir = requireNonNull(dir, "dir");
    this.store = new ResultsStore(dir.resolve("results"));
    this.rng = Rng.seeded(settings.seed());
  }

  /**
   * Whether {@code dir} holds a search's state.
   *
   * @param dir the directory to look in
   * @return true if {@code dir} contains {@code search-state.json}
   */
  public static boolean exists(Path dir) {
    return Files.exists(dir.resolve(STATE));
  }

  /**
   * Continues from the state in the directory.
   *
   * @throws InvalidInputException when the state is missing or was written with other settings (naming each)
   * @throws IOException if the state file cannot be read
   */
  public void resume() throws IOException {
    Path f = dir.resolve(STATE);
    if (!Files.exists(f)) {
      throw new InvalidInputException("nothing to resume: " + f + " does not exist");
    }
    JsonObject s = JsonParser.parseString(Files.readString(f, StandardCharsets.UTF_8)).getAsJsonObject();
    Map<String, String> saved = new TreeMap<>();
    s.getAsJsonObject("settings").entrySet().forEach(e -> saved.put(e.getKey(), e.getValue().getAsString()));
    Map<String, String> now = new TreeMap<>(describe());
    if (!saved.equals(now)) {
      List<String> diffs = new ArrayList<>();
      for (String k : new java.util.TreeSet<>(union(saved, now))) {
        if (!java.util.Objects.equals(saved.get(k), now.get(k))) {
          diffs.add(k + " was " + saved.getOrDefault(k, "unset") + ", now " + now.getOrDefault(k, "unset"));
        }
      }
      throw new InvalidInputException("the search in " + dir + " was started with other settings: "
          + String.join("; ", diffs) + " (resume with the same options, or start a new search in another directory)");
    }
    generation = s.get("generation").getAsInt();
    JsonArray r = s.getAsJsonArray("rng");
    rng = Rng.fromState(new long[] {r.get(0).getAsLong(), r.get(1).getAsLong(), r.get(2).getAsLong(),
        r.get(3).getAsLong()});
    evaluated.clear();
    s.getAsJsonObject("evaluated").entrySet().forEach(e -> evaluated.put(e.getKey(),
        Double.parseDouble(e.getValue().getAsString())));
    bestSoFar.clear();
    s.getAsJsonArray("best_so_far").forEach(e -> bestSoFar.add(Double.parseDouble(e.getAsString())));
    trialsRun = s.get("trials").getAsLong();
    Map<String, long[]> counts = new LinkedHashMap<>();
    s.getAsJsonObject("space").entrySet().forEach(e -> counts.put(e.getKey(),
        GSON.fromJson(e.getValue(), long[].class)));
    space.restore(new SearchSpace.Stats(counts));
    strategy.restore(s.getAsJsonObject("strategy"));
  }

  private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
    java.util.Set<String> u = new java.util.HashSet<>(a.keySet());
    u.addAll(b.keySet());
    return u;
  }

  private Map<String, String> describe() {
    Map<String, String> m = new TreeMap<>(settings.recorded());
    m.put("strategy", strategy.name());
    m.put("task", settings.task());
    m.put("steps", Integer.toString(settings.steps()));
    m.put("seeds", Integer.toString(settings.seeds()));
    m.put("first_seed", Long.toString(settings.firstSeed()));
    m.put("search_seed", Long.toString(settings.seed()));
    return m;
  }

  /**
   * Runs the remaining generations.
   *
   * @param listener receives the progress after every generation
   * @throws IOException if the results or the state cannot be written
   */
  public void run(Listener listener) throws IOException {
    runUntil(settings.generations(), listener);
  }

  /**
   * Runs until {@code stopAt} generations are done (at most the configured number), as if killed
   * there.
   *
   * @param stopAt the number of generations after which to stop
   * @param listener receives the progress after every generation
   * @throws IOException if the results or the state cannot be written
   */
  public void runUntil(int stopAt, Listener listener) throws IOException {
    int end = Math.min(stopAt, settings.generations());
    while (generation < end) {
      long t0 = System.nanoTime();
      List<Proposal> proposals = strategy.propose(generation, rng);
      if (proposals.isEmpty()) {
        break;
      }
      Map<String, Proposal> fresh = new LinkedHashMap<>();
      for (Proposal p : proposals) {
        if (!evaluated.containsKey(p.key())) {
          fresh.putIfAbsent(p.key(), p);
        }
      }
      List<Trial> trials = new ArrayList<>();
      for (Proposal p : fresh.values()) {
        for (int k = 0; k < settings.seeds(); k++) {
          trials.add(new Trial(p.candidate().text(), p.candidate().hash(), p.candidate().parent(),
              p.candidate().mutation(), settings.task(), p.hidden(), settings.steps(), settings.firstSeed() + k));
        }
      }
      List<TrialResult> results = trials.isEmpty() ? List.of() : backend.evaluate(trials, evaluator);
      if (results.size() != trials.size()) {
        throw new IllegalStateException("back end " + backend.name() + " returned " + results.size()
            + " results for " + trials.size() + " trials");
      }
      List<ResultRow> rows = new ArrayList<>();
      int k = 0;
      for (Proposal p : fresh.values()) {
        double sum = 0;
        for (int s = 0; s < settings.seeds(); s++, k++) {
          TrialResult r = results.get(k);
          rows.add(new ResultRow(generation, r));
          sum += r.failed() || r.diverged() || !Double.isFinite(r.validationLoss())
              ? Double.POSITIVE_INFINITY : r.validationLoss();
        }
        evaluated.put(p.key(), sum / settings.seeds());
      }
      store.write(generation, rows);
      double[] fitness = new double[proposals.size()];
      for (int i = 0; i < fitness.length; i++) {
        fitness[i] = evaluated.get(proposals.get(i).key());
      }
      strategy.observe(proposals, fitness);
      trialsRun += trials.size();
      String bestKey = null;
      double best = Double.POSITIVE_INFINITY;
      for (Map.Entry<String, Double> e : evaluated.entrySet()) {
        if (e.getValue() < best) {
          best = e.getValue();
          bestKey = e.getKey();
        }
      }
      bestSoFar.add(best);
      generation++;
      save();
      double seconds = (System.nanoTime() - t0) / 1e9;
      listener.generation(new Progress(generation - 1, settings.generations(), proposals.size(), fresh.size(),
          trials.size(), best, bestKey, trials.size() / Math.max(seconds, 1e-9), seconds));
    }
  }

  private void save() throws IOException {
    JsonObject s = new JsonObject();
    s.addProperty("version", 1);
    JsonObject set = new JsonObject();
    describe().forEach(set::addProperty);
    s.add("settings", set);
    s.addProperty("generation", generation);
    JsonArray r = new JsonArray();
    for (long x : rng.state()) {
      r.add(x);
    }
    s.add("rng", r);
    s.addProperty("trials", trialsRun);
    JsonObject ev = new JsonObject();
    evaluated.forEach((key, f) -> ev.addProperty(key, Double.toString(f)));
    s.add("evaluated", ev);
    JsonArray b = new JsonArray();
    bestSoFar.forEach(x -> b.add(Double.toString(x)));
    s.add("best_so_far", b);
    JsonObject sp = new JsonObject();
    space.stats().counts().forEach((key, v) -> sp.add(key, GSON.toJsonTree(v)));
    s.add("space", sp);
    s.add("strategy", strategy.save());
    AtomicFiles.writeString(dir.resolve(STATE), GSON.toJson(s) + "\n");
  }

  /**
   * Generations done.
   *
   * @return the number of generations completed, including those before a resume
   */
  public int generation() {
    return generation;
  }

  /**
   * The fitness of every proposal key evaluated so far, in order of evaluation.
   *
   * @return an unmodifiable map from proposal key to fitness, in order of evaluation
   */
  public Map<String, Double> evaluated() {
    return java.util.Collections.unmodifiableMap(evaluated);
  }

  /**
   * After each generation, the best fitness seen so far.
   *
   * @return the best fitness after each generation, one entry per generation
   */
  public List<Double> bestSoFar() {
    return List.copyOf(bestSoFar);
  }

  /**
   * Trials evaluated by this search, including those before a resume.
   *
   * @return the number of trials evaluated
   */
  public long trials() {
    return trialsRun;
  }

  /**
   * The strategy that proposes the cells.
   *
   * @return the search's strategy
   */
  public Strategy strategy() {
    return strategy;
  }

  /**
   * Where the results are written.
   *
   * @return the results store in the search's directory
   */
  public ResultsStore store() {
    return store;
  }

  /**
   * The settings of this search.
   *
   * @return the settings the search was created with
   */
  public Settings settings() {
    return settings;
  }
}
