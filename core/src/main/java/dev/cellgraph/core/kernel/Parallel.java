package dev.cellgraph.core.kernel;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;

/**
 * Runs the parts of a split matrix product on a shared pool of daemon threads.
 *
 * <p>The pool is created on first use, so programs that only do small products never start a
 * thread. The calling thread runs the first part itself: with two cores, one hand-off is all the
 * synchronization a product needs.
 */
final class Parallel {
  private Parallel() {}

  private static final class Pool {
    // ForkJoinPool's default factory makes daemon threads, so the pool never keeps a JVM alive.
    static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  /** Calls {@code part.accept(i)} for every i in [0, parts), concurrently, and waits for all. */
  static void forEach(int parts, IntConsumer part) {
    if (parts == 1) {
      part.accept(0);
      return;
    }
    ForkJoinTask<?>[] forked = new ForkJoinTask<?>[parts - 1];
    for (int i = 1; i < parts; i++) {
      int index = i;
      forked[i - 1] = Pool.POOL.submit(() -> part.accept(index));
    }
    Throwable failure = null;
    try {
      part.accept(0);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    for (ForkJoinTask<?> task : forked) {
      try {
        task.join();
      } catch (RuntimeException | Error e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    }
    if (failure != null) {
      throw (Error) failure;
    }
  }

  /**
   * Splits {@code length} into {@code parts} ranges whose boundaries are multiples of
   * {@code unit} (except the end): returns the start of range {@code i}.
   */
  static int split(int length, int unit, int parts, int i) {
    int units = (length + unit - 1) / unit;
    return Math.min(length, (int) ((long) units * i / parts) * unit);
  }
}
