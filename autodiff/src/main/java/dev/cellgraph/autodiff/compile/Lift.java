package dev.cellgraph.autodiff.compile;

import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Op;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.core.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Lifting: the op of one scan step applied to all T steps at once. A lifted value is the stack of
 * a per-step value over time, {@code [T] + S} for a step value of shape S; an unlifted one is the
 * same at every step (it depends on constants only). Each rule says how an op of the step acts on
 * stacks: elementwise ops as they are (broadcasting aligns from the right; lower-rank stacks get
 * axes of 1 after T), axis attributes shifted by one, a matrix product of a stack with a shared
 * matrix as one large GEMM. Anything else has no rule ({@link #lift} returns null) and stays in
 * the sequential loop.
 */
final class Lift {
  private Lift() {}

  /** A value in the graph being built: the node, and whether it is stacked over time. */
  record Val(Node node, boolean lifted) {}

  static Shape stacked(int t, Shape s) {
    int[] d = new int[s.rank() + 1];
    d[0] = t;
    System.arraycopy(s.toArray(), 0, d, 1, s.rank());
    return Shape.of(d);
  }

  /**
   * Builds in {@code g} the lifted form of step node {@code n} (shape S) from its inputs' values,
   * at least one of them lifted; the result is {@code [t] + S}, or null when the op has no rule
   * for these inputs (the node then runs step by step; {@code g} may hold unused nodes). Each rule
   * applies ops only to shapes their type rules accept: the step's own shapes with the time axis
   * in front, where the rule's guard admits them.
   */
  static Node lift(Graph g, Node n, List<Val> ins, int t) {
    Node r = build(g, n, n.op(), ins, t, n.shape());
    return r != null && r.shape().equals(stacked(t, n.shape())) ? r : null;
  }

  private static Node build(Graph g, Node n, Op op, List<Val> ins, int t, Shape s) {
    return switch (op.kind()) {
      // a function of each element, or of each row along the last axis: the same op on the stack
      case UNARY, SCALAR, POW, CAST, IDENTITY, TRANSPOSE, LOG_SOFTMAX ->
          g.apply(op, List.of(stackOf(g, ins.get(0), t)), n.name());
      case BINARY -> {
        List<Node> args = new ArrayList<>(2);
        for (Val v : ins) {
          args.add(v.lifted() ? alignRank(v.node(), s.rank() + 1) : v.node());
        }
        yield g.apply(op, args, n.name());
      }
      case MATMUL -> {
        Ops.MatMul mm = (Ops.MatMul) op;
        Val a = ins.get(0);
        Val b = ins.get(1);
        if (a.lifted() && !b.lifted() && b.node().rank() == 2 && !mm.transA() && a.node().rank() >= 3) {
          yield g.apply(op, List.of(a.node(), b.node()), n.name()); // every step times one matrix: one GEMM
        }
        if (a.lifted() && b.lifted() && a.node().rank() == b.node().rank() && a.node().rank() >= 3) {
          yield g.apply(op, List.of(a.node(), b.node()), n.name()); // batched over time
        }
        yield null;
      }
      case SLICE -> {
        LayoutOps.Slice sl = (LayoutOps.Slice) op;
        yield sl.axis() < 0 ? null : g.apply(new LayoutOps.Slice(sl.axis() + 1, sl.start(), sl.end()),
            List.of(stackOf(g, ins.get(0), t)), n.name());
      }
      case PAD -> {
        LayoutOps.Pad p = (LayoutOps.Pad) op;
        yield p.axis() < 0 ? null : g.apply(new LayoutOps.Pad(p.axis() + 1, p.before(), p.after()),
            List.of(stackOf(g, ins.get(0), t)), n.name());
      }
      case RESHAPE -> g.apply(new LayoutOps.Reshape(stacked(t, s)), List.of(stackOf(g, ins.get(0), t)), n.name());
      case PERMUTE -> {
        int[] p = ((LayoutOps.Permute) op).perm();
        int[] q = new int[p.length + 1];
        for (int i = 0; i < p.length; i++) {
          q[i + 1] = p[i] + 1;
        }
        yield g.apply(new LayoutOps.Permute(q), List.of(stackOf(g, ins.get(0), t)), n.name());
      }
      case SUM_AXIS -> {
        Ops.SumAxis sa = (Ops.SumAxis) op;
        yield sa.axis() < 0 ? null : g.apply(new Ops.SumAxis(sa.axis() + 1, sa.keepDims()),
            List.of(stackOf(g, ins.get(0), t)), n.name());
      }
      case SUM_ALL -> {
        Node x = stackOf(g, ins.get(0), t);
        yield g.apply(new Ops.SumAxis(1, false), List.of(x.reshape(t, -1)), n.name());
      }
      case SUM_TO -> {
        Node x = stackOf(g, ins.get(0), t);
        Shape target = ((Ops.SumTo) op).target();
        Node summed = g.apply(new Ops.SumTo(stacked(t, padLeft(target, x.rank() - 1))), List.of(x));
        yield summed.reshape(stacked(t, target));
      }
      case BROADCAST_TO -> {
        Node x = alignRank(stackOf(g, ins.get(0), t), s.rank() + 1);
        yield g.apply(new LayoutOps.BroadcastTo(stacked(t, s)), List.of(x), n.name());
      }
      case CONCAT -> {
        if (((LayoutOps.Concat) op).axis() < 0) {
          yield null;
        }
        List<Node> parts = new ArrayList<>();
        for (Val v : ins) {
          parts.add(stackOf(g, v, t));
        }
        yield g.apply(new LayoutOps.Concat(((LayoutOps.Concat) op).axis() + 1), parts, n.name());
      }
      // no rule: the value stays in the loop
      case INDEXING, LEAF, CONSTANT, GET_OUTPUT, CALL, SCAN, FUSED, OPAQUE -> null;
    };
  }

  /** The value as a stack: unlifted values are repeated over time. */
  static Node stackOf(Graph g, Val v, int t) {
    if (v.lifted()) {
      return v.node();
    }
    Node x = v.node();
    Node one = x.reshape(stacked(1, x.shape()));
    return g.apply(new LayoutOps.BroadcastTo(stacked(t, x.shape())), List.of(one));
  }

  /** A stack [T] + S reshaped to rank r by axes of 1 after T, so that it broadcasts per step. */
  static Node alignRank(Node x, int r) {
    if (x.rank() >= r) {
      return x;
    }
    Shape s = x.shape();
    int[] d = new int[r];
    d[0] = s.dim(0);
    for (int i = 1; i < r; i++) {
      d[i] = 1;
    }
    for (int i = 1; i < s.rank(); i++) {
      d[r - s.rank() + i] = s.dim(i);
    }
    return x.reshape(Shape.of(d));
  }

  static Shape padLeft(Shape s, int r) {
    int[] d = new int[r];
    int off = r - s.rank();
    for (int i = 0; i < r; i++) {
      d[i] = i < off ? 1 : s.dim(i - off);
    }
    return Shape.of(d);
  }
}
