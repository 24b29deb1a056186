package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.io.AtomicFiles;
import dev.cellgraph.train.tasks.SeqMnistTask;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.train.History;
import dev.cellgraph.train.MetricsFiles;
import dev.cellgraph.train.ProgressBoard;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.Trainer;
import dev.cellgraph.train.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/** Training several cells on one task with the same budget, and the table and plot of the outcome. */
final class Experiments {
  private Experiments() {}

  /** One cell's run: the trainer (model, parameters, history), or the reason it failed. */
  record Run(String cellName, Trainer trainer, String failure, double wallSeconds) {
    History history() {
      return trainer.history();
    }

    boolean ok() {
      return failure == null;
    }

    long seed() {
      return trainer.config().seed();
    }
  }

  /**
   * Trains every cell on a fresh task from {@code tasks} (one each: tasks hold no state, but this
   * keeps runs independent) with the same configuration, {@code jobs} at a time. The runs are
   * deterministic whatever {@code jobs} is; only the times differ.
   */
  static List<Run> trainAll(List<Cell> cells, Supplier<Task> tasks, Trainer.Config config, int jobs, PrintStream out)
      throws Exception {
    return trainAll(cells, tasks, config, jobs, null, out);
  }

  /**
   * As {@link #trainAll(List, Supplier, Trainer.Config, int, PrintStream)}, each run's kernels on
   * {@code threads} threads (null: the default), with one progress line per run (none with
   * {@code --quiet}).
   */
  static List<Run> trainAll(List<Cell> cells, Supplier<Task> tasks, Trainer.Config config, int jobs, Integer threads,
      PrintStream out) throws Exception {
    Task probe = tasks.get(); // the name and metric of the runs' tasks, for the progress lines
    List<Job> list = new ArrayList<>();
    for (Cell c : cells) {
      list.add(new Job(c, tasks, config, probe.name() + " " + c.name()));
    }
    return trainEach(list, probe, jobs, threads, out);
  }

  /** One run to train: its cell, a supplier of its task, its configuration, and its progress line's name. */
  record Job(Cell cell, Supplier<Task> task, Trainer.Config config, String label) {}

  /**
   * Trains every job, {@code jobs} at a time, each run's kernels on {@code threads} threads (null:
   * the default), with one progress line per run in {@code probe}'s metric (none with {@code
   * --quiet}); the runs come back in the jobs' order, and are the same whatever {@code jobs} is.
   */
  static List<Run> trainEach(List<Job> list, Task probe, int jobs, Integer threads, PrintStream out)
      throws Exception {
    ProgressBoard board = Verbosity.normal() ? ProgressBoard.auto(out) : null;
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(jobs, list.size())), r -> {
      Thread t = new Thread(r, "train");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Run>> futures = new ArrayList<>();
      for (Job job : list) {
        Trainer.Listener progress = board == null ? new Trainer.Listener() {}
            : board.add(job.label(), 15).withMetric(probe.metricName(), probe::metric);
        futures.add(pool.submit(() -> {
          Task task = job.task().get();
          Trainer t = Trainer.create(job.cell(), task, job.config());
          long t0 = System.nanoTime();
          try {
            if (threads != null) {
              Kernels.withThreads(threads, () -> t.run(progress));
            } else {
              t.run(progress);
            }
            return new Run(job.cell().name(), t, null, (System.nanoTime() - t0) / 1e9);
          } catch (TrainingDivergedException e) {
            String failed = job.label() + ": " + e.getMessage();
            if (board != null) {
              board.println(failed); // above the rows: a line printed below them would shift every row's place
            } else {
              out.println(failed);
            }
            return new Run(job.cell().name(), t, e.getMessage(), (System.nanoTime() - t0) / 1e9);
          }
        }));
      }
      List<Run> runs = new ArrayList<>();
      for (Future<Run> f : futures) {
        runs.add(f.get());
      }
      return runs;
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The comparison table in Markdown: parameters, median time per step, the training loss (mean of
   * the last 50 steps) and the last validation loss, both in the task's metric.
   */
  static String table(List<Run> runs, Task task) {
    SeqMnistTask classifier = task instanceof SeqMnistTask s ? s : null;
    StringBuilder sb = new StringBuilder();
    sb.append("| cell | parameters | ms/step | final training ").append(task.metricName()).append(" | validation ")
        .append(task.metricName()).append(classifier != null ? " | validation accuracy | test accuracy" : "")
        .append(" |\n|---|---:|---:|---:|---:|").append(classifier != null ? "---:|---:|" : "").append("\n");
    for (Run r : runs) {
      History h = r.history();
      sb.append(String.format(Locale.ROOT, "| %s | %,d | %.1f | %s | %s |", r.cellName(),
          r.trainer().model().parameterCount(), 1000 * h.medianSecondsPerStep(),
          r.ok() ? String.format(Locale.ROOT, "%.4f", task.metric(h.recentLoss(50))) : "diverged",
          r.ok() ? String.format(Locale.ROOT, "%.4f", task.metric(h.lastValidationLoss())) : "-"));
      if (classifier != null) {
        Trainer t = r.trainer();
        sb.append(r.ok() ? String.format(Locale.ROOT, " %.2f%% | %.2f%% |",
            100 * classifier.validationAccuracy(t.model(), t.parameters(), t.config().dtype()),
            100 * classifier.testAccuracy(t.model(), t.parameters(), t.config().dtype())) : " - | - |");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * Loss curves of all runs on one plot (a moving average), in the task's metric, with an optional
   * dashed baseline (in that metric too); beside it, {@code base.csv} holds every run's raw curves
   * (see {@link MetricsFiles}), one row per run and step.
   */
  static List<Path> lossPlot(Path base, String title, List<Run> runs, Task task, Double baseline, String baselineName,
      boolean logY) throws IOException {
    Map<String, Plots.Line> lines = Plots.map();
    int steps = 1;
    StringBuilder csv = new StringBuilder(MetricsFiles.header("run", task.metricName())).append('\n');
    for (Run r : runs) {
      lines.put(r.cellName(), inMetric(Plots.smoothed(r.history().loss(), Math.max(1, r.history().size() / 40)), task));
      steps = Math.max(steps, r.history().size());
      csv.append(MetricsFiles.csvRows(r.history(), r.cellName(), task::metric));
    }
    if (baseline != null) {
      lines.put(baselineName, Plots.reference(1, steps, baseline));
    }
    AtomicFiles.writeString(base.resolveSibling(base.getFileName() + ".csv"), csv.toString());
    return Plots.lines(base, title, "training step", "training " + task.metricName() + " (moving average)", lines,
        logY);
  }

  /**
   * Validation curves of all runs on one plot, in the task's metric, each over its run's training
   * curve (a moving average, drawn faint in the same colour), with a dashed reference line (in that
   * metric too); beside it, {@code base.csv} holds every run's raw curves (see {@link MetricsFiles}).
   */
  static List<Path> validationPlot(Path base, String title, List<Run> runs, Task task, double reference,
      String referenceName) throws IOException {
    Map<String, Plots.Line> lines = Plots.map();
    Map<String, Plots.Line> faint = Plots.map();
    int steps = 1;
    StringBuilder csv = new StringBuilder(MetricsFiles.header("run", task.metricName())).append('\n');
    for (Run r : runs) {
      History h = r.history();
      Plots.Line training = inMetric(Plots.smoothed(h.loss(), Math.max(1, h.size() / 40)), task);
      // the training curve from the first validation on: its first steps (near uniform) would squash the y axis
      faint.put(r.cellName() + " training",
          h.validationSteps().isEmpty() ? training : from(training, h.validationSteps().get(0) + 1));
      if (!h.validationSteps().isEmpty()) {
        double[] x = new double[h.validationSteps().size()];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
          x[i] = h.validationSteps().get(i) + 1;
          y[i] = task.metric(h.validationLoss().get(i));
        }
        lines.put(r.cellName() + " validation", Plots.Line.of(x, y));
      }
      steps = Math.max(steps, h.size());
      csv.append(MetricsFiles.csvRows(h, r.cellName(), task::metric));
    }
    lines.put(referenceName, Plots.reference(1, steps, reference));
    AtomicFiles.writeString(base.resolveSibling(base.getFileName() + ".csv"), csv.toString());
    return Plots.lines(base, title, "training step", task.metricName() + " (validation; training faint)", lines,
        faint, false);
  }

  /** One run's plot: the training curve (a moving average) and the validations, both in the task's metric. */
  static List<Path> runPlot(Path base, String title, History h, Task task) throws IOException {
    Map<String, Plots.Line> lines = Plots.map();
    lines.put("training (moving average)", inMetric(Plots.smoothed(h.loss(), Math.max(1, h.size() / 40)), task));
    if (!h.validationSteps().isEmpty()) {
      double[] x = new double[h.validationSteps().size()];
      double[] y = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = h.validationSteps().get(i) + 1;
        y[i] = task.metric(h.validationLoss().get(i));
      }
      lines.put("validation", Plots.Line.of(x, y));
    }
    return Plots.lines(base, title, "training step", task.metricName(), lines, false);
  }

  private static Plots.Line from(Plots.Line l, double x0) {
    int i = 0;
    while (i < l.x().length - 1 && l.x()[i] < x0) {
      i++;
    }
    return new Plots.Line(java.util.Arrays.copyOfRange(l.x(), i, l.x().length),
        java.util.Arrays.copyOfRange(l.y(), i, l.y().length), l.dashed());
  }

  private static Plots.Line inMetric(Plots.Line l, Task task) {
    double[] y = l.y().clone();
    for (int i = 0; i < y.length; i++) {
      y[i] = task.metric(y[i]);
    }
    return new Plots.Line(l.x(), y, l.dashed());
  }

  /** Writes text atomically. */
  static void write(Path file, String text) throws IOException {
    AtomicFiles.writeString(file, text);
  }
}
