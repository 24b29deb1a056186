package dev.cellgraph.autodiff;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checks reverse-mode gradients against central finite differences in float64, like
 * {@code torch.autograd.gradcheck}.
 *
 * <p>The checked value is a scalar: the output itself, or {@code Σ output ⊙ R} for a fixed random
 * projection R when the output is not a scalar. Small inputs are checked element by element (the
 * full Jacobian row); large ones along random directions, comparing the directional derivative.
 * The error of an element is {@code |analytic - numeric| / max(1, |numeric|)}: relative for large
 * values, absolute for small ones.
 *
 * <p>Immutable: each setting returns a new checker. {@link #check} adds the gradient's nodes to the
 * output's graph, so, like any change to a {@link Graph}, it is not thread-safe with respect to
 * that graph.
 */
public final class GradCheck {
  private final double eps;
  private final double tolerance;
  private final int fullLimit;
  private final int directions;
  private final long seed;
  private final CompileOptions options;

  private GradCheck(double eps, double tolerance, int fullLimit, int directions, long seed, CompileOptions options) {
    this.options = options;
    this.eps = eps;
    this.tolerance = tolerance;
    this.fullLimit = fullLimit;
    this.directions = directions;
    this.seed = seed;
  }

  /**
   * Defaults: step 1e-6, tolerance 1e-6, element-wise up to 256 elements, else 16 directions.
   *
   * @return a check with the default settings and compile options
   */
  public static GradCheck withDefaults() {
    return new GradCheck(1e-6, 1e-6, 256, 16, 42L, CompileOptions.defaults());
  }

  /**
   * This check with central-difference step {@code e}.
   *
   * @param e the central-difference step, applied to each perturbed element
   * @return a copy of this check differing only in its step
   */
  public GradCheck eps(double e) {
    return new GradCheck(e, tolerance, fullLimit, directions, seed, options);
  }

  /**
   * This check with tolerance {@code t} on the difference between analytic and numeric gradients.
   *
   * @param t the largest acceptable error
   * @return a copy of this check differing only in its tolerance
   */
  public GradCheck tolerance(double t) {
    return new GradCheck(eps, t, fullLimit, directions, seed, options);
  }

  /**
   * Inputs with at most {@code n} elements are checked element by element.
   *
   * @param n the largest element count checked element by element
   * @return a copy of this check differing only in that limit
   */
  public GradCheck fullLimit(int n) {
    return new GradCheck(eps, tolerance, n, directions, seed, options);
  }

  /**
   * Larger inputs are checked along {@code n} random directions instead of element by element.
   *
   * @param n the number of random directions per large input
   * @return a copy of this check differing only in its direction count
   */
  public GradCheck directions(int n) {
    return new GradCheck(eps, tolerance, fullLimit, n, seed, options);
  }

  /**
   * This check with the seed {@code s} of the random directions.
   *
   * @param s the seed of the random directions
   * @return a copy of this check differing only in its seed
   */
  public GradCheck seed(long s) {
    return new GradCheck(eps, tolerance, fullLimit, directions, s, options);
  }

  /**
   * The plans of the check compiled with {@code o} (default: {@link CompileOptions#defaults()}).
   *
   * @param o the compile options of the check's plans, not null
   * @return a copy of this check differing only in its compile options
   */
  public GradCheck options(CompileOptions o) {
    return new GradCheck(eps, tolerance, fullLimit, directions, seed, java.util.Objects.requireNonNull(o, "options"));
  }

  /** The outcome: the worst element over all checked inputs. */
  public record Report(boolean passed, double worstError, String worstInput, String worstPlace,
      double analytic, double numeric, int checks) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "%s: worst error %.3e at %s %s (analytic %.10g, numeric %.10g), %d checks",
          passed ? "passed" : "FAILED", worstError, worstInput, worstPlace, analytic, numeric, checks);
    }
  }

  /**
   * Checks the gradient of {@code output} with respect to each of {@code wrt}, all values taken
   * from {@code values}, which must feed every leaf the output needs. Values of {@code wrt} must be
   * float64.
   *
   * @param output the node whose gradient is checked
   * @param wrt the float64 nodes to differentiate with respect to
   * @param values the value of every leaf the output needs, keyed by leaf
   * @return the report of the worst difference over all checked inputs
   */
  public Report check(Node output, List<Node> wrt, Map<Node, Tensor> values) {
    Graph g = output.graph();
    for (Node w : wrt) {
      if (w.dtype() != DType.FLOAT64) {
        throw new IllegalArgumentException("gradient checks run in float64; " + w + " is " + w.dtype().lowerName());
      }
    }
    Node loss = output;
    if (output.shape().size() != 1) {
      SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
      double[] proj = new double[output.shape().size()];
      for (int i = 0; i < proj.length; i++) {
        proj[i] = r.nextDouble(-1, 1);
      }
      loss = output.mul(g.constant(Tensor.of(output.dtype(), proj, output.shape()))).sum();
    } else if (output.rank() > 0) {
      loss = output.sum();
    }
    Gradients grads = Gradients.of(loss, wrt);
    List<Node> feeds = new ArrayList<>(values.keySet());
    feeds.sort((a, b) -> Integer.compare(a.id(), b.id()));
    List<Node> outs = new ArrayList<>(grads.list());
    Plan analyticPlan = Plan.compile(outs, feeds, options);
    Plan lossPlan = Plan.compile(List.of(loss), feeds, options);
    Map<Node, Tensor> base = new LinkedHashMap<>(values);
    List<Tensor> analytic = analyticPlan.run(base);

    SplittableRandom rnd = new SplittableRandom(seed);
    double worst = -1;
    String worstInput = "";
    String worstPlace = "";
    double wa = 0;
    double wn = 0;
    int checks = 0;
    for (int w = 0; w < wrt.size(); w++) {
      Node node = wrt.get(w);
      Tensor x = values.get(node);
      if (x == null) {
        throw new IllegalArgumentException("no value for " + node);
      }
      double[] xv = x.toDoubleArray();
      double[] ga = analytic.get(w).toDoubleArray();
      String inName = node.name() != null ? "'" + node.name() + "'" : node.toString();
      boolean full = xv.length <= fullLimit;
      int count = full ? xv.length : directions;
      for (int c = 0; c < count; c++) {
        double[] dir = new double[xv.length];
        if (full) {
          dir[c] = 1;
        } else {
          double norm = 0;
          for (int i = 0; i < dir.length; i++) {
            dir[i] = rnd.nextDouble(-1, 1);
            norm += dir[i] * dir[i];
          }
          norm = Math.sqrt(norm);
          for (int i = 0; i < dir.length; i++) {
            dir[i] /= norm;
          }
        }
        double a = 0;
        for (int i = 0; i < dir.length; i++) {
          a += ga[i] * dir[i];
        }
        double plus = lossAt(lossPlan, base, node, x, xv, dir, eps);
        double minus = lossAt(lossPlan, base, node, x, xv, dir, -eps);
        double n = (plus - minus) / (2 * eps);
        double err = Math.abs(a - n) / Math.max(1.0, Math.abs(n));
        if (Double.isNaN(err)) {
          err = Double.POSITIVE_INFINITY;
        }
        checks++;
        if (err > worst) {
          worst = err;
          worstInput = inName;
          worstPlace = full ? "element " + Arrays.toString(unflatten(c, x.shape())) : "direction " + c;
          wa = a;
          wn = n;
        }
      }
      base.put(node, x);
    }
    return new Report(worst <= tolerance, Math.max(worst, 0), worstInput, worstPlace, wa, wn, checks);
  }

  private static double lossAt(Plan plan, Map<Node, Tensor> base, Node node, Tensor x, double[] xv,
      double[] dir, double step) {
    double[] p = xv.clone();
    for (int i = 0; i < p.length; i++) {
      p[i] += step * dir[i];
    }
    base.put(node, Tensor.of(DType.FLOAT64, p, x.shape()));
    return plan.run(base).get(0).item();
  }

  private static int[] unflatten(int flat, Shape s) {
    int[] idx = new int[s.rank()];
    for (int i = s.rank() - 1; i >= 0; i--) {
      idx[i] = flat % s.dim(i);
      flat /= s.dim(i);
    }
    return idx;
  }

  /**
   * Compares a function's fused rule with its derived one at the given argument values: the
   * outputs and the gradients for random cotangents. Returns the largest absolute difference.
   *
   * @param fn a function with a fused rule
   * @param args the argument values, one per formal input
   * @param seed the seed of the random cotangents
   * @return the largest absolute difference between the fused and derived results
   */
  public static double compareFused(Function fn, List<Tensor> args, long seed) {
    if (fn.fused() == null) {
      throw new IllegalArgumentException("function '" + fn.name() + "' has no fused rule");
    }
    Function derived = fn.derived();
    List<Tensor> fusedOut = fn.fused().forward(args);
    List<Tensor> derivedOut = derived.plan().run(args);
    double worst = 0;
    for (int i = 0; i < fusedOut.size(); i++) {
      worst = Math.max(worst, fusedOut.get(i).maxAbsDiff(derivedOut.get(i)));
    }
    SplittableRandom r = new SplittableRandom(seed);
    List<Tensor> cots = new ArrayList<>();
    for (TensorType t : fn.resultTypes()) {
      double[] v = new double[t.shape().size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = r.nextDouble(-1, 1);
      }
      cots.add(Tensor.of(t.dtype(), v, t.shape()));
    }
    List<Tensor> fusedGrads = fn.fused().backward(args, fusedOut, cots);
    List<Tensor> vjpArgs = new ArrayList<>(args);
    vjpArgs.addAll(cots);
    List<Tensor> derivedGrads = derived.vjp().plan().run(vjpArgs);
    for (int i = 0; i < fusedGrads.size(); i++) {
      worst = Math.max(worst, fusedGrads.get(i).maxAbsDiff(derivedGrads.get(i)));
    }
    return worst;
  }
}
