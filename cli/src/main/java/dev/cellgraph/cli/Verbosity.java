package dev.cellgraph.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How much the program prints, set by the global options {@code --quiet} (errors and final
 * results only: no progress, no notices) and {@code --verbose} (also the kernels and GEMM
 * blocking chosen, and each scan the compiler declines, from the {@code dev.cellgraph} loggers).
 *
 * <p>Thread-safe: the level is the current run's (an inheritable thread-local, so the threads a
 * command starts see it too), set by {@link Main#run} and reset when it returns.
 */
enum Verbosity {
  QUIET, NORMAL, VERBOSE;

  private static final InheritableThreadLocal<Verbosity> CURRENT = new InheritableThreadLocal<>();
  private static final Logger ROOT = Logger.getLogger("dev.cellgraph");

  /** The level of the run on this thread ({@link #NORMAL} outside one). */
  static Verbosity current() {
    Verbosity v = CURRENT.get();
    return v == null ? NORMAL : v;
  }

  /** Whether progress and notices are printed. */
  static boolean normal() {
    return current() != QUIET;
  }

  static boolean verbose() {
    return current() == VERBOSE;
  }

  /**
   * Under {@code --verbose}, prints the kernels and the GEMM blocking chosen for this machine
   * ({@code Kernels.describe()}: vector width, caches, register tile, block sizes) and the thread
   * count, so a user on another CPU sees what the kernels were sized for.
   *
   * @param to where the line goes (the results' stream, or the messages' when results are read
   *     by a program)
   * @param threads the computation's kernel threads, or null for the default
   */
  static void printKernels(java.io.PrintStream to, Integer threads) {
    if (verbose()) {
      to.println("kernels: " + dev.cellgraph.core.kernel.Kernels.describe()
          + (threads != null ? "; " + threads + (threads == 1 ? " thread" : " threads") : ""));
    }
  }

  /** Runs {@code work} at this level, with the loggers of {@code dev.cellgraph} set to match. */
  <T> T during(java.util.concurrent.Callable<T> work) throws Exception {
    Verbosity before = CURRENT.get();
    Level level = ROOT.getLevel();
    boolean parents = ROOT.getUseParentHandlers();
    Handler handler = null;
    CURRENT.set(this);
    try {
      if (this == QUIET) {
        ROOT.setLevel(Level.WARNING);
      } else if (this == VERBOSE) {
        ROOT.setLevel(Level.FINE);
        handler = new ConsoleHandler();
        handler.setLevel(Level.FINE);
        ROOT.addHandler(handler);
        ROOT.setUseParentHandlers(false); // else the root's handler prints the INFO lines a second time
      }
      return work.call();
    } finally {
      if (handler != null) {
        ROOT.removeHandler(handler);
      }
      ROOT.setLevel(level);
      ROOT.setUseParentHandlers(parents);
      CURRENT.set(before);
    }
  }
}
