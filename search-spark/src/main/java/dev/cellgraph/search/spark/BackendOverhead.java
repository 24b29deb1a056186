package dev.cellgraph.search.spark;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.cells.search.Canonical;
import dev.cellgraph.search.Backend;
import dev.cellgraph.search.Evaluator;
import dev.cellgraph.search.LocalBackend;
import dev.cellgraph.search.TrainingEvaluator;
import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code BackendOverhead [TRIALS [STEPS [ROUNDS]]]}: the time the Spark back end on
 * {@code local[2]} takes for a generation of adding-problem trials (LSTM and GRU in turn, H = 16,
 * T = 50, batch 32) against the local back end with two threads, in one JVM after a warm-up of
 * both, ROUNDS times in alternating order; Spark's start is timed apart, and so is a generation
 * whose trials train nothing (the back end's own cost). The figures of docs/performance.md.
 *
 * <p>Thread-safe: each run is its own.
 */
public final class BackendOverhead {
  private BackendOverhead() {}

  /**
   * Runs the measurement and prints its table; the arguments are optional counts.
   *
   * @param args {@code [TRIALS [STEPS [ROUNDS]]]}, by default 12, 60 and 2
   */
  public static void main(String[] args) {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 12;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    TrainingEvaluator evaluator = TrainingEvaluator.forTask("adding");
    List<Trial> generation = generation(trials, steps);
    long t0 = System.nanoTime();
    try (Backend local = new LocalBackend(2);
        Backend spark = SparkBackend.start(SparkMaster.parse("local[2]", 2).orElseThrow())) {
      System.out.printf(Locale.ROOT, "Spark started in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      local.evaluate(generation(2, steps), evaluator); // warm-up: the JIT compiles the trainer for both
      spark.evaluate(generation(2, steps), evaluator);
      double localSeconds = 0;
      double sparkSeconds = 0;
      for (int r = 0; r < rounds; r++) {
        // each round runs first the one the previous round ran second, so that a slow spell of the machine is shared
        double l;
        double s;
        if (r % 2 == 0) {
          l = seconds(local, generation, evaluator);
          s = seconds(spark, generation, evaluator);
        } else {
          s = seconds(spark, generation, evaluator);
          l = seconds(local, generation, evaluator);
        }
        System.out.printf(Locale.ROOT, "round %d: local[2] %.2f s (%.0f trials/min), spark local[2] %.2f s"
            + " (%.0f trials/min): %+.1f%%%n", r + 1, l, 60 * trials / l, s, 60 * trials / s, 100 * (s / l - 1));
        localSeconds += l;
        sparkSeconds += s;
      }
      Evaluator nothing = new Untrained();
      spark.evaluate(generation, nothing);
      long e = System.nanoTime();
      for (int r = 0; r < 10; r++) {
        spark.evaluate(generation, nothing);
      }
      System.out.printf(Locale.ROOT, "a generation of %d trials that train nothing: %.1f ms on spark local[2]%n", trials,
          (System.nanoTime() - e) / 1e7);
      System.out.printf(Locale.ROOT, "%d trials x %d rounds of %d steps: local[2] %.0f trials/min, spark local[2]"
          + " %.0f trials/min, overhead %+.1f%%%n", trials, rounds, steps, 60 * trials * rounds / localSeconds,
          60 * trials * rounds / sparkSeconds, 100 * (sparkSeconds / localSeconds - 1));
    }
  }

  /** A result without training: what is left of a generation's time is the back end's own. */
  private record Untrained() implements Evaluator {
    @Override
    public TrialResult evaluate(Trial trial) {
      return TrainingEvaluator.failed(trial, "not trained");
    }
  }

  private static double seconds(Backend backend, List<Trial> generation, TrainingEvaluator evaluator) {
    long t = System.nanoTime();
    List<TrialResult> results = backend.evaluate(generation, evaluator);
    double s = (System.nanoTime() - t) / 1e9;
    results.stream().filter(TrialResult::failed).findFirst().ifPresent(f -> {
      throw new IllegalStateException("a trial failed: " + f.error());
    });
    return s;
  }

  private static List<Trial> generation(int trials, int steps) {
    List<Trial> ts = new ArrayList<>();
    for (int i = 0; i < trials; i++) {
      String cell = i % 2 == 0 ? "lstm" : "gru";
      String text = Zoo.text(cell);
      ts.add(new Trial(text, Canonical.hash(CellSpec.parse(text)), "", "seed", "adding", 16, steps, i / 2));
    }
    return ts;
  }
}
