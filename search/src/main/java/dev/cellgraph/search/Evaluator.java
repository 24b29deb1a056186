package dev.cellgraph.search;

import java.io.Serializable;

/**
 * Runs one trial. Implementations are deterministic in the trial (same trial, same result bits,
 * timings aside), never throw for a bad candidate (they return a failed result), and are
 * serializable so a distributed back end can ship them to its executors. They must be thread-safe:
 * a back end runs several trials through one evaluator at once.
 */
@FunctionalInterface
public interface Evaluator extends Serializable {
  /**
   * Trains and measures one trial; a failure is a result with its message, not an exception.
   *
   * @param trial the trial to train and measure
   * @return the trial's measurements, or a failed result naming the error
   */
  TrialResult evaluate(Trial trial);
}
