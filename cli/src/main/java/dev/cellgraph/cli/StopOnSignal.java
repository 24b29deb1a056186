package dev.cellgraph.cli;

import dev.cellgraph.train.Trainer;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (SIGINT) or SIGTERM during a run: a shutdown hook asks the trainer to stop at the next
 * step boundary and waits until the command has saved the checkpoint and the metrics; the JVM
 * then exits with 128 + the signal's number (130 for SIGINT, 143 for SIGTERM).
 *
 * <p>Thread-safe: the hook runs on its own thread while the run goes on in the command's.
 */
final class StopOnSignal implements AutoCloseable {
  /** How long the hook waits for the step in progress and the saves; a hung step must not hang the exit. */
  static final long WAIT_SECONDS = 120;

  private final CountDownLatch saved = new CountDownLatch(1);
  private final Thread hook;
  private volatile boolean fired;

  StopOnSignal(Trainer trainer, boolean checkpoints, PrintStream err) {
    hook = new Thread(() -> {
      fired = true;
      err.println("cellgraph train: signal received; stopping at the next step boundary"
          + (checkpoints ? " to save a checkpoint" : " (no --checkpoint, so nothing can be resumed)"));
      trainer.requestStop("stopped by a signal");
      try {
        if (!saved.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
          err.println("cellgraph train: the step in progress did not end within " + WAIT_SECONDS
              + " s; exiting without saving");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "cellgraph-stop-on-signal");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Whether a signal asked the run to stop. */
  boolean fired() {
    return fired;
  }

  /** Lets the JVM exit: the run has stopped and everything is saved. */
  @Override
  public void close() {
    if (!fired) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // a signal arrived just now: the hook runs and finds everything saved
      }
    }
    saved.countDown();
  }
}
