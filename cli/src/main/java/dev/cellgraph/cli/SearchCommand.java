package dev.cellgraph.cli;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.search.Candidate;
import dev.cellgraph.cells.search.Grammar;
import dev.cellgraph.cells.search.SearchSpace;
import dev.cellgraph.search.Backend;
import dev.cellgraph.search.Backends;
import dev.cellgraph.search.Evolution;
import dev.cellgraph.search.Grid;
import dev.cellgraph.search.RandomSearch;
import dev.cellgraph.search.Search;
import dev.cellgraph.search.Strategy;
import dev.cellgraph.search.TrainingEvaluator;
import dev.cellgraph.search.Variation;
import dev.cellgraph.train.tasks.SeqMnistTask;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code cellgraph search}: a variant search over formula cells, its progress, results and report. */
final class SearchCommand implements Command {
  private static final Set<String> VALUED = Set.of("space", "strategy", "from", "task", "budget-steps", "population",
      "generations", "children", "tournament", "crossover", "seeds", "workers", "master", "out", "hidden-size",
      "hidden-sizes", "length", "batch", "lr", "kernel-threads", "seed", "retrain-seeds", "top");
  private static final Set<String> FLAGS = Set.of("resume", "no-grad-check");

  @Override
  public String name() {
    return "search";
  }

  @Override
  public String summary() {
    return "search cell variants (mutation, random cells, grid), locally or on Spark: results and a report";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph search --task adding|charlm|charlm-lines|copy|seqmnist [--space mutate|random|grid]",
        "                        [--from CELL,CELL,...]",
        "                        [--strategy evolution|random] [--budget-steps N] [--population P] [--generations G]",
        "                        [--workers W] [--master local|URL] [--out DIR] [--resume] [options]",
        "",
        "Proposes cells generation by generation, trains each one for the same budget on the task,",
        "and keeps every trial as a row in DIR/results/generation-NNNNN.jsonl (and DIR/results.csv);",
        "DIR/report.md shows the best cells (formulas and diagrams), the best-so-far curve, loss",
        "against parameters, and the best cells against LSTM and GRU retrained with more seeds.",
        "",
        "  --space mutate        cells mutated from --from (default lstm,gru), as Jozefowicz et al. 2015",
        "  --space random        random cells of a grammar (Schrimpf et al. 2017)",
        "  --space grid          every --from cell at every --hidden-sizes size (Greff et al. 2015)",
        "  --strategy evolution  regularized evolution (Real et al. 2019; default): tournaments of",
        "                        --tournament T members (P/4) pick the parents of --children C",
        "                        children a generation (P/4); the oldest die. --crossover X: the",
        "                        probability that a child is a crossover of two parents (0)",
        "  --strategy random     --population new cells every generation",
        "  --budget-steps N      training steps of every trial (300)",
        "  --population P        (64); a grid evaluates P points a generation",
        "  --generations G       (20; a grid takes as many as it needs)",
        "  --seeds K             train every cell with K seeds; its fitness is the mean validation loss (1)",
        "  --hidden-size H       (16); --length, --batch, --lr as for 'cellgraph train'",
        "  --no-grad-check       skip the float64 gradient check of every candidate",
        "  --seed S              the seed of the search's own choices (1)",
        "  --workers W           trials at a time (the processors); --kernel-threads N: threads of one",
        "                        trial's kernels (1)",
        "  --master M            where trials run: local (the default, a thread pool in this JVM), or a",
        "                        Spark master (local[N], spark://host:7077, yarn) when the Spark back end",
        "                        (module cellgraph-search-spark) is on the class path",
        "  --out DIR             (cellgraph-search); --resume continues the search in DIR exactly where",
        "                        it stopped, evaluating nothing twice",
        "  --top N               best cells in the report (3); --retrain-seeds R: seeds of the final",
        "                        comparison against LSTM and GRU (3)");
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, VALUED, FLAGS);
    a.noPositionals();
    String task = a.require("task");
    if (!TrainingEvaluator.TASKS.contains(task)) {
      throw new UsageException("unknown task '" + task + "': expected " + String.join(", ", TrainingEvaluator.TASKS));
    }
    if (task.equals("seqmnist")) {
      SeqMnistTask.locate(null, SeqMnistTask.DEBIAN_DIR); // a missing data set is refused now, not in every trial
    }
    String spaceKind = a.choice("space", "mutate", "mutate", "random", "grid");
    String strategyName = a.choice("strategy", spaceKind.equals("grid") ? "grid" : "evolution", "evolution", "random",
        "grid");
    if (strategyName.equals("grid") != spaceKind.equals("grid")) {
      throw new UsageException("--strategy grid goes with --space grid, and only with it");
    }
    if (spaceKind.equals("random") && a.has("from")) {
      throw new UsageException("--from applies to --space mutate and grid; --space random draws cells from the grammar");
    }
    if (!spaceKind.equals("grid") && a.has("hidden-sizes")) {
      throw new UsageException("--hidden-sizes applies to --space grid; use --hidden-size H");
    }
    int steps = a.intValue("budget-steps", 300, 1, 100_000_000);
    int population = a.intValue("population", 64, 2, 1_000_000);
    int children = a.intValue("children", Math.max(1, population / 4), 1, 1_000_000);
    int tournament = a.intValue("tournament", Math.max(2, population / 4), 1, population);
    double crossover = a.doubleValue("crossover", 0, 0, 1);
    int generations = a.intValue("generations", 20, 1, 1_000_000);
    int seeds = a.intValue("seeds", 1, 1, 1000);
    int hidden = a.intValue("hidden-size", 16, 1, 65_536);
    int workers = a.intValue("workers", Runtime.getRuntime().availableProcessors(), 1, 4096);
    int kernelThreads = a.intValue("kernel-threads", 1, 1, 4096);
    TrainingEvaluator defaults = TrainingEvaluator.forTask(task);
    TrainingEvaluator evaluator = defaults.withLength(a.intValue("length", defaults.length(), 2, 100_000))
        .withBatch(a.intValue("batch", defaults.batch(), 1, 100_000))
        .withLearningRate(a.doubleValue("lr", defaults.learningRate(), 1e-8, 10))
        .withKernelThreads(kernelThreads)
        .withGradCheck(!a.flag("no-grad-check"));
    Verbosity.printKernels(out, kernelThreads);
    String from = a.get("from", spaceKind.equals("random") ? "" : "lstm,gru");
    Map<String, CellSpec> starts = new LinkedHashMap<>();
    for (String name : names(from)) {
      starts.put(name, CellRef.resolve(name).spec());
    }
    // the limits leave each starting cell room to grow, however large it is (ln-lstm has 15 equations)
    SearchSpace space = new SearchSpace(SearchSpace.Limits.of(evaluator.inputSize(task, hidden), hidden,
        starts.values()), Grammar.defaults());
    List<Candidate> seedCells = new ArrayList<>();
    for (Map.Entry<String, CellSpec> start : starts.entrySet()) {
      try {
        seedCells.add(space.seed(start.getKey(), start.getValue()));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--from: " + e.getMessage());
      }
    }
    Variation variation = new Variation(space, spaceKind.equals("random") ? Variation.Kind.RANDOM
        : Variation.Kind.MUTATE, seedCells);
    Strategy strategy;
    switch (strategyName) {
      case "random" -> strategy = new RandomSearch(variation, population, hidden);
      case "grid" -> {
        List<Integer> sizes = new ArrayList<>();
        for (String s : names(a.get("hidden-sizes", Integer.toString(hidden)))) {
          sizes.add(hiddenSize(s));
        }
        Grid grid = new Grid(seedCells, sizes, population);
        generations = grid.generations();
        strategy = grid;
      }
      default -> strategy = new Evolution(variation, population, children, tournament, crossover, hidden);
    }
    // the effective values of every option that changes what is evaluated, so a resume with other ones is refused
    Map<String, String> recorded = new LinkedHashMap<>();
    recorded.put("space", spaceKind);
    recorded.put("from", from);
    recorded.put("population", Integer.toString(population));
    if (strategyName.equals("evolution")) {
      recorded.put("children", Integer.toString(children));
      recorded.put("tournament", Integer.toString(tournament));
      recorded.put("crossover", Double.toString(crossover));
    }
    recorded.put("hidden-size", Integer.toString(hidden));
    recorded.put("hidden-sizes", a.get("hidden-sizes", Integer.toString(hidden)));
    recorded.put("length", Integer.toString(evaluator.length()));
    recorded.put("batch", Integer.toString(evaluator.batch()));
    recorded.put("lr", Double.toString(evaluator.learningRate()));
    recorded.put("grad-check", Boolean.toString(evaluator.gradCheck()));
    Path dir = CompareCommand.outDir(a.get("out", "cellgraph-search"));
    boolean resume = a.flag("resume");
    if (!resume && Search.exists(dir)) {
      throw new UsageException(dir + " already holds a search; pass --resume to continue it, or choose another directory");
    }
    if (resume && !Search.exists(dir)) {
      throw new UsageException("--resume: there is no search in " + dir);
    }
    Search.Settings settings = new Search.Settings(task, steps, seeds, 1, generations, a.longValue("seed", 1), recorded);
    Backend backend;
    try {
      backend = Backends.open(a.get("master", null), workers);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    try (backend) {
      Search search = new Search(settings, strategy, space, evaluator, backend, dir);
      if (resume) {
        search.resume();
        out.println("resuming the search in " + dir + " after generation " + search.generation());
      }
      out.println(String.format(Locale.ROOT, "searching cells for the %s task: %s over the %s space%s; %d "
          + "generations, %d steps a trial, %d seed%s, H = %d; back end %s", task, strategy.name(), spaceKind,
          seedCells.isEmpty() ? "" : " from " + from, generations, steps, seeds, seeds == 1 ? "" : "s", hidden,
          backend.name()));
      long t0 = System.nanoTime();
      search.run(p -> out.println(String.format(Locale.ROOT,
          "generation %d/%d: %d proposed, %d new, %d trials in %.1f s (%.2f trials/s); best so far %.5f (%s)",
          p.generation() + 1, p.generations(), p.proposals(), p.evaluated(), p.trials(), p.seconds(),
          p.trialsPerSecond(), p.best(), p.bestKey())));
      out.println(String.format(Locale.ROOT, "searched in %.1f s: %d cells, %d trials", (System.nanoTime() - t0) / 1e9,
          search.evaluated().size(), search.trials()));
      Path report = new SearchReport(dir, search, space, evaluator, backend, out)
          .write(a.intValue("top", 3, 1, 100), a.intValue("retrain-seeds", 3, 1, 1000));
      out.println("wrote " + report + ", " + dir.resolve("results.csv") + " and the rows in " + search.store().dir());
    }
    return 0;
  }

  private static int hiddenSize(String s) {
    try {
      int h = Integer.parseInt(s);
      if (h >= 1 && h <= 65_536) {
        return h;
      }
    } catch (NumberFormatException e) {
      // the message below says what is expected
    }
    throw new UsageException("--hidden-sizes: '" + s + "' is not a hidden size (an integer from 1 to 65536)");
  }

  /** A comma-separated list; empty entries and repeats are usage errors. */
  private static List<String> names(String list) {
    Set<String> seen = new LinkedHashSet<>();
    if (list.isEmpty()) {
      return List.of();
    }
    for (String s : list.split(",", -1)) {
      String n = s.trim();
      if (n.isEmpty()) {
        throw new UsageException("empty entry in '" + list + "'");
      }
      if (!seen.add(n)) {
        throw new UsageException("'" + n + "' is listed twice in '" + list + "'");
      }
    }
    return List.copyOf(seen);
  }
}
