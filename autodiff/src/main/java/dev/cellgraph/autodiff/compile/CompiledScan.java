package dev.cellgraph.autodiff.compile;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.autodiff.ScanExecutor;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.Workspace;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.kernel.Kernels;
import java.lang.ref.SoftReference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;

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
 * accumulator, unused stacked outputs, residuals without a gradient) are not computed. The step is
 * split by {@link StepSplit}; a loop in which no step mixes batch rows runs split by rows ({@link
 * RowSplit}).
 *
 * <p>A packed scan ({@link Scan#packed}) whose loop is row-wise runs each step over only the rows
 * up to the last one still running (PyTorch's packed batches shrink the same way when sorted
 * longest first), loop plans compiled per row count: a row that is padded at this step and was at
 * the step before keeps its carries, and its stacked values are those of the step before, which
 * are what computing it would give (its carries and inputs have not changed). A row is computed
 * at the first step of each padded stretch, so those values are its own. When the whole step
 * keeps batch rows apart but for accumulator sums ({@link RowSplit#packsByRows}), the pre and
 * post phases run over the computed rows only, laid out as steps of B rows (the packed layout).
 *
 * <p>Thread-safe: its plans and their description are immutable; what changes from run to run
 * affects only the time a run takes: the row shares of a split run ({@link RowShares}) and each
 * thread's pool of arrays.
 */
public final class CompiledScan implements ScanExecutor.Compiled {
  private final int nc;
  private final int nx;
  private final int nk;
  private final int ny;
  private final int outputs;
  private final int t;
  private final boolean reverse;
  private final int liveMask;            // the sequence marking padded rows (Scan.packed), or -1
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
  private final StepSplit.FeedSource[] postFeedKind;
  private final int[] postFeedIndex;
  private final int[] postTargets;       // post output -> scan output index
  private final RowSplit rowSplit;       // the loop per block of batch rows, or null
  private final RowShares rowShares = new RowShares(); // how split runs divide the batch
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

  /** The options it was compiled with: row splitting is decided per run from them. */
  private final CompileOptions options;

  // What a packed run needs to compile its pre and post phases for the packed layout's length.
  private final Scan.ScanOp op;
  private final Flat flat;
  private final boolean[] used;
  private final Set<Node> forced;
  /** Whether a packed run may compute the pre and post phases over the running rows only. */
  private final boolean packsPhases;
  /** Per length of the packed layout, this scan's phases compiled for it (empty: they differ). */
  private final Map<Integer, Optional<CompiledScan>> packedPhases = new ConcurrentHashMap<>();

  private CompiledScan(StepSplit b) {
    this.options = b.options;
    this.op = b.op;
    this.flat = b.flat;
    this.used = b.used;
    this.forced = Set.copyOf(b.kinds.forced);
    this.nc = b.nc;
    this.nx = b.nx;
    this.nk = b.nk;
    this.ny = b.ny;
    this.outputs = b.op.outputCount();
    this.t = b.t;
    this.reverse = b.op.reverse();
    this.liveMask = b.op.liveMask();
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
      loopFeedSliced[i] = b.kind[n.id()] == StepKinds.Kind.PRE;
      int read = b.loopFeedRightOperand(i);
      loopFeedPacked[i] = !loopFeedSliced[i] && t > 1 && read >= 0;
      loopFeedPackedTransposed[i] = read == 1;
      loopFeedType[i] = n.type();
    }
    this.stackedType = new TensorType[b.stackedRequests.size()];
    for (int i = 0; i < stackedType.length; i++) {
      stackedType[i] = b.stackedRequests.get(i).type();
    }
    this.postFeedKind = b.postFeedKind.toArray(new StepSplit.FeedSource[0]);
    this.postFeedIndex = b.postFeedIndex.stream().mapToInt(Integer::intValue).toArray();
    this.postTargets = b.postTargets.stream().mapToInt(Integer::intValue).toArray();
    boolean floating = true;
    for (TensorType st : stackedType) {
      floating &= st.dtype().isFloating();
    }
    this.rowSplit = loop == null || t < 2 || !floating ? null
        : RowSplit.of(b.loopGraphFeeds, b.loopGraphOutputs, carryIndex.length, loopFeedSliced, b.options);
    this.packsPhases = liveMask >= 0 && rowSplit != null
        && RowSplit.packsByRows(b.flat, b.kinds, nc, nx, rowSplit.batch());
  }

  /**
   * Compiles {@code op} for sequences of length {@code t} with {@code options}; {@code used}
   * marks the scan outputs that are read (null: all).
   *
   * @param op the scan op to compile
   * @param t the sequence length
   * @param used which of the scan's outputs are read, or null for all
   * @param options the compiler switches
   * @return the compiled scan
   */
  public static CompiledScan compile(Scan.ScanOp op, int t, boolean[] used, CompileOptions options) {
    // with the residuals as extra results when they are read; sums re-associated so that what
    // does not depend on the carries moves out of the loop
    Flat flat = Flat.of(op.computedStep(used), op.carryCount());
    Set<Node> forced = new HashSet<>();
    StepSplit b = StepSplit.of(op, flat, t, used, forced, options);
    CompiledScan lifted = new CompiledScan(b);
    Set<Node> sink = options.sink() ? b.sinkable() : Set.of();
    if (sink.isEmpty() || lifted.rowSplit == null) {
      return lifted;
    }
    // Elementwise values of the sequences that only the loop reads (a backward scan's 1 - h^2,
    // a forward scan's bias add after x W) are computed in the loop's fused pass, per block of
    // rows, instead of in a pass over all T steps whose result the loop then reads back.
    forced.addAll(sink);
    CompiledScan sunk = new CompiledScan(StepSplit.of(op, flat, t, used, forced, options));
    return sunk.rowSplit != null ? sunk : lifted;
  }

  /**
   * Whether no step of the loop mixes the rows of the batch, so that a run can split the loop
   * by batch rows over the kernel threads ({@link RowSplit}; it does for batches of at least 8
   * rows, with more than one thread, unless turned off).
   *
   * @return true if the loop can be split by batch rows
   */
  public boolean splitsByRows() {
    return rowSplit != null;
  }

  /**
   * Whether this is a packed scan ({@link Scan#packed}) whose runs compute the loop, and the pre
   * and post phases too, over the rows still running only: its loop splits by rows and its whole
   * step keeps batch rows apart but for the accumulators' sums over the batch.
   *
   * @return true if every phase of a run computes only the rows still running
   */
  public boolean packsEveryPhase() {
    return packsPhases;
  }

  /**
   * The ops the pre phase computes once per run, as labels ({@code matmul Bᵀ}, {@code sigmoid}).
   *
   * @return the labels of the pre phase's ops, in schedule order
   */
  public List<String> preOps() {
    return labels(pre);
  }

  /**
   * The ops the loop computes at every step.
   *
   * @return the labels of the loop's ops, in schedule order
   */
  public List<String> loopOps() {
    return labels(loop);
  }

  /**
   * The ops the post phase computes once per run.
   *
   * @return the labels of the post phase's ops, in schedule order
   */
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

  /**
   * The nodes the loop runs at every step, a fused group as one ({@code fused[add, sigmoid, ...]}).
   *
   * @return the labels of the loop's scheduled nodes, in order
   */
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
    int[] live = liveMask >= 0 && rowSplit != null ? liveRows(in.get(nc + liveMask), t, rowSplit.batch()) : null;
    if (live != null && packsPhases) {
      List<Tensor> r = runPackedLayout(in, live);
      if (r != null) {
        return r;
      }
    }
    List<Tensor> preVals = pre == null ? List.of() : pre.run(in.subList(nc, nc + nx + nk));
    Stacker[] stacks = new Stacker[stackedType.length];
    for (int k = 0; k < stacks.length; k++) {
      stacks[k] = new Stacker(stackedType[k].dtype(), stackedType[k].shape(), t);
    }
    Layout layout = live == null ? null : new Layout(Layout.computedRows(live, reverse, rowSplit.batch()), null);
    return finish(in, preVals, runLoop(in, preVals, layout, stacks), post, stacks, null);
  }

  /**
   * Which rows of which steps a packed run computes: per position, the rows up to the last one
   * running there or at the step before in the scan's order ({@code computed}), and, in the packed
   * layout, the first row of each position's rows ({@code first}: the rows of all positions laid
   * one after the other in time order; null: the usual layout, {@code pos * B}).
   */
  private record Layout(int[] computed, int[] first) {
    /** Per position, the rows up to the last one running there or at the step before in the scan's order. */
    static int[] computedRows(int[] live, boolean reverse, int batch) {
      int t = live.length;
      int[] c = new int[t];
      int was = batch; // before the first step every row counts as running: each is computed once
      for (int s = 0; s < t; s++) {
        int pos = reverse ? t - 1 - s : s;
        c[pos] = Math.max(live[pos], was);
        was = live[pos];
      }
      return c;
    }
  }

  /**
   * The loop over all T steps, split by batch rows when it can be; returns the final carries and
   * fills {@code stacks} and the histories (the latter always in the usual layout).
   */
  private Carried runLoop(List<Tensor> in, List<Tensor> preVals, Layout layout, Stacker[] stacks) {
    int m = carryIndex.length;
    Tensor[] carry = new Tensor[m];
    Stacker[] hist = new Stacker[m];
    for (int i = 0; i < m; i++) {
      carry[i] = in.get(carryIndex[i]);
      if (historyWanted[i]) {
        hist[i] = new Stacker(carry[i].dtype(), carry[i].shape(), t);
      }
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
    int parts = rowSplit == null || !options.rowSplit() ? 1 : Math.min(Kernels.threads(), rowSplit.batch() / RowShares.MIN_ROWS);
    if (parts < 2 && layout != null) {
      // one block of all the rows, so that the steps can shrink it
      carry = runBlock(rowSplit.plan(rowSplit.batch()), 0, rowSplit.batch(), layout, preVals, feeds, carry, hist,
          stacks);
    } else if (parts < 2) {
      carry = runBlock(loop, -1, -1, null, preVals, feeds, carry, hist, stacks);
    } else {
      // split by batch rows: each thread runs all T steps for its block, with the loop compiled
      // for that many rows, and writes its rows of the stacked values; the final carries' blocks
      // are joined at the end
      int batch = rowSplit.batch();
      int unit = batch % RowShares.MIN_ROWS == 0 ? RowShares.MIN_ROWS : 1;
      int[] bounds = rowShares.bounds(batch, unit, parts);
      long[] nanos = new long[parts];
      Tensor[] whole = carry;
      Tensor[][] blocks = new Tensor[parts][];
      long start = System.nanoTime();
      Kernels.parallel(parts, p -> {
        blocks[p] = runBlock(rowSplit.plan(bounds[p + 1] - bounds[p]), bounds[p], bounds[p + 1], layout, preVals, feeds,
            whole, hist, stacks);
        nanos[p] = System.nanoTime() - start; // until this block is done: a late start counts
      });
      rowShares.adapt(bounds, nanos);
      for (int i = 0; i < m; i++) {
        List<Tensor> rows = new ArrayList<>(parts);
        for (Tensor[] b : blocks) {
          rows.add(b[i]);
        }
        carry[i] = Tensor.concat(0, rows);
      }
    }
    return new Carried(carry, hist);
  }

  /** The loop's final carries and the histories of the carries entering each step. */
  private record Carried(Tensor[] carry, Stacker[] hist) {}

  /**
   * A packed run in the packed layout: the sequences' computed rows ({@link Layout}) laid one
   * position after the other as steps of B rows, the pre and post phases
   * compiled for that many steps and run over them, the loop reading and writing them there,
   * and the post phase's stacked outputs laid back out over T steps, each row not computed
   * repeating its value of the step before. Null when the phases compiled for that length do not
   * match this scan's (the run then keeps the usual layout).
   */
  private List<Tensor> runPackedLayout(List<Tensor> in, int[] live) {
    int batch = rowSplit.batch();
    int[] computed = Layout.computedRows(live, reverse, batch);
    int rows = Arrays.stream(computed).sum();
    int steps = Math.max(1, (rows + batch - 1) / batch);
    // Rows to fill the last step of the layout are computed too, padded rows of the first
    // positions: computing a padded row gives its own values, where rows of zeros would give
    // values out of a function's domain (0/0 in a normalisation's gradient) to the post phase.
    for (int pos = 0, extra = steps * batch - rows; pos < t && extra > 0; pos++) {
      int add = Math.min(extra, batch - computed[pos]);
      computed[pos] += add;
      extra -= add;
    }
    int[] first = new int[t];
    for (int pos = 0, at = 0; pos < t; pos++) {
      first[pos] = at;
      at += computed[pos];
    }
    for (int i = 0; i < nx; i++) {
      DType d = in.get(nc + i).dtype();
      if (d != DType.FLOAT32 && d != DType.FLOAT64) {
        return null;
      }
    }
    CompiledScan phases = packedPhases.computeIfAbsent(steps, this::phasesFor).orElse(null);
    if (phases == null) {
      return null;
    }
    Layout layout = new Layout(computed, first);
    List<Tensor> packedIn = new ArrayList<>(in);
    for (int i = 0; i < nx; i++) {
      packedIn.set(nc + i, packRows(in.get(nc + i), layout, steps, batch));
    }
    List<Tensor> preVals = phases.pre == null ? List.of() : phases.pre.run(packedIn.subList(nc, nc + nx + nk));
    Stacker[] stacks = new Stacker[stackedType.length];
    for (int k = 0; k < stacks.length; k++) {
      stacks[k] = new Stacker(stackedType[k].dtype(), stackedType[k].shape(), steps);
    }
    Carried carried = runLoop(in, preVals, layout, stacks);
    return finish(in, preVals, carried, phases.post, stacks, layout);
  }

  /** This scan compiled for {@code steps} steps, if its pre and post phases read and give what this one's do. */
  private Optional<CompiledScan> phasesFor(int steps) {
    CompiledScan c = new CompiledScan(StepSplit.of(op, flat, steps, used, new HashSet<>(forced), options));
    boolean same = Arrays.equals(c.carryIndex, carryIndex) && Arrays.equals(c.loopFeedPre, loopFeedPre)
        && Arrays.equals(c.loopFeedSliced, loopFeedSliced) && Arrays.equals(c.postFeedKind, postFeedKind)
        && Arrays.equals(c.postFeedIndex, postFeedIndex) && Arrays.equals(c.postTargets, postTargets)
        && Arrays.equals(c.stackedType, stackedType) && (c.pre == null) == (pre == null)
        && (c.post == null) == (post == null);
    return same ? Optional.of(c) : Optional.empty();
  }

  /** {@code seq [T, B, ...]}'s computed rows in the packed layout, {@code [steps, B, ...]}. */
  private Tensor packRows(Tensor seq, Layout layout, int steps, int batch) {
    Shape s = seq.shape().with(0, steps);
    int row = seq.size() / (t * batch);
    boolean f32 = seq.dtype() == DType.FLOAT32;
    Object from = f32 ? TensorAccess.floats(seq) : TensorAccess.doubles(seq);
    // from the scan's pool, not cleared: the layout's rows fill all steps x B of it
    Object to = f32 ? Workspace.newFloats(s.size()) : Workspace.newDoubles(s.size());
    copyComputed(from, pos -> pos * batch, to, pos -> layout.first()[pos], layout.computed(), row,
        copyParts(s.size()));
    return f32 ? TensorAccess.wrap((float[]) to, s) : TensorAccess.wrap((double[]) to, s);
  }

  /**
   * A stacked value in the packed layout laid back out over T steps: each position's computed
   * rows from the packed layout, the others their values of the step before in the scan's order.
   */
  private Tensor unpackRows(Tensor packed, Layout layout, int batch) {
    Shape s = packed.shape().with(0, t);
    int row = s.size() / (t * batch);
    int n = batch * row;
    boolean f32 = packed.dtype() == DType.FLOAT32;
    Object from = f32 ? TensorAccess.floats(packed) : TensorAccess.doubles(packed);
    // every element is written: the scan's first position computes all rows
    Object to = f32 ? Workspace.newFloats(s.size()) : Workspace.newDoubles(s.size());
    int parts = copyParts(s.size());
    copyComputed(from, pos -> layout.first()[pos], to, pos -> pos * batch, layout.computed(), row, parts);
    // the rows not computed repeat the position before: in the scan's order, each part its own batch rows
    forParts(parts, p -> {
      int b0 = batch * p / parts;
      int b1 = batch * (p + 1) / parts;
      for (int step = 1; step < t; step++) {
        int pos = reverse ? t - 1 - step : step;
        int c = Math.max(b0, layout.computed()[pos]);
        if (c < b1) {
          int before = reverse ? pos + 1 : pos - 1;
          System.arraycopy(to, before * n + c * row, to, pos * n + c * row, (b1 - c) * row);
        }
      }
    });
    return f32 ? TensorAccess.wrap((float[]) to, s) : TensorAccess.wrap((double[]) to, s);
  }

  /**
   * For every position, {@code count[pos]} rows of {@code row} elements from row {@code src(pos)}
   * of {@code from} to row {@code dst(pos)} of {@code to}, the positions shared out between {@code parts} threads.
   */
  private void copyComputed(Object from, IntUnaryOperator src, Object to, IntUnaryOperator dst, int[] count, int row,
      int parts) {
    forParts(parts, p -> {
      for (int pos = t * p / parts; pos < t * (p + 1) / parts; pos++) {
        System.arraycopy(from, src.applyAsInt(pos) * row, to, dst.applyAsInt(pos) * row, count[pos] * row);
      }
    });
  }

  /** Threads for copying {@code elements} between layouts: memory-bound, worth splitting from 256 KB. */
  private static int copyParts(int elements) {
    return elements >= (1 << 16) ? Kernels.threads() : 1;
  }

  private static void forParts(int parts, IntConsumer part) {
    if (parts == 1) {
      part.accept(0);
    } else {
      Kernels.parallel(parts, part);
    }
  }

  /**
   * Runs {@code plan} (null: no loop work) over all T steps for batch rows [r0, r1) of the
   * carries and the sequences, or for the whole batch when {@code r0} is -1, on the calling
   * thread, and returns the final carries. {@code feeds} holds the constant feeds after the
   * carries; it is not changed. With {@code layout} (only for a block), a step computes only the
   * block's rows it names, and the others keep their carries and, in the usual layout, repeat
   * their stacked values of the step before.
   */
  private Tensor[] runBlock(Plan plan, int r0, int r1, Layout layout, List<Tensor> preVals, Tensor[] feeds,
      Tensor[] carry, Stacker[] hist, Stacker[] stacks) {
    if (layout != null) {
      return runPackedBlock(plan, r0, r1, layout, preVals, feeds, carry, hist, stacks);
    }
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
            f[m + j] = whole ? step(pool, stacked, pos, shape) : stepRows(pool, stacked, pos * batch + r0, shape, r1 - r0);
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
   * {@link #runBlock} of a packed run: each step computes the block's rows that {@code layout}
   * names (a prefix of the block), with the loop compiled for that many rows, and the others keep
   * their carries and, in the usual layout, repeat their stacked values of the step before. The
   * carries are held as the computed prefix and, for the rows after it, an array of the block's
   * rows written when they leave the prefix, so rows move only when the prefix changes.
   */
  private Tensor[] runPackedBlock(Plan plan, int r0, int r1, Layout layout, List<Tensor> preVals, Tensor[] feeds,
      Tensor[] carry, Stacker[] hist, Stacker[] stacks) {
    int m = carryIndex.length;
    int batch = rowSplit.batch();
    int rows = r1 - r0;
    Tensor[] c = new Tensor[m];     // rows [0, cur) of the block's carries
    Tensor[] held = new Tensor[m];  // rows [cur, rows) of them (the rows before are stale)
    for (int i = 0; i < m; i++) {
      c[i] = carry[i].slice(0, r0, r1);
    }
    int cur = rows;
    Tensor[] f = feeds.clone();
    List<Tensor> feedList = Arrays.asList(f);
    try (Workspace pool = Workspace.open()) {
      for (int s = 0; s < t; s++) {
        int pos = reverse ? t - 1 - s : s;
        for (int i = 0; i < m; i++) {
          if (hist[i] != null) {
            if (cur > 0) {
              hist[i].putRows(pos * batch + r0, batch, c[i], 0, cur);
            }
            if (cur < rows) {
              hist[i].putRows(pos * batch + r0 + cur, batch, held[i], cur, rows - cur);
            }
          }
        }
        int k = Math.max(0, Math.min(rows, layout.computed()[pos] - r0));
        if (k < rows && layout.first() == null) {
          int before = reverse ? pos + 1 : pos - 1;
          for (Stacker st : stacks) {
            st.copyRows(before, pos, r0 + k, r1, batch);
          }
        }
        if (k < cur) {
          for (int i = 0; i < m; i++) {
            if (held[i] == null) {
              held[i] = ownArray(carry[i].dtype(), c[i].shape().with(0, rows)); // never a pooled array
            }
            Stacker.copyRows(c[i], held[i], k, cur);
            c[i] = k == 0 ? null : c[i].slice(0, 0, k);
          }
        } else if (k > cur) {
          for (int i = 0; i < m; i++) {
            c[i] = cur == 0 ? held[i].slice(0, 0, k) : Tensor.concat(0, c[i], held[i].slice(0, cur, k));
          }
        }
        cur = k;
        if (k == 0) {
          continue;
        }
        // the first row of this step's block in the stacked values: in the packed layout, after
        // the rows computed at the positions before
        int base = (layout.first() == null ? pos * batch : layout.first()[pos]) + r0;
        for (int i = 0; i < m; i++) {
          f[i] = c[i];
        }
        for (int j = 0; j < loopFeedPre.length; j++) {
          if (loopFeedSliced[j]) {
            f[m + j] = stepRows(pool, preVals.get(loopFeedPre[j]), base, loopFeedType[j].shape(), k);
          }
        }
        List<Tensor> outs = (k == rows ? plan : rowSplit.plan(k)).run(feedList);
        for (int i = 0; i < m; i++) {
          c[i] = outs.get(i);
        }
        for (int j = 0; j < stacks.length; j++) {
          stacks[j].putRows(base, batch, outs.get(m + j), 0, k);
        }
        pool.endStep(c);
      }
    }
    for (int i = 0; i < m && cur < rows; i++) {
      c[i] = cur == 0 ? held[i] : Tensor.concat(0, c[i], held[i].slice(0, cur, rows));
    }
    return c;
  }

  /** A new floating point tensor of {@code shape} in an array of its own, to be written in place. */
  private static Tensor ownArray(DType dtype, Shape shape) {
    return dtype == DType.FLOAT32 ? TensorAccess.wrap(new float[shape.size()], shape)
        : TensorAccess.wrap(new double[shape.size()], shape);
  }

  /**
   * Per position, the number of rows up to the last one whose row of {@code mask} ({@code [T, B,
   * ...]}) is not all zeros: the rows a packed step computes.
   */
  private static int[] liveRows(Tensor mask, int t, int batch) {
    int[] live = new int[t];
    if (mask.rank() < 2 || mask.shape().dim(0) != t || mask.shape().dim(1) != batch) {
      Arrays.fill(live, batch); // not a mask of this batch: every row runs
      return live;
    }
    int row = mask.size() / (t * batch);
    float[] fv = mask.dtype() == DType.FLOAT32 ? TensorAccess.floats(mask) : null;
    double[] dv = fv == null ? (mask.dtype() == DType.FLOAT64 ? TensorAccess.doubles(mask) : mask.toDoubleArray()) : null;
    for (int pos = 0; pos < t; pos++) {
      int n = batch;
      while (n > 0 && zeroRow(fv, dv, (pos * batch + n - 1) * row, row)) {
        n--;
      }
      live[pos] = n;
    }
    return live;
  }

  private static boolean zeroRow(float[] fv, double[] dv, int from, int len) {
    for (int i = from; i < from + len; i++) {
      if (fv != null ? fv[i] != 0 : dv[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The scan's outputs from the final carries, the histories, the stacked values and {@code post}
   * (this scan's, or in the packed layout {@code layout}, the one compiled for it, whose stacked
   * outputs are laid back out over T steps).
   */
  private List<Tensor> finish(List<Tensor> in, List<Tensor> preVals, Carried carried, Plan post, Stacker[] stacks,
      Layout layout) {
    int m = carryIndex.length;
    Tensor[] result = new Tensor[outputs];
    for (int i = 0; i < m; i++) {
      result[carryIndex[i]] = carried.carry()[i];
      if (carried.hist()[i] != null) {
        result[nc + ny + carryIndex[i]] = carried.hist()[i].build();
      }
    }
    if (post != null) {
      Tensor[] stacked = new Tensor[stacks.length];
      for (int k = 0; k < stacks.length; k++) {
        stacked[k] = stacks[k].build();
      }
      List<Tensor> pf = new ArrayList<>(postFeedKind.length);
      for (int i = 0; i < postFeedKind.length; i++) {
        pf.add(switch (postFeedKind[i]) {
          case PRE -> preVals.get(postFeedIndex[i]);
          case LOOP -> stacked[postFeedIndex[i]];
          case INPUT -> in.get(postFeedIndex[i]);
        });
      }
      List<Tensor> po = post.run(pf);
      for (int i = 0; i < postTargets.length; i++) {
        // an accumulator's sum (a final carry) is the same in any layout; a stacked output is not
        boolean perStep = postTargets[i] >= nc;
        result[postTargets[i]] = layout != null && layout.first() != null && perStep
            ? unpackRows(po.get(i), layout, rowSplit.batch()) : po.get(i);
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
        System.arraycopy(TensorAccess.floats(stacked), pos * n, a, 0, n);
        return TensorAccess.wrap(a, s);
      }
      case FLOAT64: {
        double[] a = pool.doubles(n);
        System.arraycopy(TensorAccess.doubles(stacked), pos * n, a, 0, n);
        return TensorAccess.wrap(a, s);
      }
      default:
        return stacked.select(0, pos);
    }
  }

  /** {@code rows} rows of a stacked value whose steps have shape {@code s}, from its row {@code first} on (counting over all steps). */
  private static Tensor stepRows(Workspace pool, Tensor stacked, int first, Shape s, int rows) {
    int row = s.size() / s.dim(0);
    Shape rs = s.with(0, rows);
    int len = rows * row;
    int from = first * row;
    if (stacked.dtype() == DType.FLOAT32) {
      float[] a = pool.floats(len);
      System.arraycopy(TensorAccess.floats(stacked), from, a, 0, len);
      return TensorAccess.wrap(a, rs);
    }
    double[] a = pool.doubles(len);
    System.arraycopy(TensorAccess.doubles(stacked), from, a, 0, len);
    return TensorAccess.wrap(a, rs);
  }
}
