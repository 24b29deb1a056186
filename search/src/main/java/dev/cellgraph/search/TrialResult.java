package dev.cellgraph.search;

import java.io.Serializable;
import java.util.Objects;

/**
 * What evaluating a {@link Trial} measured. A trial that threw is a result too, with
 * {@code error} set and the metrics NaN, so one bad candidate never ends a search. Immutable and
 * thread-safe.
 *
 * @param trial the trial evaluated
 * @param validationLoss the validation loss at the end of the budget (NaN if failed)
 * @param validationAccuracy the validation accuracy where the task has one, else NaN
 * @param parameters the candidate's parameter count
 * @param secondsPerStep the median wall time of one training step
 * @param diverged whether training stopped on a non-finite loss
 * @param gradCheckError the largest relative error of the gradient check on a small instance
 * @param error the failure message, or empty when the trial ran
 */
public record TrialResult(Trial trial, double validationLoss, double validationAccuracy,
    long parameters, double secondsPerStep, boolean diverged, double gradCheckError,
    String error) implements Serializable {
  /** Rejects a null trial or error. */
  public TrialResult {
    Objects.requireNonNull(trial, "trial");
    Objects.requireNonNull(error, "error");
  }

  /** Whether the trial threw instead of running. */
  public boolean failed() {
    return !error.isEmpty();
  }
}
