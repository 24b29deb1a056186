package dev.cellgraph.autodiff.compile;

import dev.cellgraph.autodiff.CallOp;
import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Op;
import dev.cellgraph.autodiff.Ops;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A function's body copied into a new graph with every call of a composite function (one
 * without a fused rule) replaced by that function's body, so that an analysis sees through
 * calls: the backward step of a scan calls the step's derived VJP, whose recomputed forward is
 * what the scan compiler hoists.
 */
final class Flat {
  final Graph graph;
  final List<Node> params;
  final List<Node> results;

  private Flat(Graph graph, List<Node> params, List<Node> results) {
    this.graph = graph;
    this.params = params;
    this.results = results;
  }

  static Flat of(Function f) {
    return of(f, 0);
  }

  /**
   * {@code f} flattened, where its first {@code carries} parameters change from step to step
   * (a scan's carries) and the others do not within a step: a sum {@code (p + l) + c} with only
   * {@code l} depending on the carries is computed as {@code (p + c) + l}, so that {@code p + c}
   * moves out of a scan's loop with {@code p} (a formula cell's {@code W x + b_W + U h + b_U}:
   * one add per gate in the loop instead of two). This changes only float rounding.
   */
  static Flat of(Function f, int carries) {
    Graph g = new Graph(f.name() + ".flat");
    List<Node> params = new ArrayList<>();
    Copier copier = new Copier(g);
    for (Node p : f.params()) {
      GraphOps.Leaf leaf = (GraphOps.Leaf) p.op();
      Node n = leaf.role() == GraphOps.Leaf.Role.INPUT ? g.input(p.name(), p.type()) : g.parameter(p.name(), p.type());
      if (params.size() < carries) {
        copier.late.add(n);
      }
      params.add(n);
    }
    return new Flat(g, params, inline(copier, f, params));
  }

  /** Copies nodes into a graph, each distinct op-on-inputs once, tracking what depends on the carries. */
  private static final class Copier {
    final Graph g;
    final Map<List<Object>, Node> made = new HashMap<>();
    final Set<Node> late = new HashSet<>();

    Copier(Graph g) {
      this.g = g;
    }

    /**
     * The node {@code op} applied to {@code ins}, or the copy already made of the same op on the
     * same inputs (common subexpressions: a formula cell's gradient joins the gates' cotangents
     * once for {@code W x} and once for {@code U h}, and sums each gate's twice, for {@code b_i}
     * and {@code b_h}). Ops are deterministic, so the two are the same value.
     */
    Node apply(Op op, List<Node> ins, String name) {
      if (op == Ops.ADD && !late.contains(ins.get(1)) && late.contains(ins.get(0))
          && ins.get(0).op() == Ops.ADD) {
        // (p + l) + c, or (l + p) + c, with p and c not depending on the carries: (p + c) + l
        Node m = ins.get(0);
        int early = !late.contains(m.input(0)) ? 0 : !late.contains(m.input(1)) ? 1 : -1;
        if (early >= 0) {
          Node pc = apply(Ops.ADD, List.of(m.input(early), ins.get(1)), null);
          return apply(Ops.ADD, List.of(pc, m.input(1 - early)), name);
        }
      }
      List<Object> key = new ArrayList<>(ins.size() + 1);
      key.add(opKey(op));
      key.addAll(ins); // nodes compare by identity
      Node n = made.get(key);
      if (n == null) {
        n = g.apply(op, ins, name);
        made.put(key, n);
        for (Node in : ins) {
          if (late.contains(in)) {
            late.add(n);
            break;
          }
        }
      }
      return n;
    }
  }

  /** What identifies an op: its parameters for the ops made afresh at each use, else the op itself. */
  private static Object opKey(Op op) {
    if (op instanceof LayoutOps.Slice) {
      LayoutOps.Slice s = (LayoutOps.Slice) op;
      return List.of("slice", s.axis(), s.start(), s.end());
    }
    if (op instanceof LayoutOps.Concat) {
      return List.of("concat", ((LayoutOps.Concat) op).axis());
    }
    if (op instanceof Ops.SumTo) {
      return List.of("sum_to", ((Ops.SumTo) op).target());
    }
    return op;
  }

  /**
   * Copies the nodes of {@code f}'s body that its results need into {@code g}, with its formal
   * inputs bound to {@code args}; returns the copies of its results. Recursion goes only as deep
   * as calls are nested.
   */
  private static List<Node> inline(Copier copier, Function f, List<Node> args) {
    List<Node> body = f.body().nodes();
    int limit = 0;
    for (Node r : f.results()) {
      limit = Math.max(limit, r.id() + 1);
    }
    boolean[] needed = new boolean[limit];
    for (Node r : f.results()) {
      needed[r.id()] = true;
    }
    Object[] map = new Object[limit]; // a Node, or the result list of an inlined call
    for (int i = 0; i < f.params().size(); i++) {
      Node p = f.params().get(i);
      if (p.id() < limit) {
        map[p.id()] = args.get(i);
      }
    }
    for (int i = limit - 1; i >= 0; i--) {
      if (needed[i] && map[i] == null) {
        for (Node in : body.get(i).inputs()) {
          needed[in.id()] = true;
        }
      }
    }
    for (int i = 0; i < limit; i++) {
      if (!needed[i] || map[i] != null) {
        continue;
      }
      Node n = body.get(i);
      if (n.op() instanceof GraphOps.GetOutput) {
        Object src = map[n.input(0).id()];
        int k = ((GraphOps.GetOutput) n.op()).index();
        map[i] = src instanceof Node ? ((Node) src).output(k) : ((List<?>) src).get(k);
        if (src instanceof Node && copier.late.contains(src)) {
          copier.late.add((Node) map[i]);
        }
        continue;
      }
      if (n.op() instanceof GraphOps.Leaf) {
        throw new IllegalStateException("function '" + f.name() + "': leaf " + n + " is not a formal input");
      }
      List<Node> ins = new ArrayList<>(n.inputs().size());
      for (Node in : n.inputs()) {
        ins.add((Node) map[in.id()]);
      }
      if (n.op() instanceof CallOp && ((CallOp) n.op()).function().fused() == null) {
        map[i] = inline(copier, ((CallOp) n.op()).function(), ins);
      } else {
        map[i] = copier.apply(n.op(), ins, n.name());
      }
    }
    List<Node> out = new ArrayList<>();
    for (Node r : f.results()) {
      out.add((Node) map[r.id()]);
    }
    return out;
  }
}
