package dev.cellgraph.render;

import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.LayoutOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Ops;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * How one scope's nodes are drawn when a diagram is {@linkplain Diagram#compact compact}: the way
 * the formulas are written rather than the way the batch is computed.
 *
 * <ul>
 *   <li>a matrix product of a value with a parameter is one node, {@code W ·}, the parameter drawn
 *       inside it (a batch computes {@code W x} as {@code x Wᵀ}; the figure shows {@code W x});
 *   <li>a sum of several terms is one {@code +} with all of them as inputs;
 *   <li>broadcasts are hidden: their consumers read the broadcast value itself;
 *   <li>a named result (a new state leaving the step) stays the exit label at the edge of the
 *       figure, but the values computed from it inside the step read the node that produced it, so
 *       a branch leaves the line where it is computed rather than at the exit.
 * </ul>
 *
 * Nodes the caller must keep (results, spines, annotated or tied nodes) are never merged or
 * hidden. Maps are keyed by identity and only looked up, so the output stays deterministic.
 */
final class Compact {
  private static final Compact NONE = new Compact();

  private final Map<Node, Boolean> hidden = new IdentityHashMap<>();
  private final Map<Node, Node> alias = new IdentityHashMap<>();       // hidden -> where it is drawn
  private final Map<Node, Node> passThrough = new IdentityHashMap<>(); // hidden broadcast -> its input
  private final Map<Node, Node> readFrom = new IdentityHashMap<>();    // named result -> its producer
  private final Map<Node, Node> folded = new IdentityHashMap<>();      // matmul -> parameter drawn in it
  private final Map<Node, Boolean> merged = new IdentityHashMap<>();   // sums drawn as part of their consumer
  private final Map<Node, Integer> consumers = new IdentityHashMap<>();

  private Compact() {}

  static Compact none() {
    return NONE;
  }

  /**
   * The simplifications of {@code nodes} (id order); {@code keep} says which must stay drawn as
   * they are, {@code result} which are results of the scope.
   */
  static Compact of(List<Node> nodes, Predicate<Node> keep, Predicate<Node> result) {
    Compact c = new Compact();
    Map<Node, Node> lastConsumer = new IdentityHashMap<>();
    for (Node n : nodes) {
      for (Node in : n.inputs()) {
        c.consumers.merge(in, 1, Integer::sum);
        lastConsumer.put(in, n);
      }
    }
    Map<Node, Integer> foldingReads = new IdentityHashMap<>();
    List<Node> products = new ArrayList<>();
    List<Node> productParams = new ArrayList<>();
    for (Node n : nodes) {
      if (n.op() instanceof LayoutOps.BroadcastTo && n.name() == null && !keep.test(n)) {
        c.hidden.put(n, Boolean.TRUE);
        c.alias.put(n, n.input(0));
        c.passThrough.put(n, n.input(0));
      } else if (n.op() == LayoutOps.IDENTITY && n.name() != null && result.test(n)) {
        Node p = c.source(n.input(0));
        if (!(p.op() instanceof GraphOps.Leaf) && !(p.op() instanceof GraphOps.GetOutput) && p.name() == null) {
          c.readFrom.put(n, p);
        }
      } else if (n.op() instanceof Ops.MatMul) {
        Node a = c.source(n.input(0));
        Node b = c.source(n.input(1));
        Node p = isParameter(b) && !isParameter(a) ? b : isParameter(a) && !isParameter(b) ? a : null;
        if (p != null && !keep.test(p)) {
          products.add(n);
          productParams.add(p);
          foldingReads.merge(p, 1, Integer::sum);
        }
      } else if (n.op() == Ops.ADD && n.name() == null && !keep.test(n) && c.consumers(n) == 1
          && lastConsumer.get(n).op() == Ops.ADD) {
        c.hidden.put(n, Boolean.TRUE);
        c.alias.put(n, lastConsumer.get(n));
        c.merged.put(n, Boolean.TRUE);
      }
    }
    for (int i = 0; i < products.size(); i++) {
      Node p = productParams.get(i);
      // a parameter disappears into its products only if every reader of it is one
      if (foldingReads.get(p) == c.consumers(p)) {
        c.folded.put(products.get(i), p);
        c.hidden.put(p, Boolean.TRUE);
        c.alias.put(p, products.get(i));
      }
    }
    return c;
  }

  private static boolean isParameter(Node n) {
    return n.op() instanceof GraphOps.Leaf && ((GraphOps.Leaf) n.op()).role() == GraphOps.Leaf.Role.PARAMETER;
  }

  /** Where a node is drawn: itself, or for a hidden one the node that stands for it. */
  Node resolve(Node n) {
    Node r = n;
    while (hidden.containsKey(r)) {
      r = alias.get(r);
    }
    return r;
  }

  /** The node a consumer's edge starts at for the value of {@code n}. */
  Node source(Node n) {
    Node r = n;
    for (Node next = passThrough.get(r); next != null; next = passThrough.get(r)) {
      r = next;
    }
    Node p = readFrom.get(r);
    return p != null ? p : r;
  }

  boolean isHidden(Node n) {
    return hidden.containsKey(n);
  }

  /** The parameter a matrix product draws inside itself, or null. */
  Node foldedParameter(Node matmul) {
    return folded.get(matmul);
  }

  /** How many nodes of the scope read {@code n}. */
  int consumers(Node n) {
    return consumers.getOrDefault(n, 0);
  }

  /**
   * The values drawn as {@code n}'s inputs, in order: the terms of a merged sum, without the
   * parameter of a folded product.
   */
  List<Node> operands(Node n) {
    Node p = folded.get(n);
    List<Node> r = new ArrayList<>();
    Deque<Node> todo = new ArrayDeque<>();
    for (int k = n.inputs().size() - 1; k >= 0; k--) {
      todo.push(n.input(k));
    }
    while (!todo.isEmpty()) {
      Node in = todo.pop();
      if (merged.containsKey(in)) {
        for (int k = in.inputs().size() - 1; k >= 0; k--) {
          todo.push(in.input(k));
        }
      } else if (p == null || source(in) != p) {
        r.add(in);
      }
    }
    return r;
  }
}
