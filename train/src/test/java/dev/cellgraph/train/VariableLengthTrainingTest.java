package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.Losses;
import dev.cellgraph.train.nn.SequenceModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on sequences of different lengths: the masked loss's gradients, a padded batch against
 * its sequences run one by one, the trainer's weighting of validation batches, truncated BPTT
 * with lengths, and dropout between stacked layers.
 */
class VariableLengthTrainingTest {
  private static final DType F64 = DType.FLOAT64;
  private static final Cell LSTM = BuiltinCell.named("lstm", true);
  private static final Cell GRU = BuiltinCell.named("gru", true);
  private static final int VOCAB = 5;
  private static final int[] LENGTHS = {5, 2, 4};

  /** A token model: vocabulary 5, embedding 3, hidden 3, 2 layers read both ways. */
  private static SequenceModel model(Cell cell) {
    return SequenceModel.ofTokens(cell, VOCAB, 3, 3, VOCAB, 0).withRecurrent(2, true);
  }

  /** Token ids of sequence {@code s}, step {@code t}: fixed, different per sequence. */
  private static long id(int s, int t) {
    return (7L * s + 3L * t + s * t) % VOCAB;
  }

  private static long target(int s, int t) {
    return (id(s, t) + s + 1) % VOCAB;
  }

  /** The sequences {@code picked}, padded to the longest with the id 4 (anything: it never counts). */
  private static Batch batch(int[] picked, int[] lengths, boolean continues, int offset) {
    int b = picked.length;
    int steps = 0;
    for (int l : lengths) {
      steps = Math.max(steps, l);
    }
    long[] in = new long[steps * b];
    long[] tg = new long[steps * b];
    for (int e = 0; e < b; e++) {
      for (int t = 0; t < steps; t++) {
        in[t * b + e] = t < lengths[e] ? id(picked[e], t + offset) : 4;
        tg[t * b + e] = t < lengths[e] ? target(picked[e], t + offset) : 4;
      }
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", Tensor.ofLongs(in, steps, b));
    m.put("target", Tensor.ofLongs(tg, steps, b));
    boolean padded = false;
    for (int l : lengths) {
      padded |= l != steps;
    }
    return new Batch(m, continues, padded ? lengths : null);
  }

  /** The loss and every parameter's gradient for one batch, from the graph the trainer builds. */
  private static List<Tensor> lossAndGradients(SequenceModel model, Map<String, Tensor> params, Batch b) {
    Graph g = new Graph("test");
    Node in = g.input("input", DType.INT64, b.steps(), b.batchSize());
    Node tg = g.input("target", DType.INT64, b.steps(), b.batchSize());
    List<Node> feeds = new ArrayList<>(List.of(in, tg));
    List<Tensor> values = new ArrayList<>(List.of(b.get("input"), b.get("target")));
    Node mask = null;
    if (b.hasLengths()) {
      mask = g.input("mask", F64, b.steps(), b.batchSize());
      feeds.add(mask);
      values.add(Recurrent.lengthMask(b.lengths(), b.steps(), F64));
    }
    Map<String, Node> pn = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      Node p = g.parameter(e.getKey(), F64, e.getValue().shape().toArray());
      pn.put(e.getKey(), p);
      feeds.add(p);
      values.add(e.getValue());
    }
    SequenceModel.Forward f = model.build(g, in, mask, Map.of(), pn, null, List.of(), false);
    Node loss = mask == null ? Losses.crossEntropy(f.outputs(), tg) : Losses.crossEntropy(f.outputs(), tg, mask);
    List<Node> outs = new ArrayList<>(List.of(loss));
    outs.addAll(Gradients.of(loss, new ArrayList<>(pn.values())).list());
    return Plan.compile(outs, feeds).run(values);
  }

  @Test
  void theMaskedTrainingLossPassesTheGradientCheck() {
    for (Cell cell : List.of(LSTM, GRU)) {
      SequenceModel model = model(cell);
      Map<String, Tensor> params = model.initialize(Rng.seeded(3), F64);
      Batch b = batch(new int[] {0, 1, 2}, LENGTHS, false, 0);
      Graph g = new Graph("check");
      Node in = g.input("input", DType.INT64, 5, 3);
      Node tg = g.input("target", DType.INT64, 5, 3);
      Node mask = g.input("mask", F64, 5, 3);
      Map<Node, Tensor> values = new LinkedHashMap<>();
      values.put(in, b.get("input"));
      values.put(tg, b.get("target"));
      values.put(mask, Recurrent.lengthMask(LENGTHS, 5, F64));
      Map<String, Node> pn = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : params.entrySet()) {
        Node p = g.parameter(e.getKey(), F64, e.getValue().shape().toArray());
        pn.put(e.getKey(), p);
        values.put(p, e.getValue());
      }
      Node loss = Losses.crossEntropy(model.build(g, in, mask, Map.of(), pn, null, List.of(), false).outputs(), tg,
          mask);
      GradCheck.Report r = GradCheck.withDefaults().fullLimit(6).directions(3).check(loss, new ArrayList<>(pn.values()), values);
      assertTrue(r.passed(), cell.name() + ": " + r);
    }
  }

  /**
   * The loss is the mean over real steps, so the padded batch's loss and gradients are those of
   * its sequences run alone, each weighted by its length over the sum of the lengths.
   */
  @Test
  void aPaddedBatchGivesTheLossAndGradientsOfItsSequencesRunOneByOne() {
    for (Cell cell : List.of(LSTM, GRU)) {
      SequenceModel model = model(cell);
      Map<String, Tensor> params = model.initialize(Rng.seeded(5), F64);
      List<Tensor> padded = lossAndGradients(model, params, batch(new int[] {0, 1, 2}, LENGTHS, false, 0));
      double total = 0;
      for (int l : LENGTHS) {
        total += l;
      }
      double[][] expected = new double[padded.size()][];
      for (int s = 0; s < LENGTHS.length; s++) {
        List<Tensor> alone = lossAndGradients(model, params, batch(new int[] {s}, new int[] {LENGTHS[s]}, false, 0));
        for (int k = 0; k < alone.size(); k++) {
          double[] v = alone.get(k).toDoubleArray();
          if (expected[k] == null) {
            expected[k] = new double[v.length];
          }
          for (int i = 0; i < v.length; i++) {
            expected[k][i] += v[i] * LENGTHS[s] / total;
          }
        }
      }
      for (int k = 0; k < padded.size(); k++) {
        double[] got = padded.get(k).toDoubleArray();
        for (int i = 0; i < got.length; i++) {
          assertEquals(expected[k][i], got[i], 1e-12, cell.name() + ": output " + k + " element " + i);
        }
      }
    }
  }

  /** A task whose validation batches are given; its training batch is the first of them. */
  private static Task given(List<Batch> batches, boolean carries) {
    return new Task() {
      @Override public String name() { return "given"; }
      @Override public Map<String, String> settings() { return Map.of(); }
      @Override public SequenceModel model(Cell cell, int h, double dropout) {
        return SequenceModel.ofTokens(cell, VOCAB, 3, h, VOCAB, dropout);
      }
      @Override public Batch trainingBatch(long step, Rng rng) { return batches.get(0); }
      @Override public List<Batch> validationBatches() { return batches; }
      @Override public boolean carriesState() { return carries; }
      @Override public Node loss(SequenceModel.Forward f, Map<String, Node> b) {
        return f.stepMask() == null ? Losses.crossEntropy(f.outputs(), b.get("target"))
            : Losses.crossEntropy(f.outputs(), b.get("target"), f.stepMask());
      }
    };
  }

  private static double validation(Cell cell, List<Batch> batches, boolean carries) {
    Trainer.Config c = Trainer.Config.builder().steps(1).seed(9).hiddenSize(4).dtype(F64).build();
    return Trainer.create(cell, given(batches, carries), c).validate();
  }

  @Test
  void theValidationLossIsTheMeanOverEveryRealStepHoweverTheSequencesAreBatched() {
    double together = validation(GRU, List.of(batch(new int[] {0, 1, 2}, LENGTHS, false, 0)), false);
    double sum = 0;
    for (int s = 0; s < LENGTHS.length; s++) {
      sum += LENGTHS[s] * validation(GRU, List.of(batch(new int[] {s}, new int[] {LENGTHS[s]}, false, 0)), false);
    }
    assertEquals(sum / 11, together, 1e-12);
    // batched differently: {0, 2} and {1}
    double split = validation(GRU, List.of(batch(new int[] {0, 2}, new int[] {5, 4}, false, 0),
        batch(new int[] {1}, new int[] {2}, false, 0)), false);
    assertEquals(together, split, 1e-12);
  }

  /**
   * Truncated BPTT: a sequence that ends early in a chunk carries its state at its own last step
   * into the next chunk, as if the chunk had been cut there.
   */
  @Test
  void truncatedBpttCarriesEachSequencesStateFromItsOwnLastStep() {
    for (Cell cell : List.of(LSTM, GRU)) {
      int[] first = {5, 2};
      double both = validation(cell, List.of(batch(new int[] {0, 1}, first, false, 0),
          batch(new int[] {0, 1}, new int[] {3, 3}, true, 5)), true);
      double sum = 0;
      for (int s = 0; s < 2; s++) {
        // alone, sequence s's first chunk is exactly its real steps; the second starts where they end
        double alone = validation(cell, List.of(batch(new int[] {s}, new int[] {first[s]}, false, 0),
            batch(new int[] {s}, new int[] {3}, true, 5)), true);
        sum += alone * (first[s] + 3);
      }
      assertEquals(sum / (5 + 2 + 6), both, 1e-12, cell.name());
      // without carried state the second chunk would start from zero: a different loss
      double reset = validation(cell, List.of(batch(new int[] {0, 1}, first, false, 0),
          batch(new int[] {0, 1}, new int[] {3, 3}, false, 5)), true);
      assertNotEquals(both, reset);
    }
  }

  private static Trainer.Builder stacked(double dropout) {
    return Trainer.Config.builder().steps(9).seed(4).hiddenSize(4).validateEvery(3).dropout(dropout)
        .recurrent(2, false).learningRate(LearningRate.constant(0.02));
  }

  @Test
  void dropoutActsBetweenStackedLayersInTrainingOnlyAndIsSeeded() throws Exception {
    Trainer with = Trainer.create(LSTM, ToyTasks.stream(), stacked(0.4).build());
    assertEquals(0.4, with.model().recurrent().dropout());
    assertEquals(List.of(Shape.of(4, 3, 4)), with.model().layerDropoutMaskShapes(4, 3));
    Trainer without = Trainer.create(LSTM, ToyTasks.stream(), stacked(0).build());
    assertEquals(0.0, without.model().recurrent().dropout());
    assertEquals(without.parameters(), with.parameters());
    assertEquals(without.validate(), with.validate()); // evaluation: no dropout
    Trainer.Listener quiet = new Trainer.Listener() {};
    with.run(quiet);
    without.run(quiet);
    assertNotEquals(without.history().loss().get(0), with.history().loss().get(0));
    Trainer again = Trainer.create(LSTM, ToyTasks.stream(), stacked(0.4).build());
    again.run(quiet);
    assertEquals(with.history().loss(), again.history().loss());
    assertEquals(with.parameters(), again.parameters());
  }

  @Test
  void aResumedStackedRunWithDropoutIsBitIdentical(@TempDir Path tmp) throws Exception {
    Trainer.Listener quiet = new Trainer.Listener() {};
    Trainer whole = Trainer.create(GRU, ToyTasks.stream(), stacked(0.3).checkpoint(tmp.resolve("a"), 0).build());
    whole.run(quiet);
    Trainer.Config parts = stacked(0.3).checkpoint(tmp.resolve("b"), 0).build();
    Trainer.create(GRU, ToyTasks.stream(), parts).run(quiet, 4);
    Trainer resumed = Trainer.resume(GRU, ToyTasks.stream(), parts);
    resumed.run(quiet);
    assertEquals(whole.parameters(), resumed.parameters());
    assertEquals(whole.history().loss(), resumed.history().loss());
  }
}
