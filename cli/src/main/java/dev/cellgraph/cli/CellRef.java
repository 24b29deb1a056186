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

  static CellRef resolve(String arg) {
    if (arg.endsWith(".cell") || arg.contains("/") || arg.contains("\\")) {
      Path p = Paths.get(arg);
      if (!Files.isRegularFile(p)) {
        throw new UsageException("the cell file " + arg + " does not exist or is not a file");
      }
      CellSpec spec;
      String text;
      try {
        spec = CellSpec.parse(p);
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
    return new CellRef(arg, arg, Zoo.load(arg), builtin ? arg : null, null, Zoo.text(arg));
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
