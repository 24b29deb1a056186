package dev.cellgraph.train.tasks;

import dev.cellgraph.core.InvalidInputException;
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
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A character-level language model (the char-rnn experiment): predict each character of a text
 * from the ones before it. The last tenth of the text is held out. Training reads the rest as
 * {@code B} parallel streams cut into chunks of {@code T} characters; the recurrent state is
 * carried from one chunk to the next (truncated backpropagation through time), and reset when a
 * stream wraps around. Reported in bits per character on the held-out text.
 *
 * <p>Batches depend only on the step, so a resumed run reads exactly what it would have read.
 *
 * <p>Immutable and thread-safe: a batch depends only on the step.
 */
public final class CharLmTask implements Task {
  /** The bundled corpus: an excerpt of the Jargon File 4.4.7 (public domain); see data/README.md. */
  public static final String BUNDLED = "jargon.txt";

  /**
   * The texts bundled for the character model (see data/README.md): English prose, where a short
   * window of characters already predicts well, and a table whose structure reaches further back.
   */
  public enum Corpus {
    /** An excerpt of the Jargon File 4.4.7, public-domain English prose (133,856 characters). */
    JARGON("jargon", BUNDLED),
    /**
     * The lines of U+0000 to U+1FFF of UnicodeData.txt, Unicode 15.0.0 (417,291 characters): records
     * of 15 ';'-separated fields, each code point usually the previous line's plus one.
     */
    UNICODE("unicode", "unicode-data.txt");

    private final String label;
    private final String resource;

    Corpus(String label, String resource) {
      this.label = label;
      this.resource = resource;
    }

    /**
     * The name a user gives ({@code --corpus jargon}).
     *
     * @return the corpus's short name
     */
    public String label() {
      return label;
    }

    /**
     * The resource's file name, which names the text in checkpoints and reports.
     *
     * @return the file name of the bundled text
     */
    public String fileName() {
      return resource;
    }

    /**
     * The corpus of a short name.
     *
     * @param label a short name such as {@code unicode}
     * @return the corpus of that name
     * @throws IllegalArgumentException for an unknown name, listing the known ones
     */
    public static Corpus named(String label) {
      for (Corpus c : values()) {
        if (c.label.equals(label)) {
          return c;
        }
      }
      throw new IllegalArgumentException("unknown corpus '" + label + "': expected jargon or unicode");
    }

    /**
     * The text, decoded as UTF-8, without the leading {@code #} lines of a file's licence notice.
     *
     * @return the bundled text
     */
    public String text() {
      String s;
      try (InputStream in = CharLmTask.class.getResourceAsStream("/dev/cellgraph/train/tasks/data/" + resource)) {
        if (in == null) {
          throw new IllegalStateException("the bundled corpus " + resource + " is missing from the jar");
        }
        s = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read the bundled corpus " + resource, e);
      }
      // the Unicode licence asks a modified file to say so: that header is not part of the text
      int from = 0;
      while (s.startsWith("#", from) && s.indexOf('\n', from) >= 0) {
        from = s.indexOf('\n', from) + 1;
      }
      return s.substring(from);
    }
  }

  /** Why a bidirectional model does not fit a character model (for {@link #bidirectionalRefusal}). */
  static final String NEXT_CHARACTER = "it predicts each character from the ones before it, and the reverse "
      + "direction would read the very characters it is to predict";

  private final String source;
  private final String vocabulary;
  private final int[] trainIds;
  private final int[] validIds;
  private final int length;
  private final int batch;
  private final List<Batch> validation;

  /**
   * A task over {@code text}; {@code source} names it in checkpoints. {@code vocabulary}, when not
   * null, fixes the characters and their ids (a character outside it is an error), else it is the
   * sorted set of the text's characters.
   *
   * @param source the text's name, recorded in checkpoints
   * @param text the whole text, nine tenths for training and the last tenth held out
   * @param vocabulary the characters in id order, or null for the text's own sorted set
   * @param length the number of characters T per chunk (at least 1)
   * @param batch the number of parallel streams B (at least 1)
   */
  public CharLmTask(String source, String text, String vocabulary, int length, int batch) {
    if (length < 1 || batch < 1) {
      throw new IllegalArgumentException("sequence length (" + length + ") and batch size (" + batch
          + ") must be at least 1");
    }
    this.source = source;
    this.length = length;
    this.batch = batch;
    this.vocabulary = vocabulary == null ? vocabularyOf(text) : vocabulary;
    int[] ids = encode(text);
    int split = heldOutFrom(ids.length);
    this.trainIds = java.util.Arrays.copyOfRange(ids, 0, split);
    this.validIds = java.util.Arrays.copyOfRange(ids, split, ids.length);
    int need = batch * (length + 1);
    if (trainIds.length < need || validIds.length < Math.min(16, batch) * (length + 1)) {
      throw new InvalidInputException(source + ": the text has " + ids.length + " characters; a batch of "
          + batch + " streams of " + length + " characters needs at least " + (need * 10 / 9 + 1)
          + " (nine tenths train, one tenth held out)");
    }
    this.validation = makeValidation();
  }

  /**
   * The bundled corpus as text.
   *
   * @return the bundled Jargon File excerpt, decoded as UTF-8
   */
  public static String bundledText() {
    return Corpus.JARGON.text();
  }


  /**
   * The validation bits per character of an interpolated Kneser-Ney n-gram model of order
   * {@code order} counted on the training text: the count-based baseline of this split.
   *
   * @param order the n-gram order n, in [1, 8]
   * @return the n-gram model's bits per character on the held-out text
   */
  public double ngramBitsPerCharacter(int order) {
    int[] all = new int[trainIds.length + validIds.length];
    System.arraycopy(trainIds, 0, all, 0, trainIds.length);
    System.arraycopy(validIds, 0, all, trainIds.length, validIds.length);
    return new NGramModel(trainIds, vocabularySize(), order).bitsPerCharacter(all, trainIds.length);
  }

  /**
   * The characters of the vocabulary, in id order.
   *
   * @return the vocabulary's characters, in id order
   */
  public String vocabulary() {
    return vocabulary;
  }

  /**
   * The number of characters in the vocabulary.
   *
   * @return the vocabulary size, in code points
   */
  public int vocabularySize() {
    return vocabulary.codePointCount(0, vocabulary.length());
  }

  /**
   * The vocabulary of a text: its distinct characters (code points) in code point order.
   *
   * @param text the text
   * @return the text's distinct code points, sorted
   */
  public static String vocabularyOf(String text) {
    TreeSet<Integer> cps = new TreeSet<>();
    text.codePoints().forEach(cps::add);
    StringBuilder sb = new StringBuilder();
    cps.forEach(sb::appendCodePoint);
    return sb.toString();
  }

  /**
   * Where the held-out part of a text of {@code characters} characters (code points) begins: its
   * last tenth, rounded down, is held out.
   *
   * @param characters the length of the text in code points
   * @return the index of the first held-out character
   */
  public static int heldOutFrom(int characters) {
    return characters - characters / 10;
  }

  /**
   * The ids of a text's characters; a character outside the vocabulary is an error naming it.
   *
   * @param text the text to encode
   * @return the id of each of the text's code points
   */
  public int[] encode(String text) {
    return encode(vocabulary, text);
  }

  /**
   * The ids of a text's characters in {@code vocabulary} (an id is a character's position in it); a
   * character outside it is an error naming it.
   *
   * @param vocabulary the characters in id order
   * @param text the text to encode
   * @return the id of each of the text's code points
   */
  public static int[] encode(String vocabulary, String text) {
    Map<Integer, Integer> index = new LinkedHashMap<>();
    int[] cps = vocabulary.codePoints().toArray();
    for (int i = 0; i < cps.length; i++) {
      index.put(cps[i], i);
    }
    int[] ids = text.codePoints().map(c -> {
      Integer id = index.get(c);
      if (id == null) {
        throw new InvalidInputException("character " + new String(Character.toChars(c)) + " (U+"
            + String.format("%04X", c) + ") is not in the model's vocabulary");
      }
      return id;
    }).toArray();
    return ids;
  }

  /**
   * The character of an id.
   *
   * @param id the character's id, 0 to the vocabulary size - 1
   * @return the character, as a string of one code point
   */
  public String decode(int id) {
    int[] cps = vocabulary.codePoints().toArray();
    return new String(Character.toChars(cps[id]));
  }

  @Override
  public String name() {
    return "charlm";
  }

  @Override
  public Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("text", source);
    m.put("characters", Integer.toString(trainIds.length + validIds.length));
    m.put("length", Integer.toString(length));
    m.put("batch", Integer.toString(batch));
    m.put("vocabulary", vocabulary);
    return m;
  }

  @Override
  public String bidirectionalRefusal() {
    return NEXT_CHARACTER;
  }

  @Override
  public SequenceModel model(Cell cell, int hiddenSize, double dropout) {
    return model(cell, vocabularySize(), hiddenSize, dropout);
  }

  /**
   * The model of this task for a vocabulary of {@code vocab} characters (what a checkpoint holds).
   *
   * @param cell the recurrent cell
   * @param vocab the vocabulary size, the model's input ids and output classes
   * @param hiddenSize the hidden size H
   * @param dropout the dropout probability on the recurrent outputs
   * @return the model, its embedding of size {@code min(32, hiddenSize)}
   */
  public static SequenceModel model(Cell cell, int vocab, int hiddenSize, double dropout) {
    return SequenceModel.ofTokens(cell, vocab, Math.min(32, hiddenSize), hiddenSize, vocab, dropout);
  }

  @Override
  public boolean carriesState() {
    return true;
  }

  @Override
  public Batch trainingBatch(long step, Rng rng) {
    int lane = trainIds.length / batch;
    int chunks = (lane - 1) / length;
    int k = (int) (step % chunks);
    return chunk(trainIds, lane, batch, k);
  }

  private Batch chunk(int[] ids, int lane, int b, int k) {
    long[] in = new long[length * b];
    long[] target = new long[length * b];
    for (int e = 0; e < b; e++) {
      int start = e * lane + k * length;
      for (int t = 0; t < length; t++) {
        in[t * b + e] = ids[start + t];
        target[t * b + e] = ids[start + t + 1];
      }
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", TensorAccess.wrap(DType.INT64, in, Shape.of(length, b)));
    m.put("target", TensorAccess.wrap(DType.INT64, target, Shape.of(length, b)));
    return new Batch(m, k != 0);
  }

  private List<Batch> makeValidation() {
    int b = Math.min(16, batch);
    int lane = validIds.length / b;
    int chunks = (lane - 1) / length;
    List<Batch> v = new ArrayList<>();
    for (int k = 0; k < chunks; k++) {
      v.add(chunk(validIds, lane, b, k));
    }
    return List.copyOf(v);
  }

  @Override
  public List<Batch> validationBatches() {
    return validation;
  }

  @Override
  public Node loss(SequenceModel.Forward forward, Map<String, Node> batch) {
    return Losses.crossEntropy(forward.outputs(), batch.get("target"));
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
    return String.format(Locale.ROOT, "character model on %s (%,d characters, vocabulary %d, T = %d, batch %d)",
        source, trainIds.length + validIds.length, vocabularySize(), length, batch);
  }
}
