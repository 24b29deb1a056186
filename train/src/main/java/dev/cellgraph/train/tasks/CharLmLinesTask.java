package dev.cellgraph.train.tasks;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.Batch;
import dev.cellgraph.train.LengthBuckets;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.nn.Losses;
import dev.cellgraph.train.nn.SequenceModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A character model on the lines of a text, each line a sequence of its own
 * ({@code cellgraph train --task charlm-lines}): from each character of a line the model predicts
 * the next one, and from the line's last character the end of the line ({@code \n}); the state
 * starts at zero on every line. Lines have different lengths, so a batch is padded to its longest
 * line and carries the lengths: the recurrence stops at each line's end, the loss is the mean
 * over real characters only, and so are the bits per character.
 *
 * <p>Empty lines are left out and a line's trailing {@code \r} is dropped. A line longer than
 * {@code maxLength} characters is cut into pieces of at most {@code maxLength}, each a sequence of
 * its own starting from a zero state, whose last character predicts the first of the next piece.
 * The vocabulary and the ids are {@link CharLmTask}'s for the same text (so the models have the
 * same shape), and so is the split: the last tenth of the text ({@link CharLmTask#heldOutFrom}) is
 * held out, whole lines, a line being held out when it ends in that tenth. Training batches come
 * from {@link LengthBuckets} ({@code buckets} buckets of similar length, or one pool with 1),
 * drawn from the seed and the epoch, so the same seed gives the same batches and a resumed run
 * reads the same ones; validation batches are the held-out lines sorted by length.
 *
 * <p>Immutable and thread-safe (but for {@link LengthBuckets}' cache of the current epoch).
 */
public final class CharLmLinesTask implements Task {
  /** The longest sequence unless told otherwise: longer lines are cut into pieces of this length. */
  public static final int DEFAULT_MAX_LENGTH = 128;
  private static final int EVALUATION_BATCH = 256;

  private final String source;
  private final String text;
  private final String vocabulary;
  private final int maxLength;
  private final int batch;
  private final long seed;
  /** Each sequence's input ids, in the order of the text; its targets are the ids after them. */
  private final int[][] inputs;
  private final int[][] targets;
  private final int[] lengths;
  private final int[] trainIndex;
  private final int[] validIndex;
  private final LengthBuckets order;
  private final List<Batch> validation;

  /**
   * The lines of {@code text} ({@code source} names it in messages and checkpoints), cut at
   * {@code maxLength}, in batches of {@code batch} from {@code buckets} buckets (1: none), the
   * epochs shuffled from {@code seed}. Too few lines for a batch is an {@link InvalidInputException}
   * naming the text.
   *
   * @param source the text's name, used in messages and checkpoints
   * @param text the whole text, read line by line
   * @param maxLength the longest sequence; longer lines are cut into pieces of this length (at least 1)
   * @param batch the number of sequences per training batch (at least 1)
   * @param seed the seed of the training epochs' shuffles
   * @param buckets the number of buckets of similar length (1: none)
   */
  public CharLmLinesTask(String source, String text, int maxLength, int batch, long seed, int buckets) {
    if (maxLength < 1 || batch < 1 || buckets < 1) {
      throw new IllegalArgumentException("the longest sequence (" + maxLength + "), the batch size (" + batch
          + ") and the buckets (" + buckets + ") must be at least 1");
    }
    this.source = source;
    this.text = text;
    this.maxLength = maxLength;
    this.batch = batch;
    this.seed = seed;
    // the end of a line is a target, so the vocabulary has '\n' even for a text of one line
    this.vocabulary = CharLmTask.vocabularyOf(text.indexOf('\n') < 0 ? text + "\n" : text);
    int[] ids = CharLmTask.encode(vocabulary, text);
    int newline = CharLmTask.encode(vocabulary, "\n")[0];
    int carriageReturn = vocabulary.indexOf('\r') < 0 ? -1 : CharLmTask.encode(vocabulary, "\r")[0];
    int split = CharLmTask.heldOutFrom(ids.length);
    List<int[]> in = new ArrayList<>();
    List<int[]> out = new ArrayList<>();
    List<Integer> train = new ArrayList<>();
    List<Integer> valid = new ArrayList<>();
    int lines = 0;
    for (int start = 0; start < ids.length; ) {
      int end = start;
      while (end < ids.length && ids[end] != newline) {
        end++;
      }
      int last = end > start && ids[end - 1] == carriageReturn ? end - 1 : end;
      boolean heldOut = end >= split;
      if (last > start) {
        lines++;
      }
      for (int from = start; from < last; from += maxLength) {
        int to = Math.min(last, from + maxLength);
        int[] target = new int[to - from];
        for (int i = from; i < to; i++) {
          target[i - from] = i + 1 < last ? ids[i + 1] : newline;
        }
        (heldOut ? valid : train).add(in.size());
        in.add(Arrays.copyOfRange(ids, from, to));
        out.add(target);
      }
      start = end + 1;
    }
    this.inputs = in.toArray(new int[0][]);
    this.targets = out.toArray(new int[0][]);
    this.lengths = Arrays.stream(inputs).mapToInt(l -> l.length).toArray();
    this.trainIndex = train.stream().mapToInt(Integer::intValue).toArray();
    this.validIndex = valid.stream().mapToInt(Integer::intValue).toArray();
    if (trainIndex.length < batch || validIndex.length == 0) {
      throw new InvalidInputException(source + ": the text has " + lines + " non-empty lines (" + inputs.length
          + " sequences of at most " + maxLength + " characters), " + trainIndex.length + " for training and "
          + validIndex.length + " held out in its last tenth; a batch of " + batch + " needs at least " + batch
          + " for training and 1 held out");
    }
    this.order = LengthBuckets.of(trainIndex, lengths, batch, buckets, seed);
    List<Batch> v = new ArrayList<>();
    for (int[] picked : LengthBuckets.byLength(validIndex, lengths, EVALUATION_BATCH)) {
      v.add(batchOf(picked));
    }
    this.validation = List.copyOf(v);
  }

  /**
   * The same task with its training batches drawn from {@code seed} (the split does not depend on it).
   *
   * @param seed the new seed of the training epochs' shuffles
   * @return a new task, the same but for its seed
   */
  public CharLmLinesTask withSeed(long seed) {
    return new CharLmLinesTask(source, text, maxLength, batch, seed, order.buckets());
  }

  /**
   * The characters of the model, in id order (as {@link CharLmTask#vocabulary()}).
   *
   * @return the vocabulary's characters, in id order
   */
  public String vocabulary() {
    return vocabulary;
  }

  /**
   * The number of characters of the model: its input and output size.
   *
   * @return the vocabulary size, in code points
   */
  public int vocabularySize() {
    return vocabulary.codePointCount(0, vocabulary.length());
  }

  /**
   * The longest sequence: every batch has at most this many steps.
   *
   * @return the length of the longest sequence
   */
  public int longest() {
    return Arrays.stream(lengths).max().orElse(0);
  }

  /**
   * Each sequence's length (a line, or a piece of a line longer than the limit), in the order of the text.
   *
   * @return a copy of each sequence's length, in the order of the text
   */
  public int[] lengths() {
    return lengths.clone();
  }

  /**
   * The sequences read for training, as indices into {@link #lengths()}.
   *
   * @return a copy of the training sequences' indices
   */
  public int[] trainingSequences() {
    return trainIndex.clone();
  }

  /**
   * The held-out sequences, as indices into {@link #lengths()}.
   *
   * @return a copy of the held-out sequences' indices
   */
  public int[] validationSequences() {
    return validIndex.clone();
  }

  /**
   * The buckets of similar length the training batches come from (1: none).
   *
   * @return the number of buckets, 1 without bucketing
   */
  public int buckets() {
    return order.buckets();
  }

  @Override
  public String name() {
    return "charlm-lines";
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("text", source);
    m.put("sequences", Integer.toString(inputs.length));
    m.put("max_length", Integer.toString(maxLength));
    m.put("batch", Integer.toString(batch));
    m.put("buckets", Integer.toString(order.buckets()));
    m.put("seed", Long.toString(seed));
    m.put("vocabulary", vocabulary);
    return m;
  }

  @Override
  public SequenceModel model(Cell cell, int hiddenSize, double dropout) {
    return CharLmTask.model(cell, vocabularySize(), hiddenSize, dropout);
  }

  @Override
  public String bidirectionalRefusal() {
    return CharLmTask.NEXT_CHARACTER;
  }

  @Override
  public Batch trainingBatch(long step, Rng rng) {
    return batchOf(order.batch(step));
  }

  @Override
  public List<Batch> validationBatches() {
    return validation;
  }

  /**
   * The batch of the sequences {@code picked}: input and target ids {@code [T', b]}, T' the
   * longest of them, padded with id 0, and their lengths.
   */
  Batch batchOf(int[] picked) {
    int b = picked.length;
    int[] own = new int[b];
    int steps = 0;
    for (int e = 0; e < b; e++) {
      own[e] = lengths[picked[e]];
      steps = Math.max(steps, own[e]);
    }
    long[] in = new long[steps * b];
    long[] target = new long[steps * b];
    for (int e = 0; e < b; e++) {
      int[] line = inputs[picked[e]];
      int[] after = targets[picked[e]];
      for (int t = 0; t < line.length; t++) {
        in[t * b + e] = line[t];
        target[t * b + e] = after[t];
      }
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", TensorAccess.wrap(DType.INT64, in, Shape.of(steps, b)));
    m.put("target", TensorAccess.wrap(DType.INT64, target, Shape.of(steps, b)));
    return new Batch(m, false, own);
  }

  /** Cross-entropy over the real characters: the step mask leaves the padding out of sum and count. */
  @Override
  public Node loss(SequenceModel.Forward forward, Map<String, Node> batch) {
    return Losses.crossEntropy(forward.outputs(), batch.get("target"), forward.stepMask());
  }

  @Override
  public String metricName() {
    return "bits/char";
  }

  @Override
  public double metric(double loss) {
    return loss / Math.log(2);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "character model on the lines of %s (%,d sequences of %d to %d characters, "
        + "vocabulary %d; %,d training, %,d validation; batch %d, %d bucket%s)", source, inputs.length,
        Arrays.stream(lengths).min().orElse(0), longest(),
        vocabularySize(), trainIndex.length, validIndex.length, batch, order.buckets(),
        order.buckets() == 1 ? "" : "s");
  }
}
