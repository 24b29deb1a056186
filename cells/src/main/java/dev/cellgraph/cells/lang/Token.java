package dev.cellgraph.cells.lang;

/**
 * One token of a cell's text; {@code value} is an {@link Ident}, a {@link Double}, an {@link Fn}, a
 * user function's canonical name ({@code USERFN}), a keyword, or for {@code SUM} ({@code \sum_i})
 * the summation index ({@code "i"}) or null.
 */
record Token(Kind kind, int start, int end, Object value) {
  enum Kind {
    IDENT, NUMBER, FUNC, USERFN, KEYWORD,
    PLUS, MINUS, STAR, SLASH, DOT, FRAC, CARET, SUM, DIAG,
    LPAREN, RPAREN, LBRACK, RBRACK, LBRACE, RBRACE,
    COMMA, SEMI, PERIOD, EQUALS, COLON, NEWLINE, EOF
  }

  /**
   * A name as written: its canonical form without time index, and its time index relative
   * to {@code t} ({@code h_{t-1}} is -1), or null when it has none; {@code primed} for {@code h'}; {@code transposed} for {@code W^T}, whose name is {@code W}.
   */
  record Ident(String name, Integer time, boolean primed, boolean transposed) {
    Ident(String name, Integer time, boolean primed) {
      this(name, time, primed, false);
    }
  }

  Ident ident() {
    return (Ident) value;
  }

  /** How a token is named in messages. */
  String describe(Source src) {
    return switch (kind) {
      case NEWLINE -> "the end of the line";
      case EOF -> "the end of the text";
      default -> "'" + src.text.substring(start, end).strip() + "'";
    };
  }
}
