package dev.cellgraph.train;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run measured: per step the training loss, the gradient norm before clipping, the learning
 * rate and the wall-clock seconds; per validation the step and the held-out loss. Saved in
 * checkpoints, so a resumed run reports its whole history. Everything but the seconds is
 * deterministic.
 *
 * <p>Not thread-safe: its trainer appends to it, so read it from another thread only once the run
 * is over (its lists are unmodifiable views, not copies).
 */
public final class History {
  private final List<Double> loss = new ArrayList<>();
  private final List<Double> gradNorm = new ArrayList<>();
  private final List<Double> lr = new ArrayList<>();
  private final List<Double> seconds = new ArrayList<>();
  private final List<Long> validationSteps = new ArrayList<>();
  private final List<Double> validationLoss = new ArrayList<>();

  void addStep(double l, double g, double rate, double s) {
    loss.add(l);
    gradNorm.add(g);
    lr.add(rate);
    seconds.add(s);
  }

  void addValidation(long step, double l) {
    validationSteps.add(step);
    validationLoss.add(l);
  }

  /**
   * The number of training steps recorded.
   *
   * @return the number of training steps recorded
   */
  public int size() {
    return loss.size();
  }

  /**
   * The training loss of each step.
   *
   * @return the training loss per step, an unmodifiable view
   */
  public List<Double> loss() {
    return Collections.unmodifiableList(loss);
  }

  /**
   * The gradient norm of each step, before clipping.
   *
   * @return the gradient norm per step before clipping, an unmodifiable view
   */
  public List<Double> gradNorm() {
    return Collections.unmodifiableList(gradNorm);
  }

  /**
   * The learning rate of each step.
   *
   * @return the learning rate per step, an unmodifiable view
   */
  public List<Double> learningRate() {
    return Collections.unmodifiableList(lr);
  }

  /**
   * The wall-clock seconds of each step (its own duration: their running sum is the elapsed time).
   *
   * @return the wall-clock seconds each step took, an unmodifiable view
   */
  public List<Double> seconds() {
    return Collections.unmodifiableList(seconds);
  }

  /**
   * The steps after which the model was validated.
   *
   * @return the steps after which the model was validated, an unmodifiable view
   */
  public List<Long> validationSteps() {
    return Collections.unmodifiableList(validationSteps);
  }

  /**
   * The validation loss at each of {@link #validationSteps()}.
   *
   * @return the validation loss per validation, an unmodifiable view
   */
  public List<Double> validationLoss() {
    return Collections.unmodifiableList(validationLoss);
  }

  /**
   * The mean training loss over the last {@code n} steps (fewer if the run is shorter).
   *
   * @param n the number of most recent steps to average over
   * @return the mean training loss of those steps, or NaN if no steps are recorded
   */
  public double recentLoss(int n) {
    int from = Math.max(0, loss.size() - n);
    double s = 0;
    for (int i = from; i < loss.size(); i++) {
      s += loss.get(i);
    }
    return loss.size() == from ? Double.NaN : s / (loss.size() - from);
  }

  /**
   * The median seconds per step, skipping the first steps (compilation and JIT warm-up).
   *
   * @return the median seconds per step after the warm-up steps, or NaN if there are none
   */
  public double medianSecondsPerStep() {
    List<Double> s = new ArrayList<>(seconds.subList(Math.min(seconds.size(), Math.min(5, seconds.size() / 10)),
        seconds.size()));
    if (s.isEmpty()) {
      return Double.NaN;
    }
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  /**
   * The last validation loss, or NaN.
   *
   * @return the most recent validation loss, or NaN if the model was never validated
   */
  public double lastValidationLoss() {
    return validationLoss.isEmpty() ? Double.NaN : validationLoss.get(validationLoss.size() - 1);
  }

  Map<String, Tensor> toTensors() {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("loss", vector(loss));
    m.put("grad_norm", vector(gradNorm));
    m.put("lr", vector(lr));
    m.put("seconds", vector(seconds));
    List<Double> vs = new ArrayList<>();
    for (long s : validationSteps) {
      vs.add((double) s);
    }
    m.put("validation_step", vector(vs));
    m.put("validation_loss", vector(validationLoss));
    return m;
  }

  static History fromTensors(Map<String, Tensor> m) {
    History h = new History();
    double[] l = need(m, "loss");
    double[] g = need(m, "grad_norm");
    double[] r = need(m, "lr");
    double[] s = need(m, "seconds");
    for (int i = 0; i < l.length; i++) {
      h.addStep(l[i], g[i], r[i], s[i]);
    }
    double[] vs = need(m, "validation_step");
    double[] vl = need(m, "validation_loss");
    for (int i = 0; i < vs.length; i++) {
      h.addValidation((long) vs[i], vl[i]);
    }
    return h;
  }

  private static double[] need(Map<String, Tensor> m, String k) {
    Tensor t = m.get(k);
    if (t == null) {
      throw new IllegalArgumentException("the checkpoint's history has no '" + k + "'");
    }
    return t.toDoubleArray();
  }

  private static Tensor vector(List<Double> v) {
    double[] a = new double[v.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = v.get(i);
    }
    return Tensor.of(DType.FLOAT64, a, dev.cellgraph.core.Shape.of(a.length));
  }
}
