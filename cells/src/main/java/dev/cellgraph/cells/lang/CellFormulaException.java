package dev.cellgraph.cells.lang;

import dev.cellgraph.core.InvalidInputException;

/**
 * An invalid cell: a syntax error, an inconsistent use of names, a cycle or a shape conflict.
 *
 * <p>The message names the source, line and column, repeats the offending line and puts a
 * caret under the place, for example:
 *
 * <pre>
 * gru.cell:3:24: shape mismatch in 'r * (U_n h)': r is [256], U_n h is [128]
 *   n = tanh(W_n x + r * (U_n h) + b_n)
 *                        ^
 * </pre>
 *
 * The source line is printed as written (tabs kept, so the caret lines up). Errors in specs
 * built in Java have no line: their message is just {@code <builder>: what is wrong}.
 *
 * <p>Thread-safe as any exception is: it adds only final fields, so it may be handed to another
 * thread once thrown.
 */
public final class CellFormulaException extends InvalidInputException {
  private static final long serialVersionUID = 1L;

  /** The name of the source (file name or {@code <builder>}). */
  private final String sourceName;
  /** The 1-based line of the error, or 0 when the spec has no source. */
  private final int line;
  /** The 1-based column of the error, or 0 when the spec has no source. */
  private final int column;
  /** The offending line as written, or null. */
  private final String sourceLine;
  /** What is wrong, without the location. */
  private final String detail;

  CellFormulaException(String sourceName, int line, int column, String sourceLine, String detail) {
    super(format(sourceName, line, column, sourceLine, detail));
    this.sourceName = sourceName;
    this.line = line;
    this.column = column;
    this.sourceLine = sourceLine;
    this.detail = detail;
  }

  private static String format(String name, int line, int column, String text, String detail) {
    if (line <= 0 || text == null) {
      return name + ": " + detail;
    }
    StringBuilder caret = new StringBuilder();
    int cp = 0;
    for (int i = 0; i < text.length() && cp < column - 1; ) {
      int c = text.codePointAt(i);
      if (c == '\t') {
        caret.append('\t');
      } else if (Character.getType(c) != Character.NON_SPACING_MARK) {
        caret.append(' '); // a combining mark takes no column on screen
      }
      i += Character.charCount(c);
      cp++;
    }
    return name + ":" + line + ":" + column + ": " + detail + "\n" + text + "\n" + caret + "^";
  }

  /**
   * The file name, {@code <string>} for text parsed without a name, {@code <builder>} for Java-built specs.
   *
   * @return the source's name
   */
  public String sourceName() {
    return sourceName;
  }

  /**
   * The 1-based line of the error, or 0 when there is no source text.
   *
   * @return the error's line, or 0
   */
  public int line() {
    return line;
  }

  /**
   * The 1-based column (in code points) of the error, or 0 when there is no source text.
   *
   * @return the error's column, or 0
   */
  public int column() {
    return column;
  }

  /**
   * The source line the error is on, or the empty string when there is no source text.
   *
   * @return the offending line as written, or {@code ""}
   */
  public String sourceLine() {
    return sourceLine == null ? "" : sourceLine;
  }

  /**
   * What is wrong, without the location: {@code shape mismatch in 'r * (U_n h)': ...}.
   *
   * @return the message without its location
   */
  public String detail() {
    return detail;
  }

  /** The same as {@link #getMessage()}: the located message is all a user needs to see. */
  @Override
  public String toString() {
    return getMessage();
  }
}
