/**
 * Diagrams of recurrent cells: {@link CellDiagram} draws a cell from its formulas alone,
 * {@link Unrolled} writes T steps out as T calls for drawing a sequence, and {@code GradientFlow}
 * shows where gradients vanish along it. Each gives a {@link dev.cellgraph.render.Diagram}.
 */
package dev.cellgraph.render.cells;
