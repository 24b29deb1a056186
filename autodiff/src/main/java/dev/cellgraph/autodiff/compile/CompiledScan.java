package dev.cellgraph.autodiff.compile;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.autodiff.ScanExecutor;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.Workspace;
import dev.cellgraph.core.kernel.Kernels;
import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A scan compiled for one sequence length into three plans, the way fast RNN implementations are
 * written by hand, but derived automatically from any step function:
 *
 * <ol>
 *   <li><b>pre</b>: every value of the step that depends only on the sequences and the constants,
 *       for all T steps at once ({@code x W_ihᵀ} for every gate and step is one GEMM; in a backward
 *       scan, whose sequences are the forward scan's residuals, the derivative factors of the saved
 *       activations, or the whole recomputed forward when nothing was saved);
 *   <li><b>loop</b>: only what the new carries need, step by step, reading step t's slice of the
 *       pre values (the recurrent GEMM and the gate arithmetic; in a backward scan, the
 *       carry-cotangent chain);
 *   <li><b>post</b>: everything else for all steps at once from the stacked loop values: outputs
 *       that feed no carry ({@code dx = dgates W_ih}), and constant-gradient accumulators
 *       {@code acc + Pᵀ Q} or {@code acc + Σ_batch g}, which become one large GEMM or sum over
 *       all T steps instead of T small ones.
 * </ol>
 *
 * <p>A value whose op has no lifting rule ({@link Lift}) is computed in the loop instead, so
 * every step function compiles; results differ from the step-by-step scan only by float
 * rounding (sums are associated differently). Outputs the plan never reads (the history of an
 * accumulator, unused stacked outputs, residuals without a gradient) are not computed. Immutable
 * and thread-safe.
 */
public final class CompiledScan implements ScanExecutor.Compiled {
  private static final int CONST = 0;
  private static final int PRE = 1;
  private static final int LATE = 2;
  private static final int CARRY = 3;
  private static final int ACC = 4;

  private final int nc;
  private final int nx;
  private final int nk;
  private final int ny;
  private final int outputs;
  private final int t;
  private final boolean reverse;
  private final Plan pre;                // feeds: sequences, constants
  private final Plan loop;               // feeds: carries, then loopFeeds; outputs: carries, then stacked
  private final Plan post;               // feeds: postFeeds; outputs: postTargets
  private final int[] carryIndex;        // loop carry -> scan carry index
  private final boolean[] historyWanted; // per loop carry
  private final int[] loopFeedPre;       // per loop feed after the carries: pre output index
  private final boolean[] loopFeedSliced;
  private final boolean[] loopFeedPacked; // a constant right operand of a loop product
  private final boolean[] loopFeedPackedTransposed; // ... that the products read transposed
  private final TensorType[] loopFeedType;
  private final TensorType[] stackedType;
  private final int[] postFeedKind;      // 0 pre output, 1 stacked loop value, 2 scan input
  private final int[] postFeedIndex;
  private final int[] postTargets;       // post output -> scan output index
  private final RowSplit rowSplit;       // the loop per block of batch rows, or null
  private volatile double[] rowShares; // per part of a row-split run, its share of the batch; null: equal
  /**
   * Per thread, the pool of this scan's large values between runs, softly held: a scan compiled
   * for a length no longer in use (each length has its own) gives its arrays back to the
   * collector when memory runs short.
   */
  private final ThreadLocal<SoftReference<Workspace>> pools = new ThreadLocal<>();
  /**
   * Arrays of at most this many elements (16 MB of floats) stay in a scan's pool between runs.
   * Larger ones are left to the collector: keeping a large LSTM's (52 MB each) would hold
   * 100 MB more between steps, for a step bound by its products (1.05x the time with them kept,
   * in one comparison: within the noise).
   */
  private static final int POOL_KEEP_MAX = 1 << 22;

  /** Blocks of fewer batch rows than this are not worth a thread of their own. */
  private static final int MIN_ROWS = 4;
  /** The options it was compiled with: row splitting is decided per run from them. */
  private final CompileOptions options;

  private CompiledScan(Builder b) {
    this.options = b.options;
    this.nc = b.nc;
    this.nx = b.nx;
    this.nk = b.nk;
    this.ny = b.ny;
    this.outputs = b.op.outputCount();
    this.t = b.t;
    this.reverse = b.op.reverse();
    this.pre = b.prePlan;
    this.loop = b.loopPlan;
    this.post = b.postPlan;
    this.carryIndex = b.loopCarries.stream().mapToInt(Integer::intValue).toArray();
    this.historyWanted = new boolean[carryIndex.length];
    for (int i = 0; i < carryIndex.length; i++) {
      historyWanted[i] = b.used == null || b.used[nc + ny + carryIndex[i]];
    }
    int lf = b.loopRequests.size();
    this.loopFeedPre = new int[lf];
    this.loopFeedSliced = new boolean[lf];
    this.loopFeedPacked = new boolean[lf];
    this.loopFeedPackedTransposed = new boolean[lf];
    this.loopFeedType = new TensorType[lf];
    for (int i = 0; i < lf; i++) {
      Node n = b.loopRequests.get(i);
      loopFeedPre[i] = b.preOutputs.get(n);
      loopFeedSliced[i] = b.kind[n.id()] == PRE;
      int read = b.loopFeedRightOperand(i);
      loopFeedPacked[i] = !loopFeedSliced[i] && t > 1 && read >= 0;
      loopFeedPackedTransposed[i] = read == 1;
      loopFeedType[i] = n.type();
    }
    this.stackedType = new TensorType[b.stackedRequests.size()];
    for (int i = 0; i < stackedType.length; i++) {
      stackedType[i] = b.stackedRequests.get(i).type();
    }
    this.postFeedKind = b.postFeedKind.stream().mapToInt(Integer::intValue).toArray();
    this.postFeedIndex = b.postFeedIndex.stream().mapToInt(Integer::intValue).toArray();
    this.postTargets = b.postTargets.stream().mapToInt(Integer::intValue).toArray();
    boolean floating = true;
    for (TensorType st : stackedType) {
      floating &= st.dtype().isFloating();
    }
    this.rowSplit = loop == null || t < 2 || !floating ? null
        : RowSplit.of(b.loopGraphFeeds, b.loopGraphOutputs, carryIndex.length, loopFeedSliced, b.options);
  }

  /**
   * Compiles {@code op} for sequences of length {@code t} with {@code options}; {@code used}
   * marks the scan outputs that are read (null: all).
   */
  public static CompiledScan compile(Scan.ScanOp op, int t, boolean[] used, CompileOptions options) {
    // with the residuals as extra results when they are read; sums re-associated so that what
    // does not depend on the carries moves out of the loop
    Flat flat = Flat.of(op.computedStep(used), op.carryCount());
    Set<Node> forced = new HashSet<>();
    Builder b = build(op, flat, t, used, forced, options);
    CompiledScan lifted = new CompiledScan(b);
    Set<Node> sink = options.sink() ? b.sinkable() : Set.of();
    if (sink.isEmpty() || lifted.rowSplit == null) {
      return lifted;
    }
    // Elementwise values of the sequences that only the loop reads (a backward scan's 1 - h^2,
    // a forward scan's bias add after x W) are computed in the loop's fused pass, per block of
    // rows, instead of in a pass over all T steps whose result the loop then reads back.
    forced.addAll(sink);
    CompiledScan sunk = new CompiledScan(build(op, flat, t, used, forced, options));
    return sunk.rowSplit != null ? sunk : lifted;
  }

  /** The builder, with every value that has no lifting rule forced into the loop. */
  private static Builder build(Scan.ScanOp op, Flat flat, int t, boolean[] used, Set<Node> forced,
      CompileOptions options) {
    while (true) {
      try {
        return new Builder(op, flat, t, used, forced, options).build();
      } catch (Lift.NotLiftable e) {
        if (!forced.add(e.node)) {
          throw new IllegalStateException("scan compiler: " + e.node + " is not liftable even in the loop", e);
        }
      }
    }
  }

  /**
   * Whether no step of the loop mixes the rows of the batch, so that a run can split the loop
   * by batch rows over the kernel threads ({@link RowSplit}; it does for batches of at least 8
   * rows, with more than one thread, unless turned off).
   */
  public boolean splitsByRows() {
    return rowSplit != null;
  }

  /** The ops the pre phase computes once per run, as labels ({@code matmul Bᵀ}, {@code sigmoid}). */
  public List<String> preOps() {
    return labels(pre);
  }

  /** The ops the loop computes at every step. */
  public List<String> loopOps() {
    return labels(loop);
  }

  /** The ops the post phase computes once per run. */
  public List<String> postOps() {
    return labels(post);
  }

  /** The labels of a plan's nodes, a fused group's ops listed one by one ({@link Fusion}). */
  private static List<String> labels(Plan p) {
    List<String> r = new ArrayList<>();
    if (p != null) {
      for (Node n : p.scheduled()) {
        if (n.op() instanceof FusedOp) {
          r.addAll(((FusedOp) n.op()).memberLabels());
        } else if (!(n.op() instanceof GraphOps.GetOutput && n.input(0).op() instanceof FusedOp)) {
          r.add(n.op().label());
        }
      }
    }
    return r;
  }

  /** The nodes the loop runs at every step, a fused group as one ({@code fused[add, sigmoid, ...]}). */
  public List<String> loopSchedule() {
    List<String> r = new ArrayList<>();
    if (loop != null) {
      for (Node n : loop.scheduled()) {
        if (!(n.op() instanceof GraphOps.GetOutput && n.input(0).op() instanceof FusedOp)) {
          r.add(n.op().label());
        }
      }
    }
    return r;
  }

  /** Runs the scan on its inputs (initial carries, sequences, constants); unread outputs are null. */
  @Override
  public List<Tensor> run(List<Tensor> in) {
    // The large values that do not outlive the run (x W of all steps, the stacked loop values
    // the post phase reads) come from this thread's pool: new memory is never in cache, and
    // clearing a 1.6 MB array took about 0.15 ms, 2% of a medium RNN's training step.
    SoftReference<Workspace> held = pools.get();
    Workspace pool = held == null ? null : held.get();
    if (pool == null) {
      pool = Workspace.detached(POOL_KEEP_MAX);
      pools.set(new SoftReference<>(pool));
    }
    List<Tensor> result;
    try (Workspace w = pool.enter()) {
      result = runIn(in);
    }
    pool.release(result.toArray(new Tensor[0]));
    return result;
  }

  private List<Tensor> runIn(List<Tensor> in) {
    List<Tensor> preVals = pre == null ? List.of() : pre.run(in.subList(nc, nc + nx + nk));
    int m = carryIndex.length;
    Tensor[] carry = new Tensor[m];
    Stacker[] hist = new Stacker[m];
    for (int i = 0; i < m; i++) {
      carry[i] = in.get(carryIndex[i]);
      if (historyWanted[i]) {
        hist[i] = new Stacker(carry[i].dtype(), carry[i].shape(), t);
      }
    }
    Stacker[] stacks = new Stacker[stackedType.length];
    for (int k = 0; k < stacks.length; k++) {
      stacks[k] = new Stacker(stackedType[k].dtype(), stackedType[k].shape(), t);
    }
    Tensor[] feeds = new Tensor[m + loopFeedPre.length];
    for (int j = 0; j < loopFeedPre.length; j++) {
      if (!loopFeedSliced[j]) {
        feeds[m + j] = preVals.get(loopFeedPre[j]);
        if (loopFeedPacked[j]) {
          // packed once for the T products by it (h W_hhᵀ and dgates W_hh); a transposed one
          // straight from the matrix, so no pass transposes it first
          feeds[m + j] = feeds[m + j].packedForMatmul(loopFeedPackedTransposed[j]);
        }
      }
    }
    int parts = rowSplit == null || !options.rowSplit() ? 1 : Math.min(Kernels.threads(), rowSplit.batch() / MIN_ROWS);
    if (parts < 2) {
      carry = runBlock(loop, -1, -1, preVals, feeds, carry, hist, stacks);
    } else {
      // split by batch rows: each thread runs all T steps for its block, with the loop compiled
      // for that many rows, and writes its rows of the stacked values; the final carries' blocks
      // are joined at the end
      int batch = rowSplit.batch();
      int unit = batch % MIN_ROWS == 0 ? MIN_ROWS : 1;
      int[] bounds = rowBounds(batch, unit, parts);
      long[] nanos = new long[parts];
      Tensor[] whole = carry;
      Tensor[][] blocks = new Tensor[parts][];
      long start = System.nanoTime();
      Kernels.parallel(parts, p -> {
        blocks[p] = runBlock(rowSplit.plan(bounds[p + 1] - bounds[p]), bounds[p], bounds[p + 1], preVals, feeds,
            whole, hist, stacks);
        nanos[p] = System.nanoTime() - start; // until this block is done: a late start counts
      });
      adaptRowShares(bounds, nanos);
      for (int i = 0; i < m; i++) {
        List<Tensor> rows = new ArrayList<>(parts);
        for (Tensor[] b : blocks) {
          rows.add(b[i]);
        }
        carry[i] = Tensor.concat(0, rows);
      }
    }
    return finish(in, preVals, carry, hist, stacks);
  }

  /**
   * Runs {@code plan} (null: no loop work) over all T steps for batch rows [r0, r1) of the
   * carries and the sequences, or for the whole batch when {@code r0} is -1, on the calling
   * thread, and returns the final carries. {@code feeds} holds the constant feeds after the
   * carries; it is not changed.
   */
  private Tensor[] runBlock(Plan plan, int r0, int r1, List<Tensor> preVals, Tensor[] feeds, Tensor[] carry,
      Stacker[] hist, Stacker[] stacks) {
    boolean whole = r0 < 0;
    int m = carryIndex.length;
    int batch = whole ? 0 : rowSplit.batch();
    Tensor[] c = new Tensor[m];
    for (int i = 0; i < m; i++) {
      c[i] = whole ? carry[i] : carry[i].slice(0, r0, r1);
    }
    Tensor[] f = feeds.clone();
    List<Tensor> feedList = Arrays.asList(f);
    try (Workspace pool = Workspace.open()) {
      for (int s = 0; s < t; s++) {
        int pos = reverse ? t - 1 - s : s;
        for (int i = 0; i < m; i++) {
          f[i] = c[i];
          if (hist[i] != null) {
            hist[i].put(pos, r0, batch, c[i]);
          }
        }
        if (plan == null) {
          continue;
        }
        for (int j = 0; j < loopFeedPre.length; j++) {
          if (loopFeedSliced[j]) {
            Tensor stacked = preVals.get(loopFeedPre[j]);
            Shape shape = loopFeedType[j].shape();
            f[m + j] = whole ? step(pool, stacked, pos, shape) : stepRows(pool, stacked, pos, shape, r0, r1);
          }
        }
        List<Tensor> outs = plan.run(feedList);
        for (int i = 0; i < m; i++) {
          c[i] = outs.get(i);
        }
        for (int k = 0; k < stacks.length; k++) {
          stacks[k].put(pos, r0, batch, outs.get(m + k));
        }
        // everything this step computed or read is dead but the new carries (the stacked
        // values are copied): its arrays serve the next step
        pool.endStep(c);
      }
    }
    return c;
  }

  /**
   * The first row of each block and the batch size after them: shares of the batch as fast as
   * each part ran last time ({@link #adaptRowShares}), in multiples of {@code unit}, each block
   * at least {@link #MIN_ROWS} rows (or one unit); equal shares before the first run. On this
   * shared machine one core at times runs at half speed for seconds, and with equal blocks the
   * other core then waits for it: in one profile of a medium RNN, the main thread spent 11% of
   * the step waiting for the helper's block. Any boundaries give the same bits.
   */
  private int[] rowBounds(int batch, int unit, int parts) {
    int[] b = new int[parts + 1];
    int units = batch / unit;
    int minUnits = Math.max(1, MIN_ROWS / unit);
    double[] share = rowShares;
    if (share == null || share.length != parts || units < parts * minUnits) {
      for (int i = 0; i <= parts; i++) {
        b[i] = splitRows(batch, unit, parts, i);
      }
      return b;
    }
    double upTo = 0;
    for (int i = 1; i < parts; i++) {
      upTo += share[i - 1];
      int u = (int) Math.round(upTo * units);
      u = Math.max(u, b[i - 1] / unit + minUnits);
      u = Math.min(u, units - (parts - i) * minUnits);
      b[i] = u * unit;
    }
    b[parts] = batch;
    return b;
  }

  /** Moves each part's share of the rows halfway to its share of the speed (rows per second) just measured. */
  private void adaptRowShares(int[] bounds, long[] nanos) {
    int parts = nanos.length;
    double[] rate = new double[parts];
    double sum = 0;
    for (int p = 0; p < parts; p++) {
      if (nanos[p] <= 0) {
        return;
      }
      rate[p] = (bounds[p + 1] - bounds[p]) / (double) nanos[p];
      sum += rate[p];
    }
    double[] old = rowShares;
    double[] next = new double[parts];
    for (int p = 0; p < parts; p++) {
      double was = old != null && old.length == parts ? old[p] : (bounds[p + 1] - bounds[p]) / (double) bounds[parts];
      next[p] = 0.5 * was + 0.5 * rate[p] / sum;
    }
    rowShares = next;
  }

  /** The start of block {@code i} of {@code parts}: boundaries at multiples of {@code unit}. */
  private static int splitRows(int length, int unit, int parts, int i) {
    int units = length / unit;
    return i == parts ? length : (int) ((long) units * i / parts) * unit;
  }

  /** The scan's outputs from the final carries, the histories, the stacked values and the post plan. */
  private List<Tensor> finish(List<Tensor> in, List<Tensor> preVals, Tensor[] carry, Stacker[] hist,
      Stacker[] stacks) {
    int m = carryIndex.length;
    Tensor[] result = new Tensor[outputs];
    for (int i = 0; i < m; i++) {
      result[carryIndex[i]] = carry[i];
      if (hist[i] != null) {
        result[nc + ny + carryIndex[i]] = hist[i].build();
      }
    }
    if (post != null) {
      Tensor[] stacked = new Tensor[stacks.length];
      for (int k = 0; k < stacks.length; k++) {
        stacked[k] = stacks[k].build();
      }
      List<Tensor> pf = new ArrayList<>(postFeedKind.length);
      for (int i = 0; i < postFeedKind.length; i++) {
        switch (postFeedKind[i]) {
          case 0: pf.add(preVals.get(postFeedIndex[i])); break;
          case 1: pf.add(stacked[postFeedIndex[i]]); break;
          default: pf.add(in.get(postFeedIndex[i])); break;
        }
      }
      List<Tensor> po = post.run(pf);
      for (int i = 0; i < postTargets.length; i++) {
        result[postTargets[i]] = po.get(i);
      }
    }
    return Arrays.asList(result);
  }

  /** Step {@code pos} of a stacked value: a copy of one contiguous block, into a pooled array. */
  private static Tensor step(Workspace pool, Tensor stacked, int pos, Shape s) {
    int n = s.size();
    switch (stacked.dtype()) {
      case FLOAT32: {
        float[] a = pool.floats(n);
        System.arraycopy(stacked.rawFloats(), pos * n, a, 0, n);
        return Tensor.wrap(a, s);
      }
      case FLOAT64: {
        double[] a = pool.doubles(n);
        System.arraycopy(stacked.rawDoubles(), pos * n, a, 0, n);
        return Tensor.wrap(a, s);
      }
      default:
        return stacked.select(0, pos);
    }
  }

  /** Rows [r0, r1) of step {@code pos} of a stacked value whose steps have shape {@code s}. */
  private static Tensor stepRows(Workspace pool, Tensor stacked, int pos, Shape s, int r0, int r1) {
    int n = s.size();
    int row = n / s.dim(0);
    Shape rs = s.with(0, r1 - r0);
    int len = (r1 - r0) * row;
    int from = pos * n + r0 * row;
    if (stacked.dtype() == DType.FLOAT32) {
      float[] a = pool.floats(len);
      System.arraycopy(stacked.rawFloats(), from, a, 0, len);
      return Tensor.wrap(a, rs);
    }
    double[] a = pool.doubles(len);
    System.arraycopy(stacked.rawDoubles(), from, a, 0, len);
    return Tensor.wrap(a, rs);
  }

  /** Collects one value per step into a stacked [T] + S tensor, written in place. */
  private static final class Stacker {
    private final DType dtype;
    private final Shape shape;
    private final int n;
    private final int t;
    private final float[] f;
    private final double[] d;
    private final Tensor[] other;

    Stacker(DType dtype, Shape shape, int t) {
      this.dtype = dtype;
      this.shape = shape;
      this.n = shape.size();
      this.t = t;
      // every step writes its value (all its rows), so the arrays need not be cleared
      this.f = dtype == DType.FLOAT32 ? Workspace.newFloats(t * n) : null;
      this.d = dtype == DType.FLOAT64 ? Workspace.newDoubles(t * n) : null;
      this.other = f == null && d == null ? new Tensor[t] : null;
    }

    /**
     * Step {@code pos}'s value, or (r0 at least 0) its rows from r0 on, of a step of
     * {@code batch} rows (floating point only).
     */
    void put(int pos, int r0, int batch, Tensor v) {
      int at = pos * n + (r0 < 0 ? 0 : r0 * (n / batch));
      if (f != null) {
        System.arraycopy(v.rawFloats(), 0, f, at, v.size());
      } else if (d != null) {
        System.arraycopy(v.rawDoubles(), 0, d, at, v.size());
      } else {
        other[pos] = v;
      }
    }

    Tensor build() {
      Shape s = Lift.stacked(t, shape);
      if (f != null) {
        return n == 0 ? Tensor.zeros(dtype, s) : Tensor.wrap(f, s);
      }
      if (d != null) {
        return n == 0 ? Tensor.zeros(dtype, s) : Tensor.wrap(d, s);
      }
      return Tensor.stack(0, Arrays.asList(other));
    }
  }

  /** The analysis and the construction of the three plans. */
  private static final class Builder {
    final Scan.ScanOp op;
    final Flat flat;
    final int t;
    final boolean[] used;
    final Set<Node> forced;
    final int nc;
    final int nx;
    final int nk;
    final int ny;
    final List<Node> nodes;
    int[] kind;
    boolean[] inLoop;
    final Node[] accE;
    final List<Integer> loopCarries = new ArrayList<>();

    // post graph
    final Graph postGraph;
    final Map<Node, Lift.Val> postVal = new LinkedHashMap<>();
    final List<Node> postFeeds = new ArrayList<>();
    final List<Integer> postFeedKind = new ArrayList<>();
    final List<Integer> postFeedIndex = new ArrayList<>();
    final List<Node> postOutputs = new ArrayList<>();
    final List<Integer> postTargets = new ArrayList<>();
    final List<Node> postPreRequests = new ArrayList<>(); // resolved to indices once pre is built
    final List<Node> stackedRequests = new ArrayList<>();
    final Map<Node, Integer> stackedIndex = new LinkedHashMap<>();
    final Map<Node, Node> reduced = new HashMap<>();
    final Map<Node, Node> summedRows = new HashMap<>(); // loop concat -> Σ over steps and batch

    // loop graph
    final Graph loopGraph;
    final List<Node> loopRequests = new ArrayList<>();
    final List<Node> loopFeeds = new ArrayList<>(); // the loop graph's input per loop request
    Map<Node, Integer> rightOperandReads;           // loop graph node -> loopFeedRightOperand's answer

    // pre graph
    final Map<Node, Integer> preOutputs = new LinkedHashMap<>();

    Plan prePlan;
    Plan loopPlan;
    Plan postPlan;
    List<Node> loopGraphFeeds;   // the loop graph's inputs (carries first) and outputs
    List<Node> loopGraphOutputs;

    final CompileOptions options;

    Builder(Scan.ScanOp op, Flat flat, int t, boolean[] used, Set<Node> forced, CompileOptions options) {
      this.options = options;
      this.op = op;
      this.flat = flat;
      this.t = t;
      this.used = used;
      this.forced = forced;
      this.nc = op.carryCount();
      this.nx = op.sequenceCount();
      this.nk = op.constantCount();
      this.ny = op.yCount();
      this.nodes = flat.graph.nodes();
      this.accE = new Node[nc];
      String name = op.step().name();
      this.postGraph = new Graph(name + ".post");
      this.loopGraph = new Graph(name + ".loop");
    }

    private boolean outputUsed(int i) {
      return used == null || used[i];
    }

    /** The step's results after the carries: the y, then any residuals. */
    private int stackedResults() {
      return flat.results.size() - nc;
    }

    /** The scan output of stacked result j: y_j, or a residual (after the history). */
    private int stackedOutput(int j) {
      return j < ny ? nc + j : nc + ny + nc + (j - ny);
    }

    Builder build() {
      int size = flat.graph.size();
      List<Node> results = flat.results;
      List<Node> params = flat.params;
      // which values anything reads, and how often each carry is read
      boolean[] needed = neededFrom(allRoots(results, null), size);
      int[] uses = new int[size];
      for (int i = 0; i < size; i++) {
        if (needed[i]) {
          for (Node in : nodes.get(i).inputs()) {
            uses[in.id()]++;
          }
        }
      }
      for (int i = 0; i < nc; i++) {
        Node c = params.get(i);
        Node r = results.get(i);
        // the per-step value of an accumulator exists only in the loop: nothing else may read it
        // (dx = dh' = dcarry + dy, the same node as the carry's result, is read by the post phase)
        if (outputUsed(nc + ny + i) || r.op() != Ops.ADD || !r.type().equals(c.type()) || uses[c.id()] != 1
            || uses[r.id()] != 0 || results.indexOf(r) != i || results.lastIndexOf(r) != i || results.contains(c)) {
          continue;
        }
        Node other = r.input(0) == c ? r.input(1) : r.input(1) == c ? r.input(0) : null;
        if (other != null && other != c && other.type().equals(c.type())) {
          accE[i] = other; // acc' = acc + E: summed over all steps after the loop
        }
      }
      needed = neededFrom(allRoots(results, accE), size);
      classify(needed, params);
      markLoop(results);

      // non-accumulator carries run through the loop
      for (int i = 0; i < nc; i++) {
        if (accE[i] == null) {
          loopCarries.add(i);
        }
      }
      buildPost(results);
      buildLoop(results);
      buildPre(params);
      return this;
    }

    private List<Node> allRoots(List<Node> results, Node[] acc) {
      List<Node> roots = new ArrayList<>();
      for (int i = 0; i < nc; i++) {
        roots.add(acc != null && acc[i] != null ? acc[i] : results.get(i));
      }
      for (int j = 0; j < stackedResults(); j++) {
        if (outputUsed(stackedOutput(j))) {
          roots.add(results.get(nc + j));
        }
      }
      return roots;
    }

    private boolean[] neededFrom(List<Node> roots, int size) {
      boolean[] needed = new boolean[size];
      for (Node r : roots) {
        needed[r.id()] = true;
      }
      for (int i = size - 1; i >= 0; i--) {
        if (needed[i]) {
          for (Node in : nodes.get(i).inputs()) {
            needed[in.id()] = true;
          }
        }
      }
      return needed;
    }

    private void classify(boolean[] needed, List<Node> params) {
      kind = new int[nodes.size()];
      Arrays.fill(kind, -1);
      for (int i = 0; i < params.size(); i++) {
        Node p = params.get(i);
        kind[p.id()] = i < nc ? (accE[i] != null ? ACC : CARRY) : i < nc + nx ? PRE : CONST;
      }
      for (int i = 0; i < nodes.size(); i++) {
        Node n = nodes.get(i);
        if (!needed[i] || kind[i] >= 0) {
          continue;
        }
        boolean late = false;
        boolean pre = false;
        for (Node in : n.inputs()) {
          int k = kind[in.id()];
          late |= k == LATE || k == CARRY || k == ACC;
          pre |= k == PRE;
        }
        if (!late && !pre) {
          kind[i] = CONST;
        } else if (!late && !forced.contains(n)) {
          kind[i] = PRE;
        } else {
          kind[i] = LATE;
        }
      }
    }

    /**
     * The elementwise values of the sequences (kind PRE, fusable) read only by loop values or by
     * other such values: computed in the loop, they cost no pass over all T steps.
     */
    Set<Node> sinkable() {
      int size = nodes.size();
      boolean[] needed = neededFrom(allRoots(flat.results, accE), size);
      boolean[] cand = new boolean[size];
      for (int i = 0; i < size; i++) {
        Node n = nodes.get(i);
        cand[i] = needed[i] && kind[i] == PRE && !n.inputs().isEmpty() && Fusion.elementwise(n);
      }
      for (Node r : allRoots(flat.results, accE)) {
        cand[r.id()] = false; // read by the post phase
      }
      boolean changed = true;
      while (changed) {
        changed = false;
        for (int i = 0; i < size; i++) {
          if (!needed[i]) {
            continue;
          }
          for (Node in : nodes.get(i).inputs()) {
            if (cand[in.id()] && !inLoop[i] && !cand[i]) {
              cand[in.id()] = false;
              changed = true;
            }
          }
        }
      }
      Set<Node> sink = new HashSet<>();
      for (int i = 0; i < size; i++) {
        if (cand[i]) {
          sink.add(nodes.get(i));
        }
      }
      return sink;
    }

    /** Late values the new carries need, or that cannot be lifted, run in the loop. */
    private void markLoop(List<Node> results) {
      inLoop = new boolean[nodes.size()];
      List<Node> stack = new ArrayList<>();
      for (int i = 0; i < nc; i++) {
        if (accE[i] == null) {
          stack.add(results.get(i));
        }
      }
      for (Node f : forced) {
        if (kind[f.id()] == LATE) {
          stack.add(f);
        }
      }
      while (!stack.isEmpty()) {
        Node n = stack.remove(stack.size() - 1);
        if (kind[n.id()] != LATE || inLoop[n.id()]) {
          continue;
        }
        inLoop[n.id()] = true;
        stack.addAll(n.inputs());
      }
    }

    // ---------------------------------------------------------------- post

    private void buildPost(List<Node> results) {
      for (int j = 0; j < stackedResults(); j++) {
        if (outputUsed(stackedOutput(j))) {
          postOutputs.add(Lift.stackOf(postGraph, post(results.get(nc + j)), t));
          postTargets.add(stackedOutput(j));
        }
      }
      for (int i = 0; i < nc; i++) {
        if (accE[i] != null && outputUsed(i)) {
          Node init = postGraph.input("acc" + i, flat.params.get(i).type());
          postFeeds.add(init);
          postFeedKind.add(2);
          postFeedIndex.add(i);
          postOutputs.add(init.add(reduce(accE[i])));
          postTargets.add(i);
        }
      }
    }

    /**
     * The value of step node n in the post graph: a feed from pre or the loop, or lifted here.
     * Depth first, inputs left to right, with an explicit stack: a sum of 5,000 parts is a chain
     * as deep.
     */
    private Lift.Val post(Node n) {
      List<Node> stack = new ArrayList<>();
      List<Integer> next = new ArrayList<>(); // per frame, the next input to visit
      stack.add(n);
      next.add(0);
      while (!stack.isEmpty()) {
        int top = stack.size() - 1;
        Node u = stack.get(top);
        if (postVal.containsKey(u)) {
          stack.remove(top);
          next.remove(top);
          continue;
        }
        if (kind[u.id()] == LATE && !inLoop[u.id()] && next.get(top) < u.inputs().size()) {
          Node in = u.input(next.get(top));
          next.set(top, next.get(top) + 1);
          if (!postVal.containsKey(in)) {
            stack.add(in);
            next.add(0);
          }
          continue;
        }
        postVal.put(u, postOne(u));
        stack.remove(top);
        next.remove(top);
      }
      return postVal.get(n);
    }

    /** {@link #post} of a node whose inputs, if it is lifted here, have their post values. */
    private Lift.Val postOne(Node n) {
      int k = kind[n.id()];
      if (k == CONST && n.inputs().isEmpty() && !(n.op() instanceof GraphOps.Leaf)) {
        return new Lift.Val(postGraph.apply(n.op(), List.of()), false);
      } else if (k == CONST || k == PRE) {
        Node f = postGraph.input("pre" + n.id(), k == PRE ? stackedType(n) : n.type());
        postFeeds.add(f);
        postFeedKind.add(0);
        postFeedIndex.add(postPreRequests.size()); // rewritten to a pre output index later
        postPreRequests.add(n);
        return new Lift.Val(f, k == PRE);
      } else if (k == CARRY || inLoop[n.id()]) {
        Node f = postGraph.input("loop" + n.id(), stackedType(n));
        postFeeds.add(f);
        postFeedKind.add(1);
        postFeedIndex.add(stackedRequests.size());
        stackedIndex.put(n, stackedRequests.size());
        stackedRequests.add(n);
        return new Lift.Val(f, true);
      } else if (k == LATE) {
        List<Lift.Val> ins = new ArrayList<>();
        for (Node in : n.inputs()) {
          ins.add(postVal.get(in));
        }
        return new Lift.Val(Lift.lift(postGraph, n, ins, t), true);
      }
      throw new IllegalStateException("scan compiler: the accumulator " + n + " is read by the post phase");
    }

    /**
     * A loop value that concatenates {@code part} (once) with others along the last axis, the
     * batch being the first, and that a product of the post phase reads, or null.
     */
    private Node joinedIn(Node part) {
      if (part.rank() != 2) {
        return null;
      }
      for (Node n : nodes) {
        if (n.op() instanceof LayoutOps.Concat && inLoop[n.id()] && n.rank() == 2
            && n.shape().normalizeAxis(((LayoutOps.Concat) n.op()).axis()) == 1
            && Collections.frequency(n.inputs(), part) == 1 && readByPostProduct(n)) {
          return n;
        }
      }
      return null;
    }

    /** Whether a product outside the loop (a weight gradient reduced by the post phase) reads {@code v}. */
    private boolean readByPostProduct(Node v) {
      for (Node n : nodes) {
        if (n.op() instanceof Ops.MatMul && !inLoop[n.id()] && n.inputs().contains(v)) {
          return true;
        }
      }
      return false;
    }

    private TensorType stackedType(Node n) {
      return new TensorType(n.dtype(), Lift.stacked(t, n.shape()));
    }

    /** Σ over all steps of step value e, as few large ops as its form allows; once per value. */
    private Node reduce(Node e) {
      Node r = reduced.get(e); // the slices of one stacked product share its GEMM
      if (r == null) {
        r = reduceOnce(e);
        reduced.put(e, r);
      }
      return r;
    }

    private Node reduceOnce(Node e) {
      if (kind[e.id()] == CONST) {
        return post(e).node().mul((double) t);
      }
      if (e.op() == Ops.ADD && e.input(0).shape().equals(e.shape()) && e.input(1).shape().equals(e.shape())) {
        return reduce(e.input(0)).add(reduce(e.input(1)));
      }
      if (e.op() instanceof Ops.MatMul) {
        Ops.MatMul mm = (Ops.MatMul) e.op();
        Node a = e.input(0);
        Node b = e.input(1);
        if (mm.transA() && !mm.transB() && a.rank() == 2 && b.rank() == 2
            && kind[a.id()] != CONST && kind[b.id()] != CONST) {
          // Σ_t P_tᵀ Q_t = [P_0; ...; P_T-1]ᵀ [Q_0; ...; Q_T-1]: one GEMM over T * rows
          Node pa = post(a).node().reshape(-1, a.shape().dim(1));
          Node pb = post(b).node().reshape(-1, b.shape().dim(1));
          return pa.matmul(pb, true, false);
        }
      }
      if (e.op() instanceof Ops.SumTo && kind[e.input(0).id()] != CONST) {
        Node part = e.input(0);
        Shape target = ((Ops.SumTo) e.op()).target();
        Node joined = inLoop[part.id()] && target.equals(Shape.of(part.shape().dim(-1))) ? joinedIn(part) : null;
        if (joined != null) {
          // Σ over the batch of one part of a concat along the last axis that the loop computes
          // (a formula cell's gate cotangents, joined for dgates U) = a slice of one Σ of the
          // concat, whose stacked value a product of the post phase reads anyway (Σ hᵀ dgates):
          // no part stacked on its own
          int start = 0;
          for (Node in : joined.inputs()) {
            if (in == part) {
              break;
            }
            start += in.shape().dim(-1);
          }
          Node whole = summedRows.get(joined);
          if (whole == null) {
            whole = postGraph.apply(new Ops.SumTo(Shape.of(joined.shape().dim(-1))), List.of(post(joined).node()));
            summedRows.put(joined, whole);
          }
          return postGraph.apply(new LayoutOps.Slice(0, start, start + part.shape().dim(-1)), List.of(whole));
        }
        Node x = post(e.input(0)).node();
        return postGraph.apply(new Ops.SumTo(((Ops.SumTo) e.op()).target()), List.of(x));
      }
      if (e.op().isLinear() && e.inputs().size() == 1 && kind[e.input(0).id()] != CONST) {
        // linear: Σ_t op(E_t) = op(Σ_t E_t); a formula cell's W_f, W_i... are slices of one gradient
        return postGraph.apply(e.op(), List.of(reduce(e.input(0))));
      }
      Lift.Val v = post(e);
      return v.lifted() ? postGraph.apply(new Ops.SumAxis(0, false), List.of(v.node())) : v.node().mul((double) t);
    }

    // ---------------------------------------------------------------- loop

    private void buildLoop(List<Node> results) {
      Map<Node, Node> val = new LinkedHashMap<>();
      List<Node> feeds = new ArrayList<>();
      for (int i : loopCarries) {
        Node c = flat.params.get(i);
        Node f = loopGraph.input(c.name() != null ? c.name() : "carry" + i, c.type());
        val.put(c, f);
        feeds.add(f);
      }
      List<Node> requestFeeds = new ArrayList<>();
      for (Node n : nodes) {
        if (inLoop[n.id()]) {
          List<Node> ins = new ArrayList<>();
          for (Node in : n.inputs()) {
            ins.add(loopValue(in, val, requestFeeds));
          }
          val.put(n, loopGraph.apply(n.op(), ins, n.name()));
        }
      }
      List<Node> outputs = new ArrayList<>();
      for (int i : loopCarries) {
        outputs.add(loopValue(results.get(i), val, requestFeeds));
      }
      for (Node n : stackedRequests) {
        outputs.add(loopValue(n, val, requestFeeds));
      }
      feeds.addAll(requestFeeds);
      loopFeeds.addAll(requestFeeds);
      boolean anyWork = false;
      for (boolean b : inLoop) {
        anyWork |= b;
      }
      if (!outputs.isEmpty() && (anyWork || !stackedRequests.isEmpty() || !loopCarries.isEmpty())) {
        loopPlan = Fusion.compile(outputs, feeds, options);
        loopGraphFeeds = feeds;
        loopGraphOutputs = outputs;
      }
    }

    /**
     * How the loop's products read loop feed {@code i} (after the carries) as their right
     * operand: 0 as it is, 1 transposed (h W_hhᵀ), -1 not at all (or both ways, or not a matrix).
     */
    int loopFeedRightOperand(int i) {
      if (rightOperandReads == null) {
        // once for all feeds: a search of the loop graph per feed is quadratic in a large cell
        rightOperandReads = new HashMap<>();
        for (Node n : loopGraph.nodes()) {
          if (n.op() instanceof Ops.MatMul && n.input(1).rank() == 2) {
            int way = ((Ops.MatMul) n.op()).transB() ? 1 : 0;
            rightOperandReads.merge(n.input(1), way, (was, now) -> was.equals(now) ? was : -1);
          }
        }
      }
      return rightOperandReads.getOrDefault(loopFeeds.get(i), -1);
    }

    private Node loopValue(Node n, Map<Node, Node> val, List<Node> requestFeeds) {
      Node v = val.get(n);
      if (v != null) {
        return v;
      }
      int k = kind[n.id()];
      if (k == CONST && n.inputs().isEmpty() && !(n.op() instanceof GraphOps.Leaf)) {
        v = loopGraph.apply(n.op(), List.of());
      } else if (k == CONST || k == PRE) {
        v = loopGraph.input("pre" + n.id(), n.type());
        requestFeeds.add(v);
        loopRequests.add(n);
      } else {
        throw new IllegalStateException("scan compiler: " + n + " is needed by the loop but not computed there");
      }
      val.put(n, v);
      return v;
    }

    // ---------------------------------------------------------------- pre

    private void buildPre(List<Node> params) {
      List<Node> wanted = new ArrayList<>(postPreRequests);
      wanted.addAll(loopRequests);
      boolean[] demanded = new boolean[nodes.size()];
      for (Node n : wanted) {
        demanded[n.id()] = true;
      }
      for (int i = nodes.size() - 1; i >= 0; i--) {
        if (demanded[i]) {
          for (Node in : nodes.get(i).inputs()) {
            demanded[in.id()] = true;
          }
        }
      }
      Graph g = new Graph(op.step().name() + ".pre");
      List<Node> feeds = new ArrayList<>();
      Lift.Val[] val = new Lift.Val[nodes.size()];
      for (int i = nc; i < nc + nx + nk; i++) {
        Node p = params.get(i);
        boolean seq = i < nc + nx;
        Node f = g.input(p.name() != null ? p.name() : "in" + i, seq ? stackedType(p) : p.type());
        feeds.add(f);
        val[p.id()] = new Lift.Val(f, seq);
      }
      for (Node n : nodes) {
        int id = n.id();
        if (!demanded[id] || val[id] != null) {
          continue;
        }
        List<Lift.Val> ins = new ArrayList<>();
        List<Node> plain = new ArrayList<>();
        for (Node in : n.inputs()) {
          ins.add(val[in.id()]);
          plain.add(val[in.id()].node());
        }
        if (kind[id] == CONST) {
          val[id] = new Lift.Val(g.apply(n.op(), plain, n.name()), false);
        } else if (kind[id] == PRE) {
          val[id] = new Lift.Val(Lift.lift(g, n, ins, t), true);
        } else {
          throw new IllegalStateException("scan compiler: the pre phase reached " + n);
        }
      }
      List<Node> outputs = new ArrayList<>();
      for (Node n : wanted) {
        if (!preOutputs.containsKey(n)) {
          preOutputs.put(n, outputs.size());
          outputs.add(val[n.id()].node());
        }
      }
      for (int i = 0; i < postFeedKind.size(); i++) {
        if (postFeedKind.get(i) == 0) {
          postFeedIndex.set(i, preOutputs.get(postPreRequests.get(postFeedIndex.get(i))));
        }
      }
      if (!outputs.isEmpty()) {
        prePlan = Fusion.compile(outputs, feeds, options);
      }
      if (!postOutputs.isEmpty()) {
        postPlan = Fusion.compile(postOutputs, postFeeds, options);
      }
    }
  }
}
