package dev.cellgraph.autodiff.compile;

import static dev.cellgraph.autodiff.compile.StepKinds.Kind.ACC;
import static dev.cellgraph.autodiff.compile.StepKinds.Kind.CARRY;
import static dev.cellgraph.autodiff.compile.StepKinds.Kind.CONST;
import static dev.cellgraph.autodiff.compile.StepKinds.Kind.LATE;
import static dev.cellgraph.autodiff.compile.StepKinds.Kind.PRE;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Ops;
import dev.cellgraph.autodiff.Scan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What each value of a scan's step depends on ({@link Kind}), which carries only accumulate, and
 * which values the loop computes: the analysis behind {@link StepSplit}. Built once per attempt
 * of a compilation, on one thread; its arrays are not changed after the constructor.
 */
final class StepKinds {
  /** What a value of the step depends on, which decides the phase that computes it. */
  enum Kind {
    /** Only constants: the same at every step, computed once and never stacked. */
    CONST,
    /** A sequence but no carry: computed for all T steps at once, in pre. */
    PRE,
    /** A carry or an accumulator: in the loop if the new carries need it or it cannot be lifted, else in post. */
    LATE,
    /** A carry that runs through the loop. */
    CARRY,
    /** A carry that only accumulates ({@code acc' = acc + E}): summed over all steps in post. */
    ACC
  }

  final Flat flat;
  final boolean[] used;
  final Set<Node> forced;
  final int nc;
  final int nx;
  final int ny;
  final List<Node> nodes;
  /** Per step node id, its kind; null for a value nothing reads. */
  final Kind[] kind;
  /** Per step node id, whether the loop computes it. */
  final boolean[] inLoop;
  /** Per carry, the step value E of an accumulator {@code acc' = acc + E}, else null. */
  final Node[] accE;
  /** The carries that run through the loop (all but the accumulators), in order. */
  final List<Integer> loopCarries = new ArrayList<>();

  /**
   * Analyses the step {@code flat} of {@code op}; {@code used} marks the scan outputs that are read
   * (null: all), {@code forced} the values that must run in the loop.
   */
  StepKinds(Scan.ScanOp op, Flat flat, boolean[] used, Set<Node> forced) {
    this.flat = flat;
    this.used = used;
    this.forced = forced;
    this.nc = op.carryCount();
    this.nx = op.sequenceCount();
    this.ny = op.yCount();
    this.nodes = flat.graph.nodes();
    this.accE = new Node[nc];
    int size = flat.graph.size();
    List<Node> results = flat.results;
    List<Node> params = flat.params;
    // which values anything reads, and how often each carry is read
    boolean[] needed = neededFrom(allRoots(results, null), size);
    int[] uses = new int[size];
    for (int i = 0; i < size; i++) {
      if (needed[i]) {
        for (Node in : nodes.get(i).inputs()) {
          uses[in.id()]++;
        }
      }
    }
    for (int i = 0; i < nc; i++) {
      Node c = params.get(i);
      Node r = results.get(i);
      // the per-step value of an accumulator exists only in the loop: nothing else may read it
      // (dx = dh' = dcarry + dy, the same node as the carry's result, is read by the post phase)
      if (outputUsed(nc + ny + i) || r.op() != Ops.ADD || !r.type().equals(c.type()) || uses[c.id()] != 1
          || uses[r.id()] != 0 || results.indexOf(r) != i || results.lastIndexOf(r) != i || results.contains(c)) {
        continue;
      }
      Node other = r.input(0) == c ? r.input(1) : r.input(1) == c ? r.input(0) : null;
      if (other != null && other != c && other.type().equals(c.type())) {
        accE[i] = other; // acc' = acc + E: summed over all steps after the loop
      }
    }
    needed = neededFrom(allRoots(results, accE), size);
    this.kind = classify(needed, params);
    this.inLoop = markLoop(results);

    // non-accumulator carries run through the loop
    for (int i = 0; i < nc; i++) {
      if (accE[i] == null) {
        loopCarries.add(i);
      }
    }
  }

  boolean outputUsed(int i) {
    return used == null || used[i];
  }

  /** The step's results after the carries: the y, then any residuals. */
  int stackedResults() {
    return flat.results.size() - nc;
  }

  /** The scan output of stacked result j: y_j, or a residual (after the history). */
  int stackedOutput(int j) {
    return j < ny ? nc + j : nc + ny + nc + (j - ny);
  }

  List<Node> allRoots(List<Node> results, Node[] acc) {
    List<Node> roots = new ArrayList<>();
    for (int i = 0; i < nc; i++) {
      roots.add(acc != null && acc[i] != null ? acc[i] : results.get(i));
    }
    for (int j = 0; j < stackedResults(); j++) {
      if (outputUsed(stackedOutput(j))) {
        roots.add(results.get(nc + j));
      }
    }
    return roots;
  }

  private boolean[] neededFrom(List<Node> roots, int size) {
    boolean[] needed = new boolean[size];
    for (Node r : roots) {
      needed[r.id()] = true;
    }
    for (int i = size - 1; i >= 0; i--) {
      if (needed[i]) {
        for (Node in : nodes.get(i).inputs()) {
          needed[in.id()] = true;
        }
      }
    }
    return needed;
  }

  private Kind[] classify(boolean[] needed, List<Node> params) {
    Kind[] kind = new Kind[nodes.size()];
    for (int i = 0; i < params.size(); i++) {
      Node p = params.get(i);
      kind[p.id()] = i < nc ? (accE[i] != null ? ACC : CARRY) : i < nc + nx ? PRE : CONST;
    }
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      if (!needed[i] || kind[i] != null) {
        continue;
      }
      boolean late = false;
      boolean pre = false;
      for (Node in : n.inputs()) {
        Kind k = kind[in.id()];
        late |= k == LATE || k == CARRY || k == ACC;
        pre |= k == PRE;
      }
      if (!late && !pre) {
        kind[i] = CONST;
      } else if (!late && !forced.contains(n)) {
        kind[i] = PRE;
      } else {
        kind[i] = LATE;
      }
    }
    return kind;
  }

  /**
   * The elementwise values of the sequences (kind PRE, fusable) read only by loop values or by
   * other such values: computed in the loop, they cost no pass over all T steps.
   */
  Set<Node> sinkable() {
    int size = nodes.size();
    boolean[] needed = neededFrom(allRoots(flat.results, accE), size);
    boolean[] cand = new boolean[size];
    for (int i = 0; i < size; i++) {
      Node n = nodes.get(i);
      cand[i] = needed[i] && kind[i] == PRE && !n.inputs().isEmpty() && Fusion.elementwise(n);
    }
    for (Node r : allRoots(flat.results, accE)) {
      cand[r.id()] = false; // read by the post phase
    }
    boolean changed = true;
    while (changed) {
      changed = false;
      for (int i = 0; i < size; i++) {
        if (!needed[i]) {
          continue;
        }
        for (Node in : nodes.get(i).inputs()) {
          if (cand[in.id()] && !inLoop[i] && !cand[i]) {
            cand[in.id()] = false;
            changed = true;
          }
        }
      }
    }
    Set<Node> sink = new HashSet<>();
    for (int i = 0; i < size; i++) {
      if (cand[i]) {
        sink.add(nodes.get(i));
      }
    }
    return sink;
  }

  /** Late values the new carries need, or that cannot be lifted, run in the loop. */
  private boolean[] markLoop(List<Node> results) {
    boolean[] inLoop = new boolean[nodes.size()];
    List<Node> stack = new ArrayList<>();
    for (int i = 0; i < nc; i++) {
      if (accE[i] == null) {
        stack.add(results.get(i));
      }
    }
    for (Node f : forced) {
      if (kind[f.id()] == LATE) {
        stack.add(f);
      }
    }
    while (!stack.isEmpty()) {
      Node n = stack.remove(stack.size() - 1);
      if (kind[n.id()] != LATE || inLoop[n.id()]) {
        continue;
      }
      inLoop[n.id()] = true;
      stack.addAll(n.inputs());
    }
    return inLoop;
  }
}
