package dev.cellgraph.examples;

import dev.cellgraph.cells.BuiltinCell;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.examples.cli.UsageException;

/**
 * What a CELL argument names: one of PyTorch's built-in cells ({@code rnn}, {@code lstm},
 * {@code gru}), a zoo cell, or a {@code .cell} file.
 */
record CellRef(String argument, String builtinName, Cell formulaCell) {

  static CellRef resolve(String arg) {
    if (arg.equals("rnn") || arg.equals("lstm") || arg.equals("gru") || arg.equals("rnn-relu")) {
      return new CellRef(arg, arg.equals("rnn-relu") ? "rnn" : arg, null);
    }
    throw new UsageException("unknown cell '" + arg + "': expected rnn, lstm or gru");
  }

  /** The cell this reference names: the formula cell, or the built-in one (with bias). */
  Cell cell() {
    return formulaCell != null ? formulaCell : builtin();
  }

  /** The built-in cell (with bias) this reference names, or null for a formula cell. */
  BuiltinCell builtin() {
    return builtinName == null ? null : BuiltinCell.named(argument, true);
  }
}
