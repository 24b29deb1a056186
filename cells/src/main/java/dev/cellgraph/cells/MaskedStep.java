package dev.cellgraph.cells;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.GraphOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.TensorType;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A cell's step with a masked carry, for sequences of different lengths: with {@code m} 1 at a
 * sequence's real steps and 0 past its length, each state becomes
 * {@code s' = m ⊙ step(s) + (1 - m) ⊙ s} and the output {@code m ⊙ y}, so a sequence's state
 * stops at its own last step (forward) or waits for it (reverse) and its padded outputs are zero.
 *
 * <p>The step's body is copied in ({@link Function#inline}), not called, so that the scan saves
 * the gates for its gradient as it does for the bare step, and the mask's few elementwise ops
 * fuse with the cell's own. The mask comes as one
 * sequence per distinct width of the states and outputs ({@code [B, W]} per step, not
 * {@code [B, 1]}), because fusion joins operands of the result's shape or a row broadcast, not a
 * column broadcast.
 *
 * <p>Thread-safe: immutable.
 */
final class MaskedStep {
  private final Function function;
  private final List<Integer> widths;

  private MaskedStep(Function function, List<Integer> widths) {
    this.function = function;
    this.widths = widths;
  }

  /**
   * Wraps {@code step}, whose formal inputs are {@code (states..., x, parameters...)} and results
   * {@code (new states..., outputs...)}, into a function of
   * {@code (states..., x, masks..., parameters...)} with one mask {@code [B, W]} per entry of
   * {@link #widths()}.
   */
  static MaskedStep of(Function step, int states) {
    List<Node> params = step.params();
    List<Node> results = step.results();
    TreeSet<Integer> distinct = new TreeSet<>();
    for (Node r : results) {
      distinct.add(width(r));
    }
    List<Integer> widths = List.copyOf(distinct);
    Graph g = new Graph(step.name() + " masked");
    List<Node> formals = new ArrayList<>();
    for (Node p : params) {
      formals.add(leafLike(g, p));
    }
    int batch = params.get(0).shape().dim(0);
    List<Node> masks = new ArrayList<>();
    for (int w : widths) {
      masks.add(g.input("mask" + w, TensorType.of(params.get(0).dtype(), batch, w)));
    }
    List<Node> computed = step.inline(formals);
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      Node m = masks.get(widths.indexOf(width(results.get(i))));
      Node kept = m.mul(computed.get(i));
      out.add(i < states ? kept.add(m.oneMinus().mul(formals.get(i))) : kept);
    }
    List<Node> wrapped = new ArrayList<>(formals.subList(0, states + 1));
    wrapped.addAll(masks);
    wrapped.addAll(formals.subList(states + 1, formals.size()));
    return new MaskedStep(Function.of(step.name() + " masked", wrapped, out), widths);
  }

  /** The masked step: formal inputs {@code (states..., x, masks..., parameters...)}. */
  Function function() {
    return function;
  }

  /** The widths of the masks the function takes after x, in order. */
  List<Integer> widths() {
    return widths;
  }

  private static int width(Node n) {
    return n.shape().dim(n.rank() - 1);
  }

  private static Node leafLike(Graph g, Node p) {
    GraphOps.Leaf leaf = (GraphOps.Leaf) p.op();
    return leaf.role() == GraphOps.Leaf.Role.INPUT ? g.input(p.name(), p.type()) : g.parameter(p.name(), p.type());
  }
}
