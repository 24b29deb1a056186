package dev.cellgraph.autodiff;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A composite op: a named subgraph with formal inputs (leaf nodes of its body graph) and
 * results, called as one node in an outer graph ({@link #call}).
 *
 * <p>Its gradient is derived from its body once ({@link #vjp}) and cached: the backward of a
 * call is a call of the derived function. A function may carry a {@link FusedRule} that replaces
 * the body for speed; the derived rule remains available for checking it.
 *
 * <p>A function is immutable once made (its body graph may grow, but only by nodes the function
 * does not use) and thread-safe.
 */
public final class Function {
  private final String name;
  private final List<Node> params;
  private final List<Node> results;
  private final FusedRule fused;
  private volatile Function vjp;
  private final java.util.Map<CompileOptions, Plan> plans = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Optional<Residuals>> residuals = new HashMap<>();

  private Function(String name, List<Node> params, List<Node> results, FusedRule fused) {
    this.name = Objects.requireNonNull(name, "name");
    this.params = List.copyOf(params);
    this.results = List.copyOf(results);
    this.fused = fused;
  }

  /**
   * A function of the given formal inputs (input or parameter leaves of one graph) returning
   * {@code results}, nodes of the same graph.
   *
   * @param name the function's name, for diagrams and messages
   * @param params the formal inputs, leaves of the results' graph, in argument order
   * @param results the nodes the function returns, at least one, in order
   * @return the new function, computed by its body
   */
  public static Function of(String name, List<Node> params, List<Node> results) {
    if (results.isEmpty()) {
      throw new IllegalArgumentException("function '" + name + "' needs at least one result");
    }
    Graph g = results.get(0).graph();
    for (Node p : params) {
      g.checkSameGraph(p);
      if (!(p.op() instanceof GraphOps.Leaf)) {
        throw new IllegalArgumentException(
            "function '" + name + "': formal input " + p + " must be an input or parameter leaf");
      }
    }
    for (Node r : results) {
      g.checkSameGraph(r);
      r.type(); // a result must be a single value
    }
    Function f = new Function(name, params, results, null);
    f.plan(); // fails now, not at first call, if a body leaf is not a formal input
    return f;
  }

  /**
   * The same function computed by {@code rule} instead of its body.
   *
   * @param rule the hand-written forward and backward, not null
   * @return a copy of this function that runs {@code rule}
   */
  public Function withFused(FusedRule rule) {
    return new Function(name, params, results, Objects.requireNonNull(rule, "rule"));
  }

  /**
   * The function's name, as drawn and as messages name it.
   *
   * @return the function's name
   */
  public String name() {
    return name;
  }

  /**
   * The graph that holds the body.
   *
   * @return the graph of the function's results
   */
  public Graph body() {
    return results.get(0).graph();
  }

  /**
   * The formal inputs, leaves of the body.
   *
   * @return the formal inputs, in argument order
   */
  public List<Node> params() {
    return params;
  }

  /**
   * The results, nodes of the body, in order.
   *
   * @return the result nodes, in order
   */
  public List<Node> results() {
    return results;
  }

  /**
   * The hand-written rule that computes this function and its gradient, or null when the body is used.
   *
   * @return the fused rule, or null
   */
  public FusedRule fused() {
    return fused;
  }

  /**
   * The function without its fused rule: the body and the derived gradient.
   *
   * @return this function if it has no fused rule, else a copy without it
   */
  public Function derived() {
    return fused == null ? this : new Function(name, params, results, null);
  }

  /**
   * The types of the formal inputs, in order.
   *
   * @return one type per formal input
   */
  public List<TensorType> paramTypes() {
    List<TensorType> t = new ArrayList<>();
    for (Node p : params) {
      t.add(p.type());
    }
    return t;
  }

  /**
   * The types of the results, in order.
   *
   * @return one type per result
   */
  public List<TensorType> resultTypes() {
    List<TensorType> t = new ArrayList<>();
    for (Node r : results) {
      t.add(r.type());
    }
    return t;
  }

  /**
   * The compiled body, with the default options.
   *
   * @return the body's plan for the default options
   */
  public Plan plan() {
    return plan(CompileOptions.defaults());
  }

  /**
   * The body compiled with {@code options} (one plan per options, kept).
   *
   * @param options the compiler switches for the plan
   * @return the body's plan for {@code options}, compiled on first use
   */
  public Plan plan(CompileOptions options) {
    return plans.computeIfAbsent(options, o -> Plan.compile(results, params, o));
  }

  /**
   * The derived vector-Jacobian product: a function of (the formal inputs, one cotangent per
   * result) returning one gradient per formal input. Built once from the body and cached.
   *
   * @return the gradient function, built on first use
   */
  public Function vjp() {
    Function v = vjp;
    if (v == null) {
      synchronized (this) {
        v = vjp;
        if (v == null) {
          Graph g = body();
          List<Node> cots = new ArrayList<>();
          for (int i = 0; i < results.size(); i++) {
            Node r = results.get(i);
            String rn = r.name() != null ? r.name() : "result" + i;
            cots.add(g.input("d" + rn, r.type()));
          }
          Gradients gr = Gradients.vjp(results, cots, params);
          List<Node> formals = new ArrayList<>(params);
          formals.addAll(cots);
          v = Function.of(name + ".vjp", formals, gr.list());
          vjp = v;
        }
      }
    }
    return v;
  }

  /**
   * What a scan of this step saves for its gradient ({@link Residuals#of}), derived once per
   * split of the formal inputs and cached; null when nothing is worth saving.
   */
  Residuals residuals(int carries, int sequences) {
    synchronized (this) {
      return residuals.computeIfAbsent(carries + "/" + sequences,
          k -> Optional.ofNullable(Residuals.of(this, carries, sequences))).orElse(null);
    }
  }

  /**
   * A call of this function in another graph: one node (read its results with {@code output(i)}).
   *
   * @param args the actual arguments, one per formal input, all in the caller's graph
   * @return the call node, with one output per result
   */
  public Node call(List<Node> args) {
    if (args.isEmpty()) {
      throw new IllegalArgumentException("call of '" + name + "' needs arguments");
    }
    return args.get(0).graph().apply(new CallOp(this), args);
  }

  /**
   * Calls the function and returns its results as nodes of the caller's graph.
   *
   * @param args the actual arguments, one per formal input, all in the caller's graph
   * @return one node per result, each an output of the call node
   */
  public List<Node> apply(List<Node> args) {
    Node c = call(args);
    List<Node> out = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      out.add(c.output(i));
    }
    return out;
  }

  /**
   * The function's results computed by a copy of its body in the caller's graph, its formal
   * inputs bound to {@code args}: the same values as {@link #apply}, but as the caller's own
   * nodes, so that what reads the caller's body (a scan's choice of residuals) sees every gate.
   *
   * @param args the actual arguments, one per formal input, all in the caller's graph
   * @return one node of the caller's graph per result
   */
  public List<Node> inline(List<Node> args) {
    if (args.size() != params.size()) {
      throw new IllegalArgumentException("inline of '" + name + "' takes " + params.size() + " arguments, got "
          + args.size());
    }
    Graph g = args.get(0).graph();
    Map<Node, Node> copies = new HashMap<>();
    for (int i = 0; i < params.size(); i++) {
      g.checkSameGraph(args.get(i));
      if (!args.get(i).type().equals(params.get(i).type())) {
        throw new IllegalArgumentException("inline of '" + name + "': argument " + i + " is " + args.get(i).type()
            + ", the function expects " + params.get(i).type());
      }
      copies.put(params.get(i), args.get(i));
    }
    int limit = 0;
    for (Node r : results) {
      limit = Math.max(limit, r.id() + 1);
    }
    boolean[] needed = new boolean[limit];
    for (Node r : results) {
      needed[r.id()] = true;
    }
    List<Node> body = body().nodes();
    for (int i = limit - 1; i >= 0; i--) {
      if (needed[i] && !copies.containsKey(body.get(i))) {
        for (Node in : body.get(i).inputs()) {
          needed[in.id()] = true;
        }
      }
    }
    for (int i = 0; i < limit; i++) {
      Node n = body.get(i);
      if (!needed[i] || copies.containsKey(n)) {
        continue;
      }
      if (n.op() instanceof GraphOps.Leaf) {
        throw new IllegalStateException("function '" + name + "': leaf " + n + " is not a formal input");
      }
      List<Node> ins = new ArrayList<>(n.inputs().size());
      for (Node in : n.inputs()) {
        ins.add(copies.get(in));
      }
      copies.put(n, n.op() instanceof GraphOps.GetOutput o ? ins.get(0).output(o.index()) : g.add(n.op(), ins, n.name()));
    }
    List<Node> out = new ArrayList<>(results.size());
    for (Node r : results) {
      out.add(copies.get(r));
    }
    return out;
  }

  @Override
  public String toString() {
    return "Function '" + name + "' " + paramTypes() + " -> " + resultTypes();
  }
}
