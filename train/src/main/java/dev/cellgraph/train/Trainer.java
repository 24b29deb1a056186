package dev.cellgraph.train;

import dev.cellgraph.core.InvalidInputException;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.SequenceModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Trains a {@link SequenceModel} of any {@link Cell} on a {@link Task}.
 *
 * <p>Each batch shape gets one graph (model, loss, and the gradients of the loss with respect to
 * every parameter) compiled once to a {@link Plan} that is reused every step. A step: draw the
 * batch (and dropout mask) from the run's {@link Rng}, run the plan, clip the gradients by global
 * norm, update with the {@link Optimizer} at the scheduled rate. With a task that carries state
 * (truncated BPTT), the final recurrent state of a batch is fed as the initial state of the next
 * one that continues it: carried forward, but not differentiated through.
 *
 * <p>Deterministic: the same seed and settings give the same parameters and losses bit for bit,
 * and a run resumed from a checkpoint continues exactly as if it had never stopped (the
 * checkpoint holds parameters, optimizer state, carried state, random state and history).
 *
 * <p>A step whose loss or gradient is NaN or infinite is never applied: by default
 * ({@link OnNonFinite#STOP}) the run stops with a {@link TrainingDivergedException} naming the
 * step and the last checkpoint, which is left as it was; with {@link OnNonFinite#SKIP} the step is
 * skipped and the learning rate halved for the rest of the run. A checkpoint is never written
 * from non-finite parameters.
 *
 * <p>Not thread-safe: a trainer is driven by one thread; separate trainers may run at once.
 */
public final class Trainer {
  /** Receives progress events. */
  public interface Listener {
    /**
     * Training starts (or resumes) at {@code fromStep} of {@code totalSteps}.
     *
     * @param fromStep the first step to run, counting from 0 (the number of steps already done)
     * @param totalSteps the configured number of steps of the run
     */
    default void started(long fromStep, long totalSteps) {}

    /**
     * A step finished with this loss, gradient norm (before clipping) and learning rate.
     *
     * @param step the step, counting from 0
     * @param loss the step's training loss
     * @param gradNorm the global norm of the step's gradients, before clipping
     * @param lr the learning rate the step was applied with
     */
    default void stepped(long step, double loss, double gradNorm, double lr) {}

    /**
     * Validation after {@code step} gave {@code loss}.
     *
     * @param step the step after which the model was validated, counting from 0
     * @param loss the validation loss
     */
    default void validated(long step, double loss) {}

    /**
     * Training ended after {@code steps} steps.
     *
     * @param steps the number of steps done when training ended
     */
    default void finished(long steps) {}

    /**
     * Step {@code step} (counting from 0) was skipped because {@code reason} (its loss or gradient
     * is not finite); the learning rate is now {@code lrScale} times the schedule.
     *
     * @param step the step skipped, counting from 0
     * @param reason why the step was skipped, e.g. {@code the loss is NaN}
     * @param lrScale the factor on the scheduled learning rate from now on
     */
    default void skipped(long step, String reason, double lrScale) {}

    /**
     * Something changed the course of the run after step {@code step} (counting from 0): the
     * learning rate was lowered on a plateau, or the run stops early, on validation or on request.
     *
     * @param step the last step done, counting from 0
     * @param message what changed, one line
     */
    default void noted(long step, String message) {}

    /**
     * A listener that passes every event to each of {@code listeners}, in order.
     *
     * @param listeners the listeners to pass the events to
     * @return a listener forwarding every event to all of {@code listeners}
     */
    static Listener all(Listener... listeners) {
      List<Listener> ls = List.of(listeners);
      return new Listener() {
        @Override public void started(long fromStep, long totalSteps) { ls.forEach(l -> l.started(fromStep, totalSteps)); }
        @Override public void stepped(long step, double loss, double gradNorm, double lr) {
          ls.forEach(l -> l.stepped(step, loss, gradNorm, lr));
        }
        @Override public void validated(long step, double loss) { ls.forEach(l -> l.validated(step, loss)); }
        @Override public void finished(long steps) { ls.forEach(l -> l.finished(steps)); }
        @Override public void skipped(long step, String reason, double lrScale) {
          ls.forEach(l -> l.skipped(step, reason, lrScale));
        }
        @Override public void noted(long step, String message) { ls.forEach(l -> l.noted(step, message)); }
      };
    }
  }

  /** What a step with a NaN or infinite loss or gradient does. */
  public enum OnNonFinite {
    /** Stop the run, keeping the last checkpoint. */
    STOP,
    /** Skip the step (parameters and optimizer untouched) and halve the learning rate. */
    SKIP
  }

  /** How many consecutive skipped steps end a run anyway: by then halving the rate has not helped. */
  public static final int MAX_CONSECUTIVE_SKIPS = 10;

  /** The settings of a run. Build with {@link #builder()}. */
  public record Config(long steps, long seed, DType dtype, int hiddenSize, double dropout, String optimizer,
      LearningRate learningRate, double clipNorm, int validateEvery, Path checkpointDir, int checkpointEvery,
      double forgetBias, OnNonFinite onNonFinite, int layers, boolean bidirectional, int earlyStopPatience,
      double minDelta, int plateauPatience, JsonObject recipe) {
    /**
     * Checks the numbers.
     *
     * @param steps the number of training steps (at least 1)
     * @param seed the seed of initialization, batches and dropout
     * @param dtype the dtype of parameters and computation, a floating one
     * @param hiddenSize the hidden size H (at least 1)
     * @param dropout the dropout probability of the model
     * @param optimizer the optimizer's name: {@code sgd}, {@code adam}, {@code adamw} or {@code rmsprop}
     * @param learningRate the learning-rate schedule (not null)
     * @param clipNorm the largest global gradient norm (0 disables clipping)
     * @param validateEvery validate every this many steps (0: only at the end)
     * @param checkpointDir the directory checkpoints are written to, or null for none
     * @param checkpointEvery write a checkpoint every this many steps (0: only at the end and when the run stops)
     * @param forgetBias added to the forget gate's initial bias (0: PyTorch's initialization)
     * @param onNonFinite what a step with a NaN or infinite loss or gradient does (not null)
     * @param layers the number of stacked recurrent layers (at least 1)
     * @param bidirectional whether each recurrent layer is bidirectional
     * @param earlyStopPatience validations in a row without improvement that stop the run (0: never)
     * @param minDelta the least decrease of the best validation loss that counts as an improvement (not negative)
     * @param plateauPatience validations in a row without improvement that halve the learning rate (0: never)
     * @param recipe what rebuilds the run without its command line, saved in checkpoints, or null (copied)
     * @throws IllegalArgumentException if a count is out of range, a patience, tolerance or clip norm is negative, or the dtype is not floating
     */
    public Config {
      if (layers < 1) {
        throw new IllegalArgumentException("layers (" + layers + ") must be at least 1");
      }
      if (earlyStopPatience < 0 || plateauPatience < 0) {
        throw new IllegalArgumentException("patience (" + Math.min(earlyStopPatience, plateauPatience)
            + ") must not be negative (0 disables it)");
      }
      if (!(minDelta >= 0)) {
        throw new IllegalArgumentException("minimum improvement (" + minDelta + ") must not be negative");
      }
      recipe = recipe == null ? null : recipe.deepCopy();
      if (steps < 1) {
        throw new IllegalArgumentException("steps (" + steps + ") must be at least 1");
      }
      if (hiddenSize < 1) {
        throw new IllegalArgumentException("hidden size (" + hiddenSize + ") must be at least 1");
      }
      if (!dtype.isFloating()) {
        throw new IllegalArgumentException("training needs a floating dtype, got " + dtype.lowerName());
      }
      Optimizer.named(optimizer); // validates the name
      Objects.requireNonNull(learningRate, "learningRate");
      Objects.requireNonNull(onNonFinite, "onNonFinite");
      if (!(clipNorm >= 0)) {
        throw new IllegalArgumentException("clip norm (" + clipNorm + ") must not be negative (0 disables it)");
      }
    }

    /**
     * A builder with the defaults of the examples.
     *
     * @return a new builder with the defaults of the examples
     */
    public static Builder builder() {
      return new Builder();
    }
  }

  /** A builder of {@link Config} with the defaults of the examples. */
  public static final class Builder {
    private long steps = 1000;
    private long seed = 1;
    private DType dtype = DType.FLOAT32;
    private int hiddenSize = 64;
    private double dropout = 0;
    private String optimizer = "adam";
    private LearningRate lr = LearningRate.constant(1e-3);
    private double clipNorm = 1.0;
    private int validateEvery = 100;
    private Path checkpointDir;
    private int checkpointEvery = 500;
    private double forgetBias = 0;
    private OnNonFinite onNonFinite = OnNonFinite.STOP;
    private int layers = 1;
    private boolean bidirectional;
    private int earlyStopPatience;
    private double minDelta;
    private int plateauPatience;
    private JsonObject recipe;

    /**
     * Train for {@code v} steps (default 1000).
     *
     * @param v the number of training steps
     * @return this builder
     */
    public Builder steps(long v) { steps = v; return this; }
    /**
     * The seed of initialization, batches and dropout (default 1).
     *
     * @param v the seed
     * @return this builder
     */
    public Builder seed(long v) { seed = v; return this; }
    /**
     * The dtype of parameters and computation (default float32).
     *
     * @param v the dtype, a floating one
     * @return this builder
     */
    public Builder dtype(DType v) { dtype = v; return this; }
    /**
     * The hidden size H (default 64).
     *
     * @param v the hidden size H
     * @return this builder
     */
    public Builder hiddenSize(int v) { hiddenSize = v; return this; }
    /**
     * The dropout probability between stacked layers (default 0).
     *
     * @param v the dropout probability
     * @return this builder
     */
    public Builder dropout(double v) { dropout = v; return this; }
    /**
     * The optimizer's name (default {@code adam}).
     *
     * @param v the optimizer's name: {@code sgd}, {@code adam}, {@code adamw} or {@code rmsprop}
     * @return this builder
     */
    public Builder optimizer(String v) { optimizer = v; return this; }
    /**
     * The learning-rate schedule (default constant 1e-3).
     *
     * @param v the learning-rate schedule
     * @return this builder
     */
    public Builder learningRate(LearningRate v) { lr = v; return this; }
    /**
     * Clip the gradient norm to {@code v} (default 1; 0 disables clipping).
     *
     * @param v the largest global gradient norm (0: no clipping)
     * @return this builder
     */
    public Builder clipNorm(double v) { clipNorm = v; return this; }
    /**
     * Validate every {@code v} steps (0: only at the end).
     *
     * @param v the number of steps between validations (0: only at the end)
     * @return this builder
     */
    public Builder validateEvery(int v) { validateEvery = v; return this; }
    /**
     * Write a checkpoint to {@code dir} every {@code every} steps (default: no directory, every 500).
     *
     * @param dir the checkpoint directory, or null for none
     * @param every the number of steps between checkpoints
     * @return this builder
     */
    public Builder checkpoint(Path dir, int every) { checkpointDir = dir; checkpointEvery = every; return this; }
    /**
     * Added to the forget gate's initial bias (0: PyTorch's initialization); see
     * {@link SequenceModel#initialize(Rng, DType, double)}.
     *
     * @param v the amount added to the forget gate's initial bias
     * @return this builder
     */
    public Builder forgetBias(double v) { forgetBias = v; return this; }
    /**
     * What a step with a NaN or infinite loss or gradient does ({@link OnNonFinite#STOP} by default).
     *
     * @param v what a step with a non-finite loss or gradient does
     * @return this builder
     */
    public Builder onNonFinite(OnNonFinite v) { onNonFinite = v; return this; }
    /**
     * Stacked recurrent layers (1), each bidirectional when {@code bidirectional}; see
     * {@link SequenceModel#withRecurrent}.
     *
     * @param layers the number of stacked recurrent layers (default 1)
     * @param bidirectional whether each layer is bidirectional (default false)
     * @return this builder
     */
    public Builder recurrent(int layers, boolean bidirectional) {
      this.layers = layers;
      this.bidirectional = bidirectional;
      return this;
    }
    /**
     * Stops the run after {@code patience} validations in a row that did not lower the best
     * validation loss by more than {@code minDelta} (0: never; Keras's {@code EarlyStopping}).
     *
     * @param patience the validations in a row without improvement that stop the run (0: never)
     * @param minDelta the least decrease of the best validation loss that counts as an improvement
     * @return this builder
     */
    public Builder earlyStop(int patience, double minDelta) {
      this.earlyStopPatience = patience;
      this.minDelta = minDelta;
      return this;
    }
    /**
     * Halves the learning rate after {@code patience} validations in a row without improvement
     * (by more than the early-stopping {@code minDelta}); 0: never (PyTorch's {@code ReduceLROnPlateau}).
     *
     * @param patience the validations in a row without improvement that halve the learning rate (0: never)
     * @return this builder
     */
    public Builder plateau(int patience) { plateauPatience = patience; return this; }
    /**
     * What rebuilds this run without its command line (cell formulas, task options), saved in checkpoints.
     *
     * @param v the recipe as JSON, or null for none
     * @return this builder
     */
    public Builder recipe(JsonObject v) { recipe = v; return this; }

    /**
     * The configuration; its constructor checks the values.
     *
     * @return the configuration of the builder's values
     */
    public Config build() {
      return new Config(steps, seed, dtype, hiddenSize, dropout, optimizer, lr, clipNorm, validateEvery,
          checkpointDir, checkpointEvery, forgetBias, onNonFinite, layers, bidirectional, earlyStopPatience,
          minDelta, plateauPatience, recipe);
    }
  }

  private final Cell cell;
  private final Task task;
  private final Config config;
  private final SequenceModel model;
  private final Optimizer optimizer;
  private final LinkedHashMap<String, Tensor> params;
  private final Map<String, StepGraph> plans = new ConcurrentHashMap<>();
  private Rng rng;
  private long step;
  private Map<String, Tensor> carry = new LinkedHashMap<>();
  private History history = new History();
  /** The factor on the scheduled learning rate: halved by each skipped step, saved in checkpoints. */
  private double lrScale = 1;
  private int consecutiveSkips;
  /** The step of the last checkpoint written or resumed from, or -1. */
  private long savedStep = -1;
  private double bestValidation = Double.POSITIVE_INFINITY;
  private int validationsWithoutImprovement;
  private int plateauWithoutImprovement;
  /** Set from another thread (a signal's shutdown hook) to end the run at the next step boundary. */
  private volatile String stopRequest;
  private String stopReason;
  /** The early stop on validation, if there was one: unlike a stop on request, it persists across a resume. */
  private String earlyStop;

  private Trainer(Cell cell, Task task, Config config) {
    this.cell = Objects.requireNonNull(cell, "cell");
    this.task = Objects.requireNonNull(task, "task");
    this.config = config;
    String refusal = config.bidirectional() ? task.bidirectionalRefusal() : null;
    if (refusal != null) {
      throw new IllegalArgumentException("a bidirectional model does not fit the " + task.name() + " task: " + refusal);
    }
    SequenceModel base = task.model(cell, config.hiddenSize(), config.dropout());
    this.model = config.layers() > 1 || config.bidirectional()
        ? base.withRecurrent(config.layers(), config.bidirectional()) : base;
    this.optimizer = Optimizer.named(config.optimizer());
    Rng root = Rng.seeded(config.seed());
    this.params = model.initialize(root.fork(0), config.dtype(), config.forgetBias());
    this.rng = root.fork(1);
  }

  /**
   * A fresh run: parameters initialized from the seed.
   *
   * @param cell the recurrent cell of the model
   * @param task the task to train on
   * @param config the run's settings
   * @return a trainer at step 0
   */
  public static Trainer create(Cell cell, Task task, Config config) {
    return new Trainer(cell, task, config);
  }

  /**
   * A run resumed from the checkpoint in {@code config.checkpointDir()}, refused with a message
   * naming every difference when it was written by a run with another cell, task or settings.
   *
   * @param cell the recurrent cell of the model, the checkpoint's
   * @param task the task to train on, with the checkpoint's settings
   * @param config the run's settings, with a checkpoint directory
   * @return a trainer at the checkpoint's step, with its parameters, optimizer, carried and random state and history
   * @throws IOException if the checkpoint cannot be read
   */
  public static Trainer resume(Cell cell, Task task, Config config) throws IOException {
    if (config.checkpointDir() == null) {
      throw new IllegalArgumentException("resuming needs a checkpoint directory");
    }
    Trainer t = new Trainer(cell, task, config);
    Checkpoint.Contents c = Checkpoint.load(config.checkpointDir());
    t.checkCompatible(c.meta());
    for (Map.Entry<String, Tensor> e : t.params.entrySet()) {
      Tensor saved = c.parameters().get(e.getKey());
      if (saved == null || !saved.shape().equals(e.getValue().shape()) || saved.dtype() != e.getValue().dtype()) {
        throw new InvalidInputException("checkpoint " + config.checkpointDir() + ": parameter '" + e.getKey()
            + "' is " + (saved == null ? "missing" : saved.dtype().lowerName() + saved.shape())
            + ", this model needs " + e.getValue().dtype().lowerName() + e.getValue().shape());
      }
      e.setValue(saved);
    }
    if (c.parameters().size() != t.params.size()) {
      throw new InvalidInputException("checkpoint " + config.checkpointDir() + " has parameters "
          + c.parameters().keySet() + ", this model has " + t.params.keySet());
    }
    t.optimizer.restore(c.optimizer());
    t.carry = new LinkedHashMap<>(c.carry());
    t.rng = Rng.fromState(c.rngState());
    t.step = c.step();
    t.history = c.history();
    t.lrScale = c.meta().has("learning_rate_scale") ? c.meta().get("learning_rate_scale").getAsDouble() : 1;
    t.consecutiveSkips = c.meta().has("consecutive_skips") ? c.meta().get("consecutive_skips").getAsInt() : 0;
    t.savedStep = t.step;
    JsonObject m = c.meta();
    t.bestValidation = m.has("best_validation_loss") ? m.get("best_validation_loss").getAsDouble()
        : Double.POSITIVE_INFINITY;
    t.validationsWithoutImprovement = m.has("validations_without_improvement")
        ? m.get("validations_without_improvement").getAsInt() : 0;
    t.plateauWithoutImprovement = m.has("plateau_without_improvement")
        ? m.get("plateau_without_improvement").getAsInt() : 0;
    t.earlyStop = m.has("early_stopped") ? m.get("early_stopped").getAsString() : null;
    t.stopReason = t.earlyStop;
    return t;
  }

  /**
   * The model trained.
   *
   * @return the sequence model trained
   */
  public SequenceModel model() {
    return model;
  }

  /**
   * The task trained on.
   *
   * @return the task trained on
   */
  public Task task() {
    return task;
  }

  /**
   * The configuration.
   *
   * @return the run's configuration
   */
  public Config config() {
    return config;
  }

  /**
   * The number of steps done.
   *
   * @return the number of steps done, including those of a resumed checkpoint
   */
  public long step() {
    return step;
  }

  /**
   * The current parameters (a read-only view).
   *
   * @return a read-only view of the current parameters by name
   */
  public Map<String, Tensor> parameters() {
    return java.util.Collections.unmodifiableMap(params);
  }

  /**
   * What training has recorded so far.
   *
   * @return the history recorded so far, a resumed run's from its start
   */
  public History history() {
    return history;
  }

  /**
   * The factor on the scheduled learning rate: 1, halved by each skipped step.
   *
   * @return the factor on the scheduled learning rate, 1 unless steps were skipped or a plateau lowered it
   */
  public double learningRateScale() {
    return lrScale;
  }

  /**
   * Asks the run to stop at the next step boundary (thread-safe; a signal handler calls it): it
   * saves a checkpoint, when it has a directory, and returns; {@link #stopReason()} is then
   * {@code reason}.
   *
   * @param reason why the run stops, reported as {@link #stopReason()} (not null)
   */
  public void requestStop(String reason) {
    stopRequest = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Why the run ended before its configured steps: the reason given to {@link #requestStop}, or
   * the early stop on validation (kept in checkpoints, so a resumed early-stopped run does not
   * start again); null when it did not.
   *
   * @return the reason the run ended early, or null if it did not
   */
  public String stopReason() {
    return stopReason;
  }

  /**
   * Runs to the configured number of steps.
   *
   * @param listener the listener told of every event
   * @return the run's history
   * @throws IOException if a checkpoint cannot be written
   */
  public History run(Listener listener) throws IOException {
    return run(listener, config.steps());
  }

  /**
   * Runs until {@code stopAt} steps are done (at most the configured number), as if interrupted there.
   *
   * @param listener the listener told of every event
   * @param stopAt the number of steps done after which to stop
   * @return the run's history
   * @throws IOException if a checkpoint cannot be written
   */
  public History run(Listener listener, long stopAt) throws IOException {
    long end = Math.min(stopAt, config.steps());
    listener.started(step, config.steps());
    while (step < end && stopReason == null) {
      if (stopRequest != null) {
        stopReason = stopRequest;
        listener.noted(step - 1, "stopping at step " + step + " (" + stopReason + ")");
        if (config.checkpointDir() != null && savedStep != step) {
          saveCheckpoint();
        }
        break;
      }
      trainStep(listener);
      boolean last = step == config.steps();
      if ((config.validateEvery() > 0 && step % config.validateEvery() == 0) || last) {
        double v = validate();
        history.addValidation(step - 1, v);
        listener.validated(step - 1, v);
        afterValidation(listener, v, last);
      }
      if (config.checkpointDir() != null
          && ((config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0) || step == end
          || stopReason != null)) {
        saveCheckpoint();
      }
    }
    listener.finished(step);
    return history;
  }

  /** Early stopping and the plateau schedule: both count validations that did not improve on the best. */
  private void afterValidation(Listener listener, double v, boolean last) {
    if (v < bestValidation - config.minDelta()) {
      bestValidation = v;
      validationsWithoutImprovement = 0;
      plateauWithoutImprovement = 0;
      return;
    }
    validationsWithoutImprovement++;
    plateauWithoutImprovement++;
    if (config.earlyStopPatience() > 0 && validationsWithoutImprovement >= config.earlyStopPatience() && !last) {
      stopReason = String.format(java.util.Locale.ROOT,
          "early stop: %d validations without an improvement of more than %s on the best loss %.6g",
          validationsWithoutImprovement, config.minDelta(), bestValidation);
      earlyStop = stopReason;
      listener.noted(step - 1, stopReason);
    } else if (config.plateauPatience() > 0 && plateauWithoutImprovement >= config.plateauPatience()) {
      lrScale /= 2;
      plateauWithoutImprovement = 0;
      listener.noted(step - 1, "validation loss on a plateau for " + config.plateauPatience()
          + " validations; learning rate now " + lrScale + " times the schedule");
    }
  }

  private void trainStep(Listener listener) {
    long t0 = System.nanoTime();
    Batch batch = task.trainingBatch(step, rng);
    StepGraph c = compiled(batch, true);
    Tensor mask = c.hasMask
        ? model.dropout().mask(rng, config.dtype(), model.dropoutMaskShape(batch.steps(), batch.batchSize()))
        : null;
    List<Tensor> layerMasks = c.layerMasks == 0 ? List.of()
        : model.recurrent().dropoutMasks(rng, config.dtype(), batch.steps(), batch.batchSize());
    if (!batch.continues()) {
      carry.clear();
    }
    List<Tensor> out = c.plan.run(c.feeds(batch, carry, params, mask, layerMasks));
    double loss = out.get(0).item();
    Map<String, Tensor> grads = c.gradients(out);
    double norm = GradientClipping.globalNorm(grads.values());
    String bad = !Double.isFinite(loss) ? "the loss is " + loss
        : !Double.isFinite(norm) ? nonFiniteGradient(grads) : null;
    if (bad != null) {
      nonFinite(listener, bad);
      return;
    }
    consecutiveSkips = 0;
    carry = task.carriesState() ? c.finalStates(out) : new LinkedHashMap<>();
    if (config.clipNorm() > 0) {
      grads = GradientClipping.clip(grads, norm, config.clipNorm());
    }
    double lr = config.learningRate().at(step, config.steps()) * lrScale;
    optimizer.step(params, grads, lr);
    double secs = (System.nanoTime() - t0) / 1e9;
    history.addStep(loss, norm, lr, secs);
    listener.stepped(step, loss, norm, lr);
    step++;
  }

  /** Stops the run or skips the step, as configured; the parameters, optimizer and carried state are untouched. */
  private void nonFinite(Listener listener, String reason) {
    String where = "at step " + (step + 1) + ": " + reason;
    if (config.onNonFinite() == OnNonFinite.STOP) {
      throw new TrainingDivergedException("training diverged " + where + keptCheckpoint());
    }
    if (++consecutiveSkips > MAX_CONSECUTIVE_SKIPS) {
      throw new TrainingDivergedException("training diverged " + where + ", the " + MAX_CONSECUTIVE_SKIPS
          + " steps before it were skipped too" + keptCheckpoint());
    }
    lrScale /= 2;
    carry.clear();
    listener.skipped(step, reason, lrScale);
    step++;
  }

  private String keptCheckpoint() {
    if (config.checkpointDir() == null) {
      return "";
    }
    return savedStep < 0 ? "; no checkpoint was written"
        : "; the checkpoint in " + config.checkpointDir() + " (step " + savedStep + ") is kept";
  }

  /** Which gradient is not finite, for the message: the first parameter (in order) holding NaN or an infinity. */
  private static String nonFiniteGradient(Map<String, Tensor> grads) {
    for (Map.Entry<String, Tensor> e : grads.entrySet()) {
      double v = firstNonFinite(e.getValue());
      if (!Double.isFinite(v)) {
        return "the gradient of '" + e.getKey() + "' holds " + v + " (the loss is finite)";
      }
    }
    return "the gradient norm overflows (every element is finite)";
  }

  /** The first NaN or infinite element of {@code t}, or 0 when all are finite. */
  private static double firstNonFinite(Tensor t) {
    if (t.dtype() == DType.FLOAT32) {
      for (float v : TensorAccess.floats(t)) {
        if (!Float.isFinite(v)) {
          return v;
        }
      }
    } else {
      for (double v : TensorAccess.doubles(t)) {
        if (!Double.isFinite(v)) {
          return v;
        }
      }
    }
    return 0;
  }

  /**
   * The mean loss over the task's validation batches with the current parameters (no dropout): each
   * batch's mean loss weighted by {@link Task#weight}, so that a loss per real step (or per
   * sequence) is the mean over all the held-out steps (or sequences), however they are batched.
   *
   * @return the weighted mean validation loss, or NaN if the task has no validation batches
   */
  public double validate() {
    List<Batch> batches = task.validationBatches();
    if (batches.isEmpty()) {
      return Double.NaN;
    }
    double sum = 0;
    double weights = 0;
    Map<String, Tensor> state = new LinkedHashMap<>();
    for (Batch b : batches) {
      if (!b.continues()) {
        state.clear();
      }
      StepGraph c = compiled(b, false);
      List<Tensor> out = c.plan.run(c.feeds(b, state, params, null, List.of()));
      double w = task.weight(b);
      sum += w * out.get(0).item();
      weights += w;
      state = task.carriesState() ? c.finalStates(out) : new LinkedHashMap<>();
    }
    return sum / weights;
  }

  /**
   * Writes a checkpoint of the current state to the configured directory; refused (the directory
   * untouched) when a parameter is NaN or infinite.
   *
   * @throws IOException if the checkpoint cannot be written
   */
  public void saveCheckpoint() throws IOException {
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      double v = firstNonFinite(e.getValue());
      if (!Double.isFinite(v)) {
        throw new TrainingDivergedException("training diverged at step " + step + ": parameter '" + e.getKey()
            + "' holds " + v + ", so no checkpoint is written" + keptCheckpoint());
      }
    }
    Checkpoint.save(config.checkpointDir(), new Checkpoint.Contents(meta(), params, optimizer.state(), carry,
        rng.state(), history));
    savedStep = step;
  }

  /**
   * The description of this run saved in checkpoints.
   *
   * @return the run's description as JSON: identity, step, settings and validation state
   */
  public JsonObject meta() {
    JsonObject m = identity();
    m.addProperty("format", Checkpoint.FORMAT);
    m.addProperty("step", step);
    m.addProperty("steps", config.steps());
    m.addProperty("learning_rate", config.learningRate().describe());
    m.addProperty("clip_norm", config.clipNorm());
    m.addProperty("learning_rate_scale", lrScale);
    m.addProperty("consecutive_skips", consecutiveSkips);
    m.addProperty("parameter_count", model.parameterCount());
    JsonObject shapes = new JsonObject();
    for (Map.Entry<String, Shape> e : model.parameterShapes().entrySet()) {
      JsonArray a = new JsonArray();
      for (int d : e.getValue().toArray()) {
        a.add(d);
      }
      shapes.add(e.getKey(), a);
    }
    m.add("parameters", shapes);
    if (Double.isFinite(bestValidation)) {
      m.addProperty("best_validation_loss", bestValidation);
    }
    m.addProperty("validations_without_improvement", validationsWithoutImprovement);
    m.addProperty("plateau_without_improvement", plateauWithoutImprovement);
    if (earlyStop != null) {
      m.addProperty("early_stopped", earlyStop);
    }
    if (config.recipe() != null) {
      m.add("recipe", config.recipe().deepCopy());
    }
    if (!Double.isNaN(history.lastValidationLoss())) {
      m.addProperty("validation_loss", history.lastValidationLoss());
    }
    return m;
  }

  /** What must match for a checkpoint to be resumed by this run. */
  private JsonObject identity() {
    JsonObject m = new JsonObject();
    m.addProperty("cell", cell.name());
    m.addProperty("task", task.name());
    JsonObject s = new JsonObject();
    task.settings().forEach(s::addProperty);
    m.add("task_settings", s);
    m.addProperty("input_size", model.inputSize());
    m.addProperty("hidden_size", model.hiddenSize());
    m.addProperty("outputs", model.outputs());
    m.addProperty("vocab", model.vocab());
    m.addProperty("dropout", model.dropout().probability());
    m.addProperty("dtype", config.dtype().lowerName());
    m.addProperty("optimizer", optimizer.describe());
    m.addProperty("seed", config.seed());
    m.addProperty("forget_bias", config.forgetBias());
    // only when not the defaults, so that checkpoints written before these existed still match
    if (config.layers() > 1) {
      m.addProperty("layers", config.layers());
    }
    if (config.bidirectional()) {
      m.addProperty("bidirectional", true);
    }
    return m;
  }

  private void checkCompatible(JsonObject saved) {
    JsonObject mine = identity();
    List<String> diffs = new ArrayList<>();
    java.util.Set<String> keys = new java.util.LinkedHashSet<>(mine.keySet());
    for (String k : List.of("layers", "bidirectional")) { // written only when not the default
      if (saved.has(k)) {
        keys.add(k);
      }
    }
    for (String k : keys) {
      String here = mine.has(k) ? mine.get(k).toString() : "absent";
      String there = saved.has(k) ? saved.get(k).toString() : "absent";
      if (!here.equals(there)) {
        diffs.add(k.replace('_', ' ') + " is " + there + " there, " + here + " here");
      }
    }
    if (!diffs.isEmpty()) {
      throw new InvalidInputException("checkpoint " + config.checkpointDir()
          + " was written by a different run, so it cannot be resumed: " + String.join("; ", diffs));
    }
  }

  // ------------------------------------------------------------------ compiled graphs

  private StepGraph compiled(Batch b, boolean training) {
    StringBuilder key = new StringBuilder(training ? "train" : "eval");
    b.tensors().forEach((k, v) -> key.append('|').append(k).append(v.dtype()).append(v.shape()));
    if (b.hasLengths()) {
      key.append("|lengths");
    }
    return plans.computeIfAbsent(key.toString(), k -> new StepGraph((training ? "train " : "evaluate ") + task.name()
        + " " + cell.name(), model, config.dtype(), task::loss, task.carriesState(), b, training));
  }
}
