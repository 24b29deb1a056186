package dev.cellgraph.search.spark;

import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;

/** Failed results, with the metrics NaN as {@link TrialResult} says. Thread-safe: stateless. */
final class Failures {
  private Failures() {}

  static TrialResult of(Trial trial, String message) {
    return new TrialResult(trial, Double.NaN, Double.NaN, 0, Double.NaN, false, Double.NaN, message);
  }

  /** The first line of the message, else the exception's type: as the local back end words a failure. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.lines().findFirst().orElseThrow();
  }
}
