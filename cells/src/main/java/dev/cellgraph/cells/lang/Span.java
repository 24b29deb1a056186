package dev.cellgraph.cells.lang;

/**
 * Where a piece of a formula came from: the characters {@code [start, end)} of the source
 * text, and the line and column (both 1-based, columns counted in Unicode code points) of
 * its first character. Specs built in Java have no source and use {@link #NONE}.
 *
 * <p>Spans never take part in the equality of expressions or specs.
 *
 * <p>Immutable and thread-safe.
 */
public record Span(int start, int end, int line, int column) {

  /** The span of something that has no source text (built with {@link CellSpec#builder()}). */
  public static final Span NONE = new Span(0, 0, 0, 0);

  /**
   * Whether this span points into a source text.
   *
   * @return true if the span has a line, false for {@link #NONE}
   */
  public boolean isKnown() {
    return line > 0;
  }

  @Override
  public String toString() {
    return isKnown() ? line + ":" + column : "?";
  }
}
