package dev.cellgraph.examples;

import dev.cellgraph.examples.cli.Command;
import dev.cellgraph.examples.cli.Suggest;
import dev.cellgraph.examples.cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code cellgraph} command-line program. Exit status: 0 success, 1 a check that ran and
 * failed, 2 a mistake in the command line or the user's files (a message, never a stack trace),
 * 3 an internal error.
 */
public final class Main {
  private Main() {}

  /** Every subcommand, in the order the help lists them. */
  static List<Command> commands() {
    List<Command> cs = new ArrayList<>();
    cs.addAll(Commands.all());
    return cs;
  }

  public static void main(String[] argv) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(argv, out, err));
  }

  /** Runs the program with the given arguments, returning its exit status (for tests). */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    Map<String, Command> byName = new LinkedHashMap<>();
    for (Command c : commands()) {
      byName.put(c.name(), c);
    }
    if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
      if (argv.length >= 2 && byName.containsKey(argv[1])) {
        out.println(byName.get(argv[1]).usage());
        return 0;
      }
      out.println(help(byName));
      return argv.length == 0 ? 2 : 0;
    }
    Command c = byName.get(argv[0]);
    if (c == null) {
      String hint = Suggest.closest(argv[0], byName.keySet());
      err.println("cellgraph: unknown command '" + argv[0] + "'" + (hint != null ? "; did you mean '" + hint + "'?" : "")
          + "\nRun 'cellgraph --help' for the list of commands.");
      return 2;
    }
    String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
    if (rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("-h"))) {
      out.println(c.usage());
      return 0;
    }
    try {
      return c.run(rest, out, err);
    } catch (UsageException e) {
      err.println("cellgraph " + c.name() + ": " + e.getMessage());
      return 2;
    } catch (IllegalArgumentException e) {
      // a user's value the library rejected: its message names what is wrong
      err.println("cellgraph " + c.name() + ": " + e.getMessage());
      return 2;
    } catch (IOException | UncheckedIOException e) {
      err.println("cellgraph " + c.name() + ": " + e.getMessage());
      return 2;
    } catch (Exception | StackOverflowError | OutOfMemoryError e) {
      err.println("cellgraph " + c.name() + ": internal error, please report it:");
      e.printStackTrace(err);
      return 3;
    }
  }

  static String help(Map<String, Command> cs) {
    StringBuilder sb = new StringBuilder();
    sb.append("cellgraph: recurrent cells from their gate formulas, with gradients and diagrams\n\n");
    sb.append("usage: cellgraph COMMAND [options]    (cellgraph COMMAND --help for its options)\n\ncommands:\n");
    for (Command c : cs.values()) {
      sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
    }
    return sb.toString().stripTrailing();
  }
}
