package dev.cellgraph.autodiff;

import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A compiled graph: a schedule for computing chosen outputs from fed values.
 *
 * <p>Compiling keeps only the nodes the outputs need (dead nodes are removed), orders them
 * topologically (by id), folds every pure node whose inputs are all constants into a constant,
 * and records for each value the last step that reads it, so a run drops its reference right
 * after that step and memory is reused as soon as a value is dead.
 *
 * <p>A plan is immutable and can be run many times, from several threads at once: each run has
 * its own workspace and only reads the tensors fed to it, so concurrent runs give bit for bit the
 * results of sequential ones (compiled scans included).
 */
public final class Plan {
  private final List<Node> outputs;
  private final List<Node> feeds;
  private final Node[] schedule;        // nodes to compute, in order
  private final int[][] inputSlots;     // for each scheduled node, the slots of its inputs
  private final int[] resultSlot;       // for each scheduled node, the slot of its value
  private final int[] slotOfOutput;
  private final int[] feedSlot;
  private final int[][] freeAfter;      // slots whose last reader is step i
  private final Object[] constants;     // slot -> folded value or null
  private final boolean[][] usedOutputs; // for each scheduled multi-output node, which outputs are read
  private final int slotCount;
  private final CompileOptions options;

  private Plan(List<Node> outputs, List<Node> feeds, CompileOptions options) {
    this.options = java.util.Objects.requireNonNull(options, "options");
    this.outputs = List.copyOf(outputs);
    this.feeds = List.copyOf(feeds);
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("a plan needs at least one output");
    }
    Graph g = outputs.get(0).graph();
    for (Node n : outputs) {
      g.checkSameGraph(n);
    }
    int limit = 0;
    for (Node n : outputs) {
      limit = Math.max(limit, n.id() + 1);
    }
    boolean[] isFeed = new boolean[g.size()];
    for (Node f : feeds) {
      g.checkSameGraph(f);
      if (isFeed[f.id()]) {
        throw new IllegalArgumentException("node " + f + " is fed twice");
      }
      isFeed[f.id()] = true;
    }
    List<Node> nodes = g.nodes();
    boolean[] needed = new boolean[limit];
    for (Node n : outputs) {
      needed[n.id()] = true;
    }
    for (int i = limit - 1; i >= 0; i--) {
      if (needed[i] && !isFeed[i]) {
        for (Node in : nodes.get(i).inputs()) {
          needed[in.id()] = true;
        }
      }
    }
    // slots are assigned to needed nodes in id order
    int[] slot = new int[limit];
    Arrays.fill(slot, -1);
    int slots = 0;
    for (int i = 0; i < limit; i++) {
      if (needed[i]) {
        slot[i] = slots++;
      }
    }
    this.slotCount = slots;
    this.constants = new Object[slots];
    List<Node> sched = new ArrayList<>();
    for (int i = 0; i < limit; i++) {
      if (!needed[i] || isFeed[i]) {
        continue;
      }
      Node n = nodes.get(i);
      if (n.op() instanceof GraphOps.Leaf) {
        throw new IllegalArgumentException(
            n.op().name() + " '" + n.name() + "' (" + n.type() + ") is needed but not fed");
      }
      boolean foldable = n.op().isPure();
      for (Node in : n.inputs()) {
        foldable &= constants[slot[in.id()]] != null;
      }
      if (foldable) {
        List<Object> args = new ArrayList<>();
        for (Node in : n.inputs()) {
          args.add(constants[slot[in.id()]]);
        }
        constants[slot[i]] = evaluate(n, args, null, options);
      } else {
        sched.add(n);
      }
    }
    this.schedule = sched.toArray(new Node[0]);
    this.usedOutputs = new boolean[schedule.length][];
    {
      int[] pos = new int[limit];
      Arrays.fill(pos, -1);
      for (int s = 0; s < schedule.length; s++) {
        if (schedule[s].isMultiOutput()) {
          pos[schedule[s].id()] = s;
          usedOutputs[s] = new boolean[schedule[s].types().size()];
        }
      }
      for (int i = 0; i < limit; i++) {
        Node n = nodes.get(i);
        if (needed[i] && n.op() instanceof GraphOps.GetOutput && pos[n.input(0).id()] >= 0) {
          usedOutputs[pos[n.input(0).id()]][((GraphOps.GetOutput) n.op()).index()] = true;
        }
      }
      for (Node o : outputs) {
        if (o.id() < limit && pos[o.id()] >= 0) {
          Arrays.fill(usedOutputs[pos[o.id()]], true); // the whole list is an output
        }
      }
    }
    this.resultSlot = new int[schedule.length];
    for (int s = 0; s < schedule.length; s++) {
      resultSlot[s] = slot[schedule[s].id()];
    }
    this.inputSlots = new int[schedule.length][];
    int[] lastUse = new int[slots];
    Arrays.fill(lastUse, -1);
    for (int s = 0; s < schedule.length; s++) {
      List<Node> ins = schedule[s].inputs();
      inputSlots[s] = new int[ins.size()];
      for (int k = 0; k < ins.size(); k++) {
        int sl = slot[ins.get(k).id()];
        inputSlots[s][k] = sl;
        lastUse[sl] = s;
      }
    }
    this.slotOfOutput = new int[outputs.size()];
    for (int k = 0; k < outputs.size(); k++) {
      slotOfOutput[k] = slot[outputs.get(k).id()];
      lastUse[slotOfOutput[k]] = Integer.MAX_VALUE;
    }
    this.feedSlot = new int[feeds.size()];
    for (int k = 0; k < feeds.size(); k++) {
      Node f = feeds.get(k);
      feedSlot[k] = f.id() < limit ? slot[f.id()] : -1;
    }
    List<List<Integer>> frees = new ArrayList<>();
    for (int s = 0; s < schedule.length; s++) {
      frees.add(new ArrayList<>());
    }
    for (int sl = 0; sl < slots; sl++) {
      if (lastUse[sl] >= 0 && lastUse[sl] != Integer.MAX_VALUE && constants[sl] == null) {
        frees.get(lastUse[sl]).add(sl);
      }
    }
    this.freeAfter = new int[schedule.length][];
    for (int s = 0; s < schedule.length; s++) {
      freeAfter[s] = frees.get(s).stream().mapToInt(Integer::intValue).toArray();
    }
  }

  /**
   * Compiles a plan computing {@code outputs} from values fed for {@code feeds}, with the default
   * {@link CompileOptions} (the scan compiler on).
   *
   * @param outputs the nodes to compute, in the order of the results
   * @param feeds the nodes whose values each run supplies, in the order of its arguments
   * @return the compiled plan
   */
  public static Plan compile(List<Node> outputs, List<Node> feeds) {
    return new Plan(outputs, feeds, CompileOptions.defaults());
  }

  /**
   * Compiles a plan as {@link #compile(List, List)} does, with these options for its scans.
   *
   * @param outputs the nodes to compute, in the order of the results
   * @param feeds the nodes whose values each run supplies, in the order of its arguments
   * @param options the compiler switches for the plan's scans
   * @return the compiled plan
   */
  public static Plan compile(List<Node> outputs, List<Node> feeds, CompileOptions options) {
    return new Plan(outputs, feeds, options);
  }

  /**
   * The options this plan was compiled with.
   *
   * @return the compile options given at compilation
   */
  public CompileOptions options() {
    return options;
  }

  /**
   * The nodes this plan computes, in the order of its results.
   *
   * @return the output nodes, in result order
   */
  public List<Node> outputs() {
    return outputs;
  }

  /**
   * The nodes fed to this plan, in the order of its arguments.
   *
   * @return the fed nodes, in argument order
   */
  public List<Node> feeds() {
    return feeds;
  }

  /**
   * The nodes a run computes, in order (after dead-node removal and constant folding).
   *
   * @return the scheduled nodes, in execution order
   */
  public List<Node> scheduled() {
    return List.of(schedule);
  }

  /**
   * How many nodes a run computes (after dead-node removal and constant folding).
   *
   * @return the number of scheduled nodes
   */
  public int scheduledCount() {
    return schedule.length;
  }

  /**
   * Runs the plan with one value per feed, in the order of {@link #feeds()}.
   *
   * @param feedValues one value per fed node, in the order of {@link #feeds()}
   * @return one value per output node, in the order of {@link #outputs()}
   */
  public List<Tensor> run(List<Tensor> feedValues) {
    if (feedValues.size() != feeds.size()) {
      throw new IllegalArgumentException(
          "the plan takes " + feeds.size() + " fed values, got " + feedValues.size());
    }
    Object[] values = constants.clone();
    for (int k = 0; k < feeds.size(); k++) {
      Tensor v = feedValues.get(k);
      Node f = feeds.get(k);
      if (v == null) {
        throw new IllegalArgumentException("no value fed for " + describe(f));
      }
      if (v.dtype() != f.dtype() || !v.shape().equals(f.shape())) {
        throw new IllegalArgumentException(describe(f) + ": fed " + v.dtype().lowerName() + v.shape()
            + ", expected " + f.type());
      }
      if (feedSlot[k] >= 0) {
        values[feedSlot[k]] = v;
      }
    }
    for (int s = 0; s < schedule.length; s++) {
      Node n = schedule[s];
      int[] ins = inputSlots[s];
      List<Object> args = new ArrayList<>(ins.length);
      for (int sl : ins) {
        args.add(values[sl]);
      }
      values[resultSlot[s]] = evaluate(n, args, usedOutputs[s], options);
      for (int sl : freeAfter[s]) {
        values[sl] = null;
      }
    }
    List<Tensor> out = new ArrayList<>(outputs.size());
    for (int k = 0; k < outputs.size(); k++) {
      out.add((Tensor) values[slotOfOutput[k]]);
    }
    return out;
  }

  /**
   * Runs the plan with values looked up by feed node.
   *
   * @param feedValues the value of each fed node, keyed by node
   * @return one value per output node, in the order of {@link #outputs()}
   */
  public List<Tensor> run(Map<Node, Tensor> feedValues) {
    List<Tensor> vals = new ArrayList<>(feeds.size());
    for (Node f : feeds) {
      vals.add(feedValues.get(f));
    }
    return run(vals);
  }

  private static String describe(Node f) {
    return f.name() != null ? f.op().name() + " '" + f.name() + "'" : "node " + f;
  }

  /** Evaluates one node from its argument values (tensors, or lists for multi-output inputs). */
  @SuppressWarnings("unchecked")
  static Object evaluate(Node n, List<Object> args, boolean[] used, CompileOptions options) {
    if (n.op() instanceof GraphOps.GetOutput) {
      return ((List<Tensor>) args.get(0)).get(((GraphOps.GetOutput) n.op()).index());
    }
    List<Tensor> in = new ArrayList<>(args.size());
    for (Object a : args) {
      in.add((Tensor) a);
    }
    List<Tensor> out = n.op().compute(in, used, options);
    return n.isMultiOutput() ? out : out.get(0);
  }

  /**
   * Evaluates {@code outputs} once: compiles a plan for the given feeds and runs it.
   *
   * @param outputs the nodes to compute
   * @param feeds the value of each fed node, keyed by node
   * @return the value of each output node, in order
   */
  public static List<Tensor> evaluate(List<Node> outputs, Map<Node, Tensor> feeds) {
    return evaluate(outputs, feeds, CompileOptions.defaults());
  }

  /**
   * Evaluates {@code outputs} once, compiled with {@code options}.
   *
   * @param outputs the nodes to compute
   * @param feeds the value of each fed node, keyed by node
   * @param options the compiler switches for the plan's scans
   * @return the value of each output node, in order
   */
  public static List<Tensor> evaluate(List<Node> outputs, Map<Node, Tensor> feeds, CompileOptions options) {
    List<Node> fs = new ArrayList<>(feeds.keySet());
    fs.sort((a, b) -> Integer.compare(a.id(), b.id()));
    return compile(outputs, fs, options).run(feeds);
  }

  /**
   * Computes one node from the given feeds with default options.
   *
   * @param output the node to compute
   * @param feeds the value of each fed node, keyed by node
   * @return the value of {@code output}
   */
  public static Tensor evaluate(Node output, Map<Node, Tensor> feeds) {
    return evaluate(List.of(output), feeds).get(0);
  }
}
