package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One layer's compiled forward and backward (one plan, its compiled scan, the same parameter
 * tensors) run from 8 threads at once, 50 runs each, gives bit for bit the results of running
 * the same inputs one after another.
 */
class ConcurrentRunsTest {
  private static final int THREADS = 8;
  private static final int RUNS = 50;

  private static Cell cell(String name) {
    return name.startsWith("builtin:") ? BuiltinCell.named(name.substring(8), true) : FormulaCell.of(name, Zoo.load(name));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"lstm float64", "gru float32", "builtin:lstm float32"})
  void concurrentRunsAreBitIdenticalToSequentialOnes(String test) throws Exception {
    String name = test.split(" ")[0];
    DType dtype = DType.parse(test.split(" ")[1]);
    {
      Recurrent layer = Recurrent.of(cell(name), 4, 6);
      Map<String, Tensor> params = layer.initialize(Rng.seeded(7), dtype);
      int n = THREADS * RUNS;
      List<Tensor> inputs = new ArrayList<>();
      List<Tensor> grads = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Rng r = Rng.seeded(100 + i);
        inputs.add(Initializers.normal(r, dtype, Shape.of(5, 3, 4), 0, 1));
        grads.add(Initializers.normal(r, dtype, Shape.of(5, 3, layer.outputSize()), 0, 1));
      }
      List<Recurrent.Result> sequential = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        sequential.add(layer.run(params, inputs.get(i), Map.of(), grads.get(i)));
      }
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<Recurrent.Result>>> fs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          final int thread = t;
          fs.add(pool.submit(() -> {
            start.await();
            List<Recurrent.Result> mine = new ArrayList<>();
            for (int k = 0; k < RUNS; k++) {
              int i = k * THREADS + thread;  // neighbouring runs on different threads
              mine.add(layer.run(params, inputs.get(i), Map.of(), grads.get(i)));
            }
            return mine;
          }));
        }
        start.countDown();
        int mismatches = 0;
        for (int t = 0; t < THREADS; t++) {
          List<Recurrent.Result> mine = fs.get(t).get();
          for (int k = 0; k < RUNS; k++) {
            Recurrent.Result want = sequential.get(k * THREADS + t);
            Recurrent.Result got = mine.get(k);
            if (!want.output().equals(got.output()) || !want.finalStates().equals(got.finalStates())
                || !want.gradients().equals(got.gradients())) {
              mismatches++;
            }
          }
        }
        assertEquals(0, mismatches, name + " " + dtype.lowerName() + ": runs that differ from the sequential ones");
      } finally {
        pool.shutdown();
      }
    }
  }
}
