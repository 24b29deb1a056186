package dev.cellgraph.train.tasks;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
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
 * The copy task (Hochreiter and Schmidhuber 1997; Arjovsky et al. 2016): read {@code K} symbols
 * from an alphabet of {@code A}, wait {@code D} blank steps, see a delimiter, then write the
 * {@code K} symbols back. Input ids: symbols {@code 0..A-1}, blank {@code A}, delimiter
 * {@code A+1}. Only the last {@code K} outputs are scored (a masked cross-entropy); guessing
 * scores {@code ln A} nats per symbol.
 *
 * <p>Thread-safe: immutable once made (its validation batches included); a training batch is drawn
 * from the {@link Rng} the caller passes, which is not thread-safe.
 */
public final class CopyTask implements Task {
  /**
   * The validation cross-entropy below which a run has solved the task: the right symbols at a
   * geometric-mean probability above e^-0.1 = 0.90, against 1/8 by chance (2.08 nats).
   */
  public static final double SOLVED_NATS = 0.1;

  private final int symbols;
  private final int alphabet;
  private final int delay;
  private final int batch;
  private final List<Batch> validation;

  /**
   * Copy {@code symbols} symbols of an alphabet of {@code alphabet} after {@code delay} blank steps, in batches of {@code batch}.
   *
   * @param symbols the number of symbols K to copy (at least 1)
   * @param alphabet the alphabet size A (at least 2)
   * @param delay the number of blank steps D before the delimiter (not negative)
   * @param batch the number of sequences per training batch (at least 1)
   * @throws IllegalArgumentException if a number is out of range (the message names it)
   */
  public CopyTask(int symbols, int alphabet, int delay, int batch) {
    if (symbols < 1 || alphabet < 2 || delay < 0 || batch < 1) {
      throw new IllegalArgumentException("copy task: symbols (" + symbols + ") must be at least 1, alphabet ("
          + alphabet + ") at least 2, delay (" + delay + ") not negative, batch (" + batch + ") at least 1");
    }
    this.symbols = symbols;
    this.alphabet = alphabet;
    this.delay = delay;
    this.batch = batch;
    Rng r = Rng.seeded(0xC0B1L);
    List<Batch> v = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      v.add(make(r, 256));
    }
    this.validation = List.copyOf(v);
  }

  /**
   * The sequence length: symbols, delay, delimiter, and the answer steps after it.
   *
   * @return the sequence length, {@code 2K + D}
   */
  public int length() {
    return symbols + delay + 1 + symbols - 1;
  }

  /**
   * The loss of guessing uniformly: {@code ln A}.
   *
   * @return {@code ln A}, in nats per symbol
   */
  public double baseline() {
    return Math.log(alphabet);
  }

  @Override
  public String name() {
    return "copy";
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("symbols", Integer.toString(symbols));
    m.put("alphabet", Integer.toString(alphabet));
    m.put("delay", Integer.toString(delay));
    m.put("batch", Integer.toString(batch));
    return m;
  }

  @Override
  public SequenceModel model(Cell cell, int hiddenSize, double dropout) {
    return model(cell, alphabet, hiddenSize, dropout);
  }

  /**
   * The model of a copy task over {@code alphabet} symbols (before the task, with its validation data, is made).
   *
   * @param cell the recurrent cell
   * @param alphabet the alphabet size A
   * @param hiddenSize the hidden size H
   * @param dropout the dropout probability on the recurrent outputs
   * @return the model: A + 2 token ids in, A classes out
   */
  public static SequenceModel model(Cell cell, int alphabet, int hiddenSize, double dropout) {
    return SequenceModel.ofTokens(cell, alphabet + 2, Math.min(16, hiddenSize), hiddenSize, alphabet, dropout);
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
   * Input {@code [T, b]}: the symbols, blanks, the delimiter at step {@code K + D}, blanks; target
   * {@code [T, b]}: the symbols at the last K steps; mask {@code [T, b]}: 1 there, 0 elsewhere.
   *
   * @param rng the generator the symbols are drawn from
   * @param b the number of sequences
   * @return a fresh batch with {@code input}, {@code target} and {@code mask}
   */
  public Batch make(Rng rng, int b) {
    int t = length();
    long[] in = new long[t * b];
    long[] target = new long[t * b];
    float[] mask = new float[t * b];
    int delimiter = symbols + delay;
    for (int e = 0; e < b; e++) {
      for (int s = 0; s < t; s++) {
        in[s * b + e] = alphabet;
      }
      in[delimiter * b + e] = alphabet + 1;
      for (int k = 0; k < symbols; k++) {
        int sym = rng.nextInt(alphabet);
        in[k * b + e] = sym;
        int at = delimiter + k;
        target[at * b + e] = sym;
        mask[at * b + e] = 1f;
      }
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", TensorAccess.wrap(DType.INT64, in, Shape.of(t, b)));
    m.put("target", TensorAccess.wrap(DType.INT64, target, Shape.of(t, b)));
    m.put("mask", TensorAccess.wrap(mask, Shape.of(t, b)));
    return Batch.of(m);
  }

  @Override
  public Node loss(SequenceModel.Forward forward, Map<String, Node> batch) {
    return Losses.crossEntropy(forward.outputs(), batch.get("target"), batch.get("mask"));
  }

  @Override
  public String metricName() {
    return "nats/symbol";
  }

  @Override
  public OptionalDouble solvedBelow() {
    return OptionalDouble.of(SOLVED_NATS);
  }

  @Override
  public String toString() {
    return "copy task (" + symbols + " symbols of " + alphabet + ", delay " + delay + ", batch " + batch + ")";
  }
}
