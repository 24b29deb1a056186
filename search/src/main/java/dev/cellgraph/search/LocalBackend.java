package dev.cellgraph.search;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The default back end: a pool of {@code workers} threads in this JVM, one trial per thread at a
 * time. A trial whose evaluator throws (which a well-behaved one never does) is recorded as
 * failed with the message; it never ends the search.
 *
 * <p>Thread-safe: {@link #evaluate} may be called from several threads; {@link #close} ends the pool.
 */
public final class LocalBackend implements Backend {
  private final int workers;
  private final ExecutorService pool;

  /**
   * A back end of {@code workers} threads in this JVM.
   *
   * @param workers the number of threads, at least 1
   * @throws IllegalArgumentException if {@code workers} is less than 1
   */
  public LocalBackend(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers (" + workers + ") must be at least 1");
    }
    this.workers = workers;
    this.pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "search-trial");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public List<TrialResult> evaluate(List<Trial> trials, Evaluator evaluator) {
    List<Future<TrialResult>> futures = new ArrayList<>();
    for (Trial t : trials) {
      futures.add(pool.submit(() -> safely(evaluator, t)));
    }
    List<TrialResult> out = new ArrayList<>();
    for (int k = 0; k < futures.size(); k++) {
      try {
        out.add(futures.get(k).get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while trials were running", e);
      } catch (ExecutionException e) {
        out.add(TrainingEvaluator.failed(trials.get(k), String.valueOf(e.getCause())));
      }
    }
    return out;
  }

  /** The evaluator's result, or a failed one carrying what it threw. */
  static TrialResult safely(Evaluator evaluator, Trial t) {
    try {
      return evaluator.evaluate(t);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      String m = e.getMessage();
      return TrainingEvaluator.failed(t, e.getClass().getSimpleName() + (m == null ? "" : ": " + m));
    }
  }

  @Override
  public String name() {
    return "local[" + workers + "]";
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
