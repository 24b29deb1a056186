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
import dev.cellgraph.train.Task;
import dev.cellgraph.train.nn.Losses;
import dev.cellgraph.train.nn.SequenceModel;
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
 *       length are padding; per-step targets there do not count, and a per-sequence target is read
 *       at the sequence's own last step.
 * </ul>
 *
 * <p>A tenth of the sequences (at least one), chosen by a shuffle seeded with the run's seed, is
 * held out for validation; the rest is read in epochs, each in an order shuffled from the seed and
 * the epoch number, so a batch depends only on the step and a resumed run reads the same batches.
 *
 * <p>Thread-safe: immutable after construction.
 */
public final class SequenceFileTask implements Task {
  /** The largest file read: its values are held as doubles. */
  public static final long MAX_BYTES = 512L << 20;
  private static final long SPLIT_SALT = 0x5EEDF11EL;
  private static final long EPOCH_SALT = 0xE90C4F11EL;
  private static final int EVALUATION_BATCH = 256;

  /** What the targets are. */
  public enum Targets {
    CLASS_PER_SEQUENCE, CLASS_PER_STEP, VALUES_PER_SEQUENCE, VALUES_PER_STEP;

    boolean classes() {
      return this == CLASS_PER_SEQUENCE || this == CLASS_PER_STEP;
    }

    boolean perStep() {
      return this == CLASS_PER_STEP || this == VALUES_PER_STEP;
    }
  }

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
  private final int[] trainIndex;
  private final int[] validIndex;
  private final List<Batch> validation;

  private SequenceFileTask(String source, Map<String, Tensor> tensors, int batch, long seed) {
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
    shuffle(all, Rng.seeded(seed ^ SPLIT_SALT));
    int held = Math.max(1, n / 10);
    this.validIndex = Arrays.copyOfRange(all, 0, held);
    this.trainIndex = Arrays.copyOfRange(all, held, n);
    Arrays.sort(validIndex);
    if (batch < 1 || batch > trainIndex.length) {
      throw new InvalidInputException(source + ": a batch of " + batch + " sequences needs at least that many for "
          + "training; the file has " + n + " sequences, " + trainIndex.length + " after holding out " + held
          + " for validation (give a smaller --batch)");
    }
    List<Batch> v = new ArrayList<>();
    for (int from = 0; from < validIndex.length; from += EVALUATION_BATCH) {
      v.add(make(Arrays.copyOfRange(validIndex, from, Math.min(validIndex.length, from + EVALUATION_BATCH))));
    }
    this.validation = List.copyOf(v);
  }

  /**
   * Reads {@code file}; a file that is not safetensors, too large, or whose tensors do not follow
   * the format of the class comment is an {@link InvalidInputException} naming it.
   */
  public static SequenceFileTask load(Path file, int batch, long seed) {
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
    return new SequenceFileTask(file.toString(), tensors, batch, seed);
  }

  /** A task over tensors in memory, {@code source} naming them in messages and checkpoints. */
  public static SequenceFileTask of(String source, Map<String, Tensor> tensors, int batch, long seed) {
    return new SequenceFileTask(source, tensors, batch, seed);
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

  public Targets targets() {
    return kind;
  }

  /** The head's size: the number of classes or of values per target. */
  public int outputs() {
    return outputs;
  }

  /** T, the steps of every sequence. */
  public int steps() {
    return steps;
  }

  public int trainingSequences() {
    return trainIndex.length;
  }

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
    m.put("split_seed", Long.toString(seed));
    m.put("batch", Integer.toString(batch));
    return m;
  }

  @Override
  public SequenceModel model(Cell cell, int hiddenSize, double dropout) {
    return SequenceModel.ofFeatures(cell, features, hiddenSize, outputs, dropout);
  }

  @Override
  public String bidirectionalRefusal() {
    return lengths == null ? null
        : "its sequences have lengths, and the reverse direction would start in the padding after them";
  }

  @Override
  public Batch trainingBatch(long step, Rng rng) {
    int count = trainIndex.length;
    int[] picked = new int[batch];
    int[] order = null;
    long cached = -1;
    for (int j = 0; j < batch; j++) {
      long position = step * batch + j;
      long epoch = position / count;
      if (epoch != cached) {
        order = trainIndex.clone();
        shuffle(order, Rng.seeded(seed ^ EPOCH_SALT ^ (epoch * 0x9E3779B97F4A7C15L)));
        cached = epoch;
      }
      picked[j] = order[(int) (position % count)];
    }
    return make(picked);
  }

  @Override
  public List<Batch> validationBatches() {
    return validation;
  }

  /** The batch of the sequences {@code picked}, time-major: input {@code [T, b, I]}, targets, masks. */
  private Batch make(int[] picked) {
    int b = picked.length;
    double[] in = new double[steps * b * features];
    for (int e = 0; e < b; e++) {
      int s = picked[e];
      for (int t = 0; t < steps; t++) {
        System.arraycopy(inputs, (s * steps + t) * features, in, (t * b + e) * features, features);
      }
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", Tensor.of(inputType, in, Shape.of(steps, b, features)));
    int per = kind.perStep() ? steps : 1;
    int width = kind.classes() ? 1 : outputs;
    double[] tg = new double[per * b * width];
    for (int e = 0; e < b; e++) {
      for (int t = 0; t < per; t++) {
        System.arraycopy(targets, (picked[e] * per + t) * width, tg, (t * b + e) * width, width);
      }
    }
    Shape ts = switch (kind) {
      case CLASS_PER_SEQUENCE -> Shape.of(b);
      case CLASS_PER_STEP -> Shape.of(steps, b);
      case VALUES_PER_SEQUENCE -> Shape.of(b, outputs);
      case VALUES_PER_STEP -> Shape.of(steps, b, outputs);
    };
    m.put("target", Tensor.of(kind.classes() ? DType.INT64 : targetType, tg, ts));
    if (lengths != null) {
      // mask [T, b] (or [T, b, 1] for values): 1 on a sequence's steps; last: 1 at its last step only
      double[] mask = new double[steps * b];
      for (int e = 0; e < b; e++) {
        int len = lengths[picked[e]];
        for (int t = 0; t < steps; t++) {
          if (kind.perStep() ? t < len : t == len - 1) {
            mask[t * b + e] = 1;
          }
        }
      }
      boolean column = kind != Targets.CLASS_PER_STEP;
      m.put("mask", Tensor.of(DType.FLOAT32, mask, column ? Shape.of(steps, b, 1) : Shape.of(steps, b)));
    }
    return Batch.of(m);
  }

  @Override
  public Node loss(SequenceModel.Forward forward, Map<String, Node> batch) {
    Node y = forward.outputs();
    Node target = batch.get("target");
    Node mask = batch.get("mask");
    switch (kind) {
      case CLASS_PER_STEP:
        return mask == null ? Losses.crossEntropy(y, target) : Losses.crossEntropy(y, target, mask);
      case VALUES_PER_STEP:
        if (mask == null) {
          return Losses.meanSquaredError(y, target);
        }
        return y.sub(target).square().mul(mask).sum().div(mask.sum().mul(outputs));
      default: {
        // the output at each sequence's last step: the mask picks it out of [T, b, O]
        Node last = mask == null ? y.select(0, steps - 1) : y.mul(mask).sum(0, false);
        return kind == Targets.CLASS_PER_SEQUENCE ? Losses.crossEntropy(last, target)
            : Losses.meanSquaredError(last, target);
      }
    }
  }

  @Override
  public String metricName() {
    return kind.classes() ? "cross-entropy" : "MSE";
  }

  private static void shuffle(int[] a, Rng rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "sequences of %s (%,d of T = %d, %d features; %s, %d outputs%s; "
        + "%,d training, %,d validation; batch %d)", Path.of(source).getFileName(), n, steps, features,
        kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '), outputs,
        lengths != null ? "; lengths given" : "", trainIndex.length, validIndex.length, batch);
  }
}
