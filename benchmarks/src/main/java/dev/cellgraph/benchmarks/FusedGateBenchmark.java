package dev.cellgraph.benchmarks;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.compile.Fusion;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.Workspace;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.List;
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
 * The elementwise pass of one LSTM step, from the gates' pre-activations ({@code batch x 4H})
 * and the cell state: {@code i, f, o = σ(...)}, {@code g = tanh(...)}, {@code c' = f c + i g},
 * {@code h' = o tanh(c')}. Fused, it is the one pass the scan compiler's loop runs per step
 * ({@link Fusion}); unfused, one op at a time ({@code CompileOptions.withFuse(false)}'s plan). The shapes
 * are one thread's block of rows of the small, medium and large configurations of issue 6 (the
 * batch split over two threads), float32, on one thread as in the loop, and, as in the loop, with
 * its outputs in arrays reused from one pass to the next ({@link Workspace}). Time per pass.
 *
 * <p>Not thread-safe: JMH gives each benchmark thread its own instance ({@code Scope.Thread}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class FusedGateBenchmark {
  /** Rows x hidden size. */
  @Param({"8x64", "16x256", "32x512"})
  public String shape;

  @Param({"true", "false"})
  public boolean fused;

  private Plan plan;
  private List<Tensor> feeds;
  private final Workspace pool = Workspace.detached(Integer.MAX_VALUE);

  @Setup(Level.Trial)
  public void setUp() {
    String[] p = shape.split("x");
    int rows = Integer.parseInt(p[0]);
    int h = Integer.parseInt(p[1]);
    Graph g = new Graph("lstm gates");
    Node gates = g.input("gates", DType.FLOAT32, rows, 4 * h);
    Node c = g.input("c", DType.FLOAT32, rows, h);
    Node i = gates.slice(1, 0, h).sigmoid();
    Node f = gates.slice(1, h, 2 * h).sigmoid();
    Node cand = gates.slice(1, 2 * h, 3 * h).tanh();
    Node o = gates.slice(1, 3 * h, 4 * h).sigmoid();
    Node cn = f.mul(c).add(i.mul(cand));
    Node hn = o.mul(cn.tanh());
    plan = Fusion.compile(List.of(hn, cn), List.of(gates, c), CompileOptions.all().withFuse(fused));
    Rng rng = Rng.seeded(1);
    feeds = List.of(Initializers.normal(rng, DType.FLOAT32, Shape.of(rows, 4 * h), 0, 1),
        Initializers.normal(rng, DType.FLOAT32, Shape.of(rows, h), 0, 1));
  }

  @Benchmark
  public List<Tensor> gatePass() {
    List<Tensor> out;
    try (Workspace w = pool.enter()) {
      out = Kernels.withThreads(1, () -> plan.run(feeds)); // one thread's rows, as in a row-split loop
    }
    pool.endStep(); // the next pass writes into the same arrays, as the loop's next step does
    return out;
  }
}
