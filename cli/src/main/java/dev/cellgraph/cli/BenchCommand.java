package dev.cellgraph.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.Recurrent;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * {@code cellgraph bench}: seconds per training step of a recurrent layer, measured exactly as
 * {@code tools/bench/torch_rnn.py} measures PyTorch: a forward pass over the whole sequence and
 * the backward pass of {@code sum(output)} with respect to the parameters, no optimizer.
 */
final class BenchCommand implements Command {
  /** The configurations of {@code tools/bench/README.md}: I, H, B, T. */
  static final Map<String, int[]> CONFIGS = new LinkedHashMap<>();

  static {
    CONFIGS.put("small", new int[] {32, 64, 16, 50});
    CONFIGS.put("medium", new int[] {128, 256, 32, 50});
    CONFIGS.put("large", new int[] {256, 512, 64, 100});
  }

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "time training steps (forward + backward of sum(output)) of a recurrent layer";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph bench --cell CELL [--config small|medium|large]",
        CellRef.OPTIONS_USAGE,
        "                       [--input-size I] [--hidden-size H] [--batch B] [--steps T]",
        "                       [--formula [--against-builtin] | --against CELL2] [--lengths uniform]",
        "                       [--threads N] [--reps R] [--warmup W]",
        "                       [--warmup-seconds S]",
        "                       [--dtype float32|float64] [--seed S] [--json | --serve] [--stream]",
        "",
        "One step is a forward pass over the whole sequence and the backward pass of sum(output)",
        "with respect to every parameter, no optimizer, as tools/bench/torch_rnn.py measures",
        "PyTorch. The plan is compiled once, warm-up steps run (at least W, default 2, and for at",
        "least S seconds, default 10, so that the JIT has compiled the vector kernels), then the",
        "median of R timed steps (default 5) is printed. --config sets I, H, B, T to the named configuration",
        "(explicit sizes override it; without --config, sizes default to the small one).",
        "CELL is a zoo name or a .cell file; rnn, lstm and gru are the hand-written built-ins",
        "unless --formula asks for the same cell written in the formula language.",
        "--against-builtin (with --formula) times the built-in and the formula cell alternately,",
        "step by step in one JVM, and prints a line for each: on a shared machine a core can run",
        "at half speed for seconds, so separate runs compare poorly. The formula line adds",
        "vs_builtin, the ratio of the two medians; the heap figures cover both.",
        "--lengths uniform times, alternately in the same way and all through Recurrent.run (the",
        "gradient of the input too), the padded batch and the same batch with per-sequence lengths",
        "drawn uniformly from T/2 to T (seeded), run two ways: masked (the masked carry over every",
        "step up to the longest sequence, as a training graph with a mask runs) and packed (what",
        "Recurrent.run and cellgraph run do: sorted longest first, each step of one scan computed",
        "over the sequences still running). Their lines add vs_padded, the ratio to the padded median.",
        "--against CELL2 does the same with another formula cell as the baseline (the LSTM without",
        "layer normalisation against the one with it, say; lstm is then the zoo's formula LSTM): CELL2",
        "is timed first, and CELL's line adds vs_baseline, the ratio of CELL's median to CELL2's.",
        "--serve, for tools/bench/rnn_interleaved.py, warms up and then, instead of timing R steps,",
        "reads lines 'IMPL [N]' from standard input (IMPL is the impl a JSON line would name,",
        "builtin or formula; with --against-builtin, either), runs N steps of it (default 1) and",
        "prints their seconds on one line: a driver can then alternate short bursts of steps of",
        "cellgraph and PyTorch.",
        "--stream times inference one step at a time, as an online model runs (Recurrent.stepper:",
        "B streams, default 1, one time step per call, the states carried; no gradient): after the",
        "warm-up, the median of R single steps (default 1000); with --against-builtin or --against",
        "the cells step alternately, one step each. --steps does not apply; the JSON lines add",
        "\"mode\": \"stream\" and have T 1. tools/bench/djl-torch's stream mode times PyTorch so.",
        "--threads sets the threads of large matrix products (default: all processors).",
        "--json prints one JSON object per line with the fields of torch_rnn.py (cell, impl,",
        "config, threads, I, H, B, T, seconds) plus best_seconds (the fastest timed step), dtype,",
        "peak_heap_mb (the JVM's peak heap use while timing, garbage included), live_heap_mb (the",
        "most heap still in use after a collection while timing) and optimize. The system",
        "property cellgraph.compile.scans=false turns the scan compiler off, for comparison.");
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) {
    Args a = Args.parse(argv,
        Set.of("cell", CellRef.SIZE, CellRef.SET, "config", "input-size", "hidden-size", "batch", "steps", "threads", "reps", "warmup",
            "warmup-seconds", "dtype", "seed", "lengths", "against"),
        Set.of("formula", "against-builtin", "json", "serve", "stream"));
    a.noPositionals();
    CellRef ref = CellRef.resolve(a.require("cell"), a);
    String config = a.choice("config", null, CONFIGS.keySet().toArray(new String[0]));
    int[] base = CONFIGS.get(config != null ? config : "small");
    int in = a.intValue("input-size", base[0], 1, 1 << 16);
    int hid = a.intValue("hidden-size", base[1], 1, 1 << 16);
    int batch = a.intValue("batch", base[2], 1, 1 << 16);
    int steps = a.intValue("steps", base[3], 1, 1 << 20);
    int threads = a.intValue("threads", Kernels.threads(), 1, 1024);
    int reps = a.intValue("reps", 5, 1, 100_000);
    int warmup = a.intValue("warmup", 2, 0, 100_000);
    // 10 s: with both cores computing, C2 is still compiling kernel variants after 3 s (medium
    // rnn: 0.030 s/step after 3 s of warm-up, 0.019 after 10, 0.018 after 20)
    double warmupSeconds = a.doubleValue("warmup-seconds", 10, 0, 3600);
    long seed = a.longValue("seed", 0);
    DType dtype = DType.parse(a.choice("dtype", "float32", "float32", "float64"));
    boolean formula = a.flag("formula");
    if (formula && ref.builtinName() == null) {
      throw new UsageException("--formula is for rnn, lstm and gru, which have a built-in; '" + ref.name()
          + "' is always a formula cell");
    }
    boolean against = a.flag("against-builtin");
    if (against && !formula) {
      throw new UsageException("--against-builtin compares the formula cell with the built-in: add --formula");
    }
    CellRef baseline = a.has("against") ? CellRef.resolve(a.get("against"), a) : null;
    if (baseline != null && against) {
      throw new UsageException("--against CELL2 and --against-builtin both name the baseline: give one");
    }
    boolean lengths = a.has("lengths") && a.choice("lengths", null, "uniform") != null;
    if (lengths && (against || baseline != null)) {
      throw new UsageException("--lengths and --against" + (against ? "-builtin" : "") + " are two comparisons; give one");
    }
    ref.spec().shapes(in, hid); // the sizes must fit the cell
    if (baseline != null) {
      baseline.spec().shapes(in, hid);
    }
    if (a.flag("stream")) {
      return stream(a, ref, baseline, against, formula, lengths, in, hid, threads, warmup, warmupSeconds, seed,
          dtype, out);
    }
    String configName = matching(in, hid, batch, steps);
    // --json and --serve lines are read by the drivers in tools/bench: the kernels line goes to err
    Verbosity.printKernels(a.flag("json") || a.flag("serve") ? err : out, threads);
    // the thread count is this computation's, not the process's
    return Kernels.withThreads(threads, () -> measure(a, ref, baseline, against, formula, lengths, in, hid, batch, steps,
        reps, warmup, warmupSeconds, seed, dtype, configName, threads, out));
  }

  /** {@code --stream}: per-step latency of {@link Recurrent#stepper}, in {@link StreamBench}. */
  private static int stream(Args a, CellRef ref, CellRef baseline, boolean against, boolean formula, boolean lengths,
      int in, int hid, int threads, int warmup, double warmupSeconds, long seed, DType dtype, PrintStream out) {
    if (a.flag("serve") || lengths || a.has("steps")) {
      throw new UsageException("--stream times single steps of one stream: "
          + (a.flag("serve") ? "--serve" : lengths ? "--lengths" : "--steps") + " does not apply");
    }
    int batch = a.intValue("batch", 1, 1, 1 << 16);
    int reps = a.intValue("reps", 1000, 1, 10_000_000);
    List<String> names = new ArrayList<>();
    List<String> impls = new ArrayList<>();
    List<Cell> cells = new ArrayList<>();
    String ratioField = against ? "vs_builtin" : "vs_baseline";
    if (against) {
      names.add(ref.name());
      impls.add("builtin");
      cells.add(ref.cell());
    } else if (baseline != null) {
      names.add(baseline.name());
      impls.add("formula");
      cells.add(baseline.formulaCell());
    }
    names.add(ref.name());
    impls.add(ref.builtinName() != null && !formula ? "builtin" : "formula");
    cells.add(formula ? ref.formulaCell() : ref.cell());
    // a stream's configuration is named by its sizes I and H alone
    String configName = null;
    for (Map.Entry<String, int[]> e : CONFIGS.entrySet()) {
      if (e.getValue()[0] == in && e.getValue()[1] == hid) {
        configName = e.getKey();
      }
    }
    boolean json = a.flag("json");
    String name = configName;
    return Kernels.withThreads(threads, () -> StreamBench.measure(names, impls, cells, ratioField, in, hid, 1, batch,
        reps, warmup, warmupSeconds, seed, dtype, name, threads, json, out));
  }

  private static int measure(Args a, CellRef ref, CellRef baseline, boolean against, boolean formula, boolean lengths,
      int in, int hid, int batch, int steps, int reps, int warmup, double warmupSeconds, long seed, DType dtype,
      String configName, int threads, PrintStream out) {

    List<String> impls = new ArrayList<>();
    List<Step> runs = new ArrayList<>();
    if (against) {
      impls.add("builtin");
      runs.add(new Step(ref.cell(), in, hid, batch, steps, dtype, seed));
    } else if (baseline != null) {
      impls.add("formula");
      runs.add(new Step(baseline.formulaCell(), in, hid, batch, steps, dtype, seed));
    }
    String impl = ref.builtinName() != null && !formula ? "builtin" : "formula";
    Cell cell = formula ? ref.formulaCell() : ref.cell();
    List<String> kinds = new ArrayList<>();
    if (lengths) {
      // the three through Recurrent.run, so that they differ only in what the lengths make it do
      int[] l = uniformLengths(batch, steps, seed);
      for (String kind : List.of("padded", "masked", "packed")) {
        impls.add(impl);
        kinds.add(kind);
        runs.add(Step.layerRun(cell, in, hid, batch, steps, dtype, seed, kind.equals("padded") ? null : l,
            kind.equals("packed")));
      }
    } else {
      impls.add(impl);
      runs.add(new Step(cell, in, hid, batch, steps, dtype, seed));
    }
    boolean paired = runs.size() == 2;
    // the JIT compiles the vector kernels only after many calls: warm up by count and by time
    long warmStart = System.nanoTime();
    for (int i = 0; i < warmup || (System.nanoTime() - warmStart) / 1e9 < warmupSeconds; i++) {
      for (Step s : runs) {
        s.run();
      }
    }
    if (a.flag("serve")) {
      return serve(impls, runs, out);
    }
    HeapWatch heap = new HeapWatch();
    double[][] secs = new double[runs.size()][reps];
    try {
      for (int i = 0; i < reps; i++) {
        for (int k = 0; k < runs.size(); k++) {
          long t0 = System.nanoTime();
          runs.get(k).run();
          secs[k][i] = (System.nanoTime() - t0) / 1e9;
        }
      }
    } finally {
      heap.close();
    }
    double peakMb = heap.peakBytes() / 1048576.0;
    double liveMb = heap.liveBytes() / 1048576.0;
    for (int k = 0; k < runs.size(); k++) {
      double median = median(secs[k]);
      // the fastest step too: on a shared machine whole seconds can run at half speed
      double best = Arrays.stream(secs[k]).min().getAsDouble();
      String ratio = (paired || lengths) && k > 0 ? String.format(Locale.ROOT, "%.3f", median / median(secs[0])) : null;
      String name = paired && k == 0 && baseline != null ? baseline.name() : ref.name();
      String compared = lengths ? ", \"lengths\": \"" + (k == 0 ? "none" : "uniform") + "\", \"run\": \""
          + kinds.get(k) + "\"" + (ratio == null ? "" : ", \"vs_padded\": " + ratio)
          : ratio == null ? "" : against ? ", \"vs_builtin\": " + ratio : ", \"vs_baseline\": " + ratio;
      if (a.flag("json")) {
        out.println(String.format(Locale.ROOT,
            "{\"cell\": \"%s\", \"impl\": \"%s\", \"config\": %s, \"threads\": %d, \"I\": %d, \"H\": %d, "
                + "\"B\": %d, \"T\": %d, \"seconds\": %.5f, \"best_seconds\": %.5f, \"dtype\": \"%s\", "
                + "\"peak_heap_mb\": %.1f, \"live_heap_mb\": %.1f, \"optimize\": %s%s}",
            jsonEscape(name), impls.get(k), configName == null ? "null" : "\"" + configName + "\"", threads,
            in, hid, batch, steps, median, best, dtype.lowerName(), peakMb, liveMb, CompileOptions.defaults().compileScans(),
            paired || lengths ? ", \"interleaved\": true" + compared : ""));
      } else {
        out.println(String.format(Locale.ROOT,
            "%s (%s) I=%d H=%d B=%d T=%d %s, %d thread%s: %.5f s/step (median of %d, best %.5f), peak heap "
                + "%.1f MB, live after GC %.1f MB%s%s",
            name, impls.get(k), in, hid, batch, steps, dtype.lowerName(), threads, threads == 1 ? "" : "s",
            median, reps, best, peakMb, liveMb, CompileOptions.defaults().compileScans() ? "" : " (scan compiler off)",
            lengths ? ", " + kinds.get(k) + (ratio == null ? "" : ": " + ratio
                + " x the padded batch, lengths uniform in [T/2, T] (interleaved)")
                : ratio == null ? "" : ", " + ratio + " x " + (against ? "the built-in" : baseline.name())
                + " (interleaved)"));
      }
    }
    return 0;
  }

  /**
   * Answers each line of standard input, an impl and optionally a count N, with the seconds of
   * each of N steps (default 1) of it, on one line.
   */
  private static int serve(List<String> impls, List<Step> runs, PrintStream out) {
    java.io.BufferedReader in = new java.io.BufferedReader(
        new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
    try {
      for (String line; (line = in.readLine()) != null; ) {
        String[] f = line.trim().split("\\s+");
        int k = impls.indexOf(f[0]);
        if (k < 0) {
          throw new UsageException("--serve: '" + f[0] + "' is not one of " + String.join(", ", impls));
        }
        int n = 1;
        if (f.length > 1) {
          try {
            n = Integer.parseInt(f[1]);
          } catch (NumberFormatException e) {
            n = 0;
          }
          if (n < 1 || f.length > 2) {
            throw new UsageException("--serve: expected 'IMPL [STEPS]' with STEPS a positive integer, got '"
                + line.trim() + "'");
          }
        }
        StringBuilder times = new StringBuilder();
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          runs.get(k).run();
          times.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.6f", (System.nanoTime() - t0) / 1e9));
        }
        out.println(times);
        out.flush();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return 0;
  }

  private static String matching(int in, int hid, int batch, int steps) {
    for (Map.Entry<String, int[]> e : CONFIGS.entrySet()) {
      if (Arrays.equals(e.getValue(), new int[] {in, hid, batch, steps})) {
        return e.getKey();
      }
    }
    return null;
  }

  private static String jsonEscape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** Lengths uniform in [T/2, T], drawn from the seed. */
  static int[] uniformLengths(int batch, int steps, long seed) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed ^ 0x5EC1E7L);
    int[] l = new int[batch];
    for (int b = 0; b < batch; b++) {
      l[b] = Math.max(1, steps / 2) + r.nextInt(steps - Math.max(1, steps / 2) + 1);
    }
    return l;
  }

  /**
   * One training step, compiled once: forward, then the gradient of sum(output) for every
   * parameter ({@link #Step}), or, through {@link Recurrent#run}, for the input too
   * ({@link #layerRun}).
   */
  static final class Step {
    private final Plan plan;
    private final List<Tensor> feeds = new ArrayList<>();
    private final Supplier<Object> body;

    /**
     * A step of {@link Recurrent#run} with the gradient of sum(output) (for the input and every
     * parameter): without lengths, padded; with them, packed or, if not {@code packed}, the
     * masked carry over every step ({@link Recurrent#runMasked}).
     */
    static Step layerRun(Cell cell, int in, int hid, int batch, int steps, DType dtype, long seed, int[] lengths,
        boolean packed) {
      Rng rng = Rng.seeded(seed);
      Recurrent layer = Recurrent.of(cell, in, hid);
      Tensor x = Initializers.normal(rng, dtype, Shape.of(steps, batch, in), 0, 1);
      Map<String, Tensor> params = layer.initialize(rng, dtype);
      Tensor ones = Tensor.full(dtype, 1, Shape.of(steps, batch, layer.outputSize()));
      CompileOptions options = CompileOptions.defaults();
      return new Step(lengths == null ? () -> layer.run(params, x, Map.of(), ones, options)
          : packed ? () -> layer.run(params, x, lengths, Map.of(), ones, options)
          : () -> layer.runMasked(params, x, lengths, Map.of(), ones, options));
    }

    private Step(Supplier<Object> body) {
      this.plan = null;
      this.body = body;
    }

    Step(Cell cell, int in, int hid, int batch, int steps, DType dtype, long seed) {
      Rng rng = Rng.seeded(seed);
      Recurrent layer = Recurrent.of(cell, in, hid);
      Graph g = new Graph("bench " + cell.name());
      List<Node> feedNodes = new ArrayList<>();
      Node x = g.input("input", dtype, steps, batch, in);
      feedNodes.add(x);
      feeds.add(Initializers.normal(rng, dtype, x.shape(), 0, 1));
      Map<String, Node> params = new LinkedHashMap<>();
      for (Map.Entry<String, Tensor> e : layer.initialize(rng, dtype).entrySet()) {
        Node p = g.parameter(e.getKey(), dtype, e.getValue().shape().toArray());
        params.put(e.getKey(), p);
        feedNodes.add(p);
        feeds.add(e.getValue());
      }
      Recurrent.Output out = layer.build(g, x, Map.of(), params);
      Gradients grads = Gradients.of(out.output().sum(), new ArrayList<>(params.values()));
      plan = Plan.compile(grads.list(), feedNodes);
      body = () -> plan.run(feeds);
    }

    Object run() {
      return body.get();
    }
  }

  /** Peak heap use (all heap pools) and the most heap left in use after a collection, while open. */
  static final class HeapWatch implements AutoCloseable {
    private final List<MemoryPoolMXBean> pools = new ArrayList<>();
    private final AtomicLong live = new AtomicLong();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = (n, hb) -> {
      if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
        GarbageCollectionNotificationInfo info =
            GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        long used = 0;
        for (java.lang.management.MemoryUsage u : info.getGcInfo().getMemoryUsageAfterGc().values()) {
          used += u.getUsed();
        }
        live.accumulateAndGet(used, Math::max);
      }
    };
    private long peak;

    HeapWatch() {
      for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
        if (p.getType() == MemoryType.HEAP) {
          p.resetPeakUsage();
          pools.add(p);
        }
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter) {
          ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
          emitters.add((NotificationEmitter) gc);
        }
      }
    }

    /** The sum of the heap pools' peaks: an upper bound of the heap in use at any moment. */
    long peakBytes() {
      return peak;
    }

    long liveBytes() {
      return live.get();
    }

    @Override
    public void close() {
      long sum = 0;
      for (MemoryPoolMXBean p : pools) {
        sum += p.getPeakUsage().getUsed();
      }
      peak = sum;
      for (NotificationEmitter e : emitters) {
        try {
          e.removeNotificationListener(listener);
        } catch (javax.management.ListenerNotFoundException ex) {
          // never added to this one; nothing to remove
        }
      }
    }
  }
}
