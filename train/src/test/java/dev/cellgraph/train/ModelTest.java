package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.nn.SequenceModel;
import dev.cellgraph.train.nn.Targets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTest {
  private static final Cell CELL = FormulaCell.of("rnn", CellSpec.parse("""
      input x
      state h
      h' = tanh(W x + U h + b)
      """, "rnn.cell"));

  @TempDir Path dir;

  /** x [T, B, 1] standard normal; y [T, B, 1] is x one step earlier (0 at the first step). */
  private static Tensor[] delayTask(int steps, int batch, long seed) {
    Tensor x = Initializers.normal(Rng.seeded(seed), DType.FLOAT64, Shape.of(steps, batch, 1), 0, 1);
    double[] xv = x.toDoubleArray();
    double[] yv = new double[xv.length];
    System.arraycopy(xv, 0, yv, batch, xv.length - batch);
    return new Tensor[] {x, Tensor.of(yv, steps, batch, 1)};
  }

  @Test
  void theEagerLoopLearnsToDelayASequenceByOneStep() {
    Tensor[] d = delayTask(8, 16, 3);
    Model model = Model.of(CELL, Targets.VALUES_PER_STEP, 1, 8, 1, DType.FLOAT64, 7);
    Optimizer adam = Optimizer.adam();
    double first = model.evaluate(d[0], d[1]);
    for (int step = 0; step < 150; step++) {
      Model.Loss loss = model.loss(d[0], d[1]);
      adam.step(model.parameters(), loss.gradients(), 2e-2);
    }
    double last = model.evaluate(d[0], d[1]);
    assertTrue(last < 0.1 * first, "loss " + first + " -> " + last);
    assertEquals(Shape.of(8, 16, 1), model.predict(d[0]).shape());
  }

  /** A task that serves one fixed batch, so a trainer and the eager loop see the same data. */
  private static Task fixed(Batch b) {
    return new Task() {
      @Override public String name() { return "fixed"; }
      @Override public Map<String, String> settings() { return Map.of(); }
      @Override public SequenceModel model(Cell cell, int hiddenSize, double dropout) {
        return SequenceModel.ofFeatures(cell, 1, hiddenSize, 1, dropout);
      }
      @Override public Batch trainingBatch(long step, Rng rng) { return b; }
      @Override public List<Batch> validationBatches() { return List.of(b); }
      @Override public Node loss(SequenceModel.Forward forward, Map<String, Node> batch) {
        return Targets.VALUES_PER_STEP.loss(forward, batch.get("target"), null);
      }
    };
  }

  @Test
  void eagerStepsGiveTheTrainersParametersBitForBit() throws Exception {
    Tensor[] d = delayTask(6, 4, 5);
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("input", d[0]);
    m.put("target", d[1]);
    Trainer.Config config = Trainer.Config.builder().steps(4).seed(11).dtype(DType.FLOAT64).hiddenSize(5)
        .optimizer("sgd").learningRate(LearningRate.constant(0.1)).clipNorm(0).validateEvery(0).build();
    Trainer trainer = Trainer.create(CELL, fixed(Batch.of(m)), config);
    trainer.run(new Trainer.Listener() {});

    Model model = Model.of(CELL, Targets.VALUES_PER_STEP, 1, 5, 1, DType.FLOAT64, 11);
    Optimizer sgd = Optimizer.named("sgd");
    for (int step = 0; step < 4; step++) {
      sgd.step(model.parameters(), model.loss(d[0], d[1]).gradients(), 0.1);
    }
    assertEquals(trainer.parameters().keySet(), model.parameters().keySet());
    for (String p : trainer.parameters().keySet()) {
      assertArrayEquals(trainer.parameters().get(p).toDoubleArray(), model.parameters().get(p).toDoubleArray(), p);
    }
    assertEquals(trainer.validate(), model.evaluate(d[0], d[1]));
  }

  @Test
  void eagerGradientsMatchFiniteDifferencesInFloat64() {
    Tensor x = Initializers.normal(Rng.seeded(1), DType.FLOAT64, Shape.of(4, 3, 2), 0, 1);
    Tensor y = Tensor.of(DType.INT64, new double[] {0, 2, 1}, Shape.of(3));
    int[] lengths = {4, 2, 3};
    Model model = Model.of(SequenceModel.ofFeatures(CELL, 2, 3, 3, 0), Targets.CLASS_PER_SEQUENCE, DType.FLOAT64, 2);
    Model.Loss loss = model.loss(x, y, lengths);
    double eps = 1e-6;
    int checked = 0;
    for (Map.Entry<String, Tensor> e : loss.gradients().entrySet()) {
      String name = e.getKey();
      Tensor p0 = model.parameters().get(name);
      double[] g = e.getValue().toDoubleArray();
      for (int i = 0; i < g.length; i++) {
        double[] v = p0.toDoubleArray();
        v[i] += eps;
        model.parameters().put(name, Tensor.of(DType.FLOAT64, v, p0.shape()));
        double up = model.loss(x, y, lengths).value();
        v[i] -= 2 * eps;
        model.parameters().put(name, Tensor.of(DType.FLOAT64, v, p0.shape()));
        double down = model.loss(x, y, lengths).value();
        model.parameters().put(name, p0);
        double numeric = (up - down) / (2 * eps);
        assertEquals(numeric, g[i], 1e-7 * Math.max(1, Math.abs(numeric)), name + "[" + i + "]");
        checked++;
      }
    }
    assertEquals(model.network().parameterCount(), checked);
    assertEquals(loss.value(), model.loss(x, y, lengths).value()); // the parameters were put back exactly
  }

  @Test
  void theBuiltInGradientCheckPassesAndRefusesFloat32() {
    Tensor[] d = delayTask(5, 2, 9);
    GradCheck.Report r = Model.of(CELL, Targets.VALUES_PER_STEP, 1, 4, 1, DType.FLOAT64, 3).gradientCheck(d[0], d[1]);
    assertTrue(r.passed(), r.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Model.of(CELL, Targets.VALUES_PER_STEP, 1, 4, 1, DType.FLOAT32, 3).gradientCheck(d[0], d[1]));
    assertEquals("gradient checks run in float64; this model is float32", e.getMessage());
  }

  @Test
  void wrongTensorsAreRefusedNamingTheShapes() {
    Model model = Model.of(CELL, Targets.VALUES_PER_STEP, 2, 4, 1, DType.FLOAT32, 3);
    Tensor x = Tensor.zeros(DType.FLOAT32, Shape.of(5, 2, 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> model.loss(x, Tensor.zeros(DType.FLOAT32, Shape.of(5, 2))));
    assertEquals("the target is float32[5, 2]; VALUES_PER_STEP with the input [5, 2, 2] needs float [5, 2, 1]",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> model.loss(Tensor.zeros(DType.FLOAT32, Shape.of(2, 5, 3)), Tensor.zeros(DType.FLOAT32, Shape.of(2, 5, 1))));
    assertEquals("the input is [2, 5, 3], this model reads [T, B, 2] (time-major; batch-first data is "
        + "x.permute(1, 0, 2))", e.getMessage());
    model.parameters().put("head.bias", Tensor.zeros(DType.FLOAT32, Shape.of(2)));
    IllegalStateException s = assertThrows(IllegalStateException.class, () -> model.predict(x));
    assertEquals("parameter 'head.bias' is float32[2], the model needs float32[1]", s.getMessage());
  }

  @Test
  void savedParametersLoadIntoAModelOfTheSameShape() throws Exception {
    Tensor[] d = delayTask(5, 2, 9);
    Model a = Model.of(CELL, Targets.VALUES_PER_STEP, 1, 4, 1, DType.FLOAT64, 3);
    Model b = Model.of(CELL, Targets.VALUES_PER_STEP, 1, 4, 1, DType.FLOAT64, 4);
    Path file = dir.resolve("model.safetensors");
    a.save(file);
    b.load(file);
    assertArrayEquals(a.predict(d[0]).toDoubleArray(), b.predict(d[0]).toDoubleArray());
    Model wider = Model.of(CELL, Targets.VALUES_PER_STEP, 1, 5, 1, DType.FLOAT64, 3);
    Exception e = assertThrows(dev.cellgraph.core.InvalidInputException.class, () -> wider.load(file));
    assertEquals(file + ": parameter 'rnn.W' is float64[4, 1], this model needs float64[5, 1]", e.getMessage());
  }
}
