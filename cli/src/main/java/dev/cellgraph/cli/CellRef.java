package dev.cellgraph.cli;

import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.Suggest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a CELL argument names: a zoo cell ({@code gru}, {@code lstm-cifg}, ...) or a {@code .cell}
 * file. The names {@code rnn}, {@code rnn-relu}, {@code lstm} and {@code gru} are also PyTorch's
 * built-in cells: {@link #cell()} gives the hand-written built-in for them (same equations,
 * PyTorch's packed parameters) and the formula cell for everything else.
 *
 * @param argument what the user typed
 * @param name the cell's name: the zoo name, or the file name without {@code .cell}
 * @param spec the formulas, with the sizes and constants below
 * @param builtinName rnn, rnn-relu, lstm or gru for those names, else null
 * @param file the file it was read from, or null for a zoo cell or one rebuilt from a checkpoint
 * @param text the formulas as written, which checkpoints keep so that the file is not needed again
 * @param sizes the named sizes given from outside the text ({@code --size}), which checkpoints keep too
 * @param constants the constants given from outside the text ({@code --set}), by canonical name,
 *     which checkpoints keep too
 */
record CellRef(String argument, String name, CellSpec spec, String builtinName, Path file, String text,
    Map<String, Integer> sizes, Map<String, Double> constants) {

  /** The option that gives named sizes beyond I and H: {@code --size P=64} or {@code --size P=64,Q=8}. */
  static final String SIZE = "size";
  /** What the option is in a usage line. */
  static final String SIZE_USAGE = "[--size NAME=N[,NAME=N...]]";
  /** The option that gives a cell's constants: {@code --set beta=2.5} or {@code --set beta=2,epsilon=1e-3}. */
  static final String SET = "set";
  /** What the option is in a usage line. */
  static final String SET_USAGE = "[--set NAME=V[,NAME=V...]]";
  /** The two usage lines of {@code --size} and {@code --set}, as the commands that take a cell list them. */
  static final String OPTIONS_USAGE = String.join("\n",
      "    " + SIZE_USAGE + "  (named sizes of a cell that declares them, as state r : [P])",
      "    " + SET_USAGE + "   (values of the cell's constants, as \\beta = 1: --set beta=2.5)");

  /** The pattern of a decimal number (Double.parseDouble would also take NaN, Infinity, hex and a 'd' suffix). */
  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

  CellRef {
    // in order as given, for config.json and messages; unmodifiable because a record's maps are its value
    sizes = Collections.unmodifiableMap(new LinkedHashMap<>(sizes));
    constants = Collections.unmodifiableMap(new LinkedHashMap<>(constants));
  }

  static CellRef resolve(String arg) {
    return resolve(arg, Map.of(), Map.of());
  }

  /** A CELL argument with the named sizes of {@code --size} and the constants of {@code --set} in {@code a}. */
  static CellRef resolve(String arg, Args a) {
    return resolve(arg, sizes(a), constants(a));
  }

  /** The named sizes of {@code --size} (none if absent). */
  static Map<String, Integer> sizes(Args a) {
    return a.has(SIZE) ? sizes(a.get(SIZE)) : new LinkedHashMap<>();
  }

  /** The named sizes of a value of {@code --size}: {@code P=64,Q=8}. */
  static Map<String, Integer> sizes(String value) {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (String item : value.split(",", -1)) {
      String[] kv = item.split("=", -1);
      if (kv.length != 2 || !kv[0].strip().matches("[A-Z][A-Za-z0-9]*") || kv[0].strip().equals("I")
          || kv[0].strip().equals("H") || !kv[1].strip().matches("[0-9]{1,9}") || Integer.parseInt(kv[1].strip()) < 1) {
        throw new UsageException("--size takes NAME=N[,NAME=N...] (an upper-case name other than I and H, and a whole"
            + " number from 1 to 999999999), as in --size P=64; found '" + item + "'");
      }
      if (sizes.put(kv[0].strip(), Integer.parseInt(kv[1].strip())) != null) {
        throw new UsageException("--size gives " + kv[0].strip() + " twice");
      }
    }
    return sizes;
  }

  /**
   * The constants of {@code --set} (none if absent), by canonical name: {@code beta}, {@code \beta}
   * and {@code β} all name the constant {@code \beta = 1} of a cell. Whether the cell has such a
   * constant is the formula language's to say, when the cell is read with them.
   */
  static Map<String, Double> constants(Args a) {
    return a.has(SET) ? constants(a.get(SET)) : new LinkedHashMap<>();
  }

  /** The constants of a value {@code option} of {@code --set}: {@code beta=2.5,epsilon=1e-3}. */
  static Map<String, Double> constants(String option) {
    Map<String, Double> constants = new LinkedHashMap<>();
    Map<String, String> spelled = new LinkedHashMap<>();
    for (String item : option.split(",", -1)) {
      String[] kv = item.split("=", -1);
      if (kv.length != 2 || kv[0].isBlank()) {
        throw new UsageException("--set takes NAME=V[,NAME=V...] (a constant of the cell, spelled as in the cell or"
            + " as beta, \\beta or β, and a number), as in --set beta=2.5; found '" + item + "'");
      }
      String name;
      try {
        name = CellSpec.canonicalName(kv[0].strip());
      } catch (IllegalArgumentException e) {
        throw new UsageException("--set " + item.strip() + ": " + e.getMessage());
      }
      String v = kv[1].strip();
      if (!NUMBER.matcher(v).matches()) {
        throw new UsageException("--set " + item.strip() + ": '" + v + "' is not a number (such as 2, 0.5 or 1e-3)");
      }
      double value = Double.parseDouble(v);
      if (!Double.isFinite(value)) {
        throw new UsageException("--set " + item.strip() + ": " + v + " is too large for a number");
      }
      String before = spelled.put(name, kv[0].strip());
      if (before != null) {
        throw new UsageException("--set gives " + name + " twice" + (before.equals(kv[0].strip()) ? ""
            : " (as " + before + " and " + kv[0].strip() + ")"));
      }
      constants.put(name, value);
    }
    return constants;
  }

  /** A zoo name or a {@code .cell} file, with named sizes ({@code --size}) for the cells that declare them. */
  static CellRef resolve(String arg, Map<String, Integer> sizes) {
    return resolve(arg, sizes, Map.of());
  }

  /**
   * A zoo name or a {@code .cell} file, with named sizes ({@code --size}) for the cells that declare
   * them and values for their constants ({@code --set}, by canonical name).
   */
  static CellRef resolve(String arg, Map<String, Integer> sizes, Map<String, Double> constants) {
    if (arg.endsWith(".cell") || arg.contains("/") || arg.contains("\\")) {
      Path p = Paths.get(arg);
      if (!Files.isRegularFile(p)) {
        throw new UsageException("the cell file " + arg + " does not exist or is not a file");
      }
      CellSpec spec;
      String text;
      try {
        spec = CellSpec.parse(p, sizes);
        text = Files.readString(p); // parse checked that it is UTF-8 of a bounded size
      } catch (IOException e) {
        throw new UsageException("cannot read the cell file " + arg + ": " + e.getMessage());
      }
      String n = p.getFileName().toString();
      if (n.endsWith(".cell")) {
        n = n.substring(0, n.length() - 5);
      }
      return new CellRef(arg, n, withConstants(spec, constants), null, p, text, sizes, constants);
    }
    if (!Zoo.contains(arg)) {
      String hint = Suggest.ON_COMMAND_LINE.closest(arg, Zoo.names());
      throw new UsageException("unknown cell '" + arg + "'" + (hint != null ? "; did you mean '" + hint + "'?" : "")
          + " (a zoo name: " + String.join(", ", Zoo.names()) + "; or a .cell file)");
    }
    boolean builtin = arg.equals("rnn") || arg.equals("rnn-relu") || arg.equals("lstm") || arg.equals("gru");
    return new CellRef(arg, arg, withConstants(Zoo.load(arg, sizes), constants), builtin ? arg : null, null,
        Zoo.text(arg), sizes, constants);
  }

  /** A constant's value as a user writes it: {@code 2}, {@code 2.5}, {@code 0.00001}, {@code 1E-10}. */
  static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v)
        : java.math.BigDecimal.valueOf(v).stripTrailingZeros().toString();
  }

  private static CellSpec withConstants(CellSpec spec, Map<String, Double> constants) {
    return constants.isEmpty() ? spec : spec.withConstants(constants);
  }

  /**
   * The cell a checkpoint or {@code config.json} recorded: the built-in of that name, or the
   * formulas it kept (the {@code .cell} file it came from may be gone), with the named sizes and
   * constants it was given; {@code origin} names the record for errors.
   */
  static CellRef recorded(String name, String builtinName, String text, Map<String, Integer> sizes,
      Map<String, Double> constants, String origin) {
    if (builtinName != null) {
      return resolve(builtinName, sizes, constants);
    }
    CellSpec spec = CellSpec.parse(text, origin + " (cell " + name + ")", sizes, constants);
    return new CellRef(name, name, spec, null, null, text, sizes, constants);
  }

  /** The cell made from the formulas. */
  FormulaCell formulaCell() {
    return FormulaCell.of(name, spec);
  }

  /** The built-in for rnn, rnn-relu, lstm and gru (with biases), else the formula cell. */
  Cell cell() {
    return builtinName != null ? BuiltinCell.named(builtinName, true) : formulaCell();
  }

  /** Where the formulas come from, for messages: the file, or {@code zoo:NAME}. */
  String origin() {
    return file != null ? file.toString() : "zoo:" + name;
  }
}
