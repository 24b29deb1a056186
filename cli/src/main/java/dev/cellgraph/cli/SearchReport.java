package dev.cellgraph.cli;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.cells.search.Canonical;
import dev.cellgraph.cells.search.SearchSpace;
import dev.cellgraph.core.io.AtomicFiles;
import dev.cellgraph.render.cells.CellDiagram;
import dev.cellgraph.search.Backend;
import dev.cellgraph.search.ResultRow;
import dev.cellgraph.search.ResultsStore;
import dev.cellgraph.search.Search;
import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import dev.cellgraph.search.TrainingEvaluator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of a search: {@code report.md} with the best cells (formula and diagram), the
 * best-so-far curve, validation loss against parameter count, the space's counters, and the best
 * cells against LSTM and GRU retrained with fresh seeds; plus {@code results.csv}. Not thread-safe.
 */
final class SearchReport {
  /** The retraining seeds start here, far from the search's own (1, 2, ...), so the comparison is on unseen seeds. */
  static final long RETRAIN_SEED = 1001;

  private final Path dir;
  private final Search search;
  private final SearchSpace space;
  private final TrainingEvaluator evaluator;
  private final Backend backend;
  private final PrintStream out;

  SearchReport(Path dir, Search search, SearchSpace space, TrainingEvaluator evaluator, Backend backend,
      PrintStream out) {
    this.dir = dir;
    this.search = search;
    this.space = space;
    this.evaluator = evaluator;
    this.backend = backend;
    this.out = out;
  }

  /** One evaluated cell: its first row (text, parameters, origin) and its fitness. */
  private record Cell(String key, ResultRow row, double fitness) {}

  Path write(int top, int retrainSeeds) throws IOException {
    List<ResultRow> rows = search.store().readAll();
    ResultsStore.exportCsv(dir.resolve("results.csv"), rows);
    Map<String, ResultRow> firstRow = new LinkedHashMap<>();
    for (ResultRow r : rows) {
      firstRow.putIfAbsent(r.result().trial().hash() + "@" + r.result().trial().hidden(), r);
    }
    List<Cell> cells = new ArrayList<>();
    search.evaluated().forEach((key, f) -> {
      if (firstRow.containsKey(key)) {
        cells.add(new Cell(key, firstRow.get(key), f));
      }
    });
    List<Cell> ranked = new ArrayList<>(cells.stream().filter(c -> Double.isFinite(c.fitness())).toList());
    ranked.sort(Comparator.comparingDouble(Cell::fitness));
    List<Cell> best = ranked.subList(0, Math.min(top, ranked.size()));

    StringBuilder md = new StringBuilder();
    Search.Settings s = search.settings();
    md.append("# Search on the ").append(s.task()).append(" task\n\n");
    md.append(String.format(Locale.ROOT, "%s, %d generations, %d steps a trial, %d seed%s a cell, back end %s; %d "
        + "cells evaluated (%d failed or diverged), %d trials. Fitness: mean validation loss over the seeds "
        + "(lower is better). Settings: %s.%n%n", search.strategy().name(), search.generation(), s.steps(), s.seeds(),
        s.seeds() == 1 ? "" : "s", backend.name(), cells.size(), cells.size() - ranked.size(), search.trials(),
        new java.util.TreeMap<>(s.recorded())));

    md.append("## Best cells\n\n");
    for (int k = 0; k < best.size(); k++) {
      Cell c = best.get(k);
      Trial t = c.row().result().trial();
      md.append(String.format(Locale.ROOT, "### %d. %s (H = %d): validation loss %.5f, %,d parameters%n%n", k + 1,
          t.hash(), t.hidden(), c.fitness(), c.row().result().parameters()));
      md.append("Made by ").append(t.mutation()).append(t.parent().isEmpty() ? "" : " of " + t.parent())
          .append(", generation ").append(c.row().generation()).append(".\n\n```\n").append(t.cellText().strip())
          .append("\n```\n\n");
      Path svg = dir.resolve("best-" + (k + 1) + ".svg");
      try {
        CellDiagram.of(CellSpec.parse(t.cellText(), "best-" + (k + 1) + ".cell")).toSvg(svg);
        md.append("![diagram of cell ").append(k + 1).append("](").append(svg.getFileName()).append(")\n\n");
      } catch (RuntimeException e) {
        md.append("(no diagram: ").append(e.getMessage()).append(")\n\n");
      }
    }
    if (best.isEmpty()) {
      md.append("No cell trained without failing or diverging.\n\n");
    }

    md.append("## Best so far\n\n");
    List<Double> bsf = search.bestSoFar();
    double[] x = new double[bsf.size()];
    double[] y = new double[bsf.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1;
      y[i] = Double.isFinite(bsf.get(i)) ? bsf.get(i) : Double.NaN;
    }
    Map<String, Plots.Line> lines = Plots.map();
    lines.put("best validation loss", Plots.Line.of(x, y));
    Plots.lines(dir.resolve("best-so-far"), "Best validation loss so far", "generation", "validation loss", lines,
        false);
    md.append("![best so far](best-so-far.png)\n\n");

    Map<String, Plots.Line> points = Plots.map();
    scatterSeries(points, "seed cells", cells.stream().filter(c -> c.row().result().trial().mutation()
        .equals("seed")).toList());
    scatterSeries(points, "searched cells", cells.stream().filter(c -> !c.row().result().trial().mutation()
        .equals("seed")).toList());
    Plots.scatter(dir.resolve("loss-vs-parameters"), "Validation loss against parameters", "parameters",
        "validation loss", points, false, true);
    md.append("## Loss against size\n\n![validation loss against parameters](loss-vs-parameters.png)\n\n");

    md.append("## The space\n\n| edit | tried | valid | repaired | invalid | not applicable |\n|---|---:|---:|---:|---:|---:|\n");
    space.stats().counts().forEach((label, v) -> md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |%n",
        label, v[0], v[1], v[2], v[3], v[4])));
    md.append('\n');

    md.append(comparison(best, retrainSeeds));
    Path report = dir.resolve("report.md");
    AtomicFiles.writeString(report, md.toString());
    return report;
  }

  private static void scatterSeries(Map<String, Plots.Line> points, String name, List<Cell> cells) {
    List<Cell> finite = cells.stream().filter(c -> Double.isFinite(c.fitness())).toList();
    if (finite.isEmpty()) {
      return;
    }
    double[] x = new double[finite.size()];
    double[] y = new double[finite.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = finite.get(i).row().result().parameters();
      y[i] = finite.get(i).fitness();
    }
    points.put(name, Plots.Line.of(x, y));
  }

  /** The best cells, LSTM and GRU trained again with {@code seeds} fresh seeds, as a Markdown table. */
  private String comparison(List<Cell> best, int seeds) {
    Map<String, String> named = new LinkedHashMap<>();
    for (int k = 0; k < best.size(); k++) {
      named.put("best " + (k + 1) + " (" + best.get(k).row().result().trial().hash() + ")",
          best.get(k).row().result().trial().cellText());
    }
    named.put("lstm", Zoo.text("lstm"));
    named.put("gru", Zoo.text("gru"));
    int hidden = best.isEmpty() ? space.limits().hiddenSize() : best.get(0).row().result().trial().hidden();
    List<Trial> trials = new ArrayList<>();
    for (Map.Entry<String, String> e : named.entrySet()) {
      String hash = Canonical.hash(CellSpec.parse(e.getValue(), e.getKey()));
      for (int k = 0; k < seeds; k++) {
        trials.add(new Trial(e.getValue(), hash, "", "retrain", search.settings().task(), hidden,
            search.settings().steps(), RETRAIN_SEED + k));
      }
    }
    out.println("retraining " + named.size() + " cells with " + seeds + " fresh seeds each (" + trials.size()
        + " trials)");
    List<TrialResult> results = backend.evaluate(trials, evaluator);
    StringBuilder md = new StringBuilder("## Against LSTM and GRU\n\n");
    md.append(String.format(Locale.ROOT, "Each cell trained again with %d seeds it was not selected on (%d..%d), "
        + "the same budget and H = %d.%n%n", seeds, RETRAIN_SEED, RETRAIN_SEED + seeds - 1, hidden));
    md.append("| cell | parameters | validation loss, mean | std | best | failed or diverged | ms/step |\n"
        + "|---|---:|---:|---:|---:|---:|---:|\n");
    int k = 0;
    for (String name : named.keySet()) {
      List<TrialResult> rs = results.subList(k, k + seeds);
      k += seeds;
      List<Double> ok = rs.stream().filter(r -> !r.failed() && !r.diverged() && Double.isFinite(r.validationLoss()))
          .map(TrialResult::validationLoss).toList();
      double mean = ok.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
      double var = ok.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / Math.max(1, ok.size() - 1);
      double min = ok.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
      double ms = rs.stream().mapToDouble(TrialResult::secondsPerStep).filter(Double::isFinite).average()
          .orElse(Double.NaN) * 1000;
      md.append(String.format(Locale.ROOT, "| %s | %,d | %.5f | %.5f | %.5f | %d | %.2f |%n", name,
          rs.get(0).parameters(), mean, Math.sqrt(var), min, seeds - ok.size(), ms));
    }
    return md.append('\n').toString();
  }
}
