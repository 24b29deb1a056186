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
 * @param spec the formulas
 * @param builtinName rnn, rnn-relu, lstm or gru for those names, else null
 * @param file the file it was read from, or null for a zoo cell or one rebuilt from a checkpoint
 * @param text the formulas as written, which checkpoints keep so that the file is not needed again
 */
record CellRef(String argument, String name, CellSpec spec, String builtinName, Path file, String text) {

  /** The option that gives named sizes beyond I and H: {@code --size P=64} or {@code --size P=64,Q=8}. */
  static final String SIZE = "size";
  /** What the option is in a usage line. */
  static final String SIZE_USAGE = "[--size NAME=N[,NAME=N...]]";

  static CellRef resolve(String arg) {
    return resolve(arg, Map.of());
  }

  /** The named sizes of {@code --size} (none if absent). */
  static Map<String, Integer> sizes(Args a) {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    if (!a.has(SIZE)) {
      return sizes;
    }
    for (String item : a.get(SIZE).split(",", -1)) {
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

  /** A zoo name or a {@code .cell} file, with named sizes ({@code --size}) for the cells that declare them. */
  static CellRef resolve(String arg, Map<String, Integer> sizes) {
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
      return new CellRef(arg, n, spec, null, p, text);
    }
    if (!Zoo.contains(arg)) {
      String hint = Suggest.ON_COMMAND_LINE.closest(arg, Zoo.names());
      throw new UsageException("unknown cell '" + arg + "'" + (hint != null ? "; did you mean '" + hint + "'?" : "")
          + " (a zoo name: " + String.join(", ", Zoo.names()) + "; or a .cell file)");
    }
    boolean builtin = arg.equals("rnn") || arg.equals("rnn-relu") || arg.equals("lstm") || arg.equals("gru");
    return new CellRef(arg, arg, Zoo.load(arg, sizes), builtin ? arg : null, null, Zoo.text(arg));
  }

  /**
   * The cell a checkpoint or {@code config.json} recorded: the built-in of that name, or the
   * formulas it kept (the {@code .cell} file it came from may be gone); {@code origin} names the
   * record for errors.
   */
  static CellRef recorded(String name, String builtinName, String text, String origin) {
    if (builtinName != null) {
      return resolve(builtinName);
    }
    return new CellRef(name, name, CellSpec.parse(text, origin + " (cell " + name + ")"), null, null, text);
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
