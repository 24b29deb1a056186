package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.io.AtomicFiles;
import dev.cellgraph.train.History;
import dev.cellgraph.train.MetricsFiles;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.Trainer;
import dev.cellgraph.train.tasks.SeqMnistTask;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * Cells trained on several seeds: the runs, each cell's statistics over its seeds, the tables, the
 * plot (each cell's median curve over its seeds, the single runs faint behind it) and the raw curves.
 */
final class SeedRuns {
  private SeedRuns() {}

  /**
   * Trains every cell on every seed, {@code jobs} runs at a time: run (cell, seed) on
   * {@code tasks.apply(seed)} with {@code configs.apply(seed)}. The runs come back cell by cell,
   * seed by seed.
   */
  static List<Experiments.Run> train(List<Cell> cells, List<Long> seeds, LongFunction<Task> tasks,
      LongFunction<Trainer.Config> configs, int jobs, Integer threads, PrintStream out) throws Exception {
    Task probe = tasks.apply(seeds.get(0));
    List<Experiments.Job> list = new ArrayList<>();
    for (Cell c : cells) {
      for (long seed : seeds) {
        list.add(new Experiments.Job(c, () -> tasks.apply(seed), configs.apply(seed),
            probe.name() + " " + c.name() + " seed " + seed));
      }
    }
    return Experiments.trainEach(list, probe, jobs, threads, out);
  }

  /** The runs by cell, in the order trained. */
  static Map<String, List<Experiments.Run>> byCell(List<Experiments.Run> runs) {
    return runs.stream().collect(Collectors.groupingBy(Experiments.Run::cellName, LinkedHashMap::new,
        Collectors.toList()));
  }

  /** Per cell, the last validation in the task's metric (NaN for a run that diverged), with the task's threshold. */
  static Map<String, SeedStats> validation(List<Experiments.Run> runs, Task task) {
    return stats(runs, task.solvedBelow(), r -> task.metric(r.history().lastValidationLoss()));
  }

  /** Per cell, the test accuracy of sequential-MNIST runs, in percent. */
  static Map<String, SeedStats> testAccuracy(List<Experiments.Run> runs) {
    return stats(runs, OptionalDouble.empty(), r -> {
      Trainer t = r.trainer();
      return 100 * ((SeqMnistTask) t.task()).testAccuracy(t.model(), t.parameters(), t.config().dtype());
    });
  }

  private static Map<String, SeedStats> stats(List<Experiments.Run> runs, OptionalDouble threshold,
      java.util.function.ToDoubleFunction<Experiments.Run> value) {
    Map<String, SeedStats> m = new LinkedHashMap<>();
    for (Map.Entry<String, List<Experiments.Run>> e : byCell(runs).entrySet()) {
      List<Long> seeds = new ArrayList<>();
      double[] v = new double[e.getValue().size()];
      for (int i = 0; i < v.length; i++) {
        Experiments.Run r = e.getValue().get(i);
        seeds.add(r.seed());
        v[i] = r.ok() ? value.applyAsDouble(r) : Double.NaN;
      }
      m.put(e.getKey(), new SeedStats(e.getKey(), seeds, v, threshold));
    }
    return m;
  }

  /**
   * The first training step at which a run's validation went below {@code threshold} (in the
   * task's metric), or -1 if it never did.
   */
  static long firstSolvedStep(History h, Task task, double threshold) {
    for (int i = 0; i < h.validationLoss().size(); i++) {
      if (task.metric(h.validationLoss().get(i)) < threshold) {
        return h.validationSteps().get(i) + 1;
      }
    }
    return -1;
  }

  /**
   * The summary table in Markdown: per cell its parameters, median ms/step, the median and range of
   * the final validation and, for a task with a threshold, the seeds that solved it; with
   * {@code accuracy} (sequential MNIST) the median and range of the test accuracy.
   */
  static String summaryTable(List<Experiments.Run> runs, Task task, Map<String, SeedStats> validation,
      Map<String, SeedStats> accuracy) {
    String metric = task.metricName();
    OptionalDouble threshold = task.solvedBelow();
    StringBuilder sb = new StringBuilder("| cell | parameters | ms/step | validation " + metric + ", median | min-max |");
    StringBuilder rule = new StringBuilder("|---|---:|---:|---:|---:|");
    if (threshold.isPresent()) {
      sb.append(String.format(Locale.ROOT, " solved (%s < %s) |", metric, number(threshold.getAsDouble())));
      rule.append("---:|");
    }
    if (accuracy != null) {
      sb.append(" test accuracy, median | min-max |");
      rule.append("---:|---:|");
    }
    sb.append('\n').append(rule).append('\n');
    for (Map.Entry<String, List<Experiments.Run>> e : byCell(runs).entrySet()) {
      SeedStats v = validation.get(e.getKey());
      double[] ms = e.getValue().stream().mapToDouble(r -> 1000 * r.history().medianSecondsPerStep()).sorted()
          .toArray();
      sb.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %s | %s |", e.getKey(),
          e.getValue().get(0).trainer().model().parameterCount(), SeedStats.median(ms), fixed(v.median(), 4),
          range(v, 4)));
      if (threshold.isPresent()) {
        sb.append(' ').append(v.solved()).append('/').append(v.runs()).append(" |");
      }
      if (accuracy != null) {
        SeedStats a = accuracy.get(e.getKey());
        sb.append(' ').append(percent(a.median())).append(" | ").append(percentRange(a)).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * One row per cell, one column per seed: the final validation (in bold where the run solved the
   * task) or, with {@code accuracy}, the test accuracy.
   */
  static String perSeedTable(Map<String, SeedStats> stats, boolean accuracy) {
    List<Long> seeds = stats.values().iterator().next().seeds();
    StringBuilder sb = new StringBuilder("| cell |");
    StringBuilder rule = new StringBuilder("|---|");
    for (long s : seeds) {
      sb.append(" seed ").append(s).append(" |");
      rule.append("---:|");
    }
    sb.append('\n').append(rule).append('\n');
    for (SeedStats st : stats.values()) {
      sb.append("| ").append(st.cell()).append(" |");
      List<Long> solved = st.solvedSeeds();
      for (long s : seeds) {
        double v = st.valueOf(s);
        String text = Double.isNaN(v) ? "diverged" : accuracy ? percent(v) : fixed(v, 4);
        sb.append(' ').append(solved.contains(s) ? "**" + text + "**" : text).append(" |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * Sentences of interpretation drawn from the measured statistics of a task with a threshold:
   * per cell how many seeds solved it, when the solving runs crossed the threshold, where the others
   * stayed against the baseline (null: none), and whether the seeds agree on the cells' order.
   */
  static String interpretation(List<Experiments.Run> runs, Task task, Map<String, SeedStats> validation,
      Double baseline, String baselineName, long steps) {
    String metric = task.metricName();
    double threshold = task.solvedBelow().orElseThrow();
    StringBuilder sb = new StringBuilder();
    Map<String, List<Experiments.Run>> cells = byCell(runs);
    for (SeedStats st : validation.values()) {
      List<Long> crossing = new ArrayList<>();
      for (Experiments.Run r : cells.get(st.cell())) {
        if (r.ok() && st.solvedSeeds().contains(r.seed())) {
          crossing.add(firstSolvedStep(r.history(), task, threshold));
        }
      }
      crossing.sort(null);
      String when = crossing.isEmpty() ? "" : String.format(Locale.ROOT, ", first below %s at step %s",
          number(threshold), span(crossing.get(0), crossing.get(crossing.size() - 1)));
      int n = st.runs();
      if (st.solved() == n) {
        sb.append(String.format(Locale.ROOT, "**%s** solved the task with every seed (%d of %d; validation %s %s%s). ",
            st.cell(), n, n, metric, range(st, 4), when));
      } else if (st.solved() == 0) {
        sb.append(String.format(Locale.ROOT, "**%s** solved it with none of the %d seeds: its validation %s stayed "
            + "at %s%s. ", st.cell(), n, metric, range(st, 4), against(st, baseline, baselineName)));
      } else {
        List<Long> bad = st.unsolvedSeeds();
        sb.append(String.format(Locale.ROOT, "**%s** depends on the seed: it solved the task with %s %s (validation "
            + "%s %s%s) but not with %s %s (%s%s)", st.cell(), st.solvedSeeds().size() == 1 ? "seed" : "seeds",
            list(st.solvedSeeds()), metric, rangeOf(st, st.solvedSeeds()), when, bad.size() == 1 ? "seed" : "seeds",
            list(bad), rangeOf(st, bad), against(st, bad, baseline, baselineName)));
        long last = crossing.get(crossing.size() - 1);
        if (last > steps / 2) {
          sb.append(String.format(Locale.ROOT, "; the runs that solved it left the plateau late (by step %d of "
              + "%d), so how long a run stays on the plateau varies with its initialization, and within this "
              + "budget some runs never leave it", last, steps));
        }
        sb.append(String.format(Locale.ROOT, ": one seed's result (solved %d of %d here) is luck. ", st.solved(), n));
      }
    }
    sb.append(order(validation, metric));
    return sb.toString().strip();
  }

  /** Whether every seed ranks the cells alike (lower is better), and the ranking by the median. */
  static String order(Map<String, SeedStats> validation, String metric) {
    List<SeedStats> cells = new ArrayList<>(validation.values());
    cells.sort((a, b) -> Double.compare(a.median(), b.median()));
    String byMedian = cells.stream().map(s -> s.cell() + " " + fixed(s.median(), 4))
        .collect(Collectors.joining(" < "));
    List<Long> seeds = cells.get(0).seeds();
    Map<Long, String> rankings = new LinkedHashMap<>();
    for (long seed : seeds) {
      List<SeedStats> bySeed = new ArrayList<>(cells);
      bySeed.sort((a, b) -> Double.compare(value(a, seed), value(b, seed)));
      rankings.put(seed, bySeed.stream().map(SeedStats::cell).collect(Collectors.joining(", ")));
    }
    String sentence = String.format(Locale.ROOT, "By the median over %d seeds (validation %s): %s.", seeds.size(),
        metric, byMedian);
    if (rankings.values().stream().distinct().count() == 1) {
      return sentence + " Every seed ranks the cells in this order.";
    }
    Map<String, List<Long>> seedsOf = new LinkedHashMap<>();
    rankings.forEach((seed, ranking) -> seedsOf.computeIfAbsent(ranking, k -> new ArrayList<>()).add(seed));
    String orders = seedsOf.entrySet().stream()
        .map(e -> (e.getValue().size() == 1 ? "seed " : "seeds ") + list(e.getValue()) + ": " + e.getKey())
        .collect(Collectors.joining("; "));
    return sentence + " The order changes with the seed (" + orders
        + "), so a comparison on one seed could rank these cells otherwise.";
  }

  /** A diverged run sorts last. */
  private static double value(SeedStats s, long seed) {
    double v = s.valueOf(seed);
    return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
  }

  private static String against(SeedStats st, Double baseline, String baselineName) {
    return against(st, st.seeds(), baseline, baselineName);
  }

  /** Where the given seeds' runs stayed against the baseline, or nothing without one. */
  private static String against(SeedStats st, List<Long> seeds, Double baseline, String baselineName) {
    double best = seeds.stream().mapToDouble(st::valueOf).filter(v -> !Double.isNaN(v)).min().orElse(Double.NaN);
    if (baseline == null || Double.isNaN(best)) {
      return "";
    }
    if (best >= baseline) {
      return String.format(Locale.ROOT, ", never below the %s of %s", number(baseline), baselineName);
    }
    long below = Math.round(100 * (1 - best / baseline));
    return below <= 20
        ? String.format(Locale.ROOT, ", at the %s of %s (at best %d%% below it)", number(baseline), baselineName, below)
        : String.format(Locale.ROOT, ", below the %s of %s but above the threshold", number(baseline), baselineName);
  }

  /**
   * Writes {@code base.png}/{@code .svg}, each cell's median training curve over its seeds (a
   * moving average, in the task's metric; the median of the runs that trained every step) with its
   * single runs faint behind it and an optional dashed baseline, and {@code base.csv}: every run's
   * raw curves, one row per run and step, after the columns {@code run} (the cell) and {@code seed}.
   */
  static List<Path> plot(Path base, String title, List<Experiments.Run> runs, Task task, Double baseline,
      String baselineName, boolean logY) throws IOException {
    Map<String, Plots.Line> faint = Plots.map();
    Map<String, Plots.Line> lines = Plots.map();
    StringBuilder csv = new StringBuilder(MetricsFiles.header("run,seed", task.metricName())).append('\n');
    int steps = 1;
    for (Map.Entry<String, List<Experiments.Run>> e : byCell(runs).entrySet()) {
      int full = e.getValue().stream().mapToInt(r -> r.history().size()).max().orElse(0);
      List<Plots.Line> complete = new ArrayList<>();
      for (Experiments.Run r : e.getValue()) {
        History h = r.history();
        Plots.Line l = inMetric(Plots.smoothed(h.loss(), Math.max(1, full / 40)), task);
        faint.put(e.getKey() + " seed " + r.seed(), l);
        if (h.size() == full) {
          complete.add(l);
        }
        csv.append(MetricsFiles.csvRows(h, e.getKey() + "," + r.seed(), task::metric));
      }
      steps = Math.max(steps, full);
      if (!complete.isEmpty()) {
        lines.put(e.getKey() + " (median of " + complete.size() + ")", median(complete));
      }
    }
    if (baseline != null) {
      lines.put(baselineName, Plots.reference(1, steps, baseline));
    }
    AtomicFiles.writeString(base.resolveSibling(base.getFileName() + ".csv"), csv.toString());
    return Plots.lines(base, title, "training step", "training " + task.metricName() + " (moving average)", lines,
        faint, logY);
  }

  /** The pointwise median of lines sampled at the same x. */
  static Plots.Line median(List<Plots.Line> lines) {
    double[] x = lines.get(0).x();
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double[] at = new double[lines.size()];
      for (int k = 0; k < at.length; k++) {
        at[k] = lines.get(k).y()[i];
      }
      Arrays.sort(at);
      y[i] = SeedStats.median(at);
    }
    return Plots.Line.of(x, y);
  }

  private static Plots.Line inMetric(Plots.Line l, Task task) {
    double[] y = l.y().clone();
    for (int i = 0; i < y.length; i++) {
      y[i] = task.metric(y[i]);
    }
    return new Plots.Line(l.x(), y, l.dashed());
  }

  /** {@code min-max} of the finished runs, with the count of diverged ones. */
  static String range(SeedStats s, int digits) {
    String r = Double.isNaN(s.min()) ? "-" : fixed(s.min(), digits) + "-" + fixed(s.max(), digits);
    return s.diverged() == 0 ? r : r + " (" + s.diverged() + " diverged)";
  }

  private static String rangeOf(SeedStats s, List<Long> seeds) {
    double[] v = seeds.stream().mapToDouble(s::valueOf).filter(d -> !Double.isNaN(d)).sorted().toArray();
    int diverged = seeds.size() - v.length;
    String r = v.length == 0 ? "" : v.length == 1 ? fixed(v[0], 4) : fixed(v[0], 4) + "-" + fixed(v[v.length - 1], 4);
    return diverged == 0 ? r : (r.isEmpty() ? "" : r + ", ") + diverged + " diverged";
  }

  private static String percentRange(SeedStats s) {
    return Double.isNaN(s.min()) ? "-" : percent(s.min()) + "-" + percent(s.max());
  }

  private static String span(long a, long b) {
    return a == b ? Long.toString(a) : a + "-" + b;
  }

  private static String list(List<Long> seeds) {
    return seeds.stream().map(String::valueOf).collect(Collectors.joining(", "));
  }

  static String fixed(double v, int digits) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
  }

  static String percent(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f%%", v);
  }

  /** A threshold or baseline as written: 0.05, 0.167. */
  private static String number(double v) {
    return String.format(Locale.ROOT, "%.3g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
  }
}
