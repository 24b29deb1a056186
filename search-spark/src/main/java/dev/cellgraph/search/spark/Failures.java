package dev.cellgraph.search.spark;

import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;

/** Failed results, with the metrics NaN as {@link TrialResult} says. Thread-safe: stateless. */
final class Failures {
  private Failures() {}

  static TrialResult of(Trial trial, String message) {
    return new TrialResult(trial, Double.NaN, Double.NaN, 0, Double.NaN, false, Double.NaN, message);
  }

  /** The exception's type and message, which is what a user needs to see in the results. */
  static String describe(Throwable e) {
    String message = e.getMessage();
    String type = e.getClass().getSimpleName();
    return message == null || message.isBlank() ? type : type + ": " + message;
  }
}
