package dev.cellgraph.cells.lang;

/**
 * How a cell was written, as detected from its text.
 *
 * <p>Immutable and thread-safe.
 */
public enum Notation {
  /** LaTeX commands ({@code \sigma}, {@code \tilde{h}}) or display math ({@code $$}). */
  LATEX,
  /** No LaTeX, but Unicode symbols ({@code σ}, {@code ⊙}, {@code C̃}). */
  UNICODE,
  /** Plain ASCII. */
  ASCII,
  /** Built in Java with {@link CellSpec#builder()}. */
  BUILDER
}
