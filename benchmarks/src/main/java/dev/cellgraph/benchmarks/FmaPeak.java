package dev.cellgraph.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's measured FMA peak: GFLOP/s of a register-resident loop of independent
 * {@code fma} chains on {@code SPECIES_PREFERRED} vectors, float32 and float64, on one thread and
 * on two (one per core), the ceiling a GEMM's figure is a fraction of. Each chain is one vector
 * {@code c = c * a + b} repeated; 8, 12 and 16 chains are tried because a core keeps
 * latency x throughput FMAs in flight (4 cycles x 2 pipes = 8 on Zen 4/5 and recent Intel cores),
 * and the best median counts as the peak. One fma of an L-lane vector is 2 L flops.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * dev.cellgraph.benchmarks.FmaPeak [--reps R] [--seconds S]}: prints one JSON line per dtype,
 * chain count and thread count ({@code "op": "fma_peak"}), then one line per dtype and thread
 * count with the peak ({@code "op": "fma_peak_best"}: the best median over the chain counts, and
 * the fastest single burst, which on a shared machine is the closer estimate of the ceiling: no
 * burst runs faster than the hardware allows, but many run slower).
 *
 * <p>Thread-safe: the chain loops share no state; {@link #seconds} may be called from any thread.
 */
public final class FmaPeak {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
  /** Chain counts tried, in the order {@link #chains} accepts. */
  static final int[] CHAINS = {8, 12, 16};

  /** Keeps the loops' results alive, so that C2 cannot drop them as dead code. */
  private static volatile double sink;

  private FmaPeak() {}

  /**
   * Runs the probe and prints its JSON lines.
   *
   * @param args {@code [--reps R] [--seconds S]}: timed bursts per figure (default 7) and the
   *     length of one burst in seconds (default 0.2)
   * @throws Exception if a worker thread fails
   */
  public static void main(String[] args) throws Exception {
    int reps = 7;
    double burst = 0.2;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--reps": reps = Integer.parseInt(args[++i]); break;
        case "--seconds": burst = Double.parseDouble(args[++i]); break;
        default: throw new IllegalArgumentException("unknown argument '" + args[i] + "'; usage: [--reps R] [--seconds S]");
      }
    }
    ExecutorService pool = newPool();
    for (String dtype : new String[] {"float32", "float64"}) {
      int lanes = dtype.equals("float32") ? F.length() : D.length();
      double[] best = new double[3];
      double[] fastest = new double[3];
      for (int chains : CHAINS) {
        // Warm-up long enough for C2 to compile the loop (its first calls run interpreted).
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmEnd) {
          run(dtype, chains, 200_000);
        }
        double perIteration = seconds(pool, dtype, chains, 1, 1_000_000) / 1_000_000;
        int iterations = (int) Math.min(Integer.MAX_VALUE, Math.max(1000, burst / perIteration));
        for (int threads = 1; threads <= 2; threads++) {
          double[] gflops = new double[reps];
          for (int r = 0; r < reps; r++) {
            double s = seconds(pool, dtype, chains, threads, iterations);
            gflops[r] = flops(lanes, chains, iterations) * threads / s / 1e9;
          }
          Arrays.sort(gflops);
          double median = gflops[reps / 2];
          best[threads] = Math.max(best[threads], median);
          fastest[threads] = Math.max(fastest[threads], gflops[reps - 1]);
          System.out.println(String.format(Locale.ROOT,
              "{\"op\": \"fma_peak\", \"dtype\": \"%s\", \"lanes\": %d, \"chains\": %d, \"threads\": %d, "
                  + "\"gflops\": %.1f, \"best_gflops\": %.1f}",
              dtype, lanes, chains, threads, median, gflops[reps - 1]));
        }
      }
      for (int threads = 1; threads <= 2; threads++) {
        System.out.println(String.format(Locale.ROOT,
            "{\"op\": \"fma_peak_best\", \"dtype\": \"%s\", \"lanes\": %d, \"threads\": %d, \"gflops\": %.1f, "
                + "\"best_gflops\": %.1f}",
            dtype, lanes, threads, best[threads], fastest[threads]));
      }
    }
  }

  /** Flops of {@code iterations} rounds of {@code chains} fmas of {@code lanes}-lane vectors. */
  static double flops(int lanes, int chains, long iterations) {
    return 2.0 * lanes * chains * iterations;
  }

  /**
   * Seconds for {@code threads} threads of {@code pool} to each run {@code iterations} rounds of
   * the loop with {@code chains} chains, started together (wall time of the slowest).
   *
   * @param dtype "float32" or "float64"
   * @throws Exception if a worker fails
   */
  static double seconds(ExecutorService pool, String dtype, int chains, int threads, int iterations)
      throws Exception {
    long t0 = System.nanoTime();
    List<Future<Double>> parts = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      parts.add(pool.submit(() -> run(dtype, chains, iterations)));
    }
    double sum = 0;
    for (Future<Double> part : parts) {
      sum += part.get();
    }
    double s = (System.nanoTime() - t0) / 1e9;
    sink = sum;
    return s;
  }

  /**
   * Seconds for {@code threads} threads of {@code pool} to do {@code totalFlops} flops between them
   * in the 12-chain loop (as fast as 16 chains here, and it leaves registers free on a 16-register
   * ISA): the time a product of that many flops would take at the machine's peak, for drivers that
   * alternate it with the product itself.
   *
   * @param dtype "float32" or "float64"
   * @throws Exception if a worker fails
   */
  static double peakSeconds(ExecutorService pool, String dtype, int threads, double totalFlops)
      throws Exception {
    int lanes = dtype.equals("float32") ? F.length() : D.length();
    int iterations = (int) Math.max(1, Math.round(totalFlops / threads / flops(lanes, 12, 1)));
    return seconds(pool, dtype, 12, threads, iterations);
  }

  /** A pool of two daemon threads for {@link #seconds} and {@link #peakSeconds}. */
  static ExecutorService newPool() {
    return Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "fma-peak");
      t.setDaemon(true);
      return t;
    });
  }

  private static double run(String dtype, int chains, int iterations) {
    boolean f = dtype.equals("float32");
    switch (chains) {
      case 8: return f ? floatChains8(iterations) : doubleChains8(iterations);
      case 12: return f ? floatChains12(iterations) : doubleChains12(iterations);
      case 16: return f ? floatChains16(iterations) : doubleChains16(iterations);
      default: throw new IllegalArgumentException("chains (" + chains + ") must be one of " + Arrays.toString(CHAINS));
    }
  }

  // Generated: one straight-line method per chain count, every chain a local so that C2 keeps it
  // in a register (an array of accumulators would be loaded and stored every round).
  /** 8 independent fma chains of float vectors for {@code iterations} rounds; returns their sum. */
  static float floatChains8(int iterations) {
    FloatVector a = FloatVector.broadcast(F, 0.999999f);
    FloatVector b = FloatVector.broadcast(F, 1e-6f);
    FloatVector c0 = FloatVector.broadcast(F, 0f);
    FloatVector c1 = FloatVector.broadcast(F, 1f);
    FloatVector c2 = FloatVector.broadcast(F, 2f);
    FloatVector c3 = FloatVector.broadcast(F, 3f);
    FloatVector c4 = FloatVector.broadcast(F, 4f);
    FloatVector c5 = FloatVector.broadcast(F, 5f);
    FloatVector c6 = FloatVector.broadcast(F, 6f);
    FloatVector c7 = FloatVector.broadcast(F, 7f);
    for (int r = 0; r < iterations; r++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
    }
    return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).reduceLanes(VectorOperators.ADD);
  }

  /** 12 independent fma chains of float vectors for {@code iterations} rounds; returns their sum. */
  static float floatChains12(int iterations) {
    FloatVector a = FloatVector.broadcast(F, 0.999999f);
    FloatVector b = FloatVector.broadcast(F, 1e-6f);
    FloatVector c0 = FloatVector.broadcast(F, 0f);
    FloatVector c1 = FloatVector.broadcast(F, 1f);
    FloatVector c2 = FloatVector.broadcast(F, 2f);
    FloatVector c3 = FloatVector.broadcast(F, 3f);
    FloatVector c4 = FloatVector.broadcast(F, 4f);
    FloatVector c5 = FloatVector.broadcast(F, 5f);
    FloatVector c6 = FloatVector.broadcast(F, 6f);
    FloatVector c7 = FloatVector.broadcast(F, 7f);
    FloatVector c8 = FloatVector.broadcast(F, 8f);
    FloatVector c9 = FloatVector.broadcast(F, 9f);
    FloatVector c10 = FloatVector.broadcast(F, 10f);
    FloatVector c11 = FloatVector.broadcast(F, 11f);
    for (int r = 0; r < iterations; r++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(VectorOperators.ADD);
  }

  /** 16 independent fma chains of float vectors for {@code iterations} rounds; returns their sum. */
  static float floatChains16(int iterations) {
    FloatVector a = FloatVector.broadcast(F, 0.999999f);
    FloatVector b = FloatVector.broadcast(F, 1e-6f);
    FloatVector c0 = FloatVector.broadcast(F, 0f);
    FloatVector c1 = FloatVector.broadcast(F, 1f);
    FloatVector c2 = FloatVector.broadcast(F, 2f);
    FloatVector c3 = FloatVector.broadcast(F, 3f);
    FloatVector c4 = FloatVector.broadcast(F, 4f);
    FloatVector c5 = FloatVector.broadcast(F, 5f);
    FloatVector c6 = FloatVector.broadcast(F, 6f);
    FloatVector c7 = FloatVector.broadcast(F, 7f);
    FloatVector c8 = FloatVector.broadcast(F, 8f);
    FloatVector c9 = FloatVector.broadcast(F, 9f);
    FloatVector c10 = FloatVector.broadcast(F, 10f);
    FloatVector c11 = FloatVector.broadcast(F, 11f);
    FloatVector c12 = FloatVector.broadcast(F, 12f);
    FloatVector c13 = FloatVector.broadcast(F, 13f);
    FloatVector c14 = FloatVector.broadcast(F, 14f);
    FloatVector c15 = FloatVector.broadcast(F, 15f);
    for (int r = 0; r < iterations; r++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
      c12 = c12.fma(a, b);
      c13 = c13.fma(a, b);
      c14 = c14.fma(a, b);
      c15 = c15.fma(a, b);
    }
    return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15).reduceLanes(VectorOperators.ADD);
  }

  /** 8 independent fma chains of double vectors for {@code iterations} rounds; returns their sum. */
  static double doubleChains8(int iterations) {
    DoubleVector a = DoubleVector.broadcast(D, 0.999999);
    DoubleVector b = DoubleVector.broadcast(D, 1e-6);
    DoubleVector c0 = DoubleVector.broadcast(D, 0);
    DoubleVector c1 = DoubleVector.broadcast(D, 1);
    DoubleVector c2 = DoubleVector.broadcast(D, 2);
    DoubleVector c3 = DoubleVector.broadcast(D, 3);
    DoubleVector c4 = DoubleVector.broadcast(D, 4);
    DoubleVector c5 = DoubleVector.broadcast(D, 5);
    DoubleVector c6 = DoubleVector.broadcast(D, 6);
    DoubleVector c7 = DoubleVector.broadcast(D, 7);
    for (int r = 0; r < iterations; r++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
    }
    return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).reduceLanes(VectorOperators.ADD);
  }

  /** 12 independent fma chains of double vectors for {@code iterations} rounds; returns their sum. */
  static double doubleChains12(int iterations) {
    DoubleVector a = DoubleVector.broadcast(D, 0.999999);
    DoubleVector b = DoubleVector.broadcast(D, 1e-6);
    DoubleVector c0 = DoubleVector.broadcast(D, 0);
    DoubleVector c1 = DoubleVector.broadcast(D, 1);
    DoubleVector c2 = DoubleVector.broadcast(D, 2);
    DoubleVector c3 = DoubleVector.broadcast(D, 3);
    DoubleVector c4 = DoubleVector.broadcast(D, 4);
    DoubleVector c5 = DoubleVector.broadcast(D, 5);
    DoubleVector c6 = DoubleVector.broadcast(D, 6);
    DoubleVector c7 = DoubleVector.broadcast(D, 7);
    DoubleVector c8 = DoubleVector.broadcast(D, 8);
    DoubleVector c9 = DoubleVector.broadcast(D, 9);
    DoubleVector c10 = DoubleVector.broadcast(D, 10);
    DoubleVector c11 = DoubleVector.broadcast(D, 11);
    for (int r = 0; r < iterations; r++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
    }
    return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(VectorOperators.ADD);
  }

  /** 16 independent fma chains of double vectors for {@code iterations} rounds; returns their sum. */
  static double doubleChains16(int iterations) {
    DoubleVector a = DoubleVector.broadcast(D, 0.999999);
    DoubleVector b = DoubleVector.broadcast(D, 1e-6);
    DoubleVector c0 = DoubleVector.broadcast(D, 0);
    DoubleVector c1 = DoubleVector.broadcast(D, 1);
    DoubleVector c2 = DoubleVector.broadcast(D, 2);
    DoubleVector c3 = DoubleVector.broadcast(D, 3);
    DoubleVector c4 = DoubleVector.broadcast(D, 4);
    DoubleVector c5 = DoubleVector.broadcast(D, 5);
    DoubleVector c6 = DoubleVector.broadcast(D, 6);
    DoubleVector c7 = DoubleVector.broadcast(D, 7);
    DoubleVector c8 = DoubleVector.broadcast(D, 8);
    DoubleVector c9 = DoubleVector.broadcast(D, 9);
    DoubleVector c10 = DoubleVector.broadcast(D, 10);
    DoubleVector c11 = DoubleVector.broadcast(D, 11);
    DoubleVector c12 = DoubleVector.broadcast(D, 12);
    DoubleVector c13 = DoubleVector.broadcast(D, 13);
    DoubleVector c14 = DoubleVector.broadcast(D, 14);
    DoubleVector c15 = DoubleVector.broadcast(D, 15);
    for (int r = 0; r < iterations; r++) {
      c0 = c0.fma(a, b);
      c1 = c1.fma(a, b);
      c2 = c2.fma(a, b);
      c3 = c3.fma(a, b);
      c4 = c4.fma(a, b);
      c5 = c5.fma(a, b);
      c6 = c6.fma(a, b);
      c7 = c7.fma(a, b);
      c8 = c8.fma(a, b);
      c9 = c9.fma(a, b);
      c10 = c10.fma(a, b);
      c11 = c11.fma(a, b);
      c12 = c12.fma(a, b);
      c13 = c13.fma(a, b);
      c14 = c14.fma(a, b);
      c15 = c15.fma(a, b);
    }
    return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).add(c12).add(c13).add(c14).add(c15).reduceLanes(VectorOperators.ADD);
  }

}
