/**
 * The formula language of cells: {@link CellSpec#parse(String)} reads a {@code .cell} text (LaTeX,
 * Unicode or ASCII) into an immutable specification of equations ({@link Equation}, {@link Expr})
 * and parameters ({@link Parameter}, shaped by {@link Dim}s), with shapes inferred for any sizes
 * ({@link ShapeInfo}); errors are {@link CellFormulaException}s located at file, line and column.
 * {@link Fn} is the one table of functions a formula may apply, and {@link Zoo} holds the cells
 * shipped with cellgraph. See {@code docs/cell-language.md}.
 */
package dev.cellgraph.cells.lang;
