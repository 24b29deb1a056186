/**
 * Diagrams of recurrent cells: {@link CellDiagram} draws a cell from its formulas alone,
 * {@link Unrolled} draws T steps written out as T calls, and {@code GradientFlowDiagram} shows
 * where gradients vanish along them. Each gives a {@link dev.cellgraph.render.Diagram}.
 */
package dev.cellgraph.render.cells;
