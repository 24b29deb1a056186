package dev.cellgraph.autodiff;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reverse-mode differentiation: builds, in the same graph, the nodes that compute the gradient of
 * a value with respect to chosen nodes. The gradient is itself a graph: it can be compiled, drawn
 * and differentiated again (second-order gradients).
 *
 * <p>The adjoint graph is built iteratively in reverse id order (no recursion, so deep unrolled
 * graphs are fine); contributions reaching a node along several paths are added. Only nodes on a
 * path from a {@code wrt} node to an output are visited.
 *
 * <p>Building one adds nodes to the graph and so is not thread-safe, like any change to a {@link
 * Graph}; once built, its maps and lists are only read, and several threads may read them.
 */
public final class Gradients {
  /**
   * Returned by a backward rule for an input that has no gradient: one the op declares
   * non-differentiable (integer ids), or whose derivative is identically zero.
   */
  public static final Node NONE = null;

  private final Map<Node, Node> grads;
  private final Map<Node, Node> adjoints;
  private final List<Node> built;

  private Gradients(Map<Node, Node> grads, Map<Node, Node> adjoints, List<Node> built) {
    this.grads = grads;
    this.adjoints = adjoints;
    this.built = built;
  }

  /**
   * The gradient of a scalar {@code loss} with respect to each of {@code wrt}.
   *
   * @param loss the scalar node to differentiate
   * @param wrt the nodes to differentiate with respect to
   * @return the gradients, with the backward nodes added to the loss's graph
   */
  public static Gradients of(Node loss, Node... wrt) {
    return of(loss, List.of(wrt));
  }

  /**
   * The gradient of a scalar {@code loss} with respect to each of {@code wrt}.
   *
   * @param loss the scalar node to differentiate
   * @param wrt the nodes to differentiate with respect to
   * @return the gradients, with the backward nodes added to the loss's graph
   * @throws IllegalArgumentException if {@code loss} has more than one element
   */
  public static Gradients of(Node loss, List<Node> wrt) {
    if (loss.shape().size() != 1) {
      throw new IllegalArgumentException(
          "Gradients.of needs a scalar loss, got " + loss + "; use Gradients.vjp with a cotangent");
    }
    int firstBuilt = loss.graph().size();
    Node seed = loss.graph().fill(1.0, loss.type());
    return vjp(List.of(loss), List.of(seed), wrt, firstBuilt);
  }

  /**
   * The vector-Jacobian product: the gradient of {@code Σ_i <outputs_i, cotangents_i>} with respect
   * to each of {@code wrt}. Each cotangent has its output's type.
   *
   * @param outputs the nodes whose weighted sum is differentiated
   * @param cotangents the weight of each output, one per output, in order
   * @param wrt the nodes to differentiate with respect to
   * @return the gradients, with the backward nodes added to the outputs' graph
   */
  public static Gradients vjp(List<Node> outputs, List<Node> cotangents, List<Node> wrt) {
    return vjp(outputs, cotangents, wrt, -1);
  }

  private static Gradients vjp(List<Node> outputs, List<Node> cotangents, List<Node> wrt, int seedId) {
    if (outputs.size() != cotangents.size()) {
      throw new IllegalArgumentException(
          outputs.size() + " outputs but " + cotangents.size() + " cotangents");
    }
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("vjp needs at least one output");
    }
    Graph g = outputs.get(0).graph();
    for (int i = 0; i < outputs.size(); i++) {
      g.checkSameGraph(outputs.get(i));
      g.checkSameGraph(cotangents.get(i));
      if (!outputs.get(i).type().equals(cotangents.get(i).type())) {
        throw new IllegalArgumentException("cotangent " + cotangents.get(i) + " does not match output " + outputs.get(i));
      }
    }
    for (Node w : wrt) {
      g.checkSameGraph(w);
    }
    int limit = 0;
    for (Node o : outputs) {
      limit = Math.max(limit, o.id() + 1);
    }
    List<Node> nodes = g.nodes();
    int firstBuilt = seedId >= 0 ? seedId : g.size();

    // nodes that depend on some wrt node
    boolean[] depends = new boolean[limit];
    for (Node w : wrt) {
      if (w.id() < limit) {
        depends[w.id()] = true;
      }
    }
    for (int i = 0; i < limit; i++) {
      if (!depends[i]) {
        for (Node in : nodes.get(i).inputs()) {
          if (depends[in.id()]) {
            depends[i] = true;
            break;
          }
        }
      }
    }
    // nodes some output depends on
    boolean[] needed = new boolean[limit];
    for (Node o : outputs) {
      needed[o.id()] = true;
    }
    for (int i = limit - 1; i >= 0; i--) {
      if (needed[i]) {
        for (Node in : nodes.get(i).inputs()) {
          needed[in.id()] = true;
        }
      }
    }

    Map<Node, List<Node>> contributions = new HashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      if (depends[outputs.get(i).id()]) {
        contributions.computeIfAbsent(outputs.get(i), k -> new ArrayList<>()).add(cotangents.get(i));
      }
    }
    Map<Node, Node> total = new HashMap<>();
    for (int i = limit - 1; i >= 0; i--) {
      Node n = nodes.get(i);
      if (!needed[i] || !depends[i]) {
        continue;
      }
      Node cot = sum(contributions.remove(n));
      if (cot != null) {
        total.put(n, cot);
      }
      if (n.op() instanceof GraphOps.GetOutput) {
        continue;   // its parent collects the cotangents of all its outputs
      }
      List<Node> cots;
      if (n.isMultiOutput()) {
        cots = new ArrayList<>();
        boolean any = false;
        for (int k = 0; k < n.types().size(); k++) {
          Node c = total.get(n.output(k));
          any |= c != null;
          cots.add(c != null ? c : g.zeros(n.types().get(k)));
        }
        if (!any) {
          continue;
        }
      } else {
        if (cot == null) {
          continue;
        }
        cots = List.of(cot);
      }
      boolean anyInput = false;
      for (Node in : n.inputs()) {
        anyInput |= depends[in.id()];
      }
      if (!anyInput) {
        continue;
      }
      List<Node> ing;
      try {
        ing = n.op().backward(n, cots);
      } catch (UnsupportedOperationException e) {
        throw new UnsupportedOperationException(
            "op '" + n.op().name() + "' has no backward rule (" + e.getMessage() + "); needed for " + n, e);
      }
      if (ing.size() != n.inputs().size()) {
        throw new IllegalStateException("backward rule of op '" + n.op().name() + "' returned "
            + ing.size() + " gradients for " + n.inputs().size() + " inputs");
      }
      for (int k = 0; k < ing.size(); k++) {
        Node in = n.input(k);
        Node gk = ing.get(k);
        if (gk == NONE || !depends[in.id()]) {
          continue;
        }
        if (!gk.type().equals(in.type())) {
          throw new IllegalStateException("backward rule of op '" + n.op().name() + "' gave a gradient "
              + gk.type() + " for input " + k + " of type " + in.type());
        }
        contributions.computeIfAbsent(in, x -> new ArrayList<>()).add(gk);
      }
    }
    Map<Node, Node> result = new LinkedHashMap<>();
    for (Node w : wrt) {
      Node gw = total.get(w);
      result.put(w, gw != null ? gw : g.zeros(w.type()));
    }
    // id order, so that whoever iterates the map (a diagram) does so deterministically
    Map<Node, Node> adjoints = new LinkedHashMap<>();
    for (int i = 0; i < limit; i++) {
      Node cot = total.get(nodes.get(i));
      if (cot != null) {
        adjoints.put(nodes.get(i), cot);
      }
    }
    List<Node> built = List.copyOf(nodes.subList(firstBuilt, g.size()));
    return new Gradients(result, Collections.unmodifiableMap(adjoints), built);
  }

  private static Node sum(List<Node> parts) {
    if (parts == null || parts.isEmpty()) {
      return null;
    }
    parts = joinPads(parts);
    Node s = parts.get(0);
    for (int i = 1; i < parts.size(); i++) {
      s = s.add(parts.get(i));
    }
    return s;
  }

  /**
   * Contributions that are zero-padded pieces of one axis (the gradients of several slices of a
   * value, like the gates of an LSTM) are joined by one concat, the gaps filled with zeros,
   * instead of padding each to full size and adding: the same values, a fraction of the work.
   * Pieces that overlap are left to the additions.
   */
  private static List<Node> joinPads(List<Node> parts) {
    int pads = 0;
    for (Node p : parts) {
      pads += p.op() instanceof LayoutOps.Pad ? 1 : 0;
    }
    if (pads < 2) {
      return parts;
    }
    Node first = null;
    int axis = -1;
    List<Node> pieces = new ArrayList<>();
    List<Node> rest = new ArrayList<>();
    for (Node p : parts) {
      if (p.op() instanceof LayoutOps.Pad) {
        LayoutOps.Pad pad = (LayoutOps.Pad) p.op();
        int a = p.shape().normalizeAxis(pad.axis());
        if (first == null) {
          first = p;
          axis = a;
        }
        if (a == axis && p.type().equals(first.type())) {
          pieces.add(p);
          continue;
        }
      }
      rest.add(p);
    }
    if (pieces.size() < 2) {
      return parts;
    }
    pieces.sort(java.util.Comparator.comparingInt(p -> ((LayoutOps.Pad) p.op()).before()));
    Graph g = first.graph();
    int len = first.shape().dim(axis);
    List<Node> joined = new ArrayList<>();
    int at = 0;
    for (Node p : pieces) {
      int before = ((LayoutOps.Pad) p.op()).before();
      if (before < at) {
        return parts; // overlapping pieces
      }
      if (before > at) {
        joined.add(g.zeros(new TensorType(first.dtype(), first.shape().with(axis, before - at))));
      }
      Node piece = p.input(0);
      joined.add(piece);
      at = before + piece.shape().dim(axis);
    }
    if (at < len) {
      joined.add(g.zeros(new TensorType(first.dtype(), first.shape().with(axis, len - at))));
    }
    List<Node> out = new ArrayList<>();
    out.add(Node.concat(axis, joined));
    out.addAll(rest);
    return out;
  }

  /**
   * The gradient with respect to {@code wrt} (a zero-filled node when nothing depends on it).
   *
   * @param wrt one of the nodes the gradients were asked for
   * @return the gradient node, of the type of {@code wrt}
   */
  public Node get(Node wrt) {
    Node g = grads.get(wrt);
    if (g == null) {
      throw new IllegalArgumentException("no gradient was asked for with respect to " + wrt);
    }
    return g;
  }

  /**
   * Every forward node that received a gradient, mapped to its adjoint: the node holding the total
   * cotangent that reached it (the seed for the loss itself). Iterates in forward-node id order.
   * Several forward nodes may share one adjoint node (an add passes its cotangent on unchanged).
   *
   * @return an unmodifiable map from forward node to adjoint node
   */
  public Map<Node, Node> adjoints() {
    return adjoints;
  }

  /**
   * The nodes this differentiation added to the graph, in id order: the backward graph. (Nodes a
   * composite's derived gradient builds in its own body graph are not among them; they sit behind
   * the call nodes listed here.)
   *
   * @return the backward nodes this differentiation built, in id order
   */
  public List<Node> nodes() {
    return built;
  }

  /**
   * The gradients in the order of the {@code wrt} nodes.
   *
   * @return one gradient node per {@code wrt} node, in order
   */
  public List<Node> list() {
    return List.copyOf(grads.values());
  }
}
