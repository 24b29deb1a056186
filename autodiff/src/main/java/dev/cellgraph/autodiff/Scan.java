package dev.cellgraph.autodiff;

import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.ShapeCache;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recurrence: applies a step {@link Function} along the leading (time) axis of sequences, carrying
 * state from step to step, like JAX's {@code lax.scan} and Theano's {@code scan}.
 *
 * <p>The step function takes {@code (carries..., x_t..., constants...)} and returns
 * {@code (new carries..., y_t...)}. The scan node takes {@code (initial carries..., sequences...,
 * constants...)}, each sequence {@code [T, ...]}, and produces {@code (final carries...,
 * stacked y [T, ...]..., carry history [T, ...]...)}, where the history holds the carry entering
 * each step (what the backward pass reads). The graph's size does not depend on T.
 *
 * <p>Its gradient is a reverse scan of the step's derived vector-Jacobian product, which
 * accumulates the constants' gradients in carries; so it too has a size independent of T and can
 * be differentiated again. So that the reverse scan need not recompute the forward step, the scan
 * node also outputs, after the history, the <em>residuals</em>: the stacked values of the step
 * that its VJP reads (gate activations; see {@link Residuals}). They are computed only when read,
 * that is when a gradient is taken; the reverse scan's step is then the VJP with those values as
 * inputs.
 *
 * <p>Thread-safe: a scan is an immutable view of its node, whose op ({@link ScanOp}) caches its
 * compilations in a concurrent map; the decline count is atomic.
 */
public final class Scan {
  private final Node node;
  private final int carries;
  private final int ys;

  private Scan(Node node, int carries, int ys) {
    this.node = node;
    this.carries = carries;
    this.ys = ys;
  }

  /**
   * Scans {@code step} over {@code sequences} (time-major) from {@code init}, passing
   * {@code constants} (typically parameters) to every step. With {@code reverse} the steps run
   * from T-1 down to 0 and y_t is still stored at position t.
   *
   * @param step the step function, taking {@code (carries..., x_t..., constants...)}
   * @param init the initial carries, one per carry of the step
   * @param sequences the time-major sequences {@code [T, ...]}, one per step input {@code x_t}
   * @param constants the inputs passed unchanged to every step
   * @param reverse whether to run the steps from T-1 down to 0
   * @return the scan, a view of its new multi-output node
   */
  public static Scan of(Function step, List<Node> init, List<Node> sequences, List<Node> constants,
      boolean reverse) {
    return of(step, init, sequences, constants, reverse, true);
  }

  /**
   * {@code saves}: whether the scan offers residual outputs; a gradient's reverse scan does not
   * (its own gradient recomputes), and tests build scans without them to compare.
   */
  static Scan of(Function step, List<Node> init, List<Node> sequences, List<Node> constants,
      boolean reverse, boolean saves) {
    return of(step, init, sequences, constants, reverse, saves, -1, false);
  }

  /**
   * Scans {@code step} as {@link #of(Function, List, List, List, boolean)} does, over a batch whose
   * rows end at different steps, as a packed batch in PyTorch: sequence {@code liveMask} is
   * {@code [T, B, ...]}, all zeros at a row and step where that row is finished (padded) and not
   * all zeros where it runs. The caller promises what a masked carry ({@code s' = m ⊙ step(s) +
   * (1 - m) ⊙ s}, outputs {@code m ⊙ y}) makes true: at a padded step the step leaves the row's
   * carries as they are, and its other inputs there (the padding of the sequences, zeroed) are the
   * same at every padded step of the row. A compiled run then computes each step only over the
   * rows up to the last running one, copying the rest, with the same numbers; the gradient's
   * reverse scan does the same.
   *
   * @param step the step function, taking {@code (carries..., x_t..., constants...)}
   * @param init the initial carries, one per carry of the step
   * @param sequences the time-major sequences {@code [T, ...]}, one of them the live mask
   * @param constants the inputs passed unchanged to every step
   * @param reverse whether to run the steps from T-1 down to 0
   * @param liveMask the index in {@code sequences} of the mask marking each row's running steps
   * @return the scan, a view of its new multi-output node
   * @throws IllegalArgumentException if {@code liveMask} is not the index of a sequence
   */
  public static Scan packed(Function step, List<Node> init, List<Node> sequences, List<Node> constants,
      boolean reverse, int liveMask) {
    if (liveMask < 0 || liveMask >= sequences.size()) {
      throw new IllegalArgumentException("scan of '" + step.name() + "': the live mask (sequence " + liveMask
          + ") must be one of its " + sequences.size() + " sequences");
    }
    return of(step, init, sequences, constants, reverse, true, liveMask, true);
  }

  private static Scan of(Function step, List<Node> init, List<Node> sequences, List<Node> constants,
      boolean reverse, boolean saves, int liveMask, boolean liveMaskInGradient) {
    List<Node> args = new ArrayList<>(init);
    args.addAll(sequences);
    args.addAll(constants);
    if (args.isEmpty()) {
      throw new IllegalArgumentException("scan of '" + step.name() + "' needs arguments");
    }
    ScanOp op = new ScanOp(step, init.size(), sequences.size(), constants.size(), reverse, saves, liveMask,
        liveMaskInGradient);
    Node n = args.get(0).graph().apply(op, args);
    return new Scan(n, init.size(), op.ys);
  }

  /**
   * The scan node itself (multi-output).
   *
   * @return the multi-output scan node
   */
  public Node node() {
    return node;
  }

  /**
   * The carries after the last step.
   *
   * @return one node per carry, holding its value after the last step
   */
  public List<Node> finalCarries() {
    return outputs(0, carries);
  }

  /**
   * The per-step outputs, stacked along a new leading time axis.
   *
   * @return one node per step output {@code y}, each {@code [T, ...]}
   */
  public List<Node> outputs() {
    return outputs(carries, ys);
  }

  /**
   * The carry entering each step, stacked along a new leading time axis.
   *
   * @return one node per carry, each {@code [T, ...]}, holding the carry entering each step
   */
  public List<Node> history() {
    return outputs(carries + ys, carries);
  }

  private List<Node> outputs(int from, int count) {
    List<Node> r = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      r.add(node.output(from + i));
    }
    return r;
  }

  /** The installed scan compiler, loaded once, on first use. */
  private static final class Executor {
    static final ScanExecutor INSTALLED =
        ServiceLoader.load(ScanExecutor.class, ScanExecutor.class.getClassLoader()).findFirst().orElse(null);

    private Executor() {}
  }

  private static final AtomicLong DECLINES = new AtomicLong();
  private static volatile String lastDecline;

  /**
   * Records that the compiler declined a scan, which then runs step by step: logged at level
   * DEBUG ({@code System.Logger} "dev.cellgraph.autodiff.compile") and counted.
   */
  static void declined(String reason) {
    DECLINES.incrementAndGet();
    lastDecline = reason;
    System.getLogger("dev.cellgraph.autodiff.compile").log(System.Logger.Level.DEBUG, reason);
  }

  /**
   * How many scans the compiler has declined in this JVM (each length, read outputs and options
   * once).
   *
   * @return the number of declines since the JVM started
   */
  public static long declineCount() {
    return DECLINES.get();
  }

  /**
   * The reason of the last decline, or null.
   *
   * @return the reason the compiler last declined a scan, or null if it never has
   */
  public static String lastDecline() {
    return lastDecline;
  }

  /** The scan op. */
  public static final class ScanOp extends Op {
    /** How the reverse step gets the forward values the step's VJP reads. */
    private enum Backward {
      /** Recomputes them from the carry history and x (no residuals, or a fused step). */
      RECOMPUTE,
      /** Reads them from the residual outputs. */
      SAVED,
      /**
       * Recomputes them, and takes cotangents for the residual outputs too: when the gradient of
       * a reverse scan that read them is differentiated again (second order).
       */
      RECOMPUTE_WITH_RESIDUAL_COTANGENTS
    }

    private final Function step;
    private final int nc;
    private final int nx;
    private final int nk;
    private final int ys;
    private final boolean reverse;
    private final int liveMask;                // the sequence marking each row's padded steps, or -1
    private final boolean liveMaskInGradient;  // whether the gradient's reverse scan is packed too
    private final Residuals residuals; // null: none
    private final List<Node> stored;   // the residuals with outputs of their own
    private final Function[] backwardSteps = new Function[2 * Backward.values().length];
    private final Map<CompileKey, Compilation> compiled = ShapeCache.newMap();

    ScanOp(Function step, int carries, int sequences, int constants, boolean reverse, boolean saves, int liveMask,
        boolean liveMaskInGradient) {
      this.step = step;
      this.liveMask = liveMask;
      this.liveMaskInGradient = liveMaskInGradient;
      this.nc = carries;
      this.nx = sequences;
      this.nk = constants;
      this.reverse = reverse;
      int want = carries + sequences + constants;
      if (step.params().size() != want) {
        throw new IllegalArgumentException("scan of '" + step.name() + "': the step takes "
            + step.params().size() + " inputs, but " + carries + " carries + " + sequences
            + " sequences + " + constants + " constants were given");
      }
      if (step.results().size() < carries) {
        throw new IllegalArgumentException("scan of '" + step.name() + "': the step returns "
            + step.results().size() + " results, fewer than its " + carries + " carries");
      }
      this.ys = step.results().size() - carries;
      // a fused step computes no intermediate values to save
      this.residuals = saves && step.fused() == null ? step.residuals(carries, sequences) : null;
      this.stored = residuals == null ? List.of() : residuals.stored();
    }

    /**
     * The step function, applied once per time step.
     *
     * @return the step function
     */
    public Function step() {
      return step;
    }

    /**
     * Whether the scan runs from the last time step to the first.
     *
     * @return true if the steps run from T-1 down to 0
     */
    public boolean reverse() {
      return reverse;
    }

    /**
     * The index of the sequence that is all zeros at a row's padded steps ({@link Scan#packed}),
     * or -1 when every row runs at every step.
     *
     * @return the live-mask sequence's index, or -1
     */
    public int liveMask() {
      return liveMask;
    }

    /**
     * The number of carries (the state passed from step to step).
     *
     * @return the number of carries
     */
    public int carryCount() {
      return nc;
    }

    /**
     * The number of sequences (inputs read one time step per step).
     *
     * @return the number of sequences
     */
    public int sequenceCount() {
      return nx;
    }

    /**
     * The number of constants (inputs the same at every step).
     *
     * @return the number of constants
     */
    public int constantCount() {
      return nk;
    }

    /**
     * The number of per-step outputs besides the carries.
     *
     * @return the number of per-step outputs {@code y}
     */
    public int yCount() {
      return ys;
    }

    /**
     * How many residual outputs follow the history.
     *
     * @return the number of residual outputs
     */
    public int residualCount() {
      return stored.size();
    }

    /**
     * The step's body values the residual outputs stack, in output order.
     *
     * @return the residual values of the step's body, in output order
     */
    public List<Node> residuals() {
      return stored;
    }

    /**
     * The function the forward pass runs for the outputs marked in {@code used} (null: all): the
     * step, or, when a residual output is read, the step with the residuals as extra results
     * after its own.
     *
     * @param used which of the scan's outputs are read, or null for all
     * @return the step, or the step extended with the residuals as results when a residual is read
     */
    public Function computedStep(boolean[] used) {
      if (stored.isEmpty()) {
        return step;
      }
      if (used == null) {
        return residuals.forward();
      }
      for (int k = 0; k < stored.size(); k++) {
        if (used[nc + ys + nc + k]) {
          return residuals.forward();
        }
      }
      return step;
    }

    @Override
    public OpKind kind() {
      return OpKind.SCAN;
    }

    @Override
    public String name() {
      return "scan";
    }

    @Override
    public String label() {
      return (reverse ? "reverse scan " : "scan ") + step.name();
    }

    @Override
    public int outputCount() {
      return nc + ys + nc + stored.size();
    }

    @Override
    public List<TensorType> inferTypes(List<TensorType> in) {
      List<TensorType> p = step.paramTypes();
      List<TensorType> r = step.resultTypes();
      if (in.size() != nc + nx + nk) {
        throw new IllegalArgumentException("scan of '" + step.name() + "' takes " + (nc + nx + nk)
            + " inputs, got " + in.size());
      }
      int t = -1;
      for (int i = 0; i < nx; i++) {
        TensorType s = in.get(nc + i);
        if (s.shape().rank() < 1) {
          throw new IllegalArgumentException("scan of '" + step.name() + "': sequence " + i + " is " + s
              + ", it needs a leading time axis");
        }
        int len = s.shape().dim(0);
        if (t >= 0 && len != t) {
          throw new IllegalArgumentException("scan of '" + step.name() + "': sequences have lengths "
              + t + " and " + len);
        }
        t = len;
        TensorType slice = new TensorType(s.dtype(), s.shape().without(0));
        expect(slice, p.get(nc + i), "sequence " + i + " (one step)");
      }
      if (t < 0) {
        throw new IllegalArgumentException("scan of '" + step.name() + "' needs at least one sequence");
      }
      for (int i = 0; i < nc; i++) {
        expect(in.get(i), p.get(i), "initial carry " + i);
        expect(r.get(i), p.get(i), "new carry " + i + " (the step's result " + i + ")");
      }
      for (int i = 0; i < nk; i++) {
        expect(in.get(nc + nx + i), p.get(nc + nx + i), "constant " + i);
      }
      List<TensorType> out = new ArrayList<>();
      for (int i = 0; i < nc; i++) {
        out.add(p.get(i));
      }
      for (int i = 0; i < ys; i++) {
        out.add(stacked(r.get(nc + i), t));
      }
      for (int i = 0; i < nc; i++) {
        out.add(stacked(p.get(i), t));
      }
      for (Node s : stored) {
        out.add(stacked(s.type(), t));
      }
      return out;
    }

    private void expect(TensorType got, TensorType want, String what) {
      if (!got.equals(want)) {
        throw new IllegalArgumentException("scan of '" + step.name() + "': " + what + " is " + got
            + ", the step expects " + want);
      }
    }

    private static TensorType stacked(TensorType t, int len) {
      int[] d = new int[t.shape().rank() + 1];
      d[0] = len;
      System.arraycopy(t.shape().toArray(), 0, d, 1, t.shape().rank());
      return new TensorType(t.dtype(), Shape.of(d));
    }

    @Override
    public List<Tensor> compute(List<Tensor> in) {
      return compute(in, null, CompileOptions.defaults());
    }

    @Override
    public List<Tensor> compute(List<Tensor> in, boolean[] used) {
      return compute(in, used, CompileOptions.defaults());
    }

    /**
     * With {@link CompileOptions#compileScans()} and a scan compiler installed ({@link ScanExecutor}),
     * runs the scan compiled for this length, these read outputs and these options; otherwise,
     * or when the compiler declines, step by step with the same numbers.
     */
    @Override
    public List<Tensor> compute(List<Tensor> in, boolean[] used, CompileOptions options) {
      int t = in.get(nc).shape().dim(0);
      ScanExecutor executor = Executor.INSTALLED;
      if (options.compileScans() && executor != null && step.fused() == null && t > 0) {
        CompileKey key = new CompileKey(t, used == null ? null : Arrays.toString(used), options);
        Compilation c = compiled.get(key);
        if (c == null) {
          c = compiled.computeIfAbsent(key, k -> compile(executor, t, used, options));
        }
        if (c.scan() != null) {
          try {
            return c.scan().run(in);
          } catch (RuntimeException e) {
            String reason = "scan of '" + step.name() + "' over " + t + " steps runs step by step: " + e;
            Scan.declined(reason);
            compiled.put(key, new Compilation(null, reason));
          }
        }
      }
      return stepByStep(in, computedStep(used), options);
    }

    /** What a compiled scan is kept under: every option is part of it. */
    private record CompileKey(int steps, String used, CompileOptions options) {}

    /** A compiled scan, or why the compiler declined this one (it then runs step by step). */
    private record Compilation(ScanExecutor.Compiled scan, String declined) {}

    private Compilation compile(ScanExecutor executor, int t, boolean[] used, CompileOptions options) {
      try {
        return new Compilation(executor.compile(this, t, used, options), null);
      } catch (RuntimeException | StackOverflowError e) {
        // a scan the compiler cannot handle still runs, interpreted, with the same numbers
        String reason = "scan of '" + step.name() + "' over " + t + " steps runs step by step: " + e;
        Scan.declined(reason);
        return new Compilation(null, reason);
      }
    }

    /**
     * Why the compiler declined this scan for some length and read outputs, or null if it never
     * did.
     *
     * @return the reason of the first recorded decline, or null
     */
    public String declined() {
      for (Compilation c : compiled.values()) {
        if (c.declined() != null) {
          return c.declined();
        }
      }
      return null;
    }

    /** The plain interpretation: the step's plan (or fused rule) run T times. */
    private List<Tensor> stepByStep(List<Tensor> in, Function f, CompileOptions options) {
      int t = in.get(nc).shape().dim(0);
      int stacked = f.results().size() - nc; // the y, then the residuals when they are computed
      List<Tensor> carry = new ArrayList<>(in.subList(0, nc));
      List<Tensor> consts = in.subList(nc + nx, nc + nx + nk);
      Tensor[][] yOut = new Tensor[stacked][t];
      Tensor[][] hist = new Tensor[nc][t];
      Plan plan = f.fused() == null ? f.plan(options) : null;
      List<Tensor> args = new ArrayList<>(nc + nx + nk);
      for (int s = 0; s < t; s++) {
        int pos = reverse ? t - 1 - s : s;
        args.clear();
        args.addAll(carry);
        for (int i = 0; i < nx; i++) {
          args.add(in.get(nc + i).select(0, pos));
        }
        args.addAll(consts);
        List<Tensor> r = plan != null ? plan.run(args) : step.fused().forward(args);
        for (int i = 0; i < nc; i++) {
          hist[i][pos] = carry.get(i);
          carry.set(i, r.get(i));
        }
        for (int i = 0; i < stacked; i++) {
          yOut[i][pos] = r.get(nc + i);
        }
      }
      List<Tensor> out = new ArrayList<>(carry);
      for (int i = 0; i < ys; i++) {
        out.add(Tensor.stack(0, Arrays.asList(yOut[i])));
      }
      for (int i = 0; i < nc; i++) {
        out.add(Tensor.stack(0, Arrays.asList(hist[i])));
      }
      for (int k = 0; k < stored.size(); k++) {
        out.add(stacked > ys ? Tensor.stack(0, Arrays.asList(yOut[ys + k])) : null); // null: not read
      }
      return out;
    }

    @Override
    public List<Node> backward(Node node, List<Node> cot) {
      Graph g = node.graph();
      boolean histCot = false;
      for (int i = 0; i < nc; i++) {
        histCot |= !isZero(cot.get(nc + ys + i));
      }
      boolean residualCot = false;
      for (int k = 0; k < stored.size(); k++) {
        residualCot |= !isZero(cot.get(nc + ys + nc + k));
      }
      Backward mode = residuals == null ? Backward.RECOMPUTE
          : residualCot ? Backward.RECOMPUTE_WITH_RESIDUAL_COTANGENTS : Backward.SAVED;
      Function bstep = backwardStep(histCot, mode);
      List<Node> in = node.inputs();
      List<Node> init = new ArrayList<>();
      for (int i = 0; i < nc; i++) {
        init.add(cot.get(i));                                  // d final carry
      }
      for (int i = 0; i < nk; i++) {
        init.add(g.zeros(in.get(nc + nx + i).type()));         // constant gradient accumulators
      }
      List<Node> seqs = new ArrayList<>();
      for (int i = 0; i < nc; i++) {
        seqs.add(node.output(nc + ys + i));                    // carry history
      }
      seqs.addAll(in.subList(nc, nc + nx));                    // x
      for (int i = 0; i < ys; i++) {
        seqs.add(cot.get(nc + i));                             // dy
      }
      if (histCot) {
        for (int i = 0; i < nc; i++) {
          seqs.add(cot.get(nc + ys + i));                      // d history
        }
      }
      if (mode == Backward.SAVED) {
        int k = 0;
        for (int j = 0; j < residuals.saved().size(); j++) {   // residuals (a saved y is read there)
          int r = residuals.resultOf(j);
          seqs.add(r >= 0 ? node.output(r) : node.output(nc + ys + nc + k++));
        }
      } else if (mode == Backward.RECOMPUTE_WITH_RESIDUAL_COTANGENTS) {
        for (int k = 0; k < stored.size(); k++) {
          seqs.add(cot.get(nc + ys + nc + k));                 // d residuals
        }
      }
      // At a padded row the step's VJP passes the carry cotangents on unchanged (that of (1 - m) ⊙ s)
      // and gives zeros elsewhere, unless a history or residual cotangent adds to them (second order).
      // Its own gradient is left unpacked.
      boolean packed = liveMask >= 0 && liveMaskInGradient && !histCot && mode != Backward.RECOMPUTE_WITH_RESIDUAL_COTANGENTS;
      Scan b = Scan.of(bstep, init, seqs, in.subList(nc + nx, nc + nx + nk), !reverse, false,
          packed ? nc + liveMask : -1, false);
      List<Node> fc = b.finalCarries();
      List<Node> dx = b.outputs();
      List<Node> grads = new ArrayList<>();
      grads.addAll(fc.subList(0, nc));
      grads.addAll(dx);
      grads.addAll(fc.subList(nc, nc + nk));
      return grads;
    }

    private static boolean isZero(Node n) {
      return n.op() instanceof GraphOps.Fill && ((GraphOps.Fill) n.op()).value() == 0.0;
    }

    /**
     * The reverse step: carries (d carry, constant-gradient accumulators), sequences (carry
     * history, x, dy[, d history][, residuals or their cotangents]), constants; returns the new
     * carries and dx.
     */
    private Function backwardStep(boolean histCot, Backward mode) {
      int key = 2 * mode.ordinal() + (histCot ? 1 : 0);
      synchronized (this) {
        if (backwardSteps[key] != null) {
          return backwardSteps[key];
        }
        List<TensorType> p = step.paramTypes();
        List<TensorType> r = step.resultTypes();
        Graph g = new Graph(step.name() + ".scan_backward");
        List<Node> dCarry = new ArrayList<>();
        List<Node> acc = new ArrayList<>();
        List<Node> hist = new ArrayList<>();
        List<Node> xs = new ArrayList<>();
        List<Node> dys = new ArrayList<>();
        List<Node> dHist = new ArrayList<>();
        List<Node> extra = new ArrayList<>();
        List<Node> consts = new ArrayList<>();
        for (int i = 0; i < nc; i++) {
          dCarry.add(g.input("dcarry" + i, p.get(i)));
        }
        for (int i = 0; i < nk; i++) {
          acc.add(g.input("dconst" + i, p.get(nc + nx + i)));
        }
        for (int i = 0; i < nc; i++) {
          hist.add(g.input("carry" + i, p.get(i)));
        }
        for (int i = 0; i < nx; i++) {
          xs.add(g.input("x" + i, p.get(nc + i)));
        }
        for (int i = 0; i < ys; i++) {
          dys.add(g.input("dy" + i, r.get(nc + i)));
        }
        if (histCot) {
          for (int i = 0; i < nc; i++) {
            dHist.add(g.input("dhistory" + i, p.get(i)));
          }
        }
        if (mode == Backward.SAVED) {
          for (int k = 0; k < residuals.saved().size(); k++) {
            extra.add(g.input("saved" + k, residuals.saved().get(k).type()));
          }
        } else if (mode == Backward.RECOMPUTE_WITH_RESIDUAL_COTANGENTS) {
          for (int k = 0; k < stored.size(); k++) {
            extra.add(g.input("dsaved" + k, stored.get(k).type()));
          }
        }
        for (int i = 0; i < nk; i++) {
          consts.add(g.input("const" + i, p.get(nc + nx + i)));
        }
        List<Node> vArgs = new ArrayList<>(hist);
        vArgs.addAll(xs);
        vArgs.addAll(consts);
        Function vjp;
        switch (mode) {
          case SAVED:
            vjp = residuals.adjoint();           // (inputs, residuals, cotangents)
            vArgs.addAll(extra);
            vArgs.addAll(dCarry);
            vArgs.addAll(dys);
            break;
          case RECOMPUTE_WITH_RESIDUAL_COTANGENTS:
            vjp = residuals.forward().vjp();     // (inputs, cotangents of results and residuals)
            vArgs.addAll(dCarry);
            vArgs.addAll(dys);
            vArgs.addAll(extra);
            break;
          default:
            vjp = step.derived().vjp();          // (inputs, cotangents)
            vArgs.addAll(dCarry);
            vArgs.addAll(dys);
            break;
        }
        List<Node> v = vjp.apply(vArgs);
        List<Node> results = new ArrayList<>();
        for (int i = 0; i < nc; i++) {
          Node d = v.get(i);
          results.add(histCot ? d.add(dHist.get(i)) : d);
        }
        for (int i = 0; i < nk; i++) {
          results.add(acc.get(i).add(v.get(nc + nx + i)));
        }
        results.addAll(v.subList(nc, nc + nx));
        List<Node> formals = new ArrayList<>(dCarry);
        formals.addAll(acc);
        formals.addAll(hist);
        formals.addAll(xs);
        formals.addAll(dys);
        formals.addAll(dHist);
        formals.addAll(extra);
        formals.addAll(consts);
        Function f = Function.of(step.name() + ".scan_backward", formals, results);
        backwardSteps[key] = f;
        return f;
      }
    }
  }
}
