package dev.cellgraph.train.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user's sequences from a safetensors file: the four kinds of targets, lengths, and the file's mistakes. */
class SequenceFileTaskTest {
  private static final int N = 40;
  private static final int T = 6;

  private static Tensor inputs() {
    return inputs(N);
  }

  private static Tensor inputs(int n) {
    Rng r = Rng.seeded(3);
    double[] v = new double[n * T * 2];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextDouble() * 2 - 1;
    }
    return Tensor.of(DType.FLOAT32, v, Shape.of(n, T, 2));
  }

  /** Class 1 when the first step's first feature is positive: the model must remember it T steps. */
  private static Tensor firstSign(Tensor inputs) {
    int n = inputs.shape().dim(0);
    double[] x = inputs.toDoubleArray();
    double[] c = new double[n];
    for (int s = 0; s < n; s++) {
      c[s] = x[s * T * 2] > 0 ? 1 : 0;
    }
    return Tensor.of(DType.INT64, c, Shape.of(n));
  }

  private static Map<String, Tensor> data(Tensor targets, Tensor lengths) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("inputs", inputs());
    m.put("targets", targets);
    if (lengths != null) {
      m.put("lengths", lengths);
    }
    return m;
  }

  private static double validationAfter(SequenceFileTask task, int steps) throws Exception {
    Trainer t = Trainer.create(BuiltinCell.named("gru", true), task,
        Trainer.Config.builder().steps(Math.max(1, steps)).hiddenSize(8).validateEvery(0).learningRate(
            dev.cellgraph.train.LearningRate.constant(0.03)).build());
    if (steps > 0) {
      t.run(new Trainer.Listener() {});
    }
    return t.validate();
  }

  private static double bidirectionalValidation(SequenceFileTask task) {
    return Trainer.create(BuiltinCell.named("gru", true), task,
        Trainer.Config.builder().steps(1).hiddenSize(8).recurrent(2, true).build()).validate();
  }

  @Test
  void aClassPerSequenceIsLearnedFromTheLastStep(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("data.safetensors");
    Tensor x = inputs(400);
    SafeTensors.write(file, Map.of("inputs", x, "targets", firstSign(x)));
    SequenceFileTask task = SequenceFileTask.load(file, 16, 1);
    assertEquals(dev.cellgraph.train.nn.Targets.CLASS_PER_SEQUENCE, task.targets());
    assertEquals(2, task.outputs());
    assertEquals(360, task.trainingSequences());
    assertEquals(40, task.validationSequences());
    double before = validationAfter(task, 1);
    double after = validationAfter(task, 150);
    assertTrue(after < 0.5 * before, "validation cross-entropy " + before + " -> " + after);
  }

  @Test
  void paddingAfterASequencesLengthNeverCounts() throws Exception {
    double[] lengths = new double[N];
    for (int s = 0; s < N; s++) {
      lengths[s] = 2 + s % (T - 1);
    }
    Tensor len = Tensor.of(DType.INT64, lengths, Shape.of(N));
    double[] y = new double[N * T * 3];
    Rng r = Rng.seeded(5);
    for (int i = 0; i < y.length; i++) {
      y[i] = r.nextDouble();
    }
    double[] padded = y.clone();
    double[] inside = y.clone();
    for (int s = 0; s < N; s++) {
      for (int k = 0; k < 3; k++) {
        padded[(s * T + T - 1) * 3 + k] += lengths[s] < T ? 100 : 0; // the last step is padding unless the length is T
      }
      inside[(s * T) * 3] += 100;
    }
    Shape shape = Shape.of(N, T, 3);
    double base = validationAfter(SequenceFileTask.of("y", data(Tensor.of(DType.FLOAT32, y, shape), len), 8, 1), 0);
    assertEquals(base, validationAfter(SequenceFileTask.of("y", data(Tensor.of(DType.FLOAT32, padded, shape), len),
        8, 1), 0));
    assertNotEquals(base, validationAfter(SequenceFileTask.of("y", data(Tensor.of(DType.FLOAT32, inside, shape), len),
        8, 1), 0));

    // a class per sequence is read at the sequence's own last step: the steps after it do not matter
    Map<String, Tensor> a = data(firstSign(inputs()), len);
    double[] x = a.get("inputs").toDoubleArray();
    for (int s = 0; s < N; s++) {
      for (int t = (int) lengths[s]; t < T; t++) {
        x[(s * T + t) * 2] = 50;
      }
    }
    Map<String, Tensor> b = new LinkedHashMap<>(a);
    b.put("inputs", Tensor.of(DType.FLOAT32, x, Shape.of(N, T, 2)));
    assertEquals(validationAfter(SequenceFileTask.of("c", a, 8, 1), 0),
        validationAfter(SequenceFileTask.of("c", b, 8, 1), 0));
    // and so does a bidirectional model: its reverse direction starts at each sequence's own last step
    assertEquals(bidirectionalValidation(SequenceFileTask.of("c", a, 8, 1)),
        bidirectionalValidation(SequenceFileTask.of("c", b, 8, 1)));
  }

  @Test
  void theFilesMistakesAreNamed(@TempDir Path tmp) throws Exception {
    Path garbage = tmp.resolve("garbage.safetensors");
    Files.writeString(garbage, "hello, world");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> SequenceFileTask.load(garbage, 8, 1));
    assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());

    Map<String, Tensor> noTargets = new LinkedHashMap<>();
    noTargets.put("inputs", inputs());
    e = assertThrows(InvalidInputException.class, () -> SequenceFileTask.of("d.safetensors", noTargets, 8, 1));
    assertEquals("d.safetensors: needs tensors 'inputs' [N, T, I] and 'targets', has [inputs]", e.getMessage());

    e = assertThrows(InvalidInputException.class, () -> SequenceFileTask.of("d.safetensors",
        data(Tensor.of(DType.INT64, new double[N * 2], Shape.of(N, 2)), null), 8, 1));
    assertEquals("d.safetensors: 'targets' is int64[40, 2]; with inputs [40, 6, 2] it must be int64 [40] or [40, 6] "
        + "(classes), or float [40, O] or [40, 6, O] (values)", e.getMessage());

    double[] bad = new double[N];
    java.util.Arrays.fill(bad, 3);
    bad[7] = 9;
    e = assertThrows(InvalidInputException.class, () -> SequenceFileTask.of("d.safetensors",
        data(firstSign(inputs()), Tensor.of(DType.INT64, bad, Shape.of(N))), 8, 1));
    assertEquals("d.safetensors: 'lengths' holds 9 at sequence 7; each must be in [1, 6]", e.getMessage());

    e = assertThrows(InvalidInputException.class, () -> SequenceFileTask.of("d.safetensors",
        data(firstSign(inputs()), null), 37, 1));
    assertEquals("d.safetensors: a batch of 37 sequences needs at least that many for training; the file has 40 "
        + "sequences, 36 after holding out 4 for validation (give a smaller --batch)", e.getMessage());
  }
}
