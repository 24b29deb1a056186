package dev.cellgraph.train;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.SequenceModel;
import dev.cellgraph.train.nn.Targets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The eager path, PyTorch's loop without a {@link Task}: a {@link SequenceModel} with its
 * parameters and a loss chosen by its {@link Targets}, trained on the caller's own tensors.
 *
 * <pre>{@code
 * Model model = Model.of(cell, Targets.VALUES_PER_STEP, 1, 16, 1, DType.FLOAT64, 7);
 * Optimizer adam = Optimizer.adam();
 * for (int step = 0; step < 200; step++) {
 *   Model.Loss loss = model.loss(x, y);                       // x [T, B, I], y [T, B, O]
 *   adam.step(model.parameters(), loss.gradients(), 1e-2);
 * }
 * }</pre>
 *
 * <p>Each batch shape is compiled once, through the graph the {@link Trainer} builds (the same
 * model, loss and gradients), so a step here and a trainer's step on the same batch compute the
 * same bits. Parameters are initialized from the seed as the trainer's are ({@code fork(0)} of the
 * seed's generator) and dropout masks are drawn from {@code fork(1)}. Inputs are time-major
 * {@code [T, B, I]}; batch-first data is {@code x.permute(1, 0, 2)}.
 *
 * <p>Not thread-safe: {@link #parameters()} is the live map an optimizer updates.
 */
public final class Model {
  /** A loss and its gradients with respect to every parameter, by name in {@link SequenceModel#parameterShapes()} order. */
  public record Loss(double value, Map<String, Tensor> gradients) {
    /**
     * Copies the gradients into an unmodifiable map (order kept).
     *
     * @param value the loss
     * @param gradients the gradient of the loss with respect to each parameter, by parameter name (copied)
     */
    public Loss {
      gradients = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
    }
  }

  private final SequenceModel network;
  private final Targets targets;
  private final DType dtype;
  private final LinkedHashMap<String, Tensor> params;
  private final Rng rng;
  private final Map<String, StepGraph> plans = new HashMap<>();

  private Model(SequenceModel network, Targets targets, DType dtype, long seed) {
    this.network = Objects.requireNonNull(network, "network");
    this.targets = Objects.requireNonNull(targets, "targets");
    this.dtype = Objects.requireNonNull(dtype, "dtype");
    if (!dtype.isFloating()) {
      throw new IllegalArgumentException("a model needs a floating dtype, got " + dtype.lowerName());
    }
    Rng root = Rng.seeded(seed);
    this.params = network.initialize(root.fork(0), dtype);
    this.rng = root.fork(1);
  }

  /**
   * A one-layer model of {@code cell} reading {@code inputSize} features per step, with
   * {@code hiddenSize} units and a dense head of {@code outputs} (classes or values), its
   * parameters drawn from {@code seed} in {@code dtype}.
   *
   * @param cell the recurrent cell of the single layer
   * @param targets what the model is trained to predict, which chooses the loss
   * @param inputSize the number of input features I per step
   * @param hiddenSize the number of hidden units H
   * @param outputs the size of the dense head: the number of classes or of values per prediction
   * @param dtype the parameters' dtype, a floating one
   * @param seed the seed of the parameters and the dropout masks
   * @return the model, its parameters freshly initialized
   */
  public static Model of(Cell cell, Targets targets, int inputSize, int hiddenSize, int outputs, DType dtype,
      long seed) {
    return new Model(SequenceModel.ofFeatures(cell, inputSize, hiddenSize, outputs, 0), targets, dtype, seed);
  }

  /**
   * A model of any {@link SequenceModel} (stacked, bidirectional, token input, dropout).
   *
   * @param network the network to train
   * @param targets what the model is trained to predict, which chooses the loss
   * @param dtype the parameters' dtype, a floating one
   * @param seed the seed of the parameters and the dropout masks
   * @return the model, its parameters freshly initialized
   */
  public static Model of(SequenceModel network, Targets targets, DType dtype, long seed) {
    return new Model(network, targets, dtype, seed);
  }

  /**
   * The network.
   *
   * @return the sequence model this model trains
   */
  public SequenceModel network() {
    return network;
  }

  /**
   * What the model is trained to predict.
   *
   * @return the kind of targets, which chooses the loss
   */
  public Targets targets() {
    return targets;
  }

  /**
   * The parameters' dtype.
   *
   * @return the dtype of every parameter
   */
  public DType dtype() {
    return dtype;
  }

  /**
   * The parameters by name, the live map this model reads on every call: an {@link Optimizer}
   * updates it in place ({@link Optimizer#step}), as PyTorch's optimizers hold
   * {@code model.parameters()}. A value put here must keep its name's shape and dtype.
   *
   * @return the live map of parameters by name, in {@link SequenceModel#parameterShapes()} order
   */
  public Map<String, Tensor> parameters() {
    return params;
  }

  /**
   * The loss of sequences {@code input [T, B, I]} that all have T steps against {@code target}.
   *
   * @param input the input sequences, time-major {@code [T, B, I]}
   * @param target the targets, shaped as {@link #targets()} says
   * @return the loss and its gradients, computed in training mode (with dropout)
   */
  public Loss loss(Tensor input, Tensor target) {
    return loss(batch(input, target, null));
  }

  /**
   * The loss of sequences {@code input [T, B, I]} of the given lengths (null: all T) against
   * {@code target}, shaped as {@link Targets} says; per-step targets in the padding do not count.
   *
   * @param input the input sequences, time-major {@code [T, B, I]}
   * @param target the targets, shaped as {@link #targets()} says
   * @param lengths each sequence's length, 1 to T, or null for all T steps
   * @return the loss and its gradients, computed in training mode (with dropout)
   */
  public Loss loss(Tensor input, Tensor target, int[] lengths) {
    return loss(batch(input, target, lengths));
  }

  /**
   * The loss of a batch holding {@code input} and {@code target} (and maybe lengths), in training mode.
   *
   * @param batch the batch, with {@code input} and {@code target} tensors
   * @return the loss and its gradients
   */
  public Loss loss(Batch batch) {
    StepGraph c = compiled(batch, true, true);
    Tensor mask = c.hasMask
        ? network.dropout().mask(rng, dtype, network.dropoutMaskShape(batch.steps(), batch.batchSize())) : null;
    List<Tensor> layerMasks = c.layerMasks == 0 ? List.of()
        : network.recurrent().dropoutMasks(rng, dtype, batch.steps(), batch.batchSize());
    List<Tensor> out = c.plan.run(c.feeds(batch, Map.of(), checkedParameters(), mask, layerMasks));
    return new Loss(out.get(0).item(), c.gradients(out));
  }

  /**
   * The loss without dropout and without gradients, as the trainer's validation computes it.
   *
   * @param input the input sequences, time-major {@code [T, B, I]}
   * @param target the targets, shaped as {@link #targets()} says
   * @return the loss
   */
  public double evaluate(Tensor input, Tensor target) {
    Batch b = batch(input, target, null);
    StepGraph c = compiled(b, false, true);
    return c.plan.run(c.feeds(b, Map.of(), checkedParameters(), null, List.of())).get(0).item();
  }

  /**
   * The head's outputs {@code [T, B, outputs]} (logits for classes) for {@code input [T, B, I]}, without dropout.
   *
   * @param input the input sequences, time-major {@code [T, B, I]}
   * @return the head's outputs, {@code [T, B, outputs]}
   */
  public Tensor predict(Tensor input) {
    Batch b = Batch.of(Map.of("input", input));
    StepGraph c = compiled(b, false, false);
    return c.plan.run(c.feeds(b, Map.of(), checkedParameters(), null, List.of())).get(0);
  }

  /**
   * Compares the gradients of the loss on {@code input} and {@code target} with central finite
   * differences ({@link GradCheck}, its defaults); the model must be float64. Without dropout.
   *
   * @param input the input sequences, time-major {@code [T, B, I]}
   * @param target the targets, shaped as {@link #targets()} says
   * @return the gradient check's report, comparing each parameter's analytic and numerical gradients
   */
  public GradCheck.Report gradientCheck(Tensor input, Tensor target) {
    if (dtype != DType.FLOAT64) {
      throw new IllegalArgumentException("gradient checks run in float64; this model is " + dtype.lowerName());
    }
    Batch b = batch(input, target, null);
    StepGraph c = compiled(b, false, true);
    List<Tensor> values = c.feeds(b, Map.of(), checkedParameters(), null, List.of());
    Map<Node, Tensor> feeds = new LinkedHashMap<>();
    for (int i = 0; i < values.size(); i++) {
      feeds.put(c.feedNodes.get(i), values.get(i));
    }
    return GradCheck.withDefaults().check(c.loss, c.parameterNodes, feeds);
  }

  /**
   * Writes the parameters to a safetensors file.
   *
   * @param file the safetensors file to write
   * @throws IOException if the file cannot be written
   */
  public void save(Path file) throws IOException {
    SafeTensors.write(file, params);
  }

  /**
   * Replaces the parameters with those of a safetensors file written by {@link #save}, refused
   * (nothing changed) when a name, shape or dtype differs from this model's.
   *
   * @param file a safetensors file written by {@link #save}
   * @throws IOException if the file cannot be read
   */
  public void load(Path file) throws IOException {
    Map<String, Tensor> saved = SafeTensors.read(file);
    if (!saved.keySet().equals(params.keySet())) {
      throw new InvalidInputException(file + " has parameters " + saved.keySet() + ", this model has "
          + params.keySet());
    }
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      Tensor t = saved.get(e.getKey());
      if (!t.shape().equals(e.getValue().shape()) || t.dtype() != dtype) {
        throw new InvalidInputException(file + ": parameter '" + e.getKey() + "' is " + t.dtype().lowerName()
            + t.shape() + ", this model needs " + dtype.lowerName() + e.getValue().shape());
      }
    }
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      e.setValue(saved.get(e.getKey()));
    }
  }

  private Batch batch(Tensor input, Tensor target, int[] lengths) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(target, "target");
    if (input.shape().rank() != 3 || input.shape().dim(2) != network.inputSize()) {
      throw new IllegalArgumentException("the input is " + input.shape() + ", this model reads [T, B, "
          + network.inputSize() + "] (time-major; batch-first data is x.permute(1, 0, 2))");
    }
    int steps = input.shape().dim(0);
    int batch = input.shape().dim(1);
    Shape want = targets.shape(steps, batch, network.outputs());
    if (!target.shape().equals(want) || target.dtype().isFloating() == targets.classes()) {
      throw new IllegalArgumentException("the target is " + target.dtype().lowerName() + target.shape() + "; "
          + targets + " with the input " + input.shape() + " needs " + (targets.classes() ? "integer " : "float ")
          + want);
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", input);
    m.put("target", target);
    if (lengths != null && !targets.perStep()) {
      m.put("last", Targets.lastSteps(lengths, steps));
    }
    return new Batch(m, false, lengths);
  }

  /** The parameters, checked against the network's shapes: a caller may have put a wrong one. */
  private Map<String, Tensor> checkedParameters() {
    for (Map.Entry<String, Shape> e : network.parameterShapes().entrySet()) {
      Tensor t = params.get(e.getKey());
      if (t == null || !t.shape().equals(e.getValue()) || t.dtype() != dtype) {
        throw new IllegalStateException("parameter '" + e.getKey() + "' is "
            + (t == null ? "missing" : t.dtype().lowerName() + t.shape()) + ", the model needs "
            + dtype.lowerName() + e.getValue());
      }
    }
    return params;
  }

  private StepGraph compiled(Batch b, boolean training, boolean withLoss) {
    StringBuilder key = new StringBuilder(training ? "train" : withLoss ? "eval" : "predict");
    b.tensors().forEach((k, v) -> key.append('|').append(k).append(v.dtype()).append(v.shape()));
    if (b.hasLengths()) {
      key.append("|lengths");
    }
    return plans.computeIfAbsent(key.toString(), k -> new StepGraph((training ? "train " : "evaluate ")
        + network.cell().name(), network, dtype, withLoss ? (f, in) -> targets.loss(f, in.get("target"),
        in.get("last")) : null, false, b, training));
  }

  @Override
  public String toString() {
    return "Model(" + network + ", " + targets.name().toLowerCase(java.util.Locale.ROOT) + ", " + dtype.lowerName()
        + ")";
  }
}
