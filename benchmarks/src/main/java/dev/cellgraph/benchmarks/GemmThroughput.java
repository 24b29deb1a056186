package dev.cellgraph.benchmarks;

import dev.cellgraph.core.kernel.Kernels;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * GFLOP/s of an N x N x N GEMM, float32 and float64, on one thread and on two: the same
 * measurement as {@code ../shared/bench/torch_gemm.py} (median of R timed products after
 * warm-up), printed as one JSON line each with the same fields, so the two compare line by line.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * dev.cellgraph.benchmarks.GemmThroughput [--size N] [--reps R]}
 */
public final class GemmThroughput {
  private GemmThroughput() {}

  public static void main(String[] args) {
    int n = 1024;
    int reps = 20;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size": n = Integer.parseInt(args[++i]); break;
        case "--reps": reps = Integer.parseInt(args[++i]); break;
        default: throw new IllegalArgumentException("unknown argument '" + args[i] + "'; usage: [--size N] [--reps R]");
      }
    }
    System.err.println("kernels: " + Kernels.implementation());
    Random random = new Random(1);
    float[] af = new float[n * n];
    float[] bf = new float[n * n];
    double[] ad = new double[n * n];
    double[] bd = new double[n * n];
    for (int i = 0; i < af.length; i++) {
      af[i] = (float) random.nextGaussian();
      bf[i] = (float) random.nextGaussian();
      ad[i] = af[i];
      bd[i] = bf[i];
    }
    float[] cf = new float[n * n];
    double[] cd = new double[n * n];
    for (int threads = 1; threads <= 2; threads++) {
      Kernels.setThreads(threads);
      for (String dtype : new String[] {"float32", "float64"}) {
        boolean f32 = dtype.equals("float32");
        int size = n;
        Runnable product = f32
            ? () -> Kernels.gemm(false, false, size, size, size, af, 0, size, bf, 0, size, cf, 0, size, false)
            : () -> Kernels.gemm(false, false, size, size, size, ad, 0, size, bd, 0, size, cd, 0, size, false);
        // Warm-up long enough for the JIT's final compilation of the micro-kernels.
        long warmEnd = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < warmEnd) {
          product.run();
        }
        double[] seconds = new double[reps];
        for (int r = 0; r < reps; r++) {
          long t0 = System.nanoTime();
          product.run();
          seconds[r] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(seconds);
        double median = seconds[reps / 2];
        System.out.println(String.format(Locale.ROOT,
            "{\"op\": \"gemm\", \"impl\": \"cellgraph\", \"dtype\": \"%s\", \"n\": %d, \"threads\": %d, "
                + "\"seconds\": %.6f, \"gflops\": %.1f, \"best_gflops\": %.1f}",
            dtype, n, threads, median, 2.0 * n * n * n / median / 1e9, 2.0 * n * n * n / seconds[0] / 1e9));
      }
    }
  }
}
