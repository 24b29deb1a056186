package dev.cellgraph.autodiff.compile;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Op;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.TensorType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A scan's loop body recompiled for a block of batch rows, when no step ever mixes the rows of
 * the batch: then each thread can run the whole sequence for its own rows, meeting the others
 * once per scan instead of once per matrix product, and its rows of the state, the gates and
 * the products stay in its own core's cache from step to step.
 *
 * <p>The body is row-wise when every value computed from a batched feed (a carry, or a step of a
 * sequence, all of the batch size along axis 0) is made by elementwise ops (an operand without
 * the batch axis broadcasts), by {@code h W} with h batched and W not, by slices and
 * concatenations along another axis, or by sums over another axis and their adjoints (a
 * broadcast back over it, a sum down to one column), rebuilt for the block's rows. Every other op on a batched value (sums over the batch,
 * reshapes, transposes, products with the batch on the right) makes the body not row-wise and the
 * loop runs whole. A row block computes exactly what the same rows of the whole loop compute,
 * op by op, so the results are the same bits (the GEMM's are, whatever its blocking).
 */
final class RowSplit {
  private final List<Node> feeds;
  private final List<Node> outputs;
  private final boolean[] batchedFeed;
  private final int batch;
  private final Map<Integer, Plan> plans = new ConcurrentHashMap<>();

  private final CompileOptions options;

  private RowSplit(List<Node> feeds, List<Node> outputs, boolean[] batchedFeed, int batch, CompileOptions options) {
    this.options = options;
    this.feeds = feeds;
    this.outputs = outputs;
    this.batchedFeed = batchedFeed;
    this.batch = batch;
  }

  /**
   * The loop with {@code feeds} (carries first, {@code carries} of them) and {@code outputs}, if
   * it is row-wise; {@code sliced} marks the feeds after the carries that are steps of sequences.
   * Null when it is not, or when a batched value is not floating point.
   */
  static RowSplit of(List<Node> feeds, List<Node> outputs, int carries, boolean[] sliced, CompileOptions options) {
    if (carries == 0 || outputs.isEmpty()) {
      return null;
    }
    int batch = feeds.get(0).rank() > 0 ? feeds.get(0).shape().dim(0) : -1;
    if (batch < 2) {
      return null;
    }
    boolean[] batched = new boolean[feeds.size()];
    for (int i = 0; i < feeds.size(); i++) {
      Node f = feeds.get(i);
      batched[i] = i < carries || sliced[i - carries];
      if (batched[i] && (f.rank() == 0 || f.shape().dim(0) != batch || !f.dtype().isFloating())) {
        return null;
      }
    }
    RowSplit r = new RowSplit(List.copyOf(feeds), List.copyOf(outputs), batched, batch, options);
    // validate once, for the half batch; any other row count builds the same way
    return r.build(batch / 2) == null ? null : r;
  }

  /** The batch size: the rows of every batched feed and output. */
  int batch() {
    return batch;
  }

  /** Whether feed {@code i} is batched (its rows are split), or the same for every block. */
  boolean batched(int i) {
    return batchedFeed[i];
  }

  /** The loop compiled for blocks of {@code rows} rows (built on first use, then cached). */
  Plan plan(int rows) {
    Plan p = plans.computeIfAbsent(rows, this::build);
    if (p == null) {
      // the ops' shape rules do not depend on the row count, so this would be a compiler bug
      throw new IllegalStateException("scan compiler: the row-wise loop does not compile for " + rows + " rows");
    }
    return p;
  }

  /** The loop replayed with {@code rows} rows in every batched value, or null if not row-wise. */
  private Plan build(int rows) {
    Graph g = new Graph("loop rows");
    Map<Node, Node> val = new HashMap<>();
    Map<Node, Boolean> isBatched = new HashMap<>();
    List<Node> newFeeds = new ArrayList<>();
    for (int i = 0; i < feeds.size(); i++) {
      Node f = feeds.get(i);
      TensorType t = batchedFeed[i] ? withRows(f.type(), rows) : f.type();
      Node nf = g.input(f.name() != null ? f.name() : "feed" + i, t);
      val.put(f, nf);
      isBatched.put(f, batchedFeed[i]);
      newFeeds.add(nf);
    }
    List<Node> order = topological();
    for (Node n : order) {
      if (val.containsKey(n)) {
        continue;
      }
      List<Node> ins = new ArrayList<>();
      boolean anyBatched = false;
      for (Node in : n.inputs()) {
        Node v = val.get(in);
        if (v == null) {
          return null; // an input of the loop graph that is not a feed
        }
        ins.add(v);
        anyBatched |= isBatched.get(in);
      }
      if (anyBatched && !rowWise(n, isBatched)) {
        return null;
      }
      // rowWise admitted only shapes the op's type rule accepts with any row count, or ops rebuilt for it
      Node v = g.apply(anyBatched ? forRows(n, rows) : n.op(), ins, n.name());
      TensorType want = anyBatched ? withRows(n.type(), rows) : n.type();
      if (!v.type().equals(want)) {
        return null;
      }
      val.put(n, v);
      isBatched.put(n, anyBatched);
    }
    List<Node> newOutputs = new ArrayList<>();
    for (Node o : outputs) {
      if (!isBatched.get(o) || !o.dtype().isFloating()) {
        return null; // every output is a block of rows of the whole loop's output
      }
      newOutputs.add(val.get(o));
    }
    return Fusion.compile(newOutputs, newFeeds, options);
  }

  /**
   * Whether {@code n}, with at least one batched input, computes each row from the same rows only,
   * so that its type rule accepts the inputs with any number of rows.
   */
  private boolean rowWise(Node n, Map<Node, Boolean> isBatched) {
    return rowWise(n, isBatched, batch);
  }

  private static boolean rowWise(Node n, Map<Node, Boolean> isBatched, int batch) {
    if (n.rank() == 0 || n.shape().dim(0) != batch) {
      return false;
    }
    return switch (n.op().kind()) {
      case IDENTITY, UNARY, SCALAR, POW, CAST -> true;
      case BINARY -> {
        for (Node in : n.inputs()) {
          // a batched operand has the batch as its axis 0; one without it broadcasts over it
          if (isBatched.get(in) ? in.rank() != n.rank() : in.rank() == n.rank() && in.shape().dim(0) != 1) {
            yield false;
          }
        }
        yield true;
      }
      case MATMUL -> {
        Ops.MatMul mm = (Ops.MatMul) n.op();
        yield !mm.transA() && n.input(0).rank() == 2 && n.input(1).rank() == 2 && isBatched.get(n.input(0))
            && !isBatched.get(n.input(1));
      }
      case SLICE -> n.input(0).shape().normalizeAxis(((LayoutOps.Slice) n.op()).axis()) != 0;
      // a reduction over the hidden axis (mean, var) and its adjoints keep each row to itself
      case SUM_AXIS -> isBatched.get(n.input(0)) && n.input(0).rank() == n.rank()
          && n.input(0).shape().normalizeAxis(((Ops.SumAxis) n.op()).axis()) != 0;
      case BROADCAST_TO, SUM_TO -> isBatched.get(n.input(0)) && n.input(0).rank() == n.rank()
          && n.input(0).shape().dim(0) == batch;
      case CONCAT -> {
        for (Node in : n.inputs()) {
          if (!isBatched.get(in)) {
            yield false;
          }
        }
        yield n.shape().normalizeAxis(((LayoutOps.Concat) n.op()).axis()) != 0;
      }
      // not proved row-wise (a row softmax would be, but no loop needs it yet)
      case TRANSPOSE, PERMUTE, RESHAPE, PAD, SUM_ALL, LOG_SOFTMAX, INDEXING, LEAF,
          CONSTANT, GET_OUTPUT, CALL, SCAN, FUSED, OPAQUE -> false;
    };
  }

  /**
   * Whether every value of the whole step {@code flat} (not only the loop's) computes each batch
   * row from the same rows, but the accumulators' terms ({@code accE}), which may sum over the
   * batch ({@code xᵀ g}, {@code Σ_batch g}) and feed nothing else: then the pre and post phases
   * treat every (step, row) pair alone, and may run over any selection of them laid out as
   * steps of {@code batch} rows ({@link CompiledScan}'s packed layout). Each carry but the
   * accumulators, each sequence and each stacked result must have the batch as axis 0.
   */
  static boolean packsByRows(Flat flat, StepKinds kinds, int carries, int sequences, int batch) {
    Map<Node, Boolean> batched = new HashMap<>();
    Set<Node> summed = new HashSet<>(); // values that depend on a sum over the batch
    for (int i = 0; i < flat.params.size(); i++) {
      Node p = flat.params.get(i);
      boolean acc = i < carries && kinds.accE[i] != null;
      boolean rows = i < carries + sequences && !acc;
      if (rows && (p.rank() == 0 || p.shape().dim(0) != batch || !p.dtype().isFloating())) {
        return false;
      }
      batched.put(p, rows);
    }
    for (Node n : flat.graph.nodes()) {
      if (batched.containsKey(n) || kinds.kind[n.id()] == null) {
        continue;
      }
      boolean anyBatched = false;
      boolean anySummed = false;
      for (Node in : n.inputs()) {
        Boolean b = batched.get(in);
        if (b == null) {
          return false; // an input the analysis skipped
        }
        anyBatched |= b;
        anySummed |= summed.contains(in);
      }
      if (anyBatched && rowWise(n, batched, batch) && !anySummed) {
        batched.put(n, true);
      } else if (anyBatched && sumsOverRows(n, batched)) {
        batched.put(n, false);
        summed.add(n);
      } else if (anyBatched) {
        return false;
      } else {
        batched.put(n, false);
        if (anySummed) {
          summed.add(n);
        }
      }
    }
    for (int i = 0; i < flat.results.size(); i++) {
      Node r = flat.results.get(i);
      boolean acc = i < carries && kinds.accE[i] != null;
      if (kinds.kind[r.id()] == null) {
        continue; // a result nothing reads
      }
      if (!acc && (!Boolean.TRUE.equals(batched.get(r)) || summed.contains(r))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code n} sums its batched input over the batch rows: {@code xᵀ g}, a sum over axis 0. */
  private static boolean sumsOverRows(Node n, Map<Node, Boolean> batched) {
    return switch (n.op().kind()) {
      case MATMUL -> ((Ops.MatMul) n.op()).transA() && !((Ops.MatMul) n.op()).transB() && n.input(0).rank() == 2
          && n.input(1).rank() == 2 && batched.get(n.input(0)) && batched.get(n.input(1));
      case SUM_AXIS -> batched.get(n.input(0)) && n.input(0).shape().normalizeAxis(((Ops.SumAxis) n.op()).axis()) == 0;
      case SUM_ALL -> true;
      // a target of lower rank drops the leading axes, the batch's among them
      case SUM_TO -> batched.get(n.input(0)) && (((Ops.SumTo) n.op()).target().rank() < n.input(0).rank()
          || ((Ops.SumTo) n.op()).target().dim(0) == 1);
      default -> false;
    };
  }

  /** The op of a row-wise node for blocks of {@code rows} rows: a broadcast or sum names its target's rows. */
  private static Op forRows(Node n, int rows) {
    return switch (n.op().kind()) {
      case BROADCAST_TO -> new LayoutOps.BroadcastTo(((LayoutOps.BroadcastTo) n.op()).target().with(0, rows));
      case SUM_TO -> new Ops.SumTo(((Ops.SumTo) n.op()).target().with(0, rows));
      default -> n.op();
    };
  }

  /** The nodes the outputs depend on, in id order (inputs before their users). */
  private List<Node> topological() {
    Set<Node> seen = new HashSet<>();
    ArrayDeque<Node> stack = new ArrayDeque<>(outputs);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (seen.add(n)) {
        stack.addAll(n.inputs());
      }
    }
    List<Node> order = new ArrayList<>(seen);
    order.sort(Comparator.comparingInt(Node::id));
    return order;
  }

  private static TensorType withRows(TensorType t, int rows) {
    return new TensorType(t.dtype(), t.shape().with(0, rows));
  }
}
