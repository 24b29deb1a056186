package dev.cellgraph.train;

import java.util.Locale;

/**
 * A learning-rate schedule: the rate at each step. Implementations are immutable and thread-safe.
 */
public interface LearningRate {
  /**
   * The rate at step {@code step} of {@code total}.
   *
   * @param step the step, counting from 0
   * @param total the total number of steps of the run
   * @return the learning rate to use at that step
   */
  double at(long step, long total);

  /**
   * One line for logs and checkpoints, e.g. {@code constant 0.001}.
   *
   * @return a one-line description of the schedule
   */
  String describe();

  /**
   * The same rate at every step.
   *
   * @param lr the learning rate (positive and finite)
   * @return a schedule that is {@code lr} at every step
   */
  static LearningRate constant(double lr) {
    check(lr);
    return new LearningRate() {
      @Override public double at(long step, long total) { return lr; }
      @Override public String describe() { return String.format(Locale.ROOT, "constant %g", lr); }
    };
  }

  /**
   * Linear warm-up from 0 to {@code lr} over {@code warmup} steps, then a cosine decay to
   * {@code lr * floor} at the last step (SGDR without restarts).
   *
   * @param lr the peak learning rate (positive and finite)
   * @param warmup the number of warm-up steps (not negative)
   * @param floor the final rate as a fraction of {@code lr}, in [0, 1]
   * @return the warm-up and cosine schedule
   */
  static LearningRate warmupCosine(double lr, long warmup, double floor) {
    check(lr);
    if (warmup < 0) {
      throw new IllegalArgumentException("warm-up steps (" + warmup + ") must not be negative");
    }
    if (!(floor >= 0 && floor <= 1)) {
      throw new IllegalArgumentException("floor (" + floor + ") must be in [0, 1]");
    }
    return new LearningRate() {
      @Override public double at(long step, long total) {
        if (step < warmup) {
          return lr * (step + 1) / warmup;
        }
        long span = Math.max(1, total - warmup - 1);
        double progress = Math.min(1.0, (double) (step - warmup) / span);
        return lr * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
      }

      @Override public String describe() {
        return String.format(Locale.ROOT, "warm-up %d then cosine %g -> %g", warmup, lr, lr * floor);
      }
    };
  }

  /**
   * Linear warm-up from 0 to {@code lr} over {@code warmup} steps, then {@code lr} to the end.
   *
   * @param lr the learning rate after the warm-up (positive and finite)
   * @param warmup the number of warm-up steps (not negative)
   * @return the warm-up and constant schedule
   */
  static LearningRate warmupConstant(double lr, long warmup) {
    check(lr);
    checkWarmup(warmup);
    return new LearningRate() {
      @Override public double at(long step, long total) {
        return step < warmup ? lr * (step + 1) / warmup : lr;
      }

      @Override public String describe() {
        return String.format(Locale.ROOT, "warm-up %d then constant %g", warmup, lr);
      }
    };
  }

  /**
   * Linear warm-up over {@code warmup} steps, then {@code lr} multiplied by {@code gamma} at half
   * and again at three quarters of the steps after the warm-up (PyTorch's {@code MultiStepLR}
   * with the milestones of He et al.'s ResNet schedule).
   *
   * @param lr the learning rate after the warm-up, before any decay (positive and finite)
   * @param warmup the number of warm-up steps (not negative)
   * @param gamma the factor the rate is multiplied by at each milestone, in (0, 1]
   * @return the warm-up and step-decay schedule
   */
  static LearningRate warmupStep(double lr, long warmup, double gamma) {
    check(lr);
    checkWarmup(warmup);
    if (!(gamma > 0 && gamma <= 1)) {
      throw new IllegalArgumentException("decay factor (" + gamma + ") must be in (0, 1]");
    }
    return new LearningRate() {
      @Override public double at(long step, long total) {
        if (step < warmup) {
          return lr * (step + 1) / warmup;
        }
        long span = Math.max(1, total - warmup);
        long done = step - warmup;
        int drops = (done * 4 >= span * 3 ? 1 : 0) + (done * 2 >= span ? 1 : 0);
        return lr * Math.pow(gamma, drops);
      }

      @Override public String describe() {
        return String.format(Locale.ROOT, "warm-up %d then %g, times %g at 1/2 and 3/4 of the rest", warmup, lr,
            gamma);
      }
    };
  }

  private static void checkWarmup(long warmup) {
    if (warmup < 0) {
      throw new IllegalArgumentException("warm-up steps (" + warmup + ") must not be negative");
    }
  }

  private static void check(double lr) {
    if (!(lr > 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate (" + lr + ") must be positive and finite");
    }
  }
}
