package dev.cellgraph.cells.search;

import static java.util.Objects.requireNonNull;

import dev.cellgraph.cells.lang.CellFormulaException;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Expr;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The cells a search may propose: mutants, crossovers and random cells that type-check, fit the
 * size limits and read their input, each as a {@link Candidate}. An edit whose result does not
 * type-check is discarded, one that leaves dead formulas is repaired by removing them, and both
 * are counted ({@link #stats()}), per mutation. All choices come from the {@link Rng} passed in.
 *
 * <p>Thread-safe: the counters are synchronized; everything else is immutable.
 */
public final class SearchSpace {
  /** How many edits {@link #mutate(Candidate, Rng)} tries before giving up on a parent. */
  public static final int ATTEMPTS = 16;

  /**
   * The limits of a candidate.
   *
   * @param inputSize the input size I the candidate must accept (the task's)
   * @param hiddenSize a hidden size H it must accept
   * @param maxEquations at most this many equations
   * @param maxNodes at most this many nodes in one formula
   */
  public record Limits(int inputSize, int hiddenSize, int maxEquations, int maxNodes) {
    /**
     * Checks every limit.
     *
     * @param inputSize the input size I the candidate must accept (the task's)
     * @param hiddenSize a hidden size H it must accept
     * @param maxEquations at most this many equations
     * @param maxNodes at most this many nodes in one formula
     * @throws IllegalArgumentException if a limit is less than 1
     */
    public Limits {
      if (inputSize < 1 || hiddenSize < 1 || maxEquations < 1 || maxNodes < 1) {
        throw new IllegalArgumentException("limits must be positive: " + inputSize + ", " + hiddenSize + ", "
            + maxEquations + ", " + maxNodes);
      }
    }

    /** The fewest equations any space allows: room for the grammar's random cells and the common cells to grow. */
    public static final int EQUATIONS = 12;
    /** The fewest nodes in one formula any space allows. */
    public static final int NODES = 64;
    /** How many equations a space allows beyond its largest starting cell's. */
    public static final int EQUATION_HEADROOM = 4;
    /** How many nodes a space allows in one formula beyond its starting cells' largest. */
    public static final int NODE_HEADROOM = 32;

    /**
     * For input size I and hidden size H, with no starting cells: {@link #EQUATIONS} equations of at most {@link #NODES} nodes.
     *
     * @param inputSize the input size I the candidates must accept
     * @param hiddenSize a hidden size H they must accept
     * @return the limits
     */
    public static Limits of(int inputSize, int hiddenSize) {
      return of(inputSize, hiddenSize, List.of());
    }

    /**
     * For input size I and hidden size H and a search from {@code starts}: as {@link #of(int, int)},
     * or more, so that the largest starting cell has {@link #EQUATION_HEADROOM} equations and
     * {@link #NODE_HEADROOM} nodes per formula of room to grow (ln-lstm's 15 equations allow 19).
     * A search's limits so follow from its starting cells, and growth stays bounded by them.
     *
     * @param inputSize the input size I the candidates must accept
     * @param hiddenSize a hidden size H they must accept
     * @param starts the search's starting cells
     * @return the limits, with room for the largest starting cell to grow
     */
    public static Limits of(int inputSize, int hiddenSize, Collection<CellSpec> starts) {
      int equations = EQUATIONS;
      int nodes = NODES;
      for (CellSpec s : starts) {
        equations = Math.max(equations, s.equations().size() + EQUATION_HEADROOM);
        for (var e : s.equations()) {
          nodes = Math.max(nodes, Trees.size(e.expr()) + NODE_HEADROOM);
        }
      }
      return new Limits(inputSize, hiddenSize, equations, nodes);
    }
  }

  /** What the space has proposed: per mutation, edits tried, kept, repaired, discarded as invalid, not applicable. */
  public record Stats(Map<String, long[]> counts) {
    /** The names of the columns of each row of counts, in order. */
    public static final List<String> COLUMNS = List.of("tried", "valid", "repaired", "invalid", "not applicable");
  }

  private final Limits limits;
  private final Grammar grammar;
  private final Map<String, long[]> counts = new java.util.LinkedHashMap<>();

  /**
   * A space of cells within {@code limits}, whose random cells follow {@code grammar}.
   *
   * @param limits the limits every proposed cell stays within
   * @param grammar the grammar random cells are drawn from
   */
  public SearchSpace(Limits limits, Grammar grammar) {
    this.limits = requireNonNull(limits, "limits");
    this.grammar = requireNonNull(grammar, "grammar");
  }

  /**
   * The limits every proposed cell stays within.
   *
   * @return the limits
   */
  public Limits limits() {
    return limits;
  }

  /**
   * A starting cell; refused with the reason when it does not fit the limits.
   *
   * @param name the cell's name, for the candidate's origin and the error message
   * @param spec the cell
   * @return the candidate, with no parent and the mutation {@code seed}
   */
  public Candidate seed(String name, CellSpec spec) {
    String why = check(spec);
    if (why != null) {
      throw new IllegalArgumentException("cell " + name + " cannot start the search: " + why);
    }
    return Candidate.of(spec, "", "seed", "seed " + name);
  }

  /**
   * One valid mutant of {@code parent} by a mutation chosen at random, or empty after {@link #ATTEMPTS} failures.
   *
   * @param parent the cell to mutate
   * @param rng the source of every random choice
   * @return the mutant, or empty
   */
  public Optional<Candidate> mutate(Candidate parent, Rng rng) {
    Mutation[] all = Mutation.values();
    for (int k = 0; k < ATTEMPTS; k++) {
      Optional<Candidate> c = mutate(parent, all[rng.nextInt(all.length)], rng);
      if (c.isPresent()) {
        return c;
      }
    }
    return Optional.empty();
  }

  /**
   * One try of {@code mutation} on {@code parent}: the valid mutant, or empty (counted as invalid or not applicable).
   *
   * @param parent the cell to mutate
   * @param mutation the edit to try
   * @param rng the source of every random choice
   * @return the mutant, or empty
   */
  public Optional<Candidate> mutate(Candidate parent, Mutation mutation, Rng rng) {
    CellDraft d = mutation.apply(CellDraft.of(parent.spec()), rng);
    String label = mutation.label();
    count(label, 0);
    if (d == null) {
      count(label, 4);
      return Optional.empty();
    }
    return finish(d, parent.hash(), label, label + " of " + parent.hash());
  }

  /**
   * A random cell of the grammar: up to {@link #ATTEMPTS} draws, the invalid ones counted.
   *
   * @param rng the source of every random choice
   * @return the random cell, or empty when every draw was invalid
   */
  public Optional<Candidate> random(Rng rng) {
    for (int k = 0; k < ATTEMPTS; k++) {
      count("random", 0);
      Optional<Candidate> c = finish(grammar.draw(rng), "", "random", "random cell");
      if (c.isPresent()) {
        return c;
      }
    }
    return Optional.empty();
  }

  /**
   * A child of two parents (see {@link Crossover}), or empty when they have no formula in common or the child is invalid.
   *
   * @param a the first parent, recorded as the child's parent
   * @param b the second parent
   * @param rng the source of every random choice
   * @return the child, or empty
   */
  public Optional<Candidate> crossover(Candidate a, Candidate b, Rng rng) {
    count("crossover", 0);
    CellDraft d = Crossover.child(CellDraft.of(a.spec()), b.spec(), rng);
    if (d == null) {
      count("crossover", 4);
      return Optional.empty();
    }
    return finish(d, a.hash(), "crossover", "crossover of " + a.hash() + " and " + b.hash());
  }

  private Optional<Candidate> finish(CellDraft d, String parent, String label, String origin) {
    if (d.prune() > 0) {
      count(label, 2);
    }
    CellSpec spec;
    try {
      spec = d.build();
    } catch (IllegalArgumentException e) { // a CellFormulaException, or a formula over the builder's limits
      count(label, 3);
      return Optional.empty();
    }
    if (check(spec) != null) {
      count(label, 3);
      return Optional.empty();
    }
    count(label, 1);
    return Optional.of(Candidate.of(spec, parent, label, origin));
  }

  /** Why {@code spec} is outside the space, or null. */
  String check(CellSpec spec) {
    if (spec.equations().size() > limits.maxEquations()) {
      return spec.equations().size() + " equations, more than " + limits.maxEquations();
    }
    for (var e : spec.equations()) {
      int n = Trees.size(e.expr());
      if (n > limits.maxNodes()) {
        return "the formula of " + e.target() + " has " + n + " nodes, more than " + limits.maxNodes();
      }
    }
    try {
      spec.shapes(limits.inputSize(), limits.hiddenSize());
    } catch (CellFormulaException e) {
      String needs = spec.sizeRequirements().isEmpty() ? "" : " (it needs " + String.join(", ", spec.sizeRequirements())
          + "; here I = " + limits.inputSize() + ", H = " + limits.hiddenSize() + ")";
      return e.getMessage().lines().findFirst().orElse("") + needs;
    }
    if (!readsInput(spec)) {
      return "its output never depends on its input";
    }
    return null;
  }

  /** Whether the output depends on the input, at this step or through the states at earlier ones. */
  private static boolean readsInput(CellSpec spec) {
    Map<String, Expr> defs = new java.util.HashMap<>();
    spec.equations().forEach(e -> defs.put(e.target(), e.expr()));
    Set<String> seen = new HashSet<>();
    ArrayDeque<String> work = new ArrayDeque<>(List.of(spec.output()));
    while (!work.isEmpty()) {
      String n = work.pop();
      if (!seen.add(n)) {
        continue;
      }
      if (spec.inputs().contains(n)) {
        return true;
      }
      Expr e = defs.get(n);
      if (e != null) {
        for (Expr x : Trees.nodes(e)) {
          if (x instanceof Expr.Var v) {
            work.push(v.name());
          }
        }
      }
    }
    return false;
  }

  private synchronized void count(String label, int column) {
    counts.computeIfAbsent(label, l -> new long[Stats.COLUMNS.size()])[column]++;
  }

  /**
   * A copy of the counters, in order of first use.
   *
   * @return the counts so far, per mutation label
   */
  public synchronized Stats stats() {
    Map<String, long[]> copy = new java.util.LinkedHashMap<>();
    counts.forEach((k, v) -> copy.put(k, v.clone()));
    return new Stats(copy);
  }

  /**
   * Sets the counters to a saved {@link #stats()}, so a resumed search reports what the uninterrupted one would.
   *
   * @param saved the counters to restore, as {@link #stats()} returned them
   */
  public synchronized void restore(Stats saved) {
    counts.clear();
    saved.counts().forEach((k, v) -> counts.put(k, v.clone()));
  }
}
