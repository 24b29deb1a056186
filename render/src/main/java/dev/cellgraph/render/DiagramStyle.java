package dev.cellgraph.render;

import dev.cellgraph.autodiff.Node;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Layout hints that make a diagram read like a figure: states entering from the previous step
 * drawn at the left edge, new states leaving at the right edge, chains kept on one straight line
 * (an LSTM's cell-state line), display names for nodes that have none, nodes left out, and groups
 * of nodes drawn inside a titled box. Immutable and thread-safe (its {@link Builder} is not);
 * hints about nodes the diagram does not draw are ignored.
 */
public final class DiagramStyle {
  private static final DiagramStyle DEFAULTS = new Builder().build();

  private final List<Node> statesIn;
  private final List<Node> statesOut;
  private final List<List<Node>> spines;
  private final Map<Node, String> names;
  private final Map<Node, Boolean> hidden;
  private final Map<Node, Boolean> small;
  private final double rankSeparation;
  private final List<String> groupTitles;
  private final List<List<Node>> groups;

  private DiagramStyle(Builder b) {
    this.statesIn = List.copyOf(b.statesIn);
    this.statesOut = List.copyOf(b.statesOut);
    List<List<Node>> s = new ArrayList<>();
    for (List<Node> chain : b.spines) {
      s.add(List.copyOf(chain));
    }
    this.spines = List.copyOf(s);
    this.names = Collections.unmodifiableMap(new LinkedHashMap<>(b.names));
    IdentityHashMap<Node, Boolean> h = new IdentityHashMap<>(b.hidden);
    this.hidden = Collections.unmodifiableMap(h);
    this.small = Collections.unmodifiableMap(new IdentityHashMap<>(b.small));
    this.rankSeparation = b.rankSeparation;
    this.groupTitles = List.copyOf(b.groupTitles);
    List<List<Node>> g = new ArrayList<>();
    for (List<Node> group : b.groups) {
      g.add(List.copyOf(group));
    }
    this.groups = List.copyOf(g);
  }

  /**
   * No hints.
   *
   * @return the shared style without any hints
   */
  public static DiagramStyle defaults() {
    return DEFAULTS;
  }

  /**
   * A builder with no hints yet.
   *
   * @return a new, empty builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Leaves that hold a state from the previous step, drawn at the left edge.
   *
   * @return the leaves drawn at the left edge as incoming states
   */
  public List<Node> statesIn() {
    return statesIn;
  }

  /**
   * Nodes that hold a new state, drawn at the right edge.
   *
   * @return the nodes drawn at the right edge as outgoing states
   */
  public List<Node> statesOut() {
    return statesOut;
  }

  /**
   * Chains of nodes kept on one straight line, each in order.
   *
   * @return the chains, each a list of nodes in order along its line
   */
  public List<List<Node>> spines() {
    return spines;
  }

  /**
   * Groups of top-level nodes drawn inside a titled box, in order; see {@link #groupTitles()}.
   *
   * @return the groups, each a list of nodes, in the order of {@link #groupTitles()}
   */
  public List<List<Node>> groups() {
    return groups;
  }

  /**
   * The title of each group.
   *
   * @return the group titles, in the order of {@link #groups()}
   */
  public List<String> groupTitles() {
    return groupTitles;
  }

  /** Whether {@code n} is left out of the drawing, with the edges that leave it. */
  boolean isHidden(Node n) {
    return hidden.containsKey(n);
  }

  /** The gap between successive columns of the drawing, in inches (Graphviz's ranksep). */
  double rankSeparation() {
    return rankSeparation;
  }

  /** Whether {@code n} is drawn as a small untitled box. */
  boolean isSmall(Node n) {
    return small.containsKey(n);
  }

  /** The index of the group {@code n} is drawn in, or -1. */
  int groupOf(Node n) {
    for (int i = 0; i < groups.size(); i++) {
      if (containsIdentical(groups.get(i), n)) {
        return i;
      }
    }
    return -1;
  }

  /** The display name given to a node, or null. */
  String nameOf(Node n) {
    return names.get(n);
  }

  boolean isStateIn(Node n) {
    return containsIdentical(statesIn, n);
  }

  boolean isStateOut(Node n) {
    return containsIdentical(statesOut, n);
  }

  private static boolean containsIdentical(List<Node> list, Node n) {
    for (Node x : list) {
      if (x == n) {
        return true;
      }
    }
    return false;
  }

  /** Builds a {@link DiagramStyle}. */
  public static final class Builder {
    private final List<Node> statesIn = new ArrayList<>();
    private final List<Node> statesOut = new ArrayList<>();
    private final List<List<Node>> spines = new ArrayList<>();
    private final Map<Node, String> names = new IdentityHashMap<>();
    private final Map<Node, Boolean> hidden = new IdentityHashMap<>();
    private final Map<Node, Boolean> small = new IdentityHashMap<>();
    private double rankSeparation = 0.3;
    private final List<String> groupTitles = new ArrayList<>();
    private final List<List<Node>> groups = new ArrayList<>();

    private Builder() {}

    /**
     * {@code leaf} is a state coming from the previous step (or the step's input, which a figure
     * also draws at the left edge).
     *
     * @param leaf the leaf to draw at the left edge, not null
     * @return this builder
     */
    public Builder stateIn(Node leaf) {
      statesIn.add(Objects.requireNonNull(leaf, "leaf"));
      return this;
    }

    /**
     * {@code node} is a new state leaving the step.
     *
     * @param node the node to draw at the right edge, not null
     * @return this builder
     */
    public Builder stateOut(Node node) {
      statesOut.add(Objects.requireNonNull(node, "node"));
      return this;
    }

    /**
     * Keeps {@code chain} (nodes joined by edges, in order) on one straight line.
     *
     * @param chain at least two nodes, each joined to the next by an edge
     * @return this builder
     */
    public Builder spine(List<Node> chain) {
      if (chain.size() < 2) {
        throw new IllegalArgumentException("a spine needs at least 2 nodes, got " + chain.size());
      }
      for (Node n : chain) {
        Objects.requireNonNull(n, "chain node");
      }
      spines.add(new ArrayList<>(chain));
      return this;
    }

    /**
     * Shows {@code node} under {@code name} (typeset like a user's name: {@code f_t}).
     *
     * @param node the node to rename, not null
     * @param name the display name, not null
     * @return this builder
     */
    public Builder name(Node node, String name) {
      names.put(Objects.requireNonNull(node, "node"), Objects.requireNonNull(name, "name"));
      return this;
    }

    /**
     * Leaves {@code node} out of the drawing, with the edges that leave it: the shared weights of
     * an unrolled sequence, which would otherwise tie every step to one node.
     *
     * @param node the node to hide, not null
     * @return this builder
     */
    public Builder hide(Node node) {
      hidden.put(Objects.requireNonNull(node, "node"), Boolean.TRUE);
      return this;
    }

    /**
     * Draws the composite {@code node} as a small box without its title: the steps of a row
     * whose group title already names the cell, so that many steps fit a page's width.
     *
     * @param node the composite node to draw small, not null
     * @return this builder
     */
    public Builder small(Node node) {
      small.put(Objects.requireNonNull(node, "node"), Boolean.TRUE);
      return this;
    }

    /**
     * The gap between successive columns in inches (default 0.3): smaller packs long rows.
     *
     * @param inches the gap in inches, in (0, 10]
     * @return this builder
     */
    public Builder rankSeparation(double inches) {
      if (!(inches > 0 && inches <= 10)) {
        throw new IllegalArgumentException("rank separation (" + inches + " in) must be in (0, 10]");
      }
      rankSeparation = inches;
      return this;
    }

    /**
     * Draws {@code nodes} (drawn at the top level) inside a box titled {@code title}.
     *
     * @param title the box's title, not null
     * @param nodes the top-level nodes to put in the box
     * @return this builder
     */
    public Builder group(String title, List<Node> nodes) {
      Objects.requireNonNull(title, "title");
      for (Node n : nodes) {
        Objects.requireNonNull(n, "group node");
      }
      groupTitles.add(title);
      groups.add(new ArrayList<>(nodes));
      return this;
    }

    /**
     * The style; the builder may be used again afterwards.
     *
     * @return a new style holding the hints added so far
     */
    public DiagramStyle build() {
      return new DiagramStyle(this);
    }
  }
}
