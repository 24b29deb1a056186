package dev.cellgraph.train;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A first-order optimizer: new parameters from the current ones, their gradients and a learning
 * rate. Its state (moments, step count) is a map of named tensors that a checkpoint saves and
 * {@link #restore} reloads exactly.
 *
 * <p>Arithmetic runs in float64 on float64 state whatever the parameters' dtype; new parameters
 * are rounded to their dtype once per step. Not thread-safe.
 */
public abstract class Optimizer {
  /** Per-parameter state slots, e.g. {@code m} and {@code v} for Adam. */
  private final Map<String, Map<String, double[]>> slots = new TreeMap<>();
  private long t;

  /**
   * The name recorded in checkpoints: {@code sgd}, {@code adam}, {@code adamw}, {@code rmsprop}.
   *
   * @return the optimizer's name: {@code sgd}, {@code adam}, {@code adamw} or {@code rmsprop}
   */
  public abstract String name();

  /**
   * The hyper-parameters, for logs and checkpoints.
   *
   * @return the hyper-parameters by name, without the learning rate
   */
  public abstract Map<String, Double> hyperparameters();

  /**
   * The update of one parameter {@code p} in place, given its gradient and its state slots.
   *
   * @param p the parameter's values in float64, updated in place
   * @param g the parameter's gradient in float64
   * @param lr the learning rate of this step
   * @param step the number of this update, counting from 1
   * @param state the parameter's state slots by slot name, updated in place
   */
  protected abstract void update(double[] p, double[] g, double lr, long step, Map<String, double[]> state);

  /**
   * The names of the per-parameter state slots, allocated as zeros.
   *
   * @return the names of the slots each parameter's state holds (empty for none)
   */
  protected abstract String[] slotNames();

  /**
   * How many updates have been made.
   *
   * @return the number of updates made, including those of a restored state
   */
  public long steps() {
    return t;
  }

  /**
   * Updates every parameter in {@code params} (in place in the map) with its gradient.
   *
   * @param params the parameters by name, each replaced in the map by its updated value
   * @param grads the gradient of each parameter, by name and of the parameter's shape
   * @param lr the learning rate of this step
   */
  public void step(Map<String, Tensor> params, Map<String, Tensor> grads, double lr) {
    t++;
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      Tensor p = e.getValue();
      Tensor g = grads.get(e.getKey());
      if (g == null) {
        throw new IllegalArgumentException(name() + ": no gradient for parameter '" + e.getKey() + "'");
      }
      if (!g.shape().equals(p.shape())) {
        throw new IllegalArgumentException(name() + ": gradient of '" + e.getKey() + "' is " + g.shape()
            + ", the parameter is " + p.shape());
      }
      Map<String, double[]> st = slots.computeIfAbsent(e.getKey(), k -> {
        Map<String, double[]> m = new TreeMap<>();
        for (String s : slotNames()) {
          m.put(s, new double[p.size()]);
        }
        return m;
      });
      double[] pv = p.toDoubleArray();
      update(pv, g.toDoubleArray(), lr, t, st);
      e.setValue(Tensor.of(p.dtype(), pv, p.shape()));
    }
  }

  /**
   * The state as named float64 tensors: {@code step} and {@code <slot>/<parameter>}.
   *
   * @return the step count as {@code step} and each slot as {@code <slot>/<parameter>}, all float64
   */
  public Map<String, Tensor> state() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("step", Tensor.scalar(DType.FLOAT64, t));
    for (Map.Entry<String, Map<String, double[]>> e : slots.entrySet()) {
      for (Map.Entry<String, double[]> s : e.getValue().entrySet()) {
        double[] v = s.getValue();
        m.put(s.getKey() + "/" + e.getKey(), Tensor.of(v, v.length));
      }
    }
    return m;
  }

  /**
   * Restores a state returned by {@link #state()}.
   *
   * @param state a state as returned by {@link #state()}, with its {@code step} entry
   */
  public void restore(Map<String, Tensor> state) {
    Tensor step = state.get("step");
    if (step == null) {
      throw new IllegalArgumentException(name() + ": the saved state has no 'step'");
    }
    slots.clear();
    t = (long) step.item();
    for (Map.Entry<String, Tensor> e : state.entrySet()) {
      String k = e.getKey();
      if (k.equals("step")) {
        continue;
      }
      int slash = k.indexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException(name() + ": unexpected state entry '" + k + "'");
      }
      slots.computeIfAbsent(k.substring(slash + 1), x -> new TreeMap<>())
          .put(k.substring(0, slash), e.getValue().toDoubleArray());
    }
  }

  /**
   * {@code sgd lr-free hyper-parameters}, e.g. {@code adam(beta1=0.9, beta2=0.999, eps=1e-08)}.
   *
   * @return the name and the hyper-parameters, e.g. {@code adam(beta1=0.9, beta2=0.999, eps=1e-08)}
   */
  public String describe() {
    StringBuilder sb = new StringBuilder(name()).append('(');
    String sep = "";
    for (Map.Entry<String, Double> e : hyperparameters().entrySet()) {
      sb.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = ", ";
    }
    return sb.append(')').toString();
  }

  // ------------------------------------------------------------------ the optimizers

  /**
   * SGD with (heavy-ball) momentum as PyTorch: {@code b = μ b + g; p -= lr b}.
   *
   * @param momentum the momentum μ, in [0, 1) (0: plain SGD)
   * @return an SGD optimizer with that momentum
   */
  public static Optimizer sgd(double momentum) {
    checkRange("momentum", momentum, 0, 1);
    return new Optimizer() {
      @Override public String name() { return "sgd"; }
      @Override public Map<String, Double> hyperparameters() { return Map.of("momentum", momentum); }
      @Override protected String[] slotNames() { return momentum > 0 ? new String[] {"momentum"} : new String[0]; }

      @Override protected void update(double[] p, double[] g, double lr, long step, Map<String, double[]> s) {
        if (momentum == 0) {
          for (int i = 0; i < p.length; i++) {
            p[i] -= lr * g[i];
          }
          return;
        }
        double[] b = s.get("momentum");
        for (int i = 0; i < p.length; i++) {
          b[i] = step == 1 ? g[i] : momentum * b[i] + g[i];
          p[i] -= lr * b[i];
        }
      }
    };
  }

  /**
   * Adam (Kingma and Ba 2015), with bias correction.
   *
   * @param beta1 the decay rate of the first-moment estimate, in [0, 1)
   * @param beta2 the decay rate of the second-moment estimate, in [0, 1)
   * @param eps the term added to the denominator for stability (positive)
   * @return an Adam optimizer
   */
  public static Optimizer adam(double beta1, double beta2, double eps) {
    return adam("adam", beta1, beta2, eps, 0.0);
  }

  /**
   * Adam with PyTorch's defaults (betas 0.9 and 0.999, epsilon 1e-8).
   *
   * @return an Adam optimizer with betas 0.9 and 0.999 and epsilon 1e-8
   */
  public static Optimizer adam() {
    return adam(0.9, 0.999, 1e-8);
  }

  /**
   * AdamW (Loshchilov and Hutter 2019): Adam with weight decay decoupled from the gradient.
   *
   * @param beta1 the decay rate of the first-moment estimate, in [0, 1)
   * @param beta2 the decay rate of the second-moment estimate, in [0, 1)
   * @param eps the term added to the denominator for stability (positive)
   * @param weightDecay the decoupled weight decay per unit of learning rate, in [0, 1)
   * @return an AdamW optimizer
   */
  public static Optimizer adamW(double beta1, double beta2, double eps, double weightDecay) {
    checkRange("weight decay", weightDecay, 0, 1);
    return adam("adamw", beta1, beta2, eps, weightDecay);
  }

  private static Optimizer adam(String name, double beta1, double beta2, double eps, double decay) {
    checkRange("beta1", beta1, 0, 1);
    checkRange("beta2", beta2, 0, 1);
    if (!(eps > 0)) {
      throw new IllegalArgumentException("eps (" + eps + ") must be positive");
    }
    return new Optimizer() {
      @Override public String name() { return name; }

      @Override public Map<String, Double> hyperparameters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        if (name.equals("adamw")) {
          m.put("weight_decay", decay);
        }
        return m;
      }

      @Override protected String[] slotNames() { return new String[] {"m", "v"}; }

      @Override protected void update(double[] p, double[] g, double lr, long step, Map<String, double[]> s) {
        double[] m = s.get("m");
        double[] v = s.get("v");
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        for (int i = 0; i < p.length; i++) {
          if (decay > 0) {
            p[i] -= lr * decay * p[i];
          }
          m[i] = beta1 * m[i] + (1 - beta1) * g[i];
          v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
          p[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
        }
      }
    };
  }

  /**
   * RMSprop (Tieleman and Hinton 2012) as PyTorch: {@code v = α v + (1-α) g²; p -= lr g / (√v + ε)}.
   *
   * @param alpha the smoothing constant α of the squared-gradient average, in [0, 1)
   * @param eps the term ε added to the denominator for stability (positive)
   * @return an RMSprop optimizer
   */
  public static Optimizer rmsprop(double alpha, double eps) {
    checkRange("alpha", alpha, 0, 1);
    if (!(eps > 0)) {
      throw new IllegalArgumentException("eps (" + eps + ") must be positive");
    }
    return new Optimizer() {
      @Override public String name() { return "rmsprop"; }

      @Override public Map<String, Double> hyperparameters() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("alpha", alpha);
        m.put("eps", eps);
        return m;
      }

      @Override protected String[] slotNames() { return new String[] {"square_avg"}; }

      @Override protected void update(double[] p, double[] g, double lr, long step, Map<String, double[]> s) {
        double[] v = s.get("square_avg");
        for (int i = 0; i < p.length; i++) {
          v[i] = alpha * v[i] + (1 - alpha) * g[i] * g[i];
          p[i] -= lr * g[i] / (Math.sqrt(v[i]) + eps);
        }
      }
    };
  }

  /**
   * An optimizer by name with its usual defaults: sgd (momentum 0.9), adam, adamw (decay 0.01), rmsprop.
   *
   * @param name the optimizer's name: {@code sgd}, {@code adam}, {@code adamw} or {@code rmsprop}
   * @return a new optimizer of that name with its usual defaults
   */
  public static Optimizer named(String name) {
    switch (name) {
      case "sgd": return sgd(0.9);
      case "adam": return adam();
      case "adamw": return adamW(0.9, 0.999, 1e-8, 0.01);
      case "rmsprop": return rmsprop(0.99, 1e-8);
      default:
        throw new IllegalArgumentException("unknown optimizer '" + name + "': expected sgd, adam, adamw or rmsprop");
    }
  }

  private static void checkRange(String what, double v, double lo, double hi) {
    if (!(v >= lo && v < hi)) {
      throw new IllegalArgumentException(what + " (" + v + ") must be in [" + lo + ", " + hi + ")");
    }
  }
}
