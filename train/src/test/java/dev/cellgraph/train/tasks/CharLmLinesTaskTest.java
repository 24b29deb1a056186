package dev.cellgraph.train.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.Batch;
import dev.cellgraph.train.Trainer;
import dev.cellgraph.train.nn.SequenceModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lines of a text as sequences: their lengths and targets, the split, padding that counts for nothing, the buckets. */
class CharLmLinesTaskTest {
  private static final DType F64 = DType.FLOAT64;
  private static final Cell GRU = BuiltinCell.named("gru", true);

  /** Lines of 1 to 9 characters, 40 of them, with an empty line and a CRLF ending among them. */
  private static String text() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      int length = 1 + (i * 5) % 9;
      for (int c = 0; c < length; c++) {
        sb.append((char) ('a' + (i + c) % 7));
      }
      sb.append(i == 3 ? "\r\n" : "\n");
      if (i == 10) {
        sb.append('\n');
      }
    }
    return sb.toString();
  }

  private static CharLmLinesTask task(int maxLength, int batch, long seed, int buckets) {
    return new CharLmLinesTask("t.txt", text(), maxLength, batch, seed, buckets);
  }

  @Test
  void eachNonEmptyLineIsASequenceThatPredictsItsNextCharacterAndTheEndOfTheLine() {
    CharLmLinesTask task = task(100, 4, 1, 8);
    int[] expected = new int[40];
    Arrays.setAll(expected, i -> 1 + (i * 5) % 9);
    assertArrayEquals(expected, task.lengths());
    String vocabulary = CharLmTask.vocabularyOf(text());
    assertEquals(vocabulary, task.vocabulary());
    // line 3 is "defgabc" (CRLF: the \r is dropped): inputs d e f g a b c, targets e f g a b c \n
    Batch b = task.batchOf(new int[] {3});
    assertArrayEquals(new int[] {7}, b.lengths());
    assertEquals(Arrays.toString(CharLmTask.encode(vocabulary, "defgabc")), ids(b.get("input")));
    assertEquals(Arrays.toString(CharLmTask.encode(vocabulary, "efgabc\n")), ids(b.get("target")));
    // the lines that end in the last tenth of the text (from character 215 of 238) are held out
    assertArrayEquals(new int[] {35, 36, 37, 38, 39}, task.validationSequences());
    assertEquals(35, task.trainingSequences().length);
  }

  @Test
  void aLineLongerThanTheLimitIsCutIntoPiecesThatPredictTheCharacterAfterThem() {
    CharLmLinesTask task = task(4, 4, 1, 8);
    // line 1 "bcdefg" (6) is two pieces, "bcde" then "fg"; line 3 "defgabc" (7) is 4 + 3
    assertArrayEquals(new int[] {1, 4, 2, 2, 4, 3}, Arrays.copyOf(task.lengths(), 6));
    Batch b = task.batchOf(new int[] {1, 2});
    String v = task.vocabulary();
    assertEquals(Arrays.toString(interleave(CharLmTask.encode(v, "bcde"), CharLmTask.encode(v, "fg"))),
        ids(b.get("input")));
    assertEquals(Arrays.toString(interleave(CharLmTask.encode(v, "cdef"), CharLmTask.encode(v, "g\n"))),
        ids(b.get("target")));
    assertArrayEquals(new int[] {4, 2}, b.lengths());
  }

  /** Two sequences time-major, {@code [T, 2]}, the second padded with id 0 to the first's length. */
  private static int[] interleave(int[] first, int[] second) {
    int[] out = new int[2 * first.length];
    for (int t = 0; t < first.length; t++) {
      out[2 * t] = first[t];
      out[2 * t + 1] = t < second.length ? second[t] : 0;
    }
    return out;
  }

  private static String ids(Tensor t) {
    return Arrays.toString(Arrays.stream(t.toDoubleArray()).mapToInt(x -> (int) x).toArray());
  }

  @Test
  void theBundledTextsLines() {
    CharLmLinesTask task = new CharLmLinesTask(CharLmTask.BUNDLED, CharLmTask.bundledText(),
        CharLmLinesTask.DEFAULT_MAX_LENGTH, 32, 1, 8);
    int[] lengths = task.lengths().clone();
    Arrays.sort(lengths);
    assertEquals(2304, lengths.length);
    assertEquals(3, lengths[0]);
    assertEquals(68, (lengths[1151] + lengths[1152]) / 2);
    assertEquals(75, lengths[lengths.length - 1]);
    assertEquals(95, task.vocabularySize());
    assertEquals("character model on the lines of jargon.txt (2,304 sequences of 3 to 75 characters, vocabulary 95; "
        + "2,089 training, 215 validation; batch 32, 8 buckets)", task.toString());
  }

  /** The padded steps of one epoch of training batches over their steps, T' times B summed. */
  private static double paddedFraction(CharLmLinesTask task, int batch) {
    long padded = 0;
    long all = 0;
    int perEpoch = task.trainingSequences().length / batch;
    for (long step = 0; step < perEpoch; step++) {
      Batch b = task.trainingBatch(step, null);
      all += (long) b.steps() * b.batchSize();
      padded += (long) b.steps() * b.batchSize() - b.realSteps();
    }
    return (double) padded / all;
  }

  @Test
  void bucketsCutThePaddingOfTheBundledText() {
    String text = CharLmTask.bundledText();
    double one = paddedFraction(new CharLmLinesTask(CharLmTask.BUNDLED, text, 128, 32, 1, 1), 32);
    double eight = paddedFraction(new CharLmLinesTask(CharLmTask.BUNDLED, text, 128, 32, 1, 8), 32);
    System.out.printf(Locale.ROOT, "padded steps, bundled text, batch 32: 1 bucket %.4f, 8 buckets %.4f%n", one, eight);
    assertTrue(one > 0.15 && one < 0.35, "1 bucket: " + one);
    assertTrue(eight < one / 3, "8 buckets: " + eight + ", 1 bucket: " + one);
  }

  @Test
  void theSameSeedGivesTheSameBatchesAndAnotherSeedOthers() {
    CharLmLinesTask a = task(100, 4, 3, 2);
    CharLmLinesTask b = task(100, 4, 3, 2);
    CharLmLinesTask c = a.withSeed(4);
    boolean differ = false;
    for (long step = 0; step < 20; step++) {
      assertEquals(a.trainingBatch(step, null), b.trainingBatch(step, null), "step " + step);
      differ |= !a.trainingBatch(step, null).equals(c.trainingBatch(step, null));
    }
    assertTrue(differ);
    assertEquals(a.validationBatches(), c.validationBatches());
    assertEquals("3", a.settings().get("seed"));
    assertEquals("4", c.settings().get("seed"));
    assertEquals("2", c.settings().get("buckets"));
  }

  /** The loss (through the task's own loss) and every parameter's gradient for one batch, in float64. */
  private static List<Tensor> lossAndGradients(CharLmLinesTask task, SequenceModel model, Map<String, Tensor> params,
      Batch b) {
    Graph g = new Graph("test");
    Node in = g.input("input", DType.INT64, b.steps(), b.batchSize());
    Node tg = g.input("target", DType.INT64, b.steps(), b.batchSize());
    Node mask = g.input("mask", F64, b.steps(), b.batchSize());
    List<Node> feeds = new ArrayList<>(List.of(in, tg, mask));
    List<Tensor> values = new ArrayList<>(List.of(b.get("input"), b.get("target"),
        Recurrent.lengthMask(b.lengths(), b.steps(), F64)));
    Map<String, Node> pn = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      Node p = g.parameter(e.getKey(), F64, e.getValue().shape().toArray());
      pn.put(e.getKey(), p);
      feeds.add(p);
      values.add(e.getValue());
    }
    SequenceModel.Forward f = model.build(g, in, mask, Map.of(), pn, null, List.of(), false);
    Node loss = task.loss(f, Map.of("input", in, "target", tg));
    List<Node> outs = new ArrayList<>(List.of(loss));
    outs.addAll(Gradients.of(loss, new ArrayList<>(pn.values())).list());
    return Plan.compile(outs, feeds).run(values);
  }

  /** The batch with its tensor {@code name} changed at step t of sequence e to {@code id}. */
  private static Batch with(Batch b, String name, int t, int e, long id) {
    long[] v = Arrays.stream(b.get(name).toDoubleArray()).mapToLong(x -> (long) x).toArray();
    v[t * b.batchSize() + e] = id;
    Map<String, Tensor> m = new LinkedHashMap<>(b.tensors());
    m.put(name, Tensor.ofLongs(v, b.steps(), b.batchSize()));
    return new Batch(m, false, b.lengths());
  }

  @Test
  void paddedTokensChangeNeitherTheLossNorTheGradient() {
    CharLmLinesTask task = task(100, 4, 1, 8);
    SequenceModel model = task.model(GRU, 5, 0);
    Map<String, Tensor> params = model.initialize(Rng.seeded(2), F64);
    Batch b = task.batchOf(new int[] {1, 2, 7});
    assertArrayEquals(new int[] {6, 2, 9}, b.lengths());
    List<Tensor> base = lossAndGradients(task, model, params, b);
    Batch padding = b;
    for (int t = 2; t < 9; t++) {
      padding = with(with(padding, "input", t, 1, 5), "target", t, 1, 6);
    }
    for (int t = 6; t < 9; t++) {
      padding = with(with(padding, "input", t, 0, 3), "target", t, 0, 2);
    }
    assertNotEquals(b, padding);
    assertEquals(base, lossAndGradients(task, model, params, padding));
    // a real step's target does count
    assertNotEquals(base.get(0), lossAndGradients(task, model, params, with(b, "target", 1, 1, 6)).get(0));
  }

  @Test
  void theValidationLossAndBitsPerCharacterAreMeansOverRealCharactersOnly() {
    CharLmLinesTask task = task(100, 4, 1, 8);
    Trainer trainer = Trainer.create(GRU, task, Trainer.Config.builder().steps(1).seed(3).hiddenSize(5).dtype(F64)
        .build());
    double sum = 0;
    int characters = 0;
    for (int s : task.validationSequences()) {
      Batch alone = task.batchOf(new int[] {s});
      sum += alone.realSteps() * lossAndGradients(task, trainer.model(), trainer.parameters(), alone).get(0).item();
      characters += alone.realSteps();
    }
    assertEquals(5 + 1 + 6 + 2 + 7, characters); // lines 35 to 39: 1 + (5 i mod 9) characters
    assertEquals(sum / characters, trainer.validate(), 1e-12);
    assertEquals(trainer.validate() / Math.log(2), task.metric(trainer.validate()), 1e-15);
    assertEquals("bits/char", task.metricName());
  }

  @Test
  void tooFewLinesAndBadSizesAreRefused() {
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> new CharLmLinesTask("small.txt", "ab\ncd\n\nef\n", 100, 4, 1, 8));
    assertEquals("small.txt: the text has 3 non-empty lines (3 sequences of at most 100 characters), 2 for "
        + "training and 1 held out in its last tenth; a batch of 4 needs at least 4 for training and 1 held out",
        e.getMessage());
    IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> task(100, 4, 1, 0));
    assertEquals("the longest sequence (100), the batch size (4) and the buckets (0) must be at least 1",
        b.getMessage());
  }
}
