package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.io.AtomicFiles;
import dev.cellgraph.train.tasks.SeqMnistTask;
import dev.cellgraph.train.History;
import dev.cellgraph.train.Progress;
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
  }

  /**
   * Trains every cell on a fresh task from {@code tasks} (one each: tasks hold no state, but this
   * keeps runs independent) with the same configuration, {@code jobs} at a time. The runs are
   * deterministic whatever {@code jobs} is; only the times differ.
   */
  static List<Run> trainAll(List<Cell> cells, Supplier<Task> tasks, Trainer.Config config, int jobs, PrintStream out)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(jobs, cells.size())), r -> {
      Thread t = new Thread(r, "train");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<Run>> futures = new ArrayList<>();
      for (Cell c : cells) {
        futures.add(pool.submit(() -> {
          Task task = tasks.get();
          Trainer t = Trainer.create(c, task, config);
          long t0 = System.nanoTime();
          try {
            t.run(Progress.lines(out, task.name() + " " + c.name(), 15).withMetric(task.metricName(), task::metric));
            return new Run(c.name(), t, null, (System.nanoTime() - t0) / 1e9);
          } catch (TrainingDivergedException e) {
            out.println(task.name() + " " + c.name() + ": " + e.getMessage());
            return new Run(c.name(), t, e.getMessage(), (System.nanoTime() - t0) / 1e9);
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

  /** Loss curves of all runs on one plot (a moving average), with an optional dashed baseline. */
  static List<Path> lossPlot(Path base, String title, List<Run> runs, Double baseline, String baselineName,
      boolean logY) throws IOException {
    Map<String, Plots.Line> lines = Plots.map();
    int steps = 1;
    for (Run r : runs) {
      lines.put(r.cellName(), Plots.smoothed(r.history().loss(), Math.max(1, r.history().size() / 40)));
      steps = Math.max(steps, r.history().size());
    }
    if (baseline != null) {
      lines.put(baselineName, Plots.reference(1, steps, baseline));
    }
    return Plots.lines(base, title, "training step", "training loss (moving average)", lines, logY);
  }

  /** Writes text atomically. */
  static void write(Path file, String text) throws IOException {
    AtomicFiles.writeString(file, text);
  }
}
