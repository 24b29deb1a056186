package dev.cellgraph.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a function's forward computation saves for its derived gradient, like JAX's partial
 * evaluation of a scan or PyTorch's saved gates: the values of the body that the derived VJP's
 * backward part reads (gate activations, ...), and that VJP rewritten to take them as inputs
 * instead of recomputing the forward from the formal inputs.
 *
 * <p>Saved are the body values that nodes built by backward rules read, except:
 * <ul>
 *   <li>formal inputs (the caller has them);
 *   <li>values of the <em>fixed</em> formal inputs only (a scan's constants: {@code Wᵀ} is the
 *       same at every step, so it is recomputed once, not stored per step);
 *   <li>values that are free to recompute from what is available anyway: identities, reshapes,
 *       slices, transposes, broadcasts and scalar arithmetic ({@code 1 - z}) of formal inputs,
 *       fixed values and saved values.
 * </ul>
 * A saved value that is also a per-step output y (up to named identities) is marked, so that the
 * scan reads its stacked y instead of storing it twice.
 *
 * <p>Immutable once made; made under the function's lock ({@link Function#residuals}).
 */
final class Residuals {
  private final List<Node> saved;
  private final int[] result;
  private final Function forward;
  private final Function adjoint;

  private Residuals(List<Node> saved, int[] result, Function forward, Function adjoint) {
    this.saved = List.copyOf(saved);
    this.result = result;
    this.forward = forward;
    this.adjoint = adjoint;
  }

  /**
   * The residuals of a scan's step {@code f}: formal inputs {@code (carries..., x..., constants...)},
   * results {@code (new carries..., y...)}; the carries and x change from step to step, the
   * constants do not, and the y are stacked by the scan (a saved y is read from there). Null when
   * the VJP reads no value worth saving, or when {@code f} has no gradient (an op without a
   * backward rule: its backward then fails with that message where it is asked for).
   */
  static Residuals of(Function f, int carries, int sequences) {
    int varying = carries + sequences;
    Function vjp;
    try {
      vjp = f.vjp();
    } catch (UnsupportedOperationException e) {
      return null; // a step without a gradient can still be scanned
    }
    List<Node> nodes = f.body().nodes();
    int size = f.body().size();
    boolean[] forwardNode = reach(nodes, f.results(), f.params(), size);
    boolean[] vjpNode = reach(nodes, vjp.results(), vjp.params(), size);
    boolean[] varies = new boolean[size];
    for (int i = 0; i < varying; i++) {
      varies[f.params().get(i).id()] = true;
    }
    for (int i = 0; i < size; i++) {
      if (forwardNode[i]) {
        for (Node in : nodes.get(i).inputs()) {
          varies[i] |= varies[in.id()];
        }
      }
    }
    // forward values the backward part reads (or returns)
    boolean[] read = new boolean[size];
    for (int i = 0; i < size; i++) {
      if (vjpNode[i] && !forwardNode[i]) {
        for (Node in : nodes.get(i).inputs()) {
          read[in.id()] |= forwardNode[in.id()];
        }
      }
    }
    for (Node r : vjp.results()) {
      read[r.id()] |= forwardNode[r.id()];
    }
    // in id order: what the backward part has without recomputing real work
    boolean[] available = new boolean[size];
    List<Node> saved = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      if (!forwardNode[i]) {
        continue;
      }
      Node n = nodes.get(i);
      if (n.op() instanceof GraphOps.Leaf || !varies[i] || isFree(n) && available[n.input(0).id()]) {
        available[i] = true;
      } else if (read[i] && !n.isMultiOutput()) {
        saved.add(n);
        available[i] = true;
      }
    }
    if (saved.isEmpty()) {
      return null;
    }
    int[] result = new int[saved.size()];
    List<Node> stored = new ArrayList<>();
    for (int k = 0; k < saved.size(); k++) {
      result[k] = -1;
      for (int j = carries; j < f.results().size(); j++) {
        if (unnamed(f.results().get(j)) == unnamed(saved.get(k))) {
          result[k] = j;
          break;
        }
      }
      if (result[k] < 0) {
        stored.add(saved.get(k));
      }
    }
    List<Node> results = new ArrayList<>(f.results());
    results.addAll(stored);
    Function forward = stored.isEmpty() ? f : Function.of(f.name(), f.params(), results);
    return new Residuals(saved, result, forward, adjoint(f, vjp, saved));
  }

  /** Ops whose value is as cheap to recompute from their input as to read back. */
  private static boolean isFree(Node n) {
    return n.inputs().size() == 1 && n.op().isFreeToRecompute();
  }

  private static Node unnamed(Node n) {
    while (n.op() == LayoutOps.IDENTITY) {
      n = n.input(0);
    }
    return n;
  }

  /** Nodes {@code roots} need, not looking past {@code stops}. */
  private static boolean[] reach(List<Node> nodes, List<Node> roots, List<Node> stops, int size) {
    boolean[] stop = new boolean[size];
    for (Node s : stops) {
      stop[s.id()] = true;
    }
    boolean[] r = new boolean[size];
    for (Node n : roots) {
      r[n.id()] = true;
    }
    for (int i = size - 1; i >= 0; i--) {
      if (r[i] && !stop[i]) {
        for (Node in : nodes.get(i).inputs()) {
          r[in.id()] = true;
        }
      }
    }
    return r;
  }

  /**
   * The VJP's body copied into a new graph with the saved values as formal inputs: (f's formal
   * inputs..., saved..., one cotangent per result...) to one gradient per formal input. What it
   * still needs of the forward (views of saved values, values of fixed inputs) is copied.
   */
  private static Function adjoint(Function f, Function vjp, List<Node> saved) {
    List<Node> nodes = f.body().nodes();
    int size = f.body().size();
    Graph g = new Graph(f.name() + ".vjp_saved");
    Node[] map = new Node[size];
    List<Node> formals = new ArrayList<>();
    int np = f.params().size();
    for (Node p : f.params()) {
      map[p.id()] = leafLike(g, p, p.name());
      formals.add(map[p.id()]);
    }
    Map<Node, String> identityNames = new HashMap<>(); // value -> the name of its first named identity
    for (Node n : nodes) {
      if (n.op() == LayoutOps.IDENTITY && n.name() != null) {
        identityNames.putIfAbsent(n.input(0), n.name());
      }
    }
    Set<Node> savedSet = new HashSet<>(saved);
    for (Node s : saved) {
      map[s.id()] = g.input(savedName(s, identityNames), s.type());
      formals.add(map[s.id()]);
    }
    for (Node c : vjp.params().subList(np, vjp.params().size())) {
      map[c.id()] = leafLike(g, c, c.name());
      formals.add(map[c.id()]);
    }
    boolean[] stop = new boolean[size];
    for (int i = 0; i < size; i++) {
      stop[i] = map[i] != null;
    }
    List<Node> stops = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      if (stop[i]) {
        stops.add(nodes.get(i));
      }
    }
    boolean[] needed = reach(nodes, vjp.results(), stops, size);
    for (int i = 0; i < size; i++) {
      if (!needed[i] || map[i] != null) {
        continue;
      }
      Node n = nodes.get(i);
      if (n.op() instanceof GraphOps.GetOutput) {
        map[i] = map[n.input(0).id()].output(((GraphOps.GetOutput) n.op()).index());
        continue;
      }
      if (n.op() == LayoutOps.IDENTITY && n.name() != null && savedSet.contains(n.input(0))) {
        map[i] = map[n.input(0).id()]; // the saved input carries this name already
        continue;
      }
      if (n.op() instanceof GraphOps.Leaf) {
        throw new IllegalStateException("function '" + f.name() + "': leaf " + n + " is not a formal input");
      }
      List<Node> ins = new ArrayList<>(n.inputs().size());
      for (Node in : n.inputs()) {
        ins.add(map[in.id()]);
      }
      map[i] = g.apply(n.op(), ins, n.name());
    }
    List<Node> results = new ArrayList<>();
    for (Node r : vjp.results()) {
      results.add(map[r.id()]);
    }
    return Function.of(g.name(), formals, results);
  }

  private static Node leafLike(Graph g, Node p, String name) {
    String nm = name != null ? name : "in" + p.id();
    return ((GraphOps.Leaf) p.op()).role() == GraphOps.Leaf.Role.PARAMETER ? g.parameter(nm, p.type()) : g.input(nm, p.type());
  }

  /** A saved value's name: its own, or that of a named identity of it (the user's {@code f_t}). */
  private static String savedName(Node s, Map<Node, String> identityNames) {
    if (s.name() != null) {
      return s.name();
    }
    String named = identityNames.get(s);
    return named != null ? named : "saved " + s.op().name();
  }

  /** The saved body values, in id order. */
  List<Node> saved() {
    return saved;
  }

  /** For each saved value, the index of the step's y result with the same value, or -1. */
  int resultOf(int k) {
    return result[k];
  }

  /** The saved values that are no result: what the forward must store besides its results. */
  List<Node> stored() {
    List<Node> r = new ArrayList<>();
    for (int k = 0; k < saved.size(); k++) {
      if (result[k] < 0) {
        r.add(saved.get(k));
      }
    }
    return r;
  }

  /** The step with the stored values as extra results, after its own (the same body). */
  Function forward() {
    return forward;
  }

  /**
   * The VJP from saved values: (formal inputs..., saved values..., one cotangent per result...)
   * to one gradient per formal input, the forward recomputed only where it is free.
   */
  Function adjoint() {
    return adjoint;
  }
}
