package dev.cellgraph.search;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.cells.CellCheck;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.train.LearningRate;
import dev.cellgraph.train.LengthBuckets;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.Trainer;
import dev.cellgraph.train.TrainingDivergedException;
import dev.cellgraph.train.tasks.AddingTask;
import dev.cellgraph.train.tasks.CharLmLinesTask;
import dev.cellgraph.train.tasks.CharLmTask;
import dev.cellgraph.train.tasks.CopyTask;
import dev.cellgraph.train.tasks.SeqMnistTask;
import java.io.IOException;
import java.util.List;

/**
 * Trains a trial's cell on its task for its budget, as {@code cellgraph train} would with the same
 * settings (Adam, warm-up and cosine decay from {@code learningRate}, clipping at norm 1, forget
 * bias 1), validates once at the end, and gradient-checks the cell in float64 on a tiny instance
 * (I = 2, H = 3, three steps, batch 2; I = H = 3 for a cell that needs I = H). Kernels run with
 * {@code kernelThreads} threads, which changes timings only, never a number. A cell that does not
 * parse or build, or any other exception, gives a failed result with the message.
 *
 * <p>Immutable and thread-safe; serializable, so a distributed back end ships it as it is (only
 * between the JVMs of one search: it is no stored format, so the serialized-form page leaves it out).
 *
 * @param length the sequence length (adding, charlm), the longest line (charlm-lines) or the delay (copy)
 * @param batch the batch size
 * @param learningRate the peak learning rate
 * @param kernelThreads threads for the kernels of one trial (1: trials in parallel use one core each)
 * @param gradCheck whether to run the gradient check
 * @serial exclude
 */
public record TrainingEvaluator(int length, int batch, double learningRate, int kernelThreads, boolean gradCheck)
    implements Evaluator {
  /** The tasks a trial may name. */
  public static final List<String> TASKS = List.of("adding", "copy", "charlm", "charlm-lines", "seqmnist");

  /**
   * Checks the numbers.
   *
   * @param length the sequence length, longest line or delay, at least 2
   * @param batch the batch size, at least 1
   * @param learningRate the peak learning rate, positive
   * @param kernelThreads the kernel threads per trial, at least 1
   * @param gradCheck whether to run the gradient check
   * @throws IllegalArgumentException if {@code length} is less than 2, {@code batch} or {@code kernelThreads} less than 1, or {@code learningRate} not positive
   */
  public TrainingEvaluator {
    if (length < 2 || batch < 1 || !(learningRate > 0) || kernelThreads < 1) {
      throw new IllegalArgumentException("length (" + length + ") must be at least 2, batch (" + batch
          + ") and kernel threads (" + kernelThreads + ") at least 1, learning rate (" + learningRate
          + ") positive");
    }
  }

  /**
   * The defaults of {@code cellgraph train} for the task: adding T = 50, copy delay 10, charlm T =
   * 64, charlm-lines lines of at most 128; batch 32 (seqmnist 64).
   *
   * @param task one of {@link #TASKS}
   * @return the evaluator with the task's default settings and the gradient check on
   */
  public static TrainingEvaluator forTask(String task) {
    switch (task) {
      case "adding": return new TrainingEvaluator(50, 32, 1e-2, 1, true);
      case "copy": return new TrainingEvaluator(10, 32, 1e-2, 1, true);
      case "charlm": return new TrainingEvaluator(64, 32, 1e-2, 1, true);
      case "charlm-lines": return new TrainingEvaluator(CharLmLinesTask.DEFAULT_MAX_LENGTH, 32, 1e-2, 1, true);
      case "seqmnist": return new TrainingEvaluator(28, 64, 2e-3, 1, true);
      default: throw new IllegalArgumentException("unknown task '" + task + "': expected " + String.join(", ", TASKS));
    }
  }

  /**
   * This evaluator with sequence length (or delay) {@code t}.
   *
   * @param t the new sequence length, longest line or delay
   * @return a copy of this evaluator differing only in {@code length}
   */
  public TrainingEvaluator withLength(int t) {
    return new TrainingEvaluator(t, batch, learningRate, kernelThreads, gradCheck);
  }

  /**
   * This evaluator with batch size {@code b}.
   *
   * @param b the new batch size
   * @return a copy of this evaluator differing only in {@code batch}
   */
  public TrainingEvaluator withBatch(int b) {
    return new TrainingEvaluator(length, b, learningRate, kernelThreads, gradCheck);
  }

  /**
   * This evaluator with peak learning rate {@code lr}.
   *
   * @param lr the new peak learning rate
   * @return a copy of this evaluator differing only in {@code learningRate}
   */
  public TrainingEvaluator withLearningRate(double lr) {
    return new TrainingEvaluator(length, batch, lr, kernelThreads, gradCheck);
  }

  /**
   * This evaluator with {@code n} kernel threads per trial.
   *
   * @param n the new number of kernel threads
   * @return a copy of this evaluator differing only in {@code kernelThreads}
   */
  public TrainingEvaluator withKernelThreads(int n) {
    return new TrainingEvaluator(length, batch, learningRate, n, gradCheck);
  }

  /**
   * This evaluator with the gradient check on or off.
   *
   * @param on whether to run the gradient check
   * @return a copy of this evaluator differing only in {@code gradCheck}
   */
  public TrainingEvaluator withGradCheck(boolean on) {
    return new TrainingEvaluator(length, batch, learningRate, kernelThreads, on);
  }

  /**
   * The input size the task's model feeds its cell at hidden size H: what every candidate must
   * accept.
   *
   * @param task the task name, one of {@link #TASKS}
   * @param hidden the hidden size H of the cell
   * @return the size of the input the task feeds the cell at each step
   */
  public int inputSize(String task, int hidden) {
    if (task.equals("seqmnist")) {
      return 28; // one row of an image per step
    }
    try {
      return task(task, 1).model(FormulaCell.of("rnn", Zoo.load("rnn")), hidden, 0).inputSize();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public TrialResult evaluate(Trial trial) {
    try {
      return Kernels.withThreads(kernelThreads, () -> run(trial));
    } catch (Exception | StackOverflowError | OutOfMemoryError e) {
      String m = e.getMessage();
      return failed(trial, m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m));
    }
  }

  private TrialResult run(Trial trial) throws IOException {
    CellSpec spec = CellSpec.parse(trial.cellText(), "candidate.cell");
    FormulaCell cell = FormulaCell.of("candidate", spec);
    double check = Double.NaN;
    if (gradCheck) {
      int in = spec.sizeRequirements().isEmpty() ? 2 : 3;
      GradCheck.Report r = CellCheck.gradCheck(cell, in, 3, 3, 2, trial.seed());
      check = r.worstError();
    }
    Task task = task(trial.task(), trial.seed());
    Trainer.Config config = Trainer.Config.builder()
        .steps(trial.steps())
        .seed(trial.seed())
        .hiddenSize(trial.hidden())
        .learningRate(LearningRate.warmupCosine(learningRate, Math.min(50, trial.steps() / 10), 0.1))
        .optimizer("adam")
        .clipNorm(1.0)
        .forgetBias(1.0)
        .validateEvery(0)
        .build();
    Trainer t = Trainer.create(cell, task, config);
    long parameters = t.model().parameterCount();
    try {
      t.run(new Trainer.Listener() {});
    } catch (TrainingDivergedException e) {
      return new TrialResult(trial, Double.NaN, Double.NaN, parameters, t.history().medianSecondsPerStep(), true,
          check, "");
    }
    double accuracy = task instanceof SeqMnistTask s ? s.validationAccuracy(t.model(), t.parameters(), config.dtype())
        : Double.NaN;
    return new TrialResult(trial, t.history().lastValidationLoss(), accuracy, parameters,
        t.history().medianSecondsPerStep(), false, check, "");
  }

  private Task task(String name, long seed) throws IOException {
    switch (name) {
      case "adding": return new AddingTask(length, batch, 1024);
      case "copy": return new CopyTask(5, 8, length, batch);
      case "charlm": return new CharLmTask(CharLmTask.BUNDLED, CharLmTask.bundledText(), null, length, batch);
      case "charlm-lines": return new CharLmLinesTask(CharLmTask.BUNDLED, CharLmTask.bundledText(), length, batch,
          seed, LengthBuckets.DEFAULT);
      case "seqmnist": return new SeqMnistTask(SeqMnistTask.DataSet.load(SeqMnistTask.locate(null,
          SeqMnistTask.DEBIAN_DIR)), SeqMnistTask.Mode.ROWS, false, seed, batch);
      default: throw new IllegalArgumentException("unknown task '" + name + "': expected " + String.join(", ", TASKS));
    }
  }

  /**
   * A result for a trial that could not run.
   *
   * @param trial the trial that could not run
   * @param message why it could not run
   * @return a failed result with NaN metrics and {@code message} as its error
   */
  public static TrialResult failed(Trial trial, String message) {
    return new TrialResult(trial, Double.NaN, Double.NaN, 0, Double.NaN, false, Double.NaN, message);
  }
}
