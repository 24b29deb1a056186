package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.train.tasks.SeqMnistTask;
import dev.cellgraph.train.Checkpoint;
import dev.cellgraph.train.History;
import dev.cellgraph.train.Progress;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.Trainer;
import dev.cellgraph.train.TrainingDivergedException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/** {@code cellgraph train}: one cell on one task, with checkpoints and exact resume. */
final class TrainCommand implements Command {
  @Override
  public String name() {
    return "train";
  }

  @Override
  public String summary() {
    return "train a cell on the adding problem, the copy task, a character model or sequential MNIST";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph train --cell CELL --task adding|charlm|copy|seqmnist [--data FILE|DIR] [--hidden-size H]",
        "    " + CellRef.SIZE_USAGE + "  (named sizes of a cell that declares them, as state r : [P])",
        "                       [--steps N] [--seed S] [--checkpoint DIR [--checkpoint-every N]] [--resume]",
        "",
        "CELL is rnn, lstm, gru (PyTorch's cells), a zoo name or a .cell file.",
        "--checkpoint DIR saves parameters, optimizer and random state every N steps (500) and at the",
        "end; --resume continues from it exactly as if the run had never stopped. A directory that",
        "already holds a checkpoint is never overwritten without --resume, and a checkpoint is never",
        "written from NaN or infinite parameters.",
        "",
        TaskOptions.USAGE);
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Set<String> valued = new HashSet<>(TaskOptions.VALUED);
    valued.add("cell");
    valued.add("checkpoint");
    valued.add("checkpoint-every");
    Set<String> flags = new HashSet<>(TaskOptions.FLAGS);
    flags.add("resume");
    Args a = Args.parse(argv, valued, flags);
    a.noPositionals();
    Cell cell = CellRef.resolve(a.require("cell"), CellRef.sizes(a)).cell();
    Task task = TaskOptions.task(a, java.util.List.of(cell), 1);
    Trainer.Builder b = TaskOptions.config(a);
    Path dir = a.has("checkpoint") ? Paths.get(a.get("checkpoint")) : null;
    boolean resume = a.flag("resume");
    if (resume && dir == null) {
      throw new UsageException("--resume needs --checkpoint DIR");
    }
    if (dir != null) {
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new UsageException("--checkpoint " + dir + " is a file, not a directory");
      }
      if (!resume && Checkpoint.exists(dir)) {
        throw new UsageException(dir + " already holds a checkpoint; pass --resume to continue it, "
            + "or choose another directory");
      }
      if (resume && !Checkpoint.exists(dir)) {
        throw new UsageException("--resume: there is no checkpoint in " + dir);
      }
      b.checkpoint(dir, a.intValue("checkpoint-every", 500, 0, 100_000_000));
    }
    Trainer.Config config = b.build();
    Trainer trainer = resume ? Trainer.resume(cell, task, config) : Trainer.create(cell, task, config);
    out.println(String.format(Locale.ROOT, "training %s on the %s: %,d parameters, %d steps, %s",
        cell.name(), task, trainer.model().parameterCount(), config.steps(), config.learningRate().describe()));
    if (resume && trainer.step() >= config.steps()) {
      out.println("the checkpoint is already at step " + trainer.step() + " of " + config.steps() + "; nothing to do");
      return 0;
    }
    History h;
    try {
      h = trainer.run(Progress.auto(out, cell.name()).withMetric(task.metricName(), task::metric));
    } catch (TrainingDivergedException e) {
      err.println("cellgraph train: " + e.getMessage() + "; try a lower --lr, gradient clipping (--clip), or "
          + "--on-nonfinite skip");
      return 1;
    }
    out.println(String.format(Locale.ROOT,
        "done: %s %s final training loss %.4f (mean of the last 50 steps), validation %s %.4f, %.1f ms/step",
        cell.name(), task.name(), h.recentLoss(50), task.metricName(), task.metric(h.lastValidationLoss()),
        1000 * h.medianSecondsPerStep()));
    if (task instanceof SeqMnistTask s) {
      out.println(String.format(Locale.ROOT, "accuracy: validation %.2f%% (%,d images), test %.2f%% (%,d images)",
          100 * s.validationAccuracy(trainer.model(), trainer.parameters(), config.dtype()), s.validationImages(),
          100 * s.testAccuracy(trainer.model(), trainer.parameters(), config.dtype()), s.testImages()));
    }
    if (dir != null) {
      out.println("checkpoint: " + dir.resolve(Checkpoint.TENSORS) + " (step " + trainer.step() + ")");
    }
    return 0;
  }
}
