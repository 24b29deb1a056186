package dev.cellgraph.autodiff.compile;

import static dev.cellgraph.autodiff.compile.StepKinds.Kind.CARRY;
import static dev.cellgraph.autodiff.compile.StepKinds.Kind.CONST;
import static dev.cellgraph.autodiff.compile.StepKinds.Kind.LATE;
import static dev.cellgraph.autodiff.compile.StepKinds.Kind.PRE;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.autodiff.compile.StepKinds.Kind;
import dev.cellgraph.core.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The construction of the three plans of a {@link CompiledScan} from the analysis of its step
 * ({@link StepKinds}): the carries' chain and every value that cannot be lifted go into the
 * <b>loop</b>, what depends only on the sequences and constants into <b>pre</b>, the rest (and
 * each accumulator's sum over all steps) into <b>post</b>. Used once per compilation, on one
 * thread; the {@link CompiledScan} copies what it needs from it.
 */
final class StepSplit {
  /** Where a feed of the post plan comes from. */
  enum FeedSource {
    /** An output of the pre plan. */
    PRE,
    /** A loop value stacked over the steps. */
    LOOP,
    /** An input of the scan (an accumulator's initial value). */
    INPUT
  }

  final Scan.ScanOp op;
  final Flat flat;
  final int t;
  final boolean[] used;
  final int nc;
  final int nx;
  final int nk;
  final int ny;
  final List<Node> nodes;
  final StepKinds kinds;
  final Kind[] kind;
  final boolean[] inLoop;
  final Node[] accE;
  final List<Integer> loopCarries;

  // post graph
  final Graph postGraph;
  final Map<Node, Lift.Val> postVal = new LinkedHashMap<>();
  final List<Node> postFeeds = new ArrayList<>();
  final List<FeedSource> postFeedKind = new ArrayList<>();
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
  /** The first value found to have no lifting rule in this attempt, or null. */
  private Node unliftable;

  private StepSplit(Scan.ScanOp op, Flat flat, int t, boolean[] used, Set<Node> forced, CompileOptions options) {
    this.options = options;
    this.op = op;
    this.flat = flat;
    this.t = t;
    this.used = used;
    this.nc = op.carryCount();
    this.nx = op.sequenceCount();
    this.nk = op.constantCount();
    this.ny = op.yCount();
    this.nodes = flat.graph.nodes();
    this.kinds = new StepKinds(op, flat, used, forced);
    this.kind = kinds.kind;
    this.inLoop = kinds.inLoop;
    this.accE = kinds.accE;
    this.loopCarries = kinds.loopCarries;
    String name = op.step().name();
    this.postGraph = new Graph(name + ".post");
    this.loopGraph = new Graph(name + ".loop");
  }

  /** The elementwise values of the sequences that the loop could compute instead ({@link StepKinds#sinkable}). */
  Set<Node> sinkable() {
    return kinds.sinkable();
  }

  private boolean outputUsed(int i) {
    return kinds.outputUsed(i);
  }

  private int stackedResults() {
    return kinds.stackedResults();
  }

  private int stackedOutput(int j) {
    return kinds.stackedOutput(j);
  }

  /**
   * Splits {@code op}'s step for sequences of length {@code t}; {@code forced} holds values that
   * must run in the loop, and gains every value that turns out to have no lifting rule, one
   * attempt each.
   */
  static StepSplit of(Scan.ScanOp op, Flat flat, int t, boolean[] used, Set<Node> forced, CompileOptions options) {
    while (true) {
      StepSplit s = new StepSplit(op, flat, t, used, forced, options);
      Node unliftable = s.split();
      if (unliftable == null) {
        return s;
      }
      if (!forced.add(unliftable)) {
        throw new IllegalStateException("scan compiler: " + unliftable + " is not liftable even in the loop");
      }
    }
  }

  /**
   * Builds the three plans; returns null, or the first value that has no lifting rule (then the
   * plans are not built, and the caller tries again with that value forced into the loop).
   */
  private Node split() {
    List<Node> results = flat.results;
    List<Node> params = flat.params;
    buildPost(results);
    if (unliftable != null) {
      return unliftable;
    }
    buildLoop(results);
    buildPre(params);
    return unliftable;
  }

  // ---------------------------------------------------------------- post

  private void buildPost(List<Node> results) {
    for (int j = 0; j < stackedResults(); j++) {
      if (outputUsed(stackedOutput(j))) {
        Lift.Val v = post(results.get(nc + j));
        if (v == null) {
          return;
        }
        postOutputs.add(Lift.stackOf(postGraph, v, t));
        postTargets.add(stackedOutput(j));
      }
    }
    for (int i = 0; i < nc; i++) {
      if (accE[i] != null && outputUsed(i)) {
        Node init = postGraph.input("acc" + i, flat.params.get(i).type());
        postFeeds.add(init);
        postFeedKind.add(FeedSource.INPUT);
        postFeedIndex.add(i);
        Node sum = reduce(accE[i]);
        if (sum == null) {
          return;
        }
        postOutputs.add(init.add(sum));
        postTargets.add(i);
      }
    }
  }

  /**
   * The value of step node n in the post graph: a feed from pre or the loop, or lifted here.
   * Depth first, inputs left to right, with an explicit stack: a sum of 5,000 parts is a chain
   * as deep. Null when n, or a value it is lifted from, has no lifting rule ({@link #unliftable}).
   */
  private Lift.Val post(Node n) {
    if (unliftable != null) {
      return null;
    }
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
      Lift.Val v = postOne(u);
      if (v == null) {
        unliftable = u;
        return null;
      }
      postVal.put(u, v);
      stack.remove(top);
      next.remove(top);
    }
    return postVal.get(n);
  }

  /**
   * {@link #post} of a node whose inputs, if it is lifted here, have their post values; null when
   * it has no lifting rule.
   */
  private Lift.Val postOne(Node n) {
    Kind k = kind[n.id()];
    if (k == CONST && n.inputs().isEmpty() && !(n.op() instanceof GraphOps.Leaf)) {
      return new Lift.Val(postGraph.apply(n.op(), List.of()), false);
    } else if (k == CONST || k == PRE) {
      Node f = postGraph.input("pre" + n.id(), k == PRE ? stackedType(n) : n.type());
      postFeeds.add(f);
      postFeedKind.add(FeedSource.PRE);
      postFeedIndex.add(postPreRequests.size()); // rewritten to a pre output index later
      postPreRequests.add(n);
      return new Lift.Val(f, k == PRE);
    } else if (k == CARRY || inLoop[n.id()]) {
      Node f = postGraph.input("loop" + n.id(), stackedType(n));
      postFeeds.add(f);
      postFeedKind.add(FeedSource.LOOP);
      postFeedIndex.add(stackedRequests.size());
      stackedIndex.put(n, stackedRequests.size());
      stackedRequests.add(n);
      return new Lift.Val(f, true);
    } else if (k == LATE) {
      List<Lift.Val> ins = new ArrayList<>();
      for (Node in : n.inputs()) {
        ins.add(postVal.get(in));
      }
      Node lifted = Lift.lift(postGraph, n, ins, t);
      return lifted == null ? null : new Lift.Val(lifted, true);
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

  /** {@link #post}'s node, or null when a value on the way has no lifting rule. */
  private Node postNode(Node n) {
    Lift.Val v = post(n);
    return v == null ? null : v.node();
  }

  /**
   * Σ over all steps of step value e, as few large ops as its form allows; once per value. Null
   * when a value on the way has no lifting rule.
   */
  private Node reduce(Node e) {
    Node r = reduced.get(e); // the slices of one stacked product share its GEMM
    if (r == null) {
      r = reduceOnce(e);
      if (r != null) {
        reduced.put(e, r);
      }
    }
    return r;
  }

  private Node reduceOnce(Node e) {
    if (kind[e.id()] == CONST) {
      return post(e).node().mul((double) t); // a constant is a feed, never lifted
    }
    if (e.op() == Ops.ADD && e.input(0).shape().equals(e.shape()) && e.input(1).shape().equals(e.shape())) {
      Node a = reduce(e.input(0));
      Node b = a == null ? null : reduce(e.input(1));
      return b == null ? null : a.add(b);
    }
    if (e.op() instanceof Ops.MatMul) {
      Ops.MatMul mm = (Ops.MatMul) e.op();
      Node a = e.input(0);
      Node b = e.input(1);
      if (mm.transA() && !mm.transB() && a.rank() == 2 && b.rank() == 2
          && kind[a.id()] != CONST && kind[b.id()] != CONST) {
        // Σ_t P_tᵀ Q_t = [P_0; ...; P_T-1]ᵀ [Q_0; ...; Q_T-1]: one GEMM over T * rows
        Node pa = postNode(a);
        if (pa == null) {
          return null;
        }
        pa = pa.reshape(-1, a.shape().dim(1));
        Node pb = postNode(b);
        if (pb == null) {
          return null;
        }
        return pa.matmul(pb.reshape(-1, b.shape().dim(1)), true, false);
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
          // joined is a loop value: a feed of the post phase, never lifted, never null
          whole = postGraph.apply(new Ops.SumTo(Shape.of(joined.shape().dim(-1))), List.of(post(joined).node()));
          summedRows.put(joined, whole);
        }
        return postGraph.apply(new LayoutOps.Slice(0, start, start + part.shape().dim(-1)), List.of(whole));
      }
      Node x = postNode(e.input(0));
      return x == null ? null : postGraph.apply(new Ops.SumTo(((Ops.SumTo) e.op()).target()), List.of(x));
    }
    if (e.op().isLinear() && e.inputs().size() == 1 && kind[e.input(0).id()] != CONST) {
      // linear: Σ_t op(E_t) = op(Σ_t E_t); a formula cell's W_f, W_i... are slices of one gradient
      Node sum = reduce(e.input(0));
      return sum == null ? null : postGraph.apply(e.op(), List.of(sum));
    }
    Lift.Val v = post(e);
    if (v == null) {
      return null;
    }
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
    Kind k = kind[n.id()];
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
        Node lifted = Lift.lift(g, n, ins, t);
        if (lifted == null) {
          unliftable = n;
          return;
        }
        val[id] = new Lift.Val(lifted, true);
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
      if (postFeedKind.get(i) == FeedSource.PRE) {
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
