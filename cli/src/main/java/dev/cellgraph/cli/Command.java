package dev.cellgraph.cli;

import java.io.PrintStream;

/**
 * A subcommand of the {@code cellgraph} program.
 *
 * <p>Implementations need not be thread-safe: {@link Main#run} makes new commands for every run.
 */
public interface Command {
  /**
   * The word that selects it, e.g. {@code run}.
   *
   * @return the name
   */
  String name();

  /**
   * One line for the program's help.
   *
   * @return the summary
   */
  String summary();

  /**
   * The full usage text.
   *
   * @return the usage text
   */
  String usage();

  /**
   * Runs the command and returns the exit status: 0 success, 1 a check that ran and failed, 2 a
   * usage or input mistake (thrown as {@link UsageException}).
   *
   * @param args the arguments after the command's name
   * @param out where results go
   * @param err where messages go
   * @return the exit status
   * @throws Exception an unexpected failure, which {@link Main} reports as an internal error (status 3)
   */
  int run(String[] args, PrintStream out, PrintStream err) throws Exception;

  /**
   * The options {@link #run} accepts: its parser's own table, found by handing it an option that no
   * command has ({@link Args#parse} refuses it, naming what it knows), so shell completion and the
   * help test cannot drift from the parser. Every command parses its arguments before doing
   * anything else.
   *
   * @return the options with a value and the flags
   */
  default UnknownOptionException.Known options() {
    try {
      run(new String[] {"--" + UnknownOptionException.PROBE}, NOWHERE, NOWHERE);
    } catch (UnknownOptionException e) {
      return e.known();
    } catch (Exception e) {
      throw new IllegalStateException(name() + " did not parse its options first: " + e, e);
    }
    throw new IllegalStateException(name() + " accepted the option --" + UnknownOptionException.PROBE);
  }

  /** Output nobody reads, for {@link #options}. */
  PrintStream NOWHERE = new PrintStream(java.io.OutputStream.nullOutputStream());
}
