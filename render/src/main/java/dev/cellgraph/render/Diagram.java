package dev.cellgraph.render;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.core.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A drawing of a {@link Graph}: DOT text made by this project's own code (deterministic: the same
 * graph gives byte-identical DOT), rendered to SVG or PNG through graphviz-java.
 *
 * <pre>{@code
 * Diagram.of(loss).backward(grads).expand(1).toPng(Path.of("loss.png"));
 * }</pre>
 *
 * <p>Composite nodes (calls of a {@link Function}, scans) are one box, or with {@link #expand} a
 * cluster showing their body, recursively to the chosen depth. Ops are small nodes with their
 * symbols (σ, tanh, ⊙, +, ·), parameters grey boxes, inputs blue boxes, named values labelled
 * with the user's names. Left to right.
 *
 * <p>Immutable: every option returns a new diagram. Thread-safe; rendering is serialized
 * internally.
 */
public final class Diagram {
  final String title;
  final List<Node> nodes;          // drawn at top level, id order
  final List<Node> results;        // emphasized as results (a function's), may be empty
  final List<Node> formals;        // a function's formal inputs, may be empty
  final int expandDepth;
  final boolean showShapes;
  final boolean compact;
  final boolean perExample;
  final boolean numbers;
  final Map<Node, List<Node>> adjointOf; // adjoint node -> forward nodes it is the cotangent of, id order
  final Map<Node, Boolean> backward;
  final Map<Node, Tensor> values;
  final Map<Node, Tensor> grads;
  final double[] gradRange;        // fixed log-scale range, or null for the data's own
  final DiagramStyle style;

  private Diagram(String title, List<Node> nodes, List<Node> results, List<Node> formals,
      int expandDepth, boolean showShapes, boolean compact, boolean perExample, boolean numbers,
      Map<Node, List<Node>> adjointOf,
      Map<Node, Boolean> backward, Map<Node, Tensor> values, Map<Node, Tensor> grads, double[] gradRange,
      DiagramStyle style) {
    this.title = title;
    this.nodes = nodes;
    this.results = results;
    this.formals = formals;
    this.expandDepth = expandDepth;
    this.showShapes = showShapes;
    this.compact = compact;
    this.perExample = perExample;
    this.numbers = numbers;
    this.adjointOf = adjointOf;
    this.backward = backward;
    this.values = values;
    this.grads = grads;
    this.gradRange = gradRange;
    this.style = style;
  }

  private Diagram withNodes(List<Node> nodes, Map<Node, List<Node>> adjointOf, Map<Node, Boolean> backward) {
    return new Diagram(title, nodes, results, formals, expandDepth, showShapes, compact, perExample, numbers, adjointOf,
        backward, values, grads, gradRange, style);
  }

  private Diagram with(int expandDepth, boolean showShapes, Map<Node, List<Node>> adjointOf,
      Map<Node, Boolean> backward, Map<Node, Tensor> values, Map<Node, Tensor> grads,
      double[] gradRange, DiagramStyle style) {
    return new Diagram(title, nodes, results, formals, expandDepth, showShapes, compact, perExample, numbers, adjointOf,
        backward, values, grads, gradRange, style);
  }

  private Diagram withDrawing(boolean compact, boolean perExample, boolean numbers) {
    return new Diagram(title, nodes, results, formals, expandDepth, showShapes, compact, perExample, numbers, adjointOf,
        backward, values, grads, gradRange, style);
  }

  /**
   * Every node of {@code graph}.
   *
   * @param graph the graph to draw, whole
   * @return a diagram of all the graph's nodes, titled with the graph's name
   */
  public static Diagram of(Graph graph) {
    Objects.requireNonNull(graph, "graph");
    return create(graph.name(), graph.nodes(), List.of(), List.of());
  }

  /**
   * {@code outputs} and every node they depend on.
   *
   * @param outputs the nodes to draw, all of one graph
   * @return a diagram of the outputs and their ancestors
   */
  public static Diagram of(Node... outputs) {
    return of(List.of(outputs));
  }

  /**
   * {@code outputs} and every node they depend on.
   *
   * @param outputs the nodes to draw, at least one, all of one graph
   * @return a diagram of the outputs and their ancestors
   */
  public static Diagram of(List<Node> outputs) {
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("a diagram needs at least one output node");
    }
    Graph g = outputs.get(0).graph();
    for (Node o : outputs) {
      if (o.graph() != g) {
        throw new IllegalArgumentException(
            "output " + o + " belongs to graph '" + o.graph().name() + "', not to '" + g.name() + "'");
      }
    }
    return create(g.name(), ancestors(outputs, List.of()), List.copyOf(outputs), List.of());
  }

  /**
   * The body of a composite: its formal inputs, the nodes its results depend on, its results.
   *
   * @param fn the composite function whose body to draw
   * @return a diagram of the function's body, titled with its name
   */
  public static Diagram of(Function fn) {
    Objects.requireNonNull(fn, "fn");
    return create(fn.name(), ancestors(fn.results(), fn.params()), fn.results(), fn.params());
  }

  private static Diagram create(String title, List<Node> nodes, List<Node> results, List<Node> formals) {
    return new Diagram(title, List.copyOf(nodes), results, List.copyOf(formals), 0, false, false, false, true,
        new IdentityHashMap<>(), new IdentityHashMap<>(), new IdentityHashMap<>(),
        new IdentityHashMap<>(), null, DiagramStyle.defaults());
  }

  /** Nodes {@code outputs} depend on, plus {@code extra}, in id order; without recursion. */
  static List<Node> ancestors(List<Node> outputs, List<Node> extra) {
    Graph g = outputs.get(0).graph();
    int limit = 0;
    for (Node o : outputs) {
      limit = Math.max(limit, o.id() + 1);
    }
    for (Node e : extra) {
      limit = Math.max(limit, e.id() + 1);
    }
    boolean[] keep = new boolean[limit];
    for (Node o : outputs) {
      keep[o.id()] = true;
    }
    for (Node e : extra) {
      keep[e.id()] = true;
    }
    List<Node> all = g.nodes();
    for (int i = limit - 1; i >= 0; i--) {
      if (keep[i]) {
        for (Node in : all.get(i).inputs()) {
          keep[in.id()] = true;
        }
      }
    }
    List<Node> r = new ArrayList<>();
    for (int i = 0; i < limit; i++) {
      if (keep[i]) {
        r.add(all.get(i));
      }
    }
    return r;
  }

  /**
   * Draws composite nodes expanded to {@code depth} levels: 0 keeps every call and scan one box, 1
   * opens the top-level ones as clusters showing their bodies, and so on.
   *
   * @param depth how many levels of nested calls and scans to open, 0 or more
   * @return a copy of this diagram with that expansion depth
   */
  public Diagram expand(int depth) {
    if (depth < 0) {
      throw new IllegalArgumentException("depth (" + depth + ") must not be negative");
    }
    return with(depth, showShapes, adjointOf, backward, values, grads, gradRange, style);
  }

  /**
   * Writes each value's shape on the edges it travels along.
   *
   * @param show whether to label edges with shapes
   * @return a copy of this diagram with shape labels on or off
   */
  public Diagram showShapes(boolean show) {
    return with(expandDepth, show, adjointOf, backward, values, grads, gradRange, style);
  }

  /**
   * Draws the graph the way its formulas are written rather than the way a batch computes them: a
   * matrix product with a parameter is one node {@code W ·} holding the parameter, a sum of several
   * terms one {@code +}, broadcasts are hidden, and a new state leaving the step is an exit label
   * at the edge while the values computed from it branch off where it is computed. Nodes that are
   * results, annotated, tied to gradients or on a spine are always drawn as they are.
   *
   * @param compact whether to draw the formula-style view
   * @return a copy of this diagram with the compact drawing on or off
   */
  public Diagram compact(boolean compact) {
    return withDrawing(compact, perExample, numbers);
  }

  /**
   * Writes the shapes of values computed from inputs without their leading axis when it is a
   * batch of one ({@code 20}, not {@code 1×20}): the shapes of one example, as formulas state them.
   *
   * @param perExample whether to drop a leading batch axis of one from the shapes
   * @return a copy of this diagram with per-example shapes on or off
   */
  public Diagram perExample(boolean perExample) {
    return withDrawing(compact, perExample, numbers);
  }

  /**
   * Whether annotated nodes show their numbers (value summary, gradient norm) under their labels;
   * without them only the edge colours and the legend tell the gradients, for a long sequence.
   *
   * @param show whether to print the numbers under annotated nodes
   * @return a copy of this diagram with the numbers shown or hidden
   */
  public Diagram numbers(boolean show) {
    return withDrawing(compact, perExample, show);
  }

  /**
   * Adds the nodes {@code gradients} built, the values they are gradients of and what they read
   * to the drawing, the built ones styled as the
   * backward graph (dashed, in another colour), and ties each adjoint to the value it is the
   * gradient of.
   *
   * @param gradients the result of differentiating, whose built nodes and adjoints to draw
   * @return a copy of this diagram with the backward graph added
   */
  public Diagram backward(Gradients gradients) {
    Objects.requireNonNull(gradients, "gradients");
    return backward(gradients.nodes(), gradients.adjoints());
  }

  /**
   * Adds {@code backwardNodes} (and what they read) to the drawing, styled as the backward graph;
   * {@code adjoints} maps forward nodes to their adjoints (as {@link Gradients#adjoints()} does),
   * drawn tied together.
   *
   * @param backwardNodes the nodes of the backward graph, in the same graph as this diagram's nodes
   * @param adjoints each forward node's adjoint node
   * @return a copy of this diagram with the backward nodes added
   */
  public Diagram backward(Collection<Node> backwardNodes, Map<Node, Node> adjoints) {
    Map<Node, Boolean> b = new IdentityHashMap<>(backward);
    List<Node> drawn = new ArrayList<>(nodes);
    for (Node n : backwardNodes) {
      b.put(Objects.requireNonNull(n, "backward node"), Boolean.TRUE);
      if (!nodes.isEmpty() && n.graph() != nodes.get(0).graph()) {
        throw new IllegalArgumentException("backward node " + n + " belongs to graph '" + n.graph().name()
            + "', not to the diagram's '" + nodes.get(0).graph().name() + "'");
      }
      drawn.add(n);
    }
    for (Node f : adjoints.keySet()) {
      if (nodes.isEmpty() || f.graph() == nodes.get(0).graph()) {
        drawn.add(f);     // the values the gradients belong to, a loss made after this diagram too
      }
    }
    List<Node> all = drawn.isEmpty() ? nodes : ancestors(drawn, List.of());
    Map<Node, List<Node>> a = new IdentityHashMap<>();
    for (Map.Entry<Node, List<Node>> e : adjointOf.entrySet()) {
      a.put(e.getKey(), new ArrayList<>(e.getValue()));
    }
    for (Map.Entry<Node, Node> e : adjoints.entrySet()) {
      List<Node> forward = a.computeIfAbsent(Objects.requireNonNull(e.getValue(), "adjoint"), k -> new ArrayList<>());
      if (!forward.contains(e.getKey())) {
        forward.add(e.getKey());
        // id order, whatever the order of the map: the first names a shared adjoint
        forward.sort((x, y) -> Integer.compare(x.id(), y.id()));
      }
    }
    return withNodes(List.copyOf(all), a, b);
  }

  /**
   * Annotates nodes with a summary of their values and the norm of their gradients, and colours
   * each edge by the gradient norm of the value it carries, on a log scale with a legend. Either
   * map may be empty.
   *
   * @param values the value of each node to summarise, possibly empty
   * @param grads the gradient of each node whose norm to show and colour by, possibly empty
   * @return a copy of this diagram with the annotations added to any earlier ones
   */
  public Diagram annotate(Map<Node, Tensor> values, Map<Node, Tensor> grads) {
    Map<Node, Tensor> v = new IdentityHashMap<>(this.values);
    v.putAll(values);
    Map<Node, Tensor> g = new IdentityHashMap<>(this.grads);
    g.putAll(grads);
    return with(expandDepth, showShapes, adjointOf, backward, v, g, gradRange, style);
  }

  /**
   * Fixes the gradient colour scale to {@code [lo, hi]} (norms, both positive), so that several
   * diagrams share one legend; by default the range is that of the annotated gradients.
   *
   * @param lo the norm at the bottom of the scale, positive
   * @param hi the norm at the top of the scale, greater than {@code lo}
   * @return a copy of this diagram with the fixed colour scale
   */
  public Diagram gradientScale(double lo, double hi) {
    if (!(lo > 0 && hi > lo)) {
      throw new IllegalArgumentException("gradient scale [" + lo + ", " + hi + "] must have 0 < lo < hi");
    }
    return with(expandDepth, showShapes, adjointOf, backward, values, grads, new double[] {lo, hi}, style);
  }

  /**
   * Layout hints: states at the edges, chains on one line, display names.
   *
   * @param style the layout hints to use, not null
   * @return a copy of this diagram with that style
   */
  public Diagram style(DiagramStyle style) {
    return with(expandDepth, showShapes, adjointOf, backward, values, grads, gradRange,
        Objects.requireNonNull(style, "style"));
  }

  /**
   * The diagram in Graphviz's DOT language.
   *
   * @return the DOT source of the diagram
   */
  public String toDot() {
    return new DotWriter(this).write();
  }

  /**
   * The diagram as an SVG document.
   *
   * @return the SVG text rendered from the diagram's DOT source
   */
  public String toSvg() {
    return Renderer.svg(toDot());
  }

  /**
   * Writes the diagram as SVG; the file appears whole or not at all.
   *
   * @param file the file to write the SVG to
   * @throws IOException if the file cannot be written
   */
  public void toSvg(Path file) throws IOException {
    Renderer.writeAtomically(file, Renderer.svg(toDot()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Writes the diagram as PNG at twice its natural size; the file appears whole or not at all.
   *
   * @param file the file to write the PNG to
   * @throws IOException if the file cannot be written
   */
  public void toPng(Path file) throws IOException {
    toPng(file, 2.0);
  }

  /**
   * Writes the diagram as PNG, {@code scale} pixels per point.
   *
   * @param file the file to write the PNG to
   * @param scale the pixels per point, in (0, 16]
   * @throws IOException if the file cannot be written
   */
  public void toPng(Path file, double scale) throws IOException {
    Renderer.writeAtomically(file, toPng(scale));
  }

  /**
   * The diagram as a PNG image, {@code scale} pixels per point.
   *
   * @param scale the pixels per point, in (0, 16]
   * @return the PNG file's bytes
   */
  public byte[] toPng(double scale) {
    if (!(scale > 0 && scale <= 16)) {
      throw new IllegalArgumentException("scale (" + scale + ") must be in (0, 16]");
    }
    return Renderer.png(toDot(), scale);
  }

  /**
   * Writes DOT text; the file appears whole or not at all.
   *
   * @param file the file to write the DOT text to
   * @throws IOException if the file cannot be written
   */
  public void toDot(Path file) throws IOException {
    Renderer.writeAtomically(file, toDot().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Which Graphviz engine renders here: the system's {@code dot}, or the bundled JavaScript one.
   *
   * @return the name of the engine in use, starting with {@code dot} for the system's
   */
  public static String engine() {
    return Renderer.engineName();
  }
}
