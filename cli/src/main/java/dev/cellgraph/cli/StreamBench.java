package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.cells.Stepper;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code cellgraph bench --stream}: the latency of one inference step of a recurrent layer run
 * as an online model runs it ({@link Stepper}: B streams, default 1, one time step per call, the
 * states carried), as {@code tools/bench/djl-torch}'s {@code stream} mode times PyTorch. Several
 * cells are stepped alternately, one step each in turn, so that a slow second of a shared core
 * falls on all of them.
 */
final class StreamBench {
  /** Distinct inputs cycled through, so that no step sees the same input as the one before. */
  private static final int INPUTS = 64;

  private StreamBench() {}

  /** One cell's stepper with its inputs. */
  private static final class Stream {
    final String name;
    final String impl;
    final Stepper stepper;
    final Tensor[] inputs = new Tensor[INPUTS];
    int next;

    Stream(String name, String impl, Cell cell, int in, int hid, int layers, int batch, DType dtype, long seed) {
      this.name = name;
      this.impl = impl;
      Rng rng = Rng.seeded(seed);
      Recurrent layer = Recurrent.of(cell, in, hid, layers, false);
      Tensor x = Initializers.normal(rng, dtype, Shape.of(INPUTS, batch, in), 0, 1);
      stepper = layer.stepper(layer.initialize(rng, dtype), batch);
      for (int i = 0; i < INPUTS; i++) {
        inputs[i] = x.select(0, i);
      }
    }

    Tensor step() {
      Tensor x = inputs[next];
      next = (next + 1) % INPUTS;
      return stepper.step(x);
    }
  }

  /**
   * Times {@code reps} steps of each cell (alternating) after the warm-up, and prints a line for
   * each: the median seconds per step, and for the second cell the ratio of its median to the first's.
   */
  static int measure(List<String> names, List<String> impls, List<Cell> cells, String ratioField, int in, int hid,
      int layers, int batch, int reps, int warmup, double warmupSeconds, long seed, DType dtype, String config,
      int threads, boolean json, PrintStream out) {
    List<Stream> streams = new ArrayList<>();
    for (int k = 0; k < cells.size(); k++) {
      streams.add(new Stream(names.get(k), impls.get(k), cells.get(k), in, hid, layers, batch, dtype, seed));
    }
    long warmStart = System.nanoTime();
    for (int i = 0; i < warmup || (System.nanoTime() - warmStart) / 1e9 < warmupSeconds; i++) {
      for (Stream s : streams) {
        s.step();
      }
    }
    double[][] secs = new double[streams.size()][reps];
    BenchCommand.HeapWatch heap = new BenchCommand.HeapWatch();
    try {
      for (int i = 0; i < reps; i++) {
        for (int k = 0; k < streams.size(); k++) {
          Stream s = streams.get(k);
          long t0 = System.nanoTime();
          s.step();
          secs[k][i] = (System.nanoTime() - t0) / 1e9;
        }
      }
    } finally {
      heap.close();
    }
    for (int k = 0; k < streams.size(); k++) {
      Stream s = streams.get(k);
      double median = BenchCommand.median(secs[k]);
      double best = Arrays.stream(secs[k]).min().getAsDouble();
      String ratio = k > 0 ? String.format(Locale.ROOT, "%.3f", median / BenchCommand.median(secs[0])) : null;
      if (json) {
        out.println(String.format(Locale.ROOT,
            "{\"cell\": \"%s\", \"impl\": \"%s\", \"config\": %s, \"threads\": %d, \"I\": %d, \"H\": %d, "
                + "\"B\": %d, \"T\": 1, \"layers\": %d, \"seconds\": %.8f, \"best_seconds\": %.8f, \"dtype\": \"%s\", "
                + "\"peak_heap_mb\": %.1f, \"live_heap_mb\": %.1f, \"mode\": \"stream\", \"steps\": %d%s}",
            s.name.replace("\\", "\\\\").replace("\"", "\\\""), s.impl,
            config == null ? "null" : "\"" + config + "\"", threads, in, hid, batch, layers, median, best,
            dtype.lowerName(), heap.peakBytes() / 1048576.0, heap.liveBytes() / 1048576.0, reps,
            streams.size() > 1 ? ", \"interleaved\": true" + (ratio == null ? "" : ", \"" + ratioField + "\": " + ratio)
                : ""));
      } else {
        out.println(String.format(Locale.ROOT,
            "%s (%s) stream I=%d H=%d B=%d, %d layer%s, %s, %d thread%s: %.2f µs/step (median of %d steps, best %.2f)%s",
            s.name, s.impl, in, hid, batch, layers, layers == 1 ? "" : "s", dtype.lowerName(), threads,
            threads == 1 ? "" : "s", median * 1e6, reps, best * 1e6,
            ratio == null ? "" : ", " + ratio + " x " + streams.get(0).name + " (" + streams.get(0).impl
                + ", interleaved)"));
      }
    }
    return 0;
  }
}
