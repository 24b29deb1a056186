package dev.cellgraph.render;

import dev.cellgraph.autodiff.Node;
import java.util.IdentityHashMap;
import java.util.Map;

/** The nodes drawn at one level of a DOT diagram: the top graph, or the body of one expanded composite. */
final class DotScope {
  final String prefix;
  final int depth;
  final boolean backward;
  final Map<Node, Boolean> members = new IdentityHashMap<>();
  final Map<Node, DotScope> inner = new IdentityHashMap<>();
  Compact compact = Compact.none();
  final Map<Node, Boolean> portless = new IdentityHashMap<>(); // collapsed composites drawn without output ports

  DotScope(String prefix, int depth, boolean backward) {
    this.prefix = prefix;
    this.depth = depth;
    this.backward = backward;
  }

  /** The DOT id of a node drawn in this scope. */
  String id(Node n) {
    return prefix + "n" + n.id();
  }

  /** Whether {@code n} is drawn as part of the backward pass. */
  boolean isBackward(Node n, Diagram d) {
    return backward || depth == 0 && d.backward.containsKey(n);
  }
}
