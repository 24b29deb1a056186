package dev.cellgraph.train.tasks;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.Batch;
import dev.cellgraph.train.LengthBuckets;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.nn.SequenceModel;
import dev.cellgraph.train.nn.Targets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The user's own sequences, from a safetensors file ({@code cellgraph train --task file --data F}):
 *
 * <ul>
 *   <li>{@code inputs}: float32 or float64 {@code [N, T, I]}, N sequences of T steps of I features;
 *   <li>{@code targets}, one of: int64 (or int32) {@code [N]}, a class per sequence, read from the
 *       output at its last step; int64 {@code [N, T]}, a class per step; float {@code [N, O]}, O
 *       values per sequence at its last step; float {@code [N, T, O]}, O values per step. Classes
 *       are trained with cross-entropy (their count is the largest label plus one), values with
 *       the mean squared error;
 *   <li>{@code lengths} (optional): int64 {@code [N]}, each in [1, T]: a sequence's steps after its
 *       length are padding. The recurrence runs each sequence for its own steps (PyTorch's packed
 *       semantics, so a bidirectional model fits too), per-step targets in the padding do not
 *       count (the loss is the mean over real steps), and a per-sequence target is read at the
 *       sequence's own last step (the loss is the mean over sequences).
 * </ul>
 *
 * <p>A tenth of the sequences (at least one), chosen by a shuffle seeded with the run's seed, is
 * held out for validation; the rest is read in epochs drawn from the seed and the epoch number
 * ({@link LengthBuckets}: with lengths, in buckets of similar length), so a batch depends only on
 * the step and a resumed run reads the same batches. A batch with lengths is as long as its
 * longest sequence.
 *
 * <p>Thread-safe: immutable after construction.
 */
public final class SequenceFileTask implements Task {
  /** The largest file read: its values are held as doubles. */
  public static final long MAX_BYTES = 512L << 20;
  private static final long SPLIT_SALT = 0x5EEDF11EL;
  private static final int EVALUATION_BATCH = 256;

  private final String source;
  private final DType inputType;
  private final DType targetType;
  private final int n;
  private final int steps;
  private final int features;
  private final int outputs;
  private final Targets kind;
  private final double[] inputs;
  private final double[] targets;
  private final int[] lengths;
  private final int batch;
  private final long seed;
  private final LengthBuckets order;
  private final int[] trainIndex;
  private final int[] validIndex;
  private final List<Batch> validation;

  private SequenceFileTask(String source, Map<String, Tensor> tensors, int batch, long seed, int buckets) {
    this.source = source;
    this.batch = batch;
    this.seed = seed;
    Tensor in = tensors.get("inputs");
    Tensor tg = tensors.get("targets");
    if (in == null || tg == null) {
      throw bad("needs tensors 'inputs' [N, T, I] and 'targets', has " + tensors.keySet());
    }
    for (String k : tensors.keySet()) {
      if (!List.of("inputs", "targets", "lengths").contains(k)) {
        throw bad("unexpected tensor '" + k + "' (the tensors are inputs, targets and, optionally, lengths)");
      }
    }
    if (in.shape().rank() != 3 || !in.dtype().isFloating()) {
      throw bad("'inputs' must be float32 or float64 [N, T, I], got " + in.dtype().lowerName() + in.shape());
    }
    this.inputType = in.dtype();
    this.n = in.shape().dim(0);
    this.steps = in.shape().dim(1);
    this.features = in.shape().dim(2);
    if (n < 2 || steps < 1 || features < 1) {
      throw bad("'inputs' " + in.shape() + " needs at least 2 sequences of at least 1 step of at least 1 feature");
    }
    Shape ts = tg.shape();
    boolean integer = !tg.dtype().isFloating();
    if (integer && ts.equals(Shape.of(n))) {
      kind = Targets.CLASS_PER_SEQUENCE;
    } else if (integer && ts.equals(Shape.of(n, steps))) {
      kind = Targets.CLASS_PER_STEP;
    } else if (!integer && ts.rank() == 2 && ts.dim(0) == n) {
      kind = Targets.VALUES_PER_SEQUENCE;
    } else if (!integer && ts.rank() == 3 && ts.dim(0) == n && ts.dim(1) == steps) {
      kind = Targets.VALUES_PER_STEP;
    } else {
      throw bad("'targets' is " + tg.dtype().lowerName() + ts + "; with inputs " + in.shape() + " it must be int64 ["
          + n + "] or [" + n + ", " + steps + "] (classes), or float [" + n + ", O] or [" + n + ", " + steps
          + ", O] (values)");
    }
    this.targetType = tg.dtype();
    this.inputs = in.toDoubleArray();
    this.targets = tg.toDoubleArray();
    if (kind.classes()) {
      double max = -1;
      for (double v : targets) {
        if (v < 0) {
          throw bad("'targets' holds the class " + (long) v + "; classes are 0, 1, 2, ...");
        }
        max = Math.max(max, v);
      }
      if (max >= 1 << 20) {
        throw bad("'targets' holds the class " + (long) max + "; at most 1048576 classes");
      }
      this.outputs = (int) max + 1;
    } else {
      this.outputs = ts.dim(-1);
      finite("targets", targets);
    }
    finite("inputs", inputs);
    Tensor len = tensors.get("lengths");
    if (len != null) {
      if (len.dtype().isFloating() || !len.shape().equals(Shape.of(n))) {
        throw bad("'lengths' must be int64 [" + n + "], got " + len.dtype().lowerName() + len.shape());
      }
      this.lengths = new int[n];
      double[] l = len.toDoubleArray();
      for (int i = 0; i < n; i++) {
        if (l[i] < 1 || l[i] > steps) {
          throw bad("'lengths' holds " + (long) l[i] + " at sequence " + i + "; each must be in [1, " + steps + "]");
        }
        lengths[i] = (int) l[i];
      }
    } else {
      this.lengths = null;
    }
    int[] all = new int[n];
    Arrays.setAll(all, i -> i);
    Rng.seeded(seed ^ SPLIT_SALT).shuffle(all);
    int held = Math.max(1, n / 10);
    this.validIndex = Arrays.copyOfRange(all, 0, held);
    this.trainIndex = Arrays.copyOfRange(all, held, n);
    Arrays.sort(validIndex);
    if (batch < 1 || batch > trainIndex.length) {
      throw new InvalidInputException(source + ": a batch of " + batch + " sequences needs at least that many for "
          + "training; the file has " + n + " sequences, " + trainIndex.length + " after holding out " + held
          + " for validation (give a smaller --batch)");
    }
    int[] sorting = lengths != null ? lengths : new int[n];
    this.order = LengthBuckets.of(trainIndex, sorting, batch, lengths != null ? buckets : 1, seed);
    List<Batch> v = new ArrayList<>();
    for (int[] picked : LengthBuckets.byLength(validIndex, sorting, EVALUATION_BATCH)) {
      v.add(make(picked));
    }
    this.validation = List.copyOf(v);
  }

  /**
   * Reads {@code file}; a file that is not safetensors, too large, or whose tensors do not follow
   * the format of the class comment is an {@link InvalidInputException} naming it.
   *
   * @param file the safetensors file of {@code inputs}, {@code targets} and optionally {@code lengths}
   * @param batch the number of sequences per training batch
   * @param seed the seed of the validation split and the training order
   * @return the task, with {@link LengthBuckets#DEFAULT} buckets for a file with lengths
   */
  public static SequenceFileTask load(Path file, int batch, long seed) {
    return load(file, batch, seed, LengthBuckets.DEFAULT);
  }

  /**
   * Reads {@code file} as {@link #load(Path, int, long)} does, with {@code buckets} buckets of
   * similar lengths for a file with lengths (1: none; see {@link LengthBuckets}).
   *
   * @param file the safetensors file of {@code inputs}, {@code targets} and optionally {@code lengths}
   * @param batch the number of sequences per training batch
   * @param seed the seed of the validation split and the training order
   * @param buckets the number of buckets of similar length (1: none), used only with lengths
   * @return the task
   */
  public static SequenceFileTask load(Path file, int batch, long seed, int buckets) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException("the data file " + file + " does not exist or is not a file");
    }
    Map<String, Tensor> tensors;
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new InvalidInputException("the data file " + file + " has " + size + " bytes; the limit is "
            + MAX_BYTES + " (512 MiB)");
      }
      tensors = SafeTensors.read(file);
    } catch (IOException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    return new SequenceFileTask(file.toString(), tensors, batch, seed, buckets);
  }

  /**
   * A task over tensors in memory, {@code source} naming them in messages and checkpoints.
   *
   * @param source the tensors' name, used in messages and checkpoints
   * @param tensors the tensors {@code inputs}, {@code targets} and optionally {@code lengths}
   * @param batch the number of sequences per training batch
   * @param seed the seed of the validation split and the training order
   * @return the task, with {@link LengthBuckets#DEFAULT} buckets for tensors with lengths
   */
  public static SequenceFileTask of(String source, Map<String, Tensor> tensors, int batch, long seed) {
    return of(source, tensors, batch, seed, LengthBuckets.DEFAULT);
  }

  /**
   * A task over tensors in memory with {@code buckets} buckets of similar lengths (1: none).
   *
   * @param source the tensors' name, used in messages and checkpoints
   * @param tensors the tensors {@code inputs}, {@code targets} and optionally {@code lengths}
   * @param batch the number of sequences per training batch
   * @param seed the seed of the validation split and the training order
   * @param buckets the number of buckets of similar length (1: none), used only with lengths
   * @return the task
   */
  public static SequenceFileTask of(String source, Map<String, Tensor> tensors, int batch, long seed, int buckets) {
    return new SequenceFileTask(source, tensors, batch, seed, buckets);
  }

  private void finite(String name, double[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw bad("'" + name + "' holds " + values[i] + " at flat index " + i);
      }
    }
  }

  private InvalidInputException bad(String what) {
    return new InvalidInputException(source + ": " + what);
  }

  /**
   * What the targets are.
   *
   * @return the kind of targets, inferred from the {@code targets} tensor's dtype and shape
   */
  public Targets targets() {
    return kind;
  }

  /**
   * Whether the file gives lengths, so that its batches are drawn by length (in buckets).
   *
   * @return true if the file gives lengths
   */
  public boolean hasLengths() {
    return lengths != null;
  }

  /**
   * The buckets of similar length that training batches come from (1: none).
   *
   * @return the number of buckets, 1 without bucketing
   */
  public int buckets() {
    return order.buckets();
  }

  /**
   * The head's size: the number of classes or of values per target.
   *
   * @return the number of outputs of the model's head
   */
  public int outputs() {
    return outputs;
  }

  /**
   * T, the steps of every sequence.
   *
   * @return the number of steps T of every sequence
   */
  public int steps() {
    return steps;
  }

  /**
   * The number of training sequences.
   *
   * @return the number of training sequences
   */
  public int trainingSequences() {
    return trainIndex.length;
  }

  /**
   * The number of validation sequences.
   *
   * @return the number of validation sequences
   */
  public int validationSequences() {
    return validIndex.length;
  }

  @Override
  public String name() {
    return "file";
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("source", Path.of(source).getFileName().toString());
    m.put("sequences", Integer.toString(n));
    m.put("steps", Integer.toString(steps));
    m.put("features", Integer.toString(features));
    m.put("targets", kind.name().toLowerCase(java.util.Locale.ROOT));
    m.put("outputs", Integer.toString(outputs));
    m.put("lengths", Boolean.toString(lengths != null));
    if (lengths != null && order.buckets() != LengthBuckets.DEFAULT) {
      m.put("buckets", Integer.toString(order.buckets()));
    }
    m.put("split_seed", Long.toString(seed));
    m.put("batch", Integer.toString(batch));
    return m;
  }

  @Override
  public SequenceModel model(Cell cell, int hiddenSize, double dropout) {
    return SequenceModel.ofFeatures(cell, features, hiddenSize, outputs, dropout);
  }

  @Override
  public Batch trainingBatch(long step, Rng rng) {
    return make(order.batch(step));
  }

  /** A per-sequence loss is a mean over sequences, so a batch counts by its sequences. */
  @Override
  public double weight(Batch b) {
    return kind.perStep() ? Task.super.weight(b) : b.batchSize();
  }

  @Override
  public List<Batch> validationBatches() {
    return validation;
  }

  /**
   * The batch of the sequences {@code picked}, time-major: input {@code [T', b, I]}, targets, the
   * last-step mask of per-sequence targets and the lengths, T' being the longest of them.
   */
  private Batch make(int[] picked) {
    int b = picked.length;
    int[] own = null;
    int steps = this.steps;
    if (lengths != null) {
      own = new int[b];
      steps = 0;
      for (int e = 0; e < b; e++) {
        own[e] = lengths[picked[e]];
        steps = Math.max(steps, own[e]);
      }
    }
    int fileSteps = this.steps;
    double[] in = new double[steps * b * features];
    for (int e = 0; e < b; e++) {
      int s = picked[e];
      for (int t = 0; t < steps; t++) {
        System.arraycopy(inputs, (s * fileSteps + t) * features, in, (t * b + e) * features, features);
      }
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", Tensor.of(inputType, in, Shape.of(steps, b, features)));
    int per = kind.perStep() ? steps : 1;
    int filePer = kind.perStep() ? fileSteps : 1;
    int width = kind.classes() ? 1 : outputs;
    double[] tg = new double[per * b * width];
    for (int e = 0; e < b; e++) {
      for (int t = 0; t < per; t++) {
        System.arraycopy(targets, (picked[e] * filePer + t) * width, tg, (t * b + e) * width, width);
      }
    }
    Shape ts = kind.shape(steps, b, outputs);
    m.put("target", Tensor.of(kind.classes() ? DType.INT64 : targetType, tg, ts));
    if (lengths != null && !kind.perStep()) {
      m.put("last", Targets.lastSteps(own, steps));
    }
    return new Batch(m, false, own);
  }

  @Override
  public Node loss(SequenceModel.Forward forward, Map<String, Node> batch) {
    return kind.loss(forward, batch.get("target"), batch.get("last"));
  }

  @Override
  public String metricName() {
    return kind.classes() ? "cross-entropy" : "MSE";
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "sequences of %s (%,d of T = %d, %d features; %s, %d outputs%s; "
        + "%,d training, %,d validation; batch %d)", Path.of(source).getFileName(), n, steps, features,
        kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), outputs,
        lengths != null ? "; lengths given, " + order.buckets() + (order.buckets() == 1 ? " bucket" : " buckets") : "",
        trainIndex.length, validIndex.length, batch);
  }
}
