package dev.cellgraph.autodiff.compile;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Op;
import dev.cellgraph.autodiff.OpKind;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.kernel.BinaryOp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Elementwise fusion: compiles a plan in which every maximal group of elementwise nodes of one
 * row structure is a single {@link FusedOp}, so that a group reads its inputs and writes the
 * values used outside it once, instead of one pass over memory (and one new array) per node.
 *
 * <p>Fusable nodes: elementwise functions ({@link Ops.Unary}, scalar operands, {@code pow},
 * {@code identity}); binary ops whose operands have the result's shape, or are a row broadcast to
 * it (a bias {@code [N]} added to {@code [B, N]}), or a column broadcast ({@code [B, 1]} against
 * {@code [B, N]}: a per-row mean or scale), or hold one element; slices and concatenations along
 * the last axis; sums over the last axis that keep it ({@code sum_axis} with keepDims, and
 * {@code sum_to} from {@code [B, N]} to {@code [B, 1]}, as layer normalisation and its gradient
 * use them) and {@code broadcast_to} from {@code [B, 1]} to {@code [B, N]}. A group's values all
 * have the same leading dimensions; each row of a value is computed from the same row of its
 * operands, so a row sum is complete before the group's next instruction reads it.
 * Nodes that a plan would fold into constants are left alone, and so are groups with fewer than
 * two computing nodes.
 *
 * <p>Results are bit for bit those of the unfused plan: each fused instruction calls the same
 * kernel on the same elements, and a row sum adds the row's elements in the order of
 * {@code Tensor.sum(axis)}, from 0, in the value's dtype. On unless {@link CompileOptions#fuse()} is off (for comparison
 * and tests).
 *
 * <p>Thread-safe: its static methods share no mutable state.
 */
public final class Fusion {
  private Fusion() {}

  /**
   * A plan computing {@code outputs} from {@code feeds}, as {@link Plan#compile}, with fusable
   * groups fused when {@link CompileOptions#fuse()} is on. The plan's nodes belong to a rewritten graph; it takes the
   * same feeds, in the same order, and gives the same outputs.
   *
   * @param outputs the nodes to compute, in the order of the results
   * @param feeds the nodes whose values each run supplies, in the order of its arguments
   * @param options the compiler switches; {@code fuse} decides whether to fuse
   * @return the compiled plan, over the rewritten graph when anything was fused
   */
  public static Plan compile(List<Node> outputs, List<Node> feeds, CompileOptions options) {
    if (!options.fuse() || outputs.isEmpty()) {
      return Plan.compile(outputs, feeds, options);
    }
    Rewrite r = new Rewrite(outputs, feeds);
    return r.groupCount == 0 && r.productSums == 0
        ? Plan.compile(outputs, feeds, options) : Plan.compile(r.newOutputs, r.newFeeds, options);
  }

  // ---------------------------------------------------------------- which nodes fuse

  private static Shape lead(Node n) {
    return n.shape().without(n.rank() - 1);
  }

  private static int width(Node n) {
    return n.shape().dim(n.rank() - 1);
  }

  /** A value of shape {@code s} read by every row of {@code out}: ones (or nothing) before out's last dimension. */
  private static boolean isRowBroadcast(Shape s, Shape out) {
    if (s.rank() == 0 || s.rank() > out.rank() || s.dim(s.rank() - 1) != out.dim(out.rank() - 1)) {
      return false;
    }
    for (int i = 0; i < s.rank() - 1; i++) {
      if (s.dim(i) != 1) {
        return false;
      }
    }
    return true;
  }

  /** A value {@code [..., 1]} read by every column of {@code out} {@code [..., N]}: the same leading dimensions. */
  private static boolean isColumnBroadcast(Shape s, Shape out) {
    return s.rank() == out.rank() && s.rank() > 0 && s.dim(s.rank() - 1) == 1 && out.dim(out.rank() - 1) > 1
        && s.without(s.rank() - 1).equals(out.without(out.rank() - 1));
  }

  private static boolean isComputing(Op op) {
    return op.kind() != OpKind.IDENTITY && op.kind() != OpKind.SLICE;
  }

  /** Whether a node can be part of a fused group, whatever its neighbours. */
  static boolean elementwise(Node n) {
    if (n.isMultiOutput()) {
      return false;
    }
    DType dt = n.dtype();
    if ((dt != DType.FLOAT32 && dt != DType.FLOAT64) || n.rank() == 0) {
      return false;
    }
    for (Node in : n.inputs()) {
      if (in.isMultiOutput() || in.dtype() != dt) {
        return false;
      }
    }
    Op op = n.op();
    return switch (op.kind()) {
      case UNARY, SCALAR, POW, IDENTITY -> true;
      // the fused kernels compute in one dtype, and a cast changes it
      case CAST -> false;
      case BINARY -> {
        for (Node in : n.inputs()) {
          Shape s = in.shape();
          if (!s.equals(n.shape()) && s.size() != 1 && !isRowBroadcast(s, n.shape())
              && !isColumnBroadcast(s, n.shape())) {
            yield false;
          }
        }
        yield true;
      }
      case SLICE -> ((LayoutOps.Slice) op).axis() == n.rank() - 1;
      case CONCAT -> ((LayoutOps.Concat) op).axis() == n.rank() - 1;
      // a row sum that keeps the axis, [B, N] to [B, 1] (for N = 1 too: the unfused sum adds 0 + x)
      case SUM_AXIS -> ((Ops.SumAxis) op).keepDims() && n.input(0).rank() == n.rank()
          && n.input(0).shape().normalizeAxis(((Ops.SumAxis) op).axis()) == n.rank() - 1;
      // sum_to and broadcast_to of equal shapes are never built (Node returns the value itself)
      case SUM_TO -> isColumnBroadcast(n.shape(), n.input(0).shape());
      case BROADCAST_TO -> isColumnBroadcast(n.input(0).shape(), n.shape());
      case MATMUL, TRANSPOSE, PERMUTE, RESHAPE, PAD, SUM_ALL, LOG_SOFTMAX, INDEXING,
          LEAF, CONSTANT, GET_OUTPUT, CALL, SCAN, FUSED, OPAQUE -> false;
    };
  }

  /** Whether input {@code p} of {@code n} can be computed in n's group (both fusable). */
  private static boolean joinable(Node p, Node n) {
    if (!lead(p).equals(lead(n))) {
      return false;
    }
    // a fusable n reads only operands it can read row by row (elementwise checked their shapes)
    return switch (n.op().kind()) {
      case SLICE, CONCAT, SUM_AXIS, SUM_TO, BROADCAST_TO, BINARY -> true;
      case UNARY, SCALAR, POW, IDENTITY, CAST, MATMUL, TRANSPOSE, PERMUTE, RESHAPE, PAD, SUM_ALL, LOG_SOFTMAX,
          INDEXING, LEAF, CONSTANT, GET_OUTPUT, CALL, SCAN, FUSED, OPAQUE -> p.shape().equals(n.shape());
    };
  }

  // ---------------------------------------------------------------- the rewrite

  /** Groups the fusable nodes of a plan's graph and rebuilds the graph with one node per group. */
  private static final class Rewrite {
    final List<Node> nodes;
    final int limit;
    final boolean[] needed;
    final boolean[] isFeed;
    final int[] parent;            // union-find over node ids; groups are the sets of fusable nodes
    int[][] exits;                 // per group root: the consumers of its members (some may be members)
    int[] exitCount;
    int[] seen;                    // per node, the search that last reached it
    int[] groupSeen;               // per group root, the search that last expanded it
    int search;
    final List<List<Integer>> consumers = new ArrayList<>();
    final boolean[] isOutput;
    final int[] group;             // node id -> group index, or -1
    final List<List<Node>> members = new ArrayList<>();
    final Graph target;
    final Node[] mapped;           // original node id -> node of the rewritten graph
    final boolean[] groupBuilt;
    final List<Node> newFeeds = new ArrayList<>();
    final List<Node> newOutputs = new ArrayList<>();
    int groupCount;
    boolean[] constant;            // per node, whether the plan folds it into a constant
    boolean[] productSum;          // per node, a sum over rows of a product that becomes one ProductSum
    int productSums;

    Rewrite(List<Node> outputs, List<Node> feeds) {
      Graph g = outputs.get(0).graph();
      this.nodes = g.nodes();
      int lim = 0;
      for (Node o : outputs) {
        lim = Math.max(lim, o.id() + 1);
      }
      this.limit = lim;
      this.isFeed = new boolean[g.size()];
      for (Node f : feeds) {
        isFeed[f.id()] = true;
      }
      this.needed = new boolean[limit];
      this.isOutput = new boolean[limit];
      for (Node o : outputs) {
        needed[o.id()] = true;
        isOutput[o.id()] = true;
      }
      for (int i = limit - 1; i >= 0; i--) {
        if (needed[i] && !isFeed[i]) {
          for (Node in : nodes.get(i).inputs()) {
            needed[in.id()] = true;
          }
        }
      }
      for (int i = 0; i < limit; i++) {
        consumers.add(new ArrayList<>());
      }
      for (int i = 0; i < limit; i++) {
        if (needed[i] && !isFeed[i]) {
          for (Node in : nodes.get(i).inputs()) {
            consumers.get(in.id()).add(i);
          }
        }
      }
      this.parent = new int[limit];
      for (int i = 0; i < limit; i++) {
        parent[i] = i;
      }
      boolean[] fusable = fusable();
      this.exits = new int[limit][];
      this.exitCount = new int[limit];
      this.seen = new int[limit];
      this.groupSeen = new int[limit];
      for (int i = 0; i < limit; i++) {
        List<Integer> c = consumers.get(i);
        exits[i] = new int[c.size()];
        for (int k = 0; k < c.size(); k++) {
          exits[i][k] = c.get(k);
        }
        exitCount[i] = c.size();
      }
      for (int i = 0; i < limit; i++) {
        if (!fusable[i]) {
          continue;
        }
        Node n = nodes.get(i);
        for (Node p : n.inputs()) {
          int a = find(p.id());
          int b = find(i);
          if (fusable[p.id()] && a != b && joinable(p, n) && !leavesAndReturns(a, b, i)) {
            merge(a, b);
          }
        }
      }
      this.group = new int[limit];
      Arrays.fill(group, -1);
      Map<Integer, List<Node>> byRoot = new HashMap<>();
      for (int i = 0; i < limit; i++) {
        if (fusable[i]) {
          byRoot.computeIfAbsent(find(i), k -> new ArrayList<>()).add(nodes.get(i));
        }
      }
      for (int i = 0; i < limit; i++) {
        List<Node> m = fusable[i] && find(i) == i ? byRoot.get(i) : null;
        if (m != null && m.stream().filter(x -> isComputing(x.op())).count() >= 2) {
          for (Node x : m) {
            group[x.id()] = members.size();
          }
          members.add(m);
        }
      }
      this.groupCount = members.size();
      this.productSum = new boolean[limit];
      for (int i = 0; i < limit; i++) {
        if (needed[i] && !isFeed[i] && isProductSum(nodes.get(i))) {
          productSum[i] = true;
          productSums++;
        }
      }
      this.target = new Graph(g.name() + " (fused)");
      this.mapped = new Node[g.size()];
      this.groupBuilt = new boolean[groupCount];
      if (groupCount == 0 && productSums == 0) {
        return;
      }
      for (Node f : feeds) {
        Node nf = target.input(f.name() != null ? f.name() : "feed" + f.id(), f.type());
        mapped[f.id()] = nf;
        newFeeds.add(nf);
      }
      for (Node o : outputs) {
        newOutputs.add(build(o.id()));
      }
    }

    /**
     * Whether n sums over its leading axes ({@code [..., N]} to {@code [N]}, N >= 8, the row by row
     * sum of core's sumTo) a product of two values of one shape that nothing else reads and no
     * group computes: then both run as one {@link ProductSum}, which never stores the product.
     */
    private boolean isProductSum(Node n) {
      if (!(n.op() instanceof Ops.SumTo) || n.input(0).op() != Ops.MUL) {
        return false;
      }
      Node mul = n.input(0);
      int id = mul.id();
      Shape s = mul.shape();
      Shape t = n.shape();
      if (isFeed[id] || isOutput[id] || constant[id] || group[id] >= 0 || consumers.get(id).size() != 1
          || !mul.input(0).shape().equals(s) || !mul.input(1).shape().equals(s)
          || (mul.dtype() != DType.FLOAT32 && mul.dtype() != DType.FLOAT64)
          || t.rank() < 1 || t.size() < 8 || t.rank() >= s.rank()) {
        return false;
      }
      for (int i = 1; i <= t.rank(); i++) {
        if (t.dim(t.rank() - i) != s.dim(s.rank() - i)) {
          return false;
        }
      }
      return true;
    }

    /** Needed, not fed, elementwise, and not a value the plan folds into a constant. */
    private boolean[] fusable() {
      constant = new boolean[limit];
      boolean[] fusable = new boolean[limit];
      for (int i = 0; i < limit; i++) {
        if (!needed[i] || isFeed[i]) {
          continue;
        }
        Node n = nodes.get(i);
        boolean c = n.op().isPure();
        for (Node in : n.inputs()) {
          c &= constant[in.id()];
        }
        constant[i] = c;
        fusable[i] = !c && elementwise(n);
      }
      return fusable;
    }

    private int find(int i) {
      while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
      }
      return i;
    }

    /**
     * Whether a path leaves the union of groups a and b and comes back to it: then the merged
     * group would both feed and read a node outside it, a cycle. The path runs through the
     * grouped graph (a group is one node: what reads any member comes after all of it), and only
     * through nodes below {@code top}, the node being grouped: every group's members are at most
     * {@code top} (they are grouped in id order), and ids are a topological order. So the search
     * visits what the two groups feed below {@code top}, not the whole graph.
     */
    private boolean leavesAndReturns(int a, int b, int top) {
      int mark = ++search;
      Deque<Integer> stack = new ArrayDeque<>();
      for (int root : new int[] {a, b}) {
        for (int k = 0; k < exitCount[root]; k++) {
          int c = exits[root][k];
          int rc = find(c);
          if (rc != a && rc != b && c < top && seen[c] != mark) {
            seen[c] = mark;
            stack.push(c);
          }
        }
      }
      while (!stack.isEmpty()) {
        int ry = find(stack.pop());
        if (groupSeen[ry] == mark) {
          continue;
        }
        groupSeen[ry] = mark;
        for (int k = 0; k < exitCount[ry]; k++) {
          int c = exits[ry][k];
          int rc = find(c);
          if (rc == a || rc == b) {
            return true;
          }
          if (c < top && seen[c] != mark) {
            seen[c] = mark;
            stack.push(c);
          }
        }
      }
      return false;
    }

    /** Joins groups a and b; the joined group's exits are both groups' but their own members. */
    private void merge(int a, int b) {
      int root = Math.min(a, b);
      int mark = ++search;
      int[] joined = new int[exitCount[a] + exitCount[b]];
      int n = 0;
      for (int g : new int[] {a, b}) {
        for (int k = 0; k < exitCount[g]; k++) {
          int c = exits[g][k];
          int rc = find(c);
          if (rc != a && rc != b && seen[c] != mark) {
            seen[c] = mark;
            joined[n++] = c;
          }
        }
      }
      parent[Math.max(a, b)] = root;
      exits[Math.max(a, b)] = null;
      exitCount[Math.max(a, b)] = 0;
      exits[root] = joined;
      exitCount[root] = n;
    }

    /**
     * The rewritten node for original node {@code id}, building what it needs first (with an
     * explicit stack: a group's inputs may come after some of its members in id order).
     */
    private Node build(int id) {
      Deque<Integer> stack = new ArrayDeque<>();
      stack.push(id);
      long guard = 0;
      long most = 4L * (limit + 1) * (limit + 1);
      while (!stack.isEmpty()) {
        if (++guard > most) {
          throw new IllegalStateException("fusion: the grouped graph has a cycle");
        }
        int u = stack.peek();
        if (mapped[u] != null || (group[u] >= 0 && groupBuilt[group[u]])) {
          stack.pop();
          continue;
        }
        boolean ready = true;
        for (Node in : dependencies(u)) {
          if (mapped[in.id()] == null) {
            stack.push(in.id());
            ready = false;
          }
        }
        if (ready) {
          stack.pop();
          if (group[u] >= 0) {
            buildGroup(group[u]);
          } else {
            mapped[u] = copy(nodes.get(u));
          }
        }
      }
      return mapped[id];
    }

    private List<Node> dependencies(int u) {
      if (productSum[u]) {
        return nodes.get(u).input(0).inputs();
      }
      if (group[u] < 0) {
        return nodes.get(u).inputs();
      }
      List<Node> deps = new ArrayList<>();
      for (Node m : members.get(group[u])) {
        for (Node in : m.inputs()) {
          if (group[in.id()] != group[u]) {
            deps.add(in);
          }
        }
      }
      return deps;
    }

    private Node copy(Node n) {
      if (productSum[n.id()]) {
        Node mul = n.input(0);
        return target.apply(new ProductSum(n.type(), mul.op().label() + " " + n.op().label()),
            List.of(mapped[mul.input(0).id()], mapped[mul.input(1).id()]), n.name());
      }
      if (n.op() instanceof GraphOps.GetOutput) {
        return mapped[n.input(0).id()].output(((GraphOps.GetOutput) n.op()).index());
      }
      List<Node> ins = new ArrayList<>(n.inputs().size());
      for (Node in : n.inputs()) {
        ins.add(mapped[in.id()]);
      }
      return target.apply(n.op(), ins, n.name());
    }

    private void buildGroup(int gi) {
      List<Node> m = members.get(gi);
      boolean[] usedOutside = new boolean[m.size()];
      for (int k = 0; k < m.size(); k++) {
        int id = m.get(k).id();
        usedOutside[k] = isOutput[id];
        for (int c : consumers.get(id)) {
          usedOutside[k] |= group[c] != gi;
        }
      }
      GroupCompiler gc = new GroupCompiler(m, usedOutside);
      List<Node> ins = new ArrayList<>();
      for (Node e : gc.inputs) {
        ins.add(mapped[e.id()]);
      }
      Node fused = target.apply(gc.op, ins);
      for (int j = 0; j < gc.results.size(); j++) {
        mapped[gc.results.get(j).id()] = fused.output(j);
      }
      groupBuilt[gi] = true;
    }
  }

  // ---------------------------------------------------------------- one group to a program

  /** Compiles one group's nodes (in id order, so topologically sorted) into a {@link FusedOp}. */
  private static final class GroupCompiler {
    /** A value as the program sees it: a computed member (root) or an input, at a column offset. */
    private record Sym(int root, int input, int column, boolean broadcast, boolean scalar) {}

    final List<Node> inputs = new ArrayList<>();   // the fused node's inputs (original nodes)
    final List<Node> results = new ArrayList<>();  // the fused node's outputs (original nodes)
    final FusedOp op;

    private final Map<Node, Integer> index = new HashMap<>();
    private final Map<Node, Integer> inputIndex = new HashMap<>();

    GroupCompiler(List<Node> m, boolean[] usedOutside) {
      for (int k = 0; k < m.size(); k++) {
        index.put(m.get(k), k);
      }
      Node first = m.get(0);
      DType dtype = first.dtype();
      int rows = lead(first).size();
      int[] widths = new int[m.size()];
      int maxWidth = 1;
      for (int k = 0; k < m.size(); k++) {
        widths[k] = width(m.get(k));
        maxWidth = Math.max(maxWidth, widths[k]);
      }
      int chunkRows = Math.max(1, FusedOp.CHUNK_ELEMENTS / maxWidth);

      // 1. every member as a symbol: computing members are roots, views point into a root or an input
      Sym[] sym = new Sym[m.size()];
      List<Integer> steps = new ArrayList<>();  // the members that are instructions, in order
      for (int k = 0; k < m.size(); k++) {
        Node n = m.get(k);
        Op o = n.op();
        if (o.kind() == OpKind.IDENTITY) {
          sym[k] = operand(n.input(0), n, sym);
        } else if (o.kind() == OpKind.SLICE) {
          Sym s = operand(n.input(0), n, sym);
          sym[k] = new Sym(s.root(), s.input(), s.column() + ((LayoutOps.Slice) o).start(), false, false);
        } else {
          sym[k] = new Sym(k, -1, 0, false, false);
          steps.add(k);
        }
      }

      // 2. where roots live: an output array if the root or a full view of it is used outside
      int[] outputOf = new int[m.size()];       // root -> output array, or -1 for scratch
      Arrays.fill(outputOf, -1);
      List<Integer> outputWidths = new ArrayList<>();
      for (int k = 0; k < m.size(); k++) {
        Sym s = sym[k];
        if (usedOutside[k] && s.root() >= 0 && s.column() == 0 && widths[s.root()] == widths[k]
            && outputOf[s.root()] < 0) {
          outputOf[s.root()] = outputWidths.size();
          outputWidths.add(widths[k]);
        }
      }
      // partial views used outside are copied into arrays of their own
      int[] copyOutput = new int[m.size()];
      Arrays.fill(copyOutput, -1);
      List<Integer> sources = new ArrayList<>();
      for (int k = 0; k < m.size(); k++) {
        if (!usedOutside[k]) {
          continue;
        }
        Sym s = sym[k];
        results.add(m.get(k));
        if (s.root() >= 0 && s.column() == 0 && widths[s.root()] == widths[k]) {
          sources.add(outputOf[s.root()]);
        } else if (s.root() < 0 && s.column() == 0 && !s.broadcast() && !s.scalar()
            && inputs.get(s.input()).shape().equals(m.get(k).shape())) {
          sources.add(-1 - s.input());          // a view of a whole input: the input itself
        } else {
          copyOutput[k] = outputWidths.size();
          outputWidths.add(widths[k]);
          sources.add(copyOutput[k]);
          steps.add(k);
        }
      }
      int[] resultSource = sources.stream().mapToInt(Integer::intValue).toArray();
      steps.sort(null);

      // 3. last use of every root in scratch, then slots by liveness
      int[] lastUse = new int[m.size()];
      Arrays.fill(lastUse, -1);
      for (int s = 0; s < steps.size(); s++) {
        for (Sym a : reads(m.get(steps.get(s)), steps.get(s), sym, copyOutput)) {
          if (a.root() >= 0) {
            lastUse[a.root()] = s;
          }
        }
      }
      int[] slot = new int[m.size()];
      Arrays.fill(slot, -1);
      List<int[]> free = new ArrayList<>();     // {offset, size}
      int scratch = 0;
      List<FusedOp.Instr> program = new ArrayList<>();
      for (int s = 0; s < steps.size(); s++) {
        int k = steps.get(s);
        Node n = m.get(k);
        FusedOp.Ref dst;
        if (copyOutput[k] >= 0) {
          dst = new FusedOp.Ref(FusedOp.OUTPUT, copyOutput[k], 0, widths[k]);
        } else if (outputOf[k] >= 0) {
          dst = new FusedOp.Ref(FusedOp.OUTPUT, outputOf[k], 0, widths[k]);
        } else {
          int size = chunkRows * widths[k];
          int best = -1;
          for (int f = 0; f < free.size(); f++) {
            if (free.get(f)[1] >= size && (best < 0 || free.get(f)[1] < free.get(best)[1])) {
              best = f;
            }
          }
          if (best >= 0) {
            slot[k] = free.remove(best)[0];
          } else {
            slot[k] = scratch;
            scratch += size;
          }
          dst = new FusedOp.Ref(FusedOp.SCRATCH, 0, slot[k], widths[k]);
        }
        program.add(instruction(n, k, dst, sym, copyOutput, outputOf, slot, widths));
        for (Sym a : reads(n, k, sym, copyOutput)) {
          int r = a.root();
          if (r >= 0 && lastUse[r] == s && slot[r] >= 0) {
            free.add(new int[] {slot[r], chunkRows * widths[r]});
            lastUse[r] = -2; // freed once
          }
        }
      }
      List<TensorType> types = new ArrayList<>();
      for (Node r : results) {
        types.add(r.type());
      }
      List<String> labels = new ArrayList<>();
      for (Node n : m) {
        if (isComputing(n.op())) {
          labels.add(n.op().label());
        }
      }
      this.op = new FusedOp(dtype, rows, chunkRows, program, scratch,
          outputWidths.stream().mapToInt(Integer::intValue).toArray(), resultSource, types, labels);
    }

    /** Operand {@code in} of member {@code n}: a member's symbol, or an input of the fused node. */
    private Sym operand(Node in, Node n, Sym[] sym) {
      Integer k = index.get(in);
      if (k != null) {
        return sym[k];
      }
      Integer i = inputIndex.get(in);
      if (i == null) {
        i = inputs.size();
        inputs.add(in);
        inputIndex.put(in, i);
      }
      boolean same = in.shape().equals(n.shape()) || n.op().kind() != OpKind.BINARY;
      boolean scalar = !same && in.shape().size() == 1;
      // a column [B, 1] is read row by row (one element per row), a row broadcast [N] repeats one row
      boolean rowBroadcast = !same && !scalar && !isColumnBroadcast(in.shape(), n.shape());
      return new Sym(-1, i, 0, rowBroadcast, scalar);
    }

    /** The symbols an instruction for member k reads. */
    private List<Sym> reads(Node n, int k, Sym[] sym, int[] copyOutput) {
      if (copyOutput[k] >= 0) {
        return List.of(sym[k]);
      }
      List<Sym> r = new ArrayList<>();
      for (Node in : n.inputs()) {
        r.add(operand(in, n, sym));
      }
      return r;
    }

    private FusedOp.Ref ref(Sym s, int[] outputOf, int[] slot, int[] widths) {
      if (s.root() < 0) {
        Node in = inputs.get(s.input());
        int stride = s.broadcast() || s.scalar() ? 0 : width(in);
        return new FusedOp.Ref(FusedOp.EXTERNAL, s.input(), s.column(), stride);
      }
      int w = widths[s.root()];
      if (outputOf[s.root()] >= 0) {
        return new FusedOp.Ref(FusedOp.OUTPUT, outputOf[s.root()], s.column(), w);
      }
      return new FusedOp.Ref(FusedOp.SCRATCH, 0, slot[s.root()] + s.column(), w);
    }

    private FusedOp.Instr instruction(Node n, int k, FusedOp.Ref dst, Sym[] sym, int[] copyOutput, int[] outputOf,
        int[] slot, int[] widths) {
      int w = widths[k];
      if (copyOutput[k] >= 0) {
        FusedOp.Ref src = ref(sym[k], outputOf, slot, widths);
        return new FusedOp.Instr(FusedOp.Kind.COPY, null, null, 0, -1, dst, new FusedOp.Ref[] {src}, w, null);
      }
      Op o = n.op();
      List<Sym> in = reads(n, k, sym, copyOutput);
      FusedOp.Ref[] src = new FusedOp.Ref[in.size()];
      for (int i = 0; i < src.length; i++) {
        src[i] = ref(in.get(i), outputOf, slot, widths);
      }
      return switch (o.kind()) {
        case UNARY -> new FusedOp.Instr(FusedOp.Kind.UNARY, ((Ops.Unary) o).kernel(), null, 0, -1, dst, src, w, null);
        case SCALAR -> {
          Ops.ScalarOp so = (Ops.ScalarOp) o;
          FusedOp.Kind kind = so.scalarLeft() ? FusedOp.Kind.SCALAR_LEFT : FusedOp.Kind.SCALAR_RIGHT;
          yield new FusedOp.Instr(kind, null, so.kernel(), so.constant(), -1, dst, src, w, null);
        }
        case POW -> new FusedOp.Instr(FusedOp.Kind.POW, null, null, ((Ops.PowScalar) o).exponent(), -1, dst, src, w,
            null);
        case BINARY -> {
          BinaryOp b = ((Ops.Binary) o).kernel();
          // as Tensor.zip: an operand of the result's shape first, then a one-element operand as a scalar
          if (in.get(1).scalar()) {
            yield new FusedOp.Instr(FusedOp.Kind.SCALAR_RIGHT, null, b, 0, in.get(1).input(), dst,
                new FusedOp.Ref[] {src[0]}, w, null);
          }
          if (in.get(0).scalar()) {
            yield new FusedOp.Instr(FusedOp.Kind.SCALAR_LEFT, null, b, 0, in.get(0).input(), dst,
                new FusedOp.Ref[] {src[1]}, w, null);
          }
          // a [B, 1] operand (a row's mean, its scale): the row op its one element, as Tensor.zip's
          // general case computes it
          if (isColumnBroadcast(n.input(1).shape(), n.shape())) {
            yield new FusedOp.Instr(FusedOp.Kind.COLUMN_RIGHT, null, b, 0, -1, dst, src, w, null);
          }
          if (isColumnBroadcast(n.input(0).shape(), n.shape())) {
            yield new FusedOp.Instr(FusedOp.Kind.COLUMN_LEFT, null, b, 0, -1, dst, src, w, null);
          }
          yield new FusedOp.Instr(FusedOp.Kind.BINARY, null, b, 0, -1, dst, src, w, null);
        }
        // the width of a row sum is that of the row it adds up
        case SUM_AXIS, SUM_TO -> new FusedOp.Instr(FusedOp.Kind.ROW_SUM, null, null, 0, -1, dst, src,
            width(n.input(0)), null);
        case BROADCAST_TO -> new FusedOp.Instr(FusedOp.Kind.FILL_ROWS, null, null, 0, -1, dst, src, w, null);
        case CONCAT -> {
          int[] columns = new int[n.inputs().size() + 1];
          for (int i = 0; i < n.inputs().size(); i++) {
            columns[i + 1] = columns[i] + width(n.input(i));
          }
          yield new FusedOp.Instr(FusedOp.Kind.CONCAT, null, null, 0, -1, dst, src, w, columns);
        }
        // identities and slices are views (see the symbols above); the rest never joins a group
        case IDENTITY, SLICE, CAST, MATMUL, TRANSPOSE, PERMUTE, RESHAPE, PAD, SUM_ALL,
            LOG_SOFTMAX, INDEXING, LEAF, CONSTANT, GET_OUTPUT, CALL, SCAN, FUSED, OPAQUE ->
            throw new IllegalStateException("fusion: no instruction for " + n);
      };
    }
  }
}
