package dev.cellgraph.train;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.SequenceModel;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A learning problem: where batches come from, the model that fits it for a given cell, and the
 * loss. The classic experiments (adding problem, copy task, character model) implement it.
 *
 * <p>Batches must be a pure function of the step and the {@link Rng} handed over (which the
 * trainer checkpoints), so a resumed run sees exactly the batches an uninterrupted one would.
 *
 * <p>A trainer calls its task from its one thread, so implementations need not be thread-safe; the
 * tasks of {@code dev.cellgraph.train.tasks} are, so one task may serve several trainers.
 */
public interface Task {
  /**
   * A short name: {@code adding}, {@code copy}, {@code charlm}.
   *
   * @return the task's short name
   */
  String name();

  /**
   * The settings that define the task (sequence length, batch size, vocabulary...), recorded in
   * checkpoints; resuming with different settings is refused.
   *
   * @return the task's settings by name, as recorded in checkpoints
   */
  Map<String, String> settings();

  /**
   * The model for {@code cell} with the given hidden size.
   *
   * @param cell the recurrent cell the model uses
   * @param hiddenSize the number of hidden units H
   * @param dropout the dropout probability of the model, in [0, 1) (0: none)
   * @return the model fitting this task, with the task's input and output sizes
   */
  SequenceModel model(Cell cell, int hiddenSize, double dropout);

  /**
   * The training batch of step {@code step} (counting from 0).
   *
   * @param step the training step, counting from 0
   * @param rng the generator the batch is drawn from, which the trainer checkpoints
   * @return the batch of that step
   */
  Batch trainingBatch(long step, Rng rng);

  /**
   * The held-out batches, the same on every call; consecutive ones may continue each other.
   *
   * @return the held-out batches, in order
   */
  List<Batch> validationBatches();

  /**
   * The scalar loss from the model's forward pass and the batch's tensors (as graph nodes).
   *
   * @param forward the model's forward pass over the batch
   * @param batch the batch's tensors by name, as graph nodes
   * @return the scalar loss node
   */
  Node loss(SequenceModel.Forward forward, Map<String, Node> batch);

  /**
   * How much a batch's mean loss counts in the validation loss: by default its real steps
   * ({@link Batch#realSteps}: the sum of its lengths, or T times B), for a loss that is a mean over
   * steps; a task whose loss is a mean over sequences returns their number, B.
   *
   * @param batch a validation batch
   * @return the weight of the batch's mean loss in the validation loss
   */
  default double weight(Batch batch) {
    return batch.realSteps();
  }

  /**
   * Whether the recurrent state is carried from a batch to the next one that continues it.
   *
   * @return true if the trainer carries the recurrent state into a continuing batch; false by default
   */
  default boolean carriesState() {
    return false;
  }

  /**
   * Why a bidirectional model would be wrong for this task (it would read what it must predict),
   * or null when it fits; the trainer refuses a bidirectional model with this reason.
   *
   * @return the reason a bidirectional model is refused, or null when one fits
   */
  default String bidirectionalRefusal() {
    return null;
  }

  /**
   * What {@link #metric} reports, e.g. {@code bits/char}; {@code loss} by default.
   *
   * @return the name of the metric, e.g. {@code bits/char}
   */
  default String metricName() {
    return "loss";
  }

  /**
   * A readable metric from a mean loss (e.g. bits per character from nats).
   *
   * @param loss a mean loss, in nats
   * @return the metric of that loss
   */
  default double metric(double loss) {
    return loss;
  }

  /**
   * The value of the {@link #metric} below which a run's final validation counts as having solved
   * the task, or empty for a task without one (a classifier, a language model): what
   * {@code compare --seeds} counts.
   *
   * @return the metric's threshold of a solved run, or empty when the task has none
   */
  default OptionalDouble solvedBelow() {
    return OptionalDouble.empty();
  }
}
