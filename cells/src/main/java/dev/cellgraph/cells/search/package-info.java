/**
 * The search space over formula cells: {@link dev.cellgraph.cells.search.Mutation mutations} of
 * a cell's formulas, {@link dev.cellgraph.cells.search.Grammar random cells} from a grammar,
 * {@link dev.cellgraph.cells.search.Crossover crossover}, and the
 * {@link dev.cellgraph.cells.search.Canonical canonical form} whose hash is a candidate's identity.
 * Everything is seeded; nothing here trains (see the {@code search} module).
 */
package dev.cellgraph.cells.search;
