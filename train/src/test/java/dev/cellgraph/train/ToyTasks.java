package dev.cellgraph.train;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.Losses;
import dev.cellgraph.train.nn.SequenceModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small tasks that exercise every path of the trainer in milliseconds. */
final class ToyTasks {
  private ToyTasks() {}

  /** Predict the next token of a fixed random stream, read as 3 streams in chunks of 4 with carried state. */
  static Task stream() {
    Rng r = Rng.seeded(11);
    int[] ids = new int[400];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = i % 3 == 0 ? r.nextInt(5) : ids[i - 1] == 4 ? 0 : ids[i - 1] + 1;
    }
    return new Task() {
      @Override public String name() { return "stream"; }
      // ordered, as the real tasks' are: a resumed run compares them with a checkpoint's in order
      @Override public Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("length", "4");
        m.put("batch", "3");
        return m;
      }
      @Override public SequenceModel model(Cell cell, int h, double dropout) {
        return SequenceModel.ofTokens(cell, 5, 3, h, 5, dropout);
      }
      @Override public boolean carriesState() { return true; }
      @Override public Batch trainingBatch(long step, Rng rng) { return chunk(0, (int) (step % 10)); }
      @Override public List<Batch> validationBatches() { return List.of(chunk(300, 0), chunk(300, 1)); }
      @Override public Node loss(SequenceModel.Forward f, Map<String, Node> b) {
        return Losses.crossEntropy(f.outputs(), b.get("target"));
      }

      Batch chunk(int base, int k) {
        long[] in = new long[12];
        long[] tg = new long[12];
        for (int e = 0; e < 3; e++) {
          for (int t = 0; t < 4; t++) {
            int at = base + e * 33 + k * 4 + t;
            in[t * 3 + e] = ids[at];
            tg[t * 3 + e] = ids[at + 1];
          }
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("input", TensorAccess.wrap(DType.INT64, in, Shape.of(4, 3)));
        m.put("target", TensorAccess.wrap(DType.INT64, tg, Shape.of(4, 3)));
        return new Batch(m, k != 0);
      }
    };
  }

  /** Regress the sum of a random sequence's first and last values, from fresh random batches. */
  static Task regression() {
    return new Task() {
      @Override public String name() { return "sum"; }
      @Override public Map<String, String> settings() { return Map.of("length", "6"); }
      @Override public SequenceModel model(Cell cell, int h, double dropout) {
        return SequenceModel.ofFeatures(cell, 1, h, 1, dropout);
      }
      @Override public Batch trainingBatch(long step, Rng rng) { return make(rng); }
      @Override public List<Batch> validationBatches() {
        Rng r = Rng.seeded(5);
        List<Batch> v = new ArrayList<>();
        v.add(make(r));
        return v;
      }
      @Override public Node loss(SequenceModel.Forward f, Map<String, Node> b) {
        return Losses.meanSquaredError(f.outputs().select(0, 5), b.get("target"));
      }

      Batch make(Rng rng) {
        float[] x = new float[6 * 4];
        float[] y = new float[4];
        for (int i = 0; i < x.length; i++) {
          x[i] = rng.nextFloat();
        }
        for (int e = 0; e < 4; e++) {
          y[e] = x[e] + x[5 * 4 + e];
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("input", TensorAccess.wrap(x, Shape.of(6, 4, 1)));
        m.put("target", TensorAccess.wrap(y, Shape.of(4, 1)));
        return Batch.of(m);
      }
    };
  }

  /**
   * {@link #regression()} with one rigged training batch: at step {@code badStep} (from 0) the
   * input holds {@code value} at time 2. NaN makes the loss NaN; an infinity saturates the tanh, so
   * the loss stays finite while the input weight's gradient is {@code inf * 0 = NaN}.
   */
  static Task rigged(long badStep, float value) {
    Task base = regression();
    return new Task() {
      @Override public String name() { return "sum"; }
      @Override public Map<String, String> settings() { return base.settings(); }
      @Override public SequenceModel model(Cell cell, int h, double dropout) { return base.model(cell, h, dropout); }
      @Override public List<Batch> validationBatches() { return base.validationBatches(); }
      @Override public Node loss(SequenceModel.Forward f, Map<String, Node> b) { return base.loss(f, b); }
      @Override public Batch trainingBatch(long step, Rng rng) {
        Batch b = base.trainingBatch(step, rng);
        if (step != badStep) {
          return b;
        }
        float[] x = TensorAccess.floats(b.get("input")).clone();
        java.util.Arrays.fill(x, 2 * 4, 3 * 4, value);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("input", TensorAccess.wrap(x, Shape.of(6, 4, 1)));
        m.put("target", b.get("target"));
        return Batch.of(m);
      }
    };
  }
}
