package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.io.AtomicFiles;
import dev.cellgraph.train.tasks.AddingTask;
import dev.cellgraph.train.tasks.SeqMnistTask;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.Trainer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** {@code cellgraph compare}: several cells, one task, one budget; a table and the loss curves. */
final class CompareCommand implements Command {
  @Override
  public String name() {
    return "compare";
  }

  @Override
  public String summary() {
    return "train several cells on one task with the same budget: table and loss curves";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph compare --cells CELL,CELL,... --task adding|charlm|charlm-lines|copy|seqmnist|file",
        "                         [--out DIR] [--jobs N] [--seeds K|S1,S2,...] [task options]",
        CellRef.OPTIONS_USAGE,
        "",
        "Trains each cell (rnn, lstm, gru, zoo names, .cell files) from the same seed with the same",
        "budget and writes DIR/<task>-compare.md (parameters, ms/step, final loss, validation) and",
        "DIR/<task>-loss.png/.svg (all loss curves on one plot, in the task's metric) and",
        "DIR/<task>-loss.csv (every run's raw curves: run, step, loss, validation, ...). DIR defaults",
        "to cellgraph-compare. On a terminal each run's progress is one line, redrawn in place.",
        "For seqmnist the table adds each cell's validation and test accuracy.",
        "--jobs N trains N cells at a time (1; more is faster on more cores, but then ms/step",
        "includes the contention).",
        Seeds.USAGE,
        "With several seeds the table gives each cell's median and range over its seeds (and for",
        "seqmnist its test accuracy's), a second table each seed's result, the plot each cell's",
        "median curve with its single runs faint behind it, and the CSV the columns run, seed, step, ...",
        "",
        TaskOptions.USAGE);
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Set<String> valued = new HashSet<>(TaskOptions.VALUED);
    valued.add("cells");
    valued.add("out");
    valued.add("jobs");
    valued.add("seeds");
    Args a = Args.parse(argv, valued, TaskOptions.FLAGS);
    a.noPositionals();
    List<Cell> cells = cells(a.require("cells"), CellRef.sizes(a), CellRef.constants(a));
    int jobs = a.intValue("jobs", 1, 1, 64);
    List<Long> seeds = Seeds.of(a); // checked before a data set is read
    Task task = TaskOptions.task(a, cells, jobs);
    Trainer.Builder builder = TaskOptions.config(a);
    Trainer.Config config = builder.build();
    Path dir = outDir(a.get("out", "cellgraph-compare"));
    Verbosity.printKernels(out, TaskOptions.threads(a));
    if (seeds.size() > 1) {
      return compareSeeds(a, cells, seeds, task, builder, jobs, dir, out);
    }
    if (Verbosity.normal()) {
      out.println(String.format(Locale.ROOT, "comparing %d cells on the %s, %d steps each", cells.size(), task,
          config.steps()));
    }
    // the images are read once and shared; every other task is cheap to make again
    Supplier<Task> tasks = task instanceof SeqMnistTask s ? s::copy : () -> TaskOptions.task(a);
    List<Experiments.Run> runs = Experiments.trainAll(cells, tasks, config, jobs, TaskOptions.threads(a), out);
    String table = Experiments.table(runs, task);
    Double baseline = task instanceof AddingTask ? AddingTask.BASELINE_MSE : null;
    List<Path> plots = Experiments.lossPlot(dir.resolve(task.name() + "-loss"),
        "Training " + task.metricName() + " on the " + task.name() + " task", runs, task, baseline,
        "predict 1 (MSE 1/6)", task.name().equals("adding"));
    Path md = dir.resolve(task.name() + "-compare.md");
    Experiments.write(md, "# " + task + ", " + config.steps() + " steps\n\n" + table + "\n![loss curves]("
        + plots.get(0).getFileName() + ")\n");
    out.println();
    out.print(table);
    printWritten(out, md, plots, dir, task);
    return 0;
  }

  /** compare --seeds: every cell on every seed, and the statistics over the seeds. */
  private static int compareSeeds(Args a, List<Cell> cells, List<Long> seeds, Task task, Trainer.Builder builder,
      int jobs, Path dir, PrintStream out) throws Exception {
    if (Verbosity.normal()) {
      out.println(String.format(Locale.ROOT, "comparing %d cells on the %s, %d steps each, on %d seeds (%s)",
          cells.size(), task, builder.build().steps(), seeds.size(),
          seeds.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))));
    }
    List<Experiments.Run> runs = SeedRuns.train(cells, seeds, seed -> TaskOptions.forSeed(a, task, seed),
        seed -> builder.seed(seed).build(), jobs, TaskOptions.threads(a), out);
    Map<String, SeedStats> validation = SeedRuns.validation(runs, task);
    Map<String, SeedStats> accuracy = task instanceof SeqMnistTask ? SeedRuns.testAccuracy(runs) : null;
    Double baseline = task instanceof AddingTask ? AddingTask.BASELINE_MSE : null;
    StringBuilder text = new StringBuilder(SeedRuns.summaryTable(runs, task, validation, accuracy)).append('\n')
        .append(accuracy != null ? "Test accuracy per seed:" : "Validation " + task.metricName() + " per seed"
            + (task.solvedBelow().isPresent() ? " (bold: solved)" : "") + ":").append("\n\n")
        .append(SeedRuns.perSeedTable(accuracy != null ? accuracy : validation, accuracy != null)).append('\n');
    if (task.solvedBelow().isPresent()) {
      text.append(SeedRuns.interpretation(runs, task, validation, baseline, "always predicting 1",
          builder.build().steps())).append("\n");
    } else {
      text.append(SeedRuns.order(validation, task.metricName())).append("\n");
    }
    List<Path> plots = SeedRuns.plot(dir.resolve(task.name() + "-loss"), "Training " + task.metricName() + " on the "
        + task.name() + " task, " + seeds.size() + " seeds", runs, task, baseline, "predict 1 (MSE 1/6)",
        task.name().equals("adding"));
    Path md = dir.resolve(task.name() + "-compare.md");
    Experiments.write(md, "# " + task + ", " + builder.build().steps() + " steps, " + seeds.size() + " seeds\n\n"
        + "Median and range (min-max) over the seeds.\n\n" + text + "\n![loss curves](" + plots.get(0).getFileName()
        + ")\n");
    out.println();
    out.print(text);
    printWritten(out, md, plots, dir, task);
    return 0;
  }

  /** Resolves a comma-separated list of cells; duplicates and empty names are usage errors. */
  static List<Cell> cells(String list, java.util.Map<String, Integer> sizes, java.util.Map<String, Double> constants) {
    List<Cell> cells = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (String s : list.split(",", -1)) {
      String name = s.trim();
      if (name.isEmpty()) {
        throw new UsageException("--cells: empty cell name in '" + list + "'");
      }
      if (!seen.add(name)) {
        throw new UsageException("--cells: '" + name + "' is listed twice");
      }
      cells.add(CellRef.resolve(name, sizes, constants).cell());
    }
    return cells;
  }

  /** The files a comparison wrote, under the normal verbosity. */
  private static void printWritten(PrintStream out, Path md, List<Path> plots, Path dir, Task task) {
    if (Verbosity.normal()) {
      out.println("\nwrote " + md + ", " + plots.get(0) + ", " + plots.get(1) + ", "
          + dir.resolve(task.name() + "-loss.csv"));
    }
  }

  /** An output directory: created if missing; a file in its place is a usage error. */
  static Path outDir(String p) throws java.io.IOException {
    Path dir = Paths.get(p);
    checkDirectory("--out", dir);
    Files.createDirectories(dir);
    return dir;
  }

  /**
   * Refuses a directory option whose path is a file, or lies under one, naming that file: the
   * JDK's own "Not a directory" would not say which part of the path is wrong.
   */
  static void checkDirectory(String option, Path dir) {
    Path d = AtomicFiles.fileInTheWay(dir.toAbsolutePath());
    if (d != null && d.equals(dir.toAbsolutePath())) {
      throw new UsageException(option + " " + dir + " is a file, not a directory");
    }
    if (d != null) {
      throw new UsageException(option + " " + dir + ": '" + d + "' is a file, not a directory");
    }
  }
}
