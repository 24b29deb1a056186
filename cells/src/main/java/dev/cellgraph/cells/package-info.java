/**
 * Recurrent cells and layers. A {@link Cell} is one time step as a composite function: a
 * {@link FormulaCell} is built from formulas ({@link dev.cellgraph.cells.lang.CellSpec}), a
 * {@link BuiltinCell} is PyTorch's {@code nn.RNN}, {@code nn.LSTM} (optionally with
 * {@code proj_size}) or {@code nn.GRU} on its packed weights. {@link Recurrent} scans a cell over a
 * sequence (layers, directions, dropout between layers, PyTorch's parameter names),
 * {@link Unrolling} writes T steps out as T calls (for measuring and drawing), {@link Interop} is
 * the file contract with PyTorch behind {@code cellgraph run}, and {@link CellCheck}
 * gradient-checks a whole cell.
 */
package dev.cellgraph.cells;
