package dev.cellgraph.search.spark;

import dev.cellgraph.search.Evaluator;
import dev.cellgraph.search.TrainingEvaluator;
import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

/**
 * What an executor does with one trial: runs the evaluator (which sets its own kernel threads,
 * {@code --kernel-threads}), and turns an exception of the candidate into a failed result.
 *
 * <p>An exception is the candidate's (evaluating it again gives the same), and so are a stack
 * overflow and running out of memory (a candidate too deep or too large): they are recorded and
 * the search goes on; Spark would treat the last two as fatal and end the executor's JVM, which in
 * an embedded run is the search's own. Any other {@link Error} is the executor's and fails the
 * task, which Spark then retries, on another executor where it has one.
 *
 * <p>Thread-safe: it keeps nothing between calls; each task deserializes its own copy, with its own
 * copy of the evaluator.
 */
final class RunTrial implements Function<Trial, TrialResult> {
  private static final long serialVersionUID = 1L;

  private final Evaluator evaluator;

  RunTrial(Evaluator evaluator) {
    this.evaluator = evaluator;
  }

  @Override
  public TrialResult call(Trial trial) {
    return guarded(evaluator, trial, TaskContext.get());
  }

  static TrialResult guarded(Evaluator evaluator, Trial trial, TaskContext task) {
    try {
      TrialResult result = evaluator.evaluate(trial);
      if (result == null || !result.trial().equals(trial)) {
        return TrainingEvaluator.failed(trial, "the evaluator returned "
            + (result == null ? "no result" : "the result of another trial"));
      }
      return result;
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      if (task != null && task.isInterrupted()) {
        // Spark is killing the task (its job was cancelled): the exception is the kill's, not the candidate's
        throw e;
      }
      // worded as LocalBackend words it, so that both back ends write the same row
      String message = e.getMessage();
      return TrainingEvaluator.failed(trial, e.getClass().getSimpleName() + (message == null ? "" : ": " + message));
    }
  }
}
