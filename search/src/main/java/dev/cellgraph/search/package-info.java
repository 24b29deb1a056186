/**
 * Variant search over formula cells: {@link dev.cellgraph.search.Trial trials}, their
 * {@link dev.cellgraph.search.Evaluator evaluation}, strategies, and the
 * {@link dev.cellgraph.search.Backend back ends} they run on.
 */
package dev.cellgraph.search;
