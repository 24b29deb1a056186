package dev.cellgraph.search;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One evaluated trial as the results store keeps it: the generation it belongs to and what it
 * measured. {@link #COLUMNS} are the columns of every format the store writes, in order.
 * Immutable and thread-safe.
 *
 * @param generation the search generation (0 first)
 * @param result the trial and its measurements
 */
public record ResultRow(int generation, TrialResult result) {
  /** The column names of {@code results.csv}, in order. */
  public static final List<String> COLUMNS = List.of("generation", "hash", "parent", "mutation", "task", "hidden",
      "steps", "seed", "validation_loss", "validation_accuracy", "parameters", "seconds_per_step", "diverged",
      "grad_check_error", "error", "cell");

  /**
   * Rejects a null result.
   *
   * @param generation the search generation (0 first)
   * @param result the trial and its measurements, not null
   */
  public ResultRow {
    requireNonNull(result, "result");
  }

  /**
   * The values of {@link #COLUMNS}: strings, numbers and booleans.
   *
   * @return the row's values, one per column, in column order
   */
  public List<Object> values() {
    Trial t = result.trial();
    return List.of(generation, t.hash(), t.parent(), t.mutation(), t.task(), t.hidden(), t.steps(), t.seed(),
        result.validationLoss(), result.validationAccuracy(), result.parameters(), result.secondsPerStep(),
        result.diverged(), result.gradCheckError(), result.error(), t.cellText());
  }
}
