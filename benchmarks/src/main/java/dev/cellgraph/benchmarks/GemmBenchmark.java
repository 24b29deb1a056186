package dev.cellgraph.benchmarks;

import dev.cellgraph.core.kernel.Kernels;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GEMM time for the shapes that matter: the 1024^3 reference product, and RNN shapes (batch x
 * hidden times hidden x 4 hidden, small, medium and large configurations of issue 6). Times are
 * per product; GFLOP/s = 2 m n k / time.
 *
 * <p>Not thread-safe: JMH gives each benchmark thread its own instance ({@code Scope.Thread}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class GemmBenchmark {
  /** m x n x k. */
  @Param({"1024x1024x1024", "16x256x64", "32x1024x256", "64x2048x512"})
  public String shape;

  @Param({"1", "2"})
  public int threads;

  private int m;
  private int n;
  private int k;
  private float[] af;
  private float[] bf;
  private float[] cf;
  private double[] ad;
  private double[] bd;
  private double[] cd;

  @Setup(Level.Trial)
  public void setUp() {
    String[] p = shape.split("x");
    m = Integer.parseInt(p[0]);
    n = Integer.parseInt(p[1]);
    k = Integer.parseInt(p[2]);
    Random random = new Random(1);
    af = new float[m * k];
    bf = new float[k * n];
    cf = new float[m * n];
    ad = new double[m * k];
    bd = new double[k * n];
    cd = new double[m * n];
    for (int i = 0; i < af.length; i++) {
      af[i] = (float) random.nextGaussian();
      ad[i] = af[i];
    }
    for (int i = 0; i < bf.length; i++) {
      bf[i] = (float) random.nextGaussian();
      bd[i] = bf[i];
    }
  }

  @Benchmark
  public float[] float32() {
    // the thread count is the computation's own (a ThreadLocal read: nanoseconds next to the product)
    return Kernels.withThreads(threads, () -> {
      Kernels.gemm(false, false, m, n, k, af, 0, k, bf, 0, n, cf, 0, n, false);
      return cf;
    });
  }

  @Benchmark
  public double[] float64() {
    return Kernels.withThreads(threads, () -> {
      Kernels.gemm(false, false, m, n, k, ad, 0, k, bd, 0, n, cd, 0, n, false);
      return cd;
    });
  }
}
