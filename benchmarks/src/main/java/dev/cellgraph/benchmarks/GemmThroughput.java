package dev.cellgraph.benchmarks;

import dev.cellgraph.core.kernel.Kernels;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * GFLOP/s of an N x N x N GEMM, float32 and float64, on one thread and on two: the same
 * measurement as {@code tools/bench/torch_gemm.py} (median of R timed products after
 * warm-up), printed as one JSON line each with the same fields, so the two compare line by line.
 *
 * <p>Usage: {@code java --add-modules jdk.incubator.vector -cp benchmarks/target/benchmarks.jar
 * dev.cellgraph.benchmarks.GemmThroughput [--size N] [--reps R]}
 *
 * <p>Thread-safe: its static methods share no mutable state.
 */
public final class GemmThroughput {
  private GemmThroughput() {}

  /**
   * Runs the measurement, or with {@code --serve} the worker described at {@link #serve}.
   *
   * @param args {@code [--size N] [--reps R] [--serve]}
   * @throws Exception if reading stdin or an FMA peak worker fails
   */
  public static void main(String[] args) throws Exception {
    int n = 1024;
    int reps = 20;
    boolean serve = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--size": n = Integer.parseInt(args[++i]); break;
        case "--reps": reps = Integer.parseInt(args[++i]); break;
        case "--serve": serve = true; break;
        default: throw new IllegalArgumentException("unknown argument '" + args[i] + "'; usage: [--size N] [--reps R] [--serve]");
      }
    }
    if (serve) {
      serve(n);
      return;
    }
    System.err.println("kernels: " + Kernels.implementation());
    Operands ops = new Operands(n);
    for (int threads = 1; threads <= 2; threads++) {
      int t = threads;
      for (String dtype : new String[] {"float32", "float64"}) {
        Runnable plain = ops.product(dtype);
        Runnable product = () -> Kernels.withThreads(t, () -> {
          plain.run();
          return null;
        });
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

  /**
   * Worker for {@code tools/bench/gemm_interleaved.py}: reads lines {@code "DTYPE THREADS"} from
   * stdin and answers each with the seconds of one N x N x N product of that kind, so that a
   * driver can alternate single products of cellgraph and PyTorch, and the slow phases of a shared
   * machine fall on both alike. A line {@code "peak DTYPE THREADS"} is answered with the seconds
   * of {@link FmaPeak}'s register-resident FMA loop doing the product's 2 N^3 flops on that many
   * threads: the product's time at the measured peak, so the ratio of the two is the fraction of
   * peak, measured a moment apart.
   */
  private static void serve(int n) throws Exception {
    Operands ops = new Operands(n);
    java.util.concurrent.ExecutorService pool = FmaPeak.newPool();
    java.io.BufferedReader in = new java.io.BufferedReader(
        new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String[] f = line.trim().split("\\s+");
      if (f[0].equals("peak")) {
        System.out.println(FmaPeak.peakSeconds(pool, f[1], Integer.parseInt(f[2]), 2.0 * n * n * n));
        System.out.flush();
        continue;
      }
      int threads = Integer.parseInt(f[1]);
      Runnable product = ops.product(f[0]);
      long t0 = System.nanoTime();
      Kernels.withThreads(threads, () -> {
        product.run();
        return null;
      });
      System.out.println((System.nanoTime() - t0) / 1e9);
      System.out.flush();
    }
  }

  /** N x N operands with the same values in float32 and float64, and a C for each. */
  private static final class Operands {
    final int n;
    final float[] af;
    final float[] bf;
    final float[] cf;
    final double[] ad;
    final double[] bd;
    final double[] cd;

    Operands(int n) {
      this.n = n;
      Random random = new Random(1);
      af = new float[n * n];
      bf = new float[n * n];
      ad = new double[n * n];
      bd = new double[n * n];
      for (int i = 0; i < af.length; i++) {
        af[i] = (float) random.nextGaussian();
        bf[i] = (float) random.nextGaussian();
        ad[i] = af[i];
        bd[i] = bf[i];
      }
      cf = new float[n * n];
      cd = new double[n * n];
    }

    /** One product C = A B in {@code dtype} ("float32" or "float64"). */
    Runnable product(String dtype) {
      return dtype.equals("float32")
          ? () -> Kernels.gemm(false, false, n, n, n, af, 0, n, bf, 0, n, cf, 0, n, false)
          : () -> Kernels.gemm(false, false, n, n, n, ad, 0, n, bd, 0, n, cd, 0, n, false);
    }
  }
}
