package dev.cellgraph.search;

import java.util.List;

/**
 * Where trials run: a thread pool in this JVM, or a Spark cluster. A search hands a back end one
 * generation at a time and gets the results back in the order of the trials.
 */
public interface Backend extends AutoCloseable {
  /**
   * Evaluates every trial; the result list is in the order of {@code trials}.
   *
   * @param trials the trials of one generation
   * @param evaluator what trains and measures each trial
   * @return one result per trial, in order
   */
  List<TrialResult> evaluate(List<Trial> trials, Evaluator evaluator);

  /**
   * A short name for logs and reports, e.g. {@code local[2]} or {@code spark local[2]}.
   *
   * @return the name
   */
  String name();

  @Override
  void close();
}
