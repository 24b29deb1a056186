package dev.cellgraph.cells.search;

import com.google.common.collect.ImmutableList;
import dev.cellgraph.cells.lang.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Sub-expressions addressed by paths of child indices, and immutable rebuilding with one replaced. */
final class Trees {
  private Trees() {}

  /** The paths of every node of {@code root} that satisfies {@code keep}, in pre-order. */
  static List<int[]> paths(Expr root, Predicate<Expr> keep) {
    List<int[]> out = new ArrayList<>();
    collect(root, new int[0], keep, out);
    return out;
  }

  private static void collect(Expr e, int[] path, Predicate<Expr> keep, List<int[]> out) {
    if (keep.test(e)) {
      out.add(path);
    }
    List<Expr> children = e.children();
    for (int k = 0; k < children.size(); k++) {
      // a matrix product's matrix is a name, not a value: nothing may replace it by an expression
      if (e instanceof Expr.MatMul && k == 0) {
        continue;
      }
      int[] child = java.util.Arrays.copyOf(path, path.length + 1);
      child[path.length] = k;
      collect(children.get(k), child, keep, out);
    }
  }

  static Expr get(Expr root, int[] path) {
    Expr e = root;
    for (int k : path) {
      e = e.children().get(k);
    }
    return e;
  }

  /** {@code root} with the node at {@code path} replaced by {@code replacement}. */
  static Expr replace(Expr root, int[] path, Expr replacement) {
    return replace(root, path, 0, replacement);
  }

  private static Expr replace(Expr e, int[] path, int depth, Expr replacement) {
    if (depth == path.length) {
      return replacement;
    }
    List<Expr> children = new ArrayList<>(e.children());
    int k = path[depth];
    children.set(k, replace(children.get(k), path, depth + 1, replacement));
    return withChildren(e, children);
  }

  /** The same node with new children (the node's own attributes kept). */
  static Expr withChildren(Expr e, List<Expr> c) {
    if (e instanceof Expr.Apply a) {
      return new Expr.Apply(a.fn(), c.get(0), a.span());
    } else if (e instanceof Expr.Binary b) {
      return new Expr.Binary(b.op(), c.get(0), c.get(1), b.span());
    } else if (e instanceof Expr.MatMul m) {
      return new Expr.MatMul((Expr.Param) c.get(0), c.get(1), m.span(), m.transposed());
    } else if (e instanceof Expr.Concat cc) {
      return new Expr.Concat(ImmutableList.copyOf(c), cc.span());
    } else if (e instanceof Expr.Neg n) {
      return new Expr.Neg(c.get(0), n.span());
    }
    return e;
  }

  /** Every node of the tree, pre-order. */
  static List<Expr> nodes(Expr root) {
    List<Expr> out = new ArrayList<>();
    List<Expr> stack = new ArrayList<>();
    stack.add(root);
    while (!stack.isEmpty()) {
      Expr e = stack.remove(stack.size() - 1);
      out.add(e);
      List<Expr> c = e.children();
      for (int k = c.size() - 1; k >= 0; k--) {
        stack.add(c.get(k));
      }
    }
    return out;
  }

  /** Number of nodes. */
  static int size(Expr root) {
    return nodes(root).size();
  }
}
