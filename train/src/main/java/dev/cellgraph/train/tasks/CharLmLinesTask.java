package dev.cellgraph.train.tasks;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.Batch;
import dev.cellgraph.train.LengthBuckets;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.nn.Losses;
import dev.cellgraph.train.nn.SequenceModel;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A character model on the lines of a text, each line a sequence of its own
 * ({@code cellgraph train --task charlm-lines}): from each character of a line the model predicts
 * the next one, and from the line's last character the end of the line ({@code \n}); the state
 * starts at zero on every line. Lines have different lengths, so batches are padded to their
 * longest line and drawn from buckets of similar length ({@link LengthBuckets}); the loss and the
 * bits per character count real characters only.
 *
 * <p>Empty lines are left out, a line's trailing {@code \r} is dropped, and a line longer than
 * {@code maxLength} characters is cut into pieces of at most that many, each predicting the
 * character after it. A tenth of the lines (at least one), chosen by a shuffle seeded with the
 * run's seed, is held out for validation; the vocabulary is every character of the text, as in
 * {@link CharLmTask}, whose bundled text is the default.
 *
 * <p>Thread-safe: immutable but for {@link LengthBuckets}' cache.
 */
public final class CharLmLinesTask implements Task {
  /** The longest line read as one sequence unless told otherwise. */
  public static final int DEFAULT_MAX_LENGTH = 256;
  private static final long SPLIT_SALT = 0x11E5L;
  private static final int EVALUATION_BATCH = 256;

  private final String source;
  private final String vocabulary;
  private final int newline;
  private final int maxLength;
  private final int batch;
  private final long seed;
  private final int characters;
  /** Each sequence's input ids; its targets are the ids after them. */
  private final int[][] lines;
  private final int[][] next;
  private final int[] lengths;
  private final int[] trainIndex;
  private final int[] validIndex;
  private final LengthBuckets order;
  private final List<Batch> validation;

  /**
   * The lines of {@code text} ({@code source} names it in messages and checkpoints), cut at
   * {@code maxLength}, in batches of {@code batch} from {@code buckets} buckets (0 or 1: none),
   * with the validation split and the epochs drawn from {@code seed}.
   */
  public CharLmLinesTask(String source, String text, int maxLength, int batch, long seed, int buckets) {
    if (maxLength < 1 || batch < 1) {
      throw new IllegalArgumentException("the longest line (" + maxLength + ") and the batch size (" + batch
          + ") must be at least 1");
    }
    this.source = source;
    this.maxLength = maxLength;
    this.batch = batch;
    this.seed = seed;
    TreeSet<Integer> cps = new TreeSet<>();
    text.codePoints().forEach(cps::add);
    cps.add((int) '\n');
    StringBuilder sb = new StringBuilder();
    cps.forEach(sb::appendCodePoint);
    this.vocabulary = sb.toString();
    int[] all = vocabulary.codePoints().toArray();
    Map<Integer, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < all.length; i++) {
      index.put(all[i], i);
    }
    this.newline = index.get((int) '\n');
    List<int[]> in = new ArrayList<>();
    List<int[]> out = new ArrayList<>();
    int chars = 0;
    for (String line : text.split("\n", -1)) {
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      int[] ids = line.codePoints().map(index::get).toArray();
      for (int from = 0; from < ids.length; from += maxLength) {
        int to = Math.min(ids.length, from + maxLength);
        int[] target = new int[to - from];
        for (int i = from; i < to; i++) {
          target[i - from] = i + 1 < ids.length ? ids[i + 1] : newline;
        }
        in.add(Arrays.copyOfRange(ids, from, to));
        out.add(target);
        chars += to - from;
      }
    }
    this.lines = in.toArray(new int[0][]);
    this.next = out.toArray(new int[0][]);
    this.characters = chars;
    this.lengths = Arrays.stream(lines).mapToInt(l -> l.length).toArray();
    int n = lines.length;
    int held = Math.max(1, n / 10);
    if (n - held < batch) {
      throw new InvalidInputException(source + ": the text has " + n + " non-empty lines; a batch of " + batch
          + " needs at least " + (batch + Math.max(1, (batch + 8) / 9)) + " (nine tenths train, one tenth held out)");
    }
    int[] ids = new int[n];
    Arrays.setAll(ids, i -> i);
    LengthBuckets.shuffle(ids, Rng.seeded(seed ^ SPLIT_SALT));
    this.validIndex = Arrays.copyOfRange(ids, 0, held);
    this.trainIndex = Arrays.copyOfRange(ids, held, n);
    Arrays.sort(validIndex);
    Arrays.sort(trainIndex);
    this.order = LengthBuckets.of(trainIndex, lengths, batch, buckets, seed);
    List<Batch> v = new ArrayList<>();
    for (int[] picked : LengthBuckets.byLength(validIndex, lengths, EVALUATION_BATCH)) {
      v.add(make(picked));
    }
    this.validation = List.copyOf(v);
  }

  /** The bundled corpus ({@link CharLmTask#bundledText()}) with the defaults. */
  public static CharLmLinesTask bundled(int batch, long seed) {
    return new CharLmLinesTask(CharLmTask.BUNDLED, CharLmTask.bundledText(), DEFAULT_MAX_LENGTH, batch, seed,
        LengthBuckets.DEFAULT);
  }

  public String vocabulary() {
    return vocabulary;
  }

  public int vocabularySize() {
    return vocabulary.codePointCount(0, vocabulary.length());
  }

  /** The number of sequences (lines, or pieces of lines longer than the limit). */
  public int sequences() {
    return lines.length;
  }

  public int trainingSequences() {
    return trainIndex.length;
  }

  public int validationSequences() {
    return validIndex.length;
  }

  /** The longest sequence: every batch is at most this long. */
  public int longest() {
    return Arrays.stream(lengths).max().orElse(0);
  }

  /** Each sequence's length, in the order of the text. */
  public int[] lengths() {
    return lengths.clone();
  }

  @Override
  public String name() {
    return "charlm-lines";
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("text", source);
    m.put("lines", Integer.toString(lines.length));
    m.put("max_length", Integer.toString(maxLength));
    m.put("batch", Integer.toString(batch));
    m.put("buckets", Integer.toString(order.buckets()));
    m.put("split_seed", Long.toString(seed));
    m.put("vocabulary", vocabulary);
    return m;
  }

  @Override
  public SequenceModel model(Cell cell, int hiddenSize, double dropout) {
    return CharLmTask.model(cell, vocabularySize(), hiddenSize, dropout);
  }

  @Override
  public String bidirectionalRefusal() {
    return "it predicts each character from the ones before it, and the reverse direction would read the "
        + "very characters it is to predict";
  }

  @Override
  public Batch trainingBatch(long step, Rng rng) {
    return make(order.batch(step));
  }

  @Override
  public List<Batch> validationBatches() {
    return validation;
  }

  /** The batch of the sequences {@code picked}: ids {@code [T', b]}, T' the longest, padded with id 0. */
  private Batch make(int[] picked) {
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
      int[] line = lines[picked[e]];
      int[] after = next[picked[e]];
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
    return String.format(java.util.Locale.ROOT, "character model on the lines of %s (%,d lines of 1 to %d "
        + "characters, %,d characters, vocabulary %d; %,d training, %,d validation; batch %d, %d bucket%s)", source,
        lines.length, longest(), characters, vocabularySize(), trainIndex.length, validIndex.length, batch,
        order.buckets(), order.buckets() == 1 ? "" : "s");
  }
}
