package dev.cellgraph.cli;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Suggest;
import dev.cellgraph.core.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
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
 * 3 an internal error (one line, and the trace in a file or, with {@code --debug}, on stderr) or
 * no memory left.
 *
 * <p>Thread-safe: {@link #run} makes new commands on every call and keeps no state between calls.
 */
public final class Main {
  private Main() {}

  /** Every subcommand, in the order the help lists them. */
  static List<Command> commands() {
    List<Command> cs = new ArrayList<>();
    cs.addAll(Commands.all());
    return cs;
  }

  /**
   * Runs {@code cellgraph} with these arguments and exits with its status.
   *
   * @param argv the command line
   */
  public static void main(String[] argv) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(argv, out, err));
  }

  /** The options that apply to every command, given anywhere on the line. */
  static final List<String> GLOBAL_OPTIONS = List.of("--debug", "--quiet", "-q", "--verbose");

  /**
   * Runs the program with the given arguments, returning its exit status (for tests).
   *
   * @param argv the command line
   * @param out where results go
   * @param err where messages go
   * @return the exit status: 0, 1, 2 or 3
   */
  public static int run(String[] argv, PrintStream out, PrintStream err) {
    List<String> given = Arrays.asList(argv);
    boolean quiet = given.contains("--quiet") || given.contains("-q");
    boolean verbose = given.contains("--verbose");
    if (quiet && verbose) {
      err.println("cellgraph: --quiet and --verbose contradict each other; give one");
      return 2;
    }
    // --debug, anywhere on the line, prints the stack trace of an internal error
    boolean debug = given.contains("--debug") || "1".equals(System.getenv("CELLGRAPH_DEBUG"));
    String[] args = given.stream().filter(a -> !GLOBAL_OPTIONS.contains(a)).toArray(String[]::new);
    Verbosity level = quiet ? Verbosity.QUIET : verbose ? Verbosity.VERBOSE : Verbosity.NORMAL;
    try {
      return level.during(() -> run(args, debug, out, err));
    } catch (Exception e) {
      return internalError("", e, debug, err); // run catches everything itself
    }
  }

  private static int run(String[] argv, boolean debug, PrintStream out, PrintStream err) {
    Map<String, Command> byName = new LinkedHashMap<>();
    for (Command c : commands()) {
      byName.put(c.name(), c);
    }
    if (argv.length >= 1 && (argv[0].equals("--version") || argv[0].equals("-V"))) {
      if (argv.length > 1) {
        err.println("cellgraph: " + argv[0] + " takes nothing after it, not '" + argv[1] + "'");
        return 2;
      }
      out.println("cellgraph " + version() + " (Java " + Runtime.version().feature() + ", kernels: "
          + dev.cellgraph.core.kernel.Kernels.implementation() + ")");
      return 0;
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
      String hint = Suggest.ON_COMMAND_LINE.closest(argv[0], byName.keySet());
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
    } catch (UsageException | InvalidInputException e) {
      // a mistake in the command line or in the user's files: the message names it
      err.println("cellgraph " + c.name() + ": " + e.getMessage());
      return 2;
    } catch (IOException | UncheckedIOException e) {
      err.println("cellgraph " + c.name() + ": " + e.getMessage());
      return 2;
    } catch (OutOfMemoryError e) {
      err.println("cellgraph " + c.name() + ": out of memory (the JVM's heap is "
          + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB); give it more with CELLGRAPH_JAVA_OPTS=-Xmx8g,"
          + " or make the run smaller");
      return 3;
    } catch (Exception | StackOverflowError e) {
      return internalError(c.name(), e, debug, err);
    }
  }

  /**
   * Reports a fault of cellgraph itself, not of the user: one line that says so, and the stack
   * trace in a file (or on stderr under {@code --debug}) for the bug report.
   */
  static int internalError(String command, Throwable e, boolean debug, PrintStream err) {
    String what = e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + firstLine(e.getMessage()) : "");
    if (debug) {
      err.println("cellgraph " + command + ": internal error (" + what + "); this is a bug in cellgraph,"
          + " please report it with this trace:");
      e.printStackTrace(err);
      return 3;
    }
    String where;
    try {
      StringWriter sw = new StringWriter();
      e.printStackTrace(new PrintWriter(sw));
      Path file = Path.of(System.getProperty("java.io.tmpdir"),
          "cellgraph-error-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis() + ".txt");
      AtomicFiles.writeString(file, "cellgraph " + command + "\n" + sw);
      where = "with the trace in " + file;
    } catch (IOException | RuntimeException io) {
      where = "with the trace that --debug prints";
    }
    err.println("cellgraph " + command + ": internal error (" + what + "); this is a bug in cellgraph, please report it "
        + where);
    return 3;
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    String line = nl >= 0 ? s.substring(0, nl) : s;
    return line.length() > 300 ? line.substring(0, 300) + "..." : line;
  }

  /** The version the build wrote into {@code version.properties}. */
  static String version() {
    try (java.io.InputStream in = Main.class.getResourceAsStream("version.properties")) {
      java.util.Properties p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  static String help(Map<String, Command> cs) {
    StringBuilder sb = new StringBuilder();
    sb.append("cellgraph: recurrent cells from their gate formulas, with gradients and diagrams\n\n");
    sb.append("usage: cellgraph COMMAND [options]    (cellgraph COMMAND --help for its options)\n\ncommands:\n");
    for (Command c : cs.values()) {
      sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
    }
    sb.append("\nglobal options (anywhere on the line):\n"
        + "  --quiet, -q   errors and final results only (no progress, no notices)\n"
        + "  --verbose     also the kernels and GEMM blocking chosen, and each scan the compiler declines\n"
        + "  --debug       the stack trace of an internal error\n"
        + "  --version     the version (alone)\n"
        + "Shell completion: eval \"$(cellgraph completion bash)\" (or zsh).\n");
    return sb.toString().stripTrailing();
  }
}
