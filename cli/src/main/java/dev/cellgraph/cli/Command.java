package dev.cellgraph.cli;

import java.io.PrintStream;

/**
 * A subcommand of the {@code cellgraph} program.
 *
 * <p>Implementations need not be thread-safe: {@link Main#run} makes new commands for every run.
 */
public interface Command {
  /** The word that selects it, e.g. {@code run}. */
  String name();

  /** One line for the program's help. */
  String summary();

  /** The full usage text. */
  String usage();

  /**
   * Runs the command and returns the exit status: 0 success, 1 a check that ran and failed, 2 a
   * usage or input mistake (thrown as {@link UsageException}).
   */
  int run(String[] args, PrintStream out, PrintStream err) throws Exception;
}
