/**
 * Diagrams of graphs: {@link Diagram} draws any graph as deterministic DOT (the same graph gives
 * the same bytes), and as SVG or PNG through graphviz-java, with layout hints from a
 * {@link DiagramStyle} and node labels typeset by {@link Labels}. Diagrams of cells are in
 * {@link dev.cellgraph.render.cells}. See {@code docs/rendering.md}.
 */
package dev.cellgraph.render;
