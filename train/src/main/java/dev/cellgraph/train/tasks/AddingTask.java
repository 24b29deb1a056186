package dev.cellgraph.train.tasks;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.Losses;
import dev.cellgraph.train.nn.SequenceModel;
import dev.cellgraph.train.Batch;
import dev.cellgraph.train.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The adding problem (Hochreiter and Schmidhuber 1997, experiment 4; in the form of Le et al.
 * 2015): each step holds a number uniform in [0, 1) and a marker; exactly two steps are marked,
 * one in each half of the sequence, and the target is the sum of the two marked numbers, read
 * from the last step's output. Always predicting 1 scores the mean squared error
 * {@code Var(U1 + U2) = 1/6 ≈ 0.167}: a model must beat that to show it carries information
 * across the sequence.
 *
 * <p>Thread-safe: immutable once made (its validation batches included); a training batch is drawn
 * from the {@link Rng} the caller passes, which is not thread-safe.
 */
public final class AddingTask implements Task {
  /** The mean squared error of always predicting the mean sum, 1. */
  public static final double BASELINE_MSE = 1.0 / 6.0;
  /**
   * The validation MSE below which a run has solved the task: under a third of the baseline, which
   * a model reaches only by reading both marked numbers (one of them alone leaves an MSE of 1/12).
   */
  public static final double SOLVED_MSE = 0.05;

  private final int length;
  private final int batch;
  private final List<Batch> validation;

  /**
   * The adding problem with sequences of {@code length}, training batches of {@code batch} and {@code validationExamples} fixed validation examples.
   *
   * @param length the sequence length T (at least 2)
   * @param batch the number of sequences per training batch (at least 1)
   * @param validationExamples the number of fixed validation sequences, drawn in batches of up to 256
   * @throws IllegalArgumentException if {@code length} is less than 2 or {@code batch} less than 1
   */
  public AddingTask(int length, int batch, int validationExamples) {
    if (length < 2) {
      throw new IllegalArgumentException("the adding problem needs a sequence length of at least 2, got " + length);
    }
    if (batch < 1) {
      throw new IllegalArgumentException("batch size (" + batch + ") must be at least 1");
    }
    this.length = length;
    this.batch = batch;
    Rng r = Rng.seeded(0xADD1_06L);
    List<Batch> v = new ArrayList<>();
    for (int left = validationExamples; left > 0; left -= 256) {
      v.add(make(r, Math.min(256, left)));
    }
    this.validation = List.copyOf(v);
  }

  /**
   * The sequence length.
   *
   * @return the sequence length T
   */
  public int length() {
    return length;
  }

  @Override
  public String name() {
    return "adding";
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("length", Integer.toString(length));
    m.put("batch", Integer.toString(batch));
    return m;
  }

  @Override
  public SequenceModel model(Cell cell, int hiddenSize, double dropout) {
    return modelOf(cell, hiddenSize, dropout);
  }

  /**
   * The model of this task (before the task, with its validation data, is made).
   *
   * @param cell the recurrent cell
   * @param hiddenSize the hidden size H
   * @param dropout the dropout probability on the recurrent outputs
   * @return the model: 2 features per step, one output
   */
  public static SequenceModel modelOf(Cell cell, int hiddenSize, double dropout) {
    return SequenceModel.ofFeatures(cell, 2, hiddenSize, 1, dropout);
  }

  @Override
  public Batch trainingBatch(long step, Rng rng) {
    return make(rng, batch);
  }

  @Override
  public List<Batch> validationBatches() {
    return validation;
  }

  /**
   * A batch of {@code b} sequences: input {@code [T, b, 2]} (value, marker), target {@code [b, 1]}.
   *
   * @param rng the generator the numbers and markers are drawn from
   * @param b the number of sequences
   * @return a fresh batch with {@code input} and {@code target}
   */
  public Batch make(Rng rng, int b) {
    float[] x = new float[length * b * 2];
    float[] y = new float[b];
    int half = length / 2;
    for (int e = 0; e < b; e++) {
      for (int t = 0; t < length; t++) {
        x[(t * b + e) * 2] = rng.nextFloat();
      }
      int first = rng.nextInt(half);
      int second = half + rng.nextInt(length - half);
      x[(first * b + e) * 2 + 1] = 1f;
      x[(second * b + e) * 2 + 1] = 1f;
      y[e] = x[(first * b + e) * 2] + x[(second * b + e) * 2];
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", TensorAccess.wrap(x, Shape.of(length, b, 2)));
    m.put("target", TensorAccess.wrap(y, Shape.of(b, 1)));
    return Batch.of(m);
  }

  @Override
  public Node loss(SequenceModel.Forward forward, Map<String, Node> batch) {
    Node last = forward.outputs().select(0, length - 1);
    return Losses.meanSquaredError(last, batch.get("target"));
  }

  @Override
  public String metricName() {
    return "MSE";
  }

  @Override
  public OptionalDouble solvedBelow() {
    return OptionalDouble.of(SOLVED_MSE);
  }

  @Override
  public String toString() {
    return "adding problem (T = " + length + ", batch " + batch + ")";
  }

}
