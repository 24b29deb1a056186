package dev.cellgraph.search;

import java.io.Serializable;
import java.util.Objects;

/**
 * What evaluating a {@link Trial} measured. A trial that threw is a result too, with
 * {@code error} set and the metrics NaN, so one bad candidate never ends a search. Immutable and
 * thread-safe.
 * Java serialization only carries it between the JVMs of one search (to Spark's executors);
 * it is no stored format, so the serialized-form page leaves it out.
 *
 * @param trial the trial evaluated
 * @param validationLoss the validation loss at the end of the budget (NaN if failed)
 * @param validationAccuracy the validation accuracy where the task has one, else NaN
 * @param parameters the candidate's parameter count
 * @param secondsPerStep the median wall time of one training step
 * @param diverged whether training stopped on a non-finite loss
 * @param gradCheckError the largest relative error of the gradient check on a small instance
 * @param error the failure message, or empty when the trial ran
 * @serial exclude
 */
public record TrialResult(Trial trial, double validationLoss, double validationAccuracy,
    long parameters, double secondsPerStep, boolean diverged, double gradCheckError,
    String error) implements Serializable {
  /**
   * Rejects a null trial or error.
   *
   * @param trial the trial evaluated, not null
   * @param validationLoss the validation loss at the end of the budget (NaN if failed)
   * @param validationAccuracy the validation accuracy where the task has one, else NaN
   * @param parameters the candidate's parameter count
   * @param secondsPerStep the median wall time of one training step
   * @param diverged whether training stopped on a non-finite loss
   * @param gradCheckError the largest relative error of the gradient check
   * @param error the failure message, or empty when the trial ran; not null
   */
  public TrialResult {
    Objects.requireNonNull(trial, "trial");
    Objects.requireNonNull(error, "error");
  }

  /**
   * Whether the trial threw instead of running.
   *
   * @return true if {@code error} is not empty
   */
  public boolean failed() {
    return !error.isEmpty();
  }
}
