package dev.cellgraph.cli;

import com.google.gson.JsonObject;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.io.AtomicFiles;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.train.Checkpoint;
import dev.cellgraph.train.History;
import dev.cellgraph.train.MetricsFiles;
import dev.cellgraph.train.Progress;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.Trainer;
import dev.cellgraph.train.TrainingDivergedException;
import dev.cellgraph.train.tasks.SeqMnistTask;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code cellgraph train}: one cell on one task, with checkpoints, exact resume, metrics files and a loss plot. */
final class TrainCommand implements Command {
  /** The run directory when neither --out nor --checkpoint names one. */
  static final String DEFAULT_OUT = "cellgraph-train";
  /** The final results of a run that ended (not stopped by a signal), beside the metrics. */
  static final String RESULTS = "results.json";
  /** The exit status of a run stopped by a signal, as the JVM gives it for SIGINT (128 + 2). */
  static final int STOPPED = 130;

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train a cell on the adding problem, the copy task, a character model, sequential MNIST or your data";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph train --cell CELL --task adding|charlm|charlm-lines|copy|seqmnist|file [--data FILE|DIR]",
        "                       [--hidden-size H]",
        CellRef.OPTIONS_USAGE,
        "                       [--steps N] [--seed S] [--checkpoint DIR [--checkpoint-every N]] [--resume]",
        "                       [--out DIR] [--config FILE] [task options]",
        "",
        "CELL is rnn, lstm, gru (PyTorch's cells), a zoo name or a .cell file.",
        "  --checkpoint DIR            save parameters, optimizer and random state, the cell's formulas and",
        "                              the options every N steps (500), at the end, and on Ctrl-C or SIGTERM",
        "                              (the run stops at the next step boundary, saves, and exits with 130",
        "                              or 143). A directory that already holds a checkpoint is never",
        "                              overwritten without --resume, nor from NaN or infinite parameters.",
        "  --checkpoint-every N        steps between checkpoints (500; 0: only at the end)",
        "  --resume                    continue the checkpoint in DIR exactly as if the run had never stopped;",
        "                              when DIR holds none yet, start a fresh run (one command line for the",
        "                              first run and every restart). The checkpoint records the cell and the",
        "                              options, so 'train --resume --checkpoint DIR' alone is enough; options",
        "                              given alongside override the recorded ones (e.g. --steps to extend),",
        "                              but for the cell's --size and --set, which it keeps (a different",
        "                              value is an error: a resumed run continues the same cell).",
        "  --out DIR                   where config.json, metrics.csv, metrics.jsonl, results.json and",
        "                              loss.png/.svg go (default: the --checkpoint DIR, else " + DEFAULT_OUT + ");",
        "                              the metrics are rewritten as the run goes, at every validation and",
        "                              every 10 s; results.json holds the final figures",
        "  --config FILE               replay a run from its config.json: its cell (the formulas it recorded,",
        "                              so the .cell file need not exist) and options; options given alongside",
        "                              override them (--cell, --size and --set too), and a flag it sets stays set",
        "",
        TaskOptions.USAGE);
  }

  /** The options of {@code train}: the task options and its own. */
  static Set<String> valued() {
    Set<String> valued = new LinkedHashSet<>(TaskOptions.VALUED);
    valued.addAll(List.of("cell", "checkpoint", "checkpoint-every", "out", "config"));
    return valued;
  }

  static Set<String> flags() {
    Set<String> flags = new LinkedHashSet<>(TaskOptions.FLAGS);
    flags.add("resume");
    return flags;
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args cli = Args.parse(argv, valued(), flags());
    cli.noPositionals();
    boolean resume = cli.flag("resume");
    JsonObject recipe = null;
    String origin = null;
    if (cli.has("config")) {
      recipe = RunRecipe.read(Paths.get(cli.get("config")));
      origin = cli.get("config");
    }
    Args a = recipe != null ? RunRecipe.apply(recipe, cli, valued(), flags(), origin) : cli;
    Path dir = a.has("checkpoint") ? Paths.get(a.get("checkpoint")) : null;
    if (resume && dir == null) {
      throw new UsageException("--resume needs --checkpoint DIR");
    }
    if (dir != null) {
      CompareCommand.checkDirectory("--checkpoint", dir);
    }
    boolean resuming = resume && Checkpoint.exists(dir);
    if (resume && !resuming && recipe == null && !a.has("cell")) {
      throw new UsageException("no checkpoint in " + dir + " yet, so this is a fresh run, and a fresh run needs "
          + "--cell CELL (with the task's options)");
    }
    if (resuming && recipe == null) {
      JsonObject meta = Checkpoint.load(dir).meta();
      if (meta.has("recipe") && meta.get("recipe").isJsonObject()) {
        recipe = meta.getAsJsonObject("recipe");
        origin = "the checkpoint in " + dir;
        RunRecipe.check(recipe, origin);
        a = RunRecipe.apply(recipe, cli, valued(), flags(), origin);
      }
    }
    if (resuming && recipe == null && !a.has("cell")) {
      throw new UsageException("the checkpoint in " + dir + " was written before checkpoints recorded their cell "
          + "and options; give them again (--cell CELL --task TASK and the options of the first run)");
    }
    CellRef ref;
    if (a.has("cell") || recipe == null) {
      ref = CellRef.resolve(a.require("cell"), a);
    } else if (resuming) {
      ref = RunRecipe.cell(recipe, origin, Map.of(), Map.of());
      RunRecipe.checkSameCell(ref, cli, origin);
    } else {
      ref = RunRecipe.cell(recipe, origin, CellRef.sizes(a), CellRef.constants(a)); // a replay's own win
    }
    Cell cell = ref.cell();
    Task task = TaskOptions.task(a, List.of(cell), 1);
    Trainer.Builder b = TaskOptions.config(a);
    Integer threads = TaskOptions.threads(a);
    if (dir != null) {
      if (!resume && Checkpoint.exists(dir)) {
        throw new UsageException(dir + " already holds a checkpoint; pass --resume to continue it, "
            + "or choose another directory");
      }
      b.checkpoint(dir, a.intValue("checkpoint-every", 500, 0, 100_000_000));
    }
    Path runDir = a.has("out") ? CompareCommand.outDir(a.get("out"))
        : dir != null ? dir : CompareCommand.outDir(DEFAULT_OUT);
    Files.createDirectories(runDir);
    JsonObject runRecipe = RunRecipe.of(ref, a);
    b.recipe(runRecipe);
    Trainer.Config config = b.build();
    Trainer trainer;
    try {
      trainer = resuming ? Trainer.resume(cell, task, config) : Trainer.create(cell, task, config);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    AtomicFiles.writeString(runDir.resolve(RunRecipe.FILE), RunRecipe.toJson(runRecipe));
    boolean normal = Verbosity.normal();
    if (normal) {
      if (resume && !resuming) {
        out.println("no checkpoint in " + dir + " yet: starting a fresh run");
      }
      out.println(String.format(Locale.ROOT, "training %s on the %s: %,d parameters, %d steps, %s",
          cell.name(), task, trainer.model().parameterCount(), config.steps(), config.learningRate().describe()));
    }
    Verbosity.printKernels(out, threads);
    if (resuming && (trainer.step() >= config.steps() || trainer.stopReason() != null)) {
      out.println("the checkpoint is already at step " + trainer.step() + " of " + config.steps()
          + (trainer.stopReason() != null ? " (" + trainer.stopReason() + ")" : "") + "; nothing to do");
      return 0;
    }
    MetricsFiles metrics = new MetricsFiles(runDir, trainer, 10);
    Trainer.Listener listener = normal
        ? Trainer.Listener.all(Progress.auto(out, cell.name()).withMetric(task.metricName(), task::metric), metrics)
        : metrics;
    long declinedBefore = Scan.declineCount();
    History h;
    try (StopOnSignal signal = new StopOnSignal(trainer, dir != null, err)) {
      try {
        h = threads != null ? Kernels.withThreads(threads, () -> trainer.run(listener)) : trainer.run(listener);
      } catch (TrainingDivergedException e) {
        metrics.write();
        err.println("cellgraph train: " + e.getMessage() + "; try a lower --lr, gradient clipping (--clip), or "
            + "--on-nonfinite skip");
        return 1;
      }
      if (signal.fired()) {
        Experiments.runPlot(runDir.resolve("loss"), cell.name() + " on the " + task.name() + " task", h, task);
        out.println("stopped by a signal at step " + trainer.step() + " of " + config.steps()
            + (dir != null ? "; checkpoint " + dir.resolve(Checkpoint.TENSORS) + "; continue with: cellgraph train"
            + " --resume --checkpoint " + dir : "; no --checkpoint was given, so the run cannot be resumed"));
        return STOPPED;
      }
      List<Path> plot = Experiments.runPlot(runDir.resolve("loss"), cell.name() + " on the " + task.name() + " task",
          h, task);
      if (Verbosity.verbose()) {
        out.println("scan compiler: " + (Scan.declineCount() - declinedBefore) + " scans declined (run step by step)");
      }
      JsonObject results = printResults(out, trainer, task, config, h);
      AtomicFiles.writeString(runDir.resolve(RESULTS), RunRecipe.toJson(results));
      if (normal) {
        out.println("metrics: " + runDir.resolve(MetricsFiles.CSV) + ", " + runDir.resolve(MetricsFiles.JSONL)
            + ", " + runDir.resolve(RESULTS) + ", " + plot.get(0) + "; replay with: cellgraph train --config "
            + runDir.resolve(RunRecipe.FILE));
      }
    }
    if (dir != null && Verbosity.normal()) {
      out.println("checkpoint: " + dir.resolve(Checkpoint.TENSORS) + " (step " + trainer.step() + ")");
    }
    return 0;
  }

  /** Prints the final results and returns them for {@code results.json}. */
  private static JsonObject printResults(PrintStream out, Trainer trainer, Task task, Trainer.Config config,
      History h) {
    JsonObject r = new JsonObject();
    r.addProperty("cell", trainer.model().cell().name());
    r.addProperty("task", task.name());
    r.addProperty("steps", trainer.step());
    r.addProperty("parameters", trainer.model().parameterCount());
    r.addProperty("metric", task.metricName());
    r.addProperty("final_training_loss", h.recentLoss(50));
    r.addProperty("final_training_metric", task.metric(h.recentLoss(50)));
    if (!Double.isNaN(h.lastValidationLoss())) {
      r.addProperty("validation_loss", h.lastValidationLoss());
      r.addProperty("validation_metric", task.metric(h.lastValidationLoss()));
    }
    r.addProperty("ms_per_step", 1000 * h.medianSecondsPerStep());
    if (trainer.stopReason() != null) {
      r.addProperty("stopped", trainer.stopReason());
      out.println("stopped at step " + trainer.step() + " of " + config.steps() + ": " + trainer.stopReason());
    }
    out.println(String.format(Locale.ROOT,
        "done: %s %s final training %s %.4f (mean of %s), validation %s %.4f, %.1f ms/step",
        trainer.model().cell().name(), task.name(), task.metricName(), task.metric(h.recentLoss(50)),
        h.size() > 50 ? "the last 50 steps" : h.size() == 1 ? "its only step" : "all " + h.size() + " steps",
        task.metricName(), task.metric(h.lastValidationLoss()), 1000 * h.medianSecondsPerStep()));
    if (task instanceof SeqMnistTask s) {
      double validation = s.validationAccuracy(trainer.model(), trainer.parameters(), config.dtype());
      double test = s.testAccuracy(trainer.model(), trainer.parameters(), config.dtype());
      r.addProperty("validation_accuracy", validation);
      r.addProperty("test_accuracy", test);
      out.println(String.format(Locale.ROOT, "accuracy: validation %.2f%% (%,d images), test %.2f%% (%,d images)",
          100 * validation, s.validationImages(), 100 * test, s.testImages()));
    }
    return r;
  }
}
