package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;

/**
 * The parse tree before names are resolved: a {@link Name} may still become the input, a
 * state, an intermediate or a parameter, and a {@link Prod} (juxtaposition, {@code ·},
 * {@code @}) becomes a matrix product only when its left operand is a parameter.
 * {@code height} bounds every later recursive walk.
 */
sealed interface Raw {
  int start();

  int end();

  int height();

  record Name(Token token, int start, int end, int height) implements Raw {}

  record Num(double value, int start, int end, int height) implements Raw {}

  record Call(Fn fn, Raw arg, int start, int end, int height) implements Raw {}

  record Bin(Expr.BinaryOp op, Raw left, Raw right, int start, int end, int height) implements Raw {}

  record Prod(Raw left, Raw right, int start, int end, int height) implements Raw {}

  record Neg(Raw operand, int start, int end, int height) implements Raw {}

  /** A function the text defines, applied: {@code LN(W_h h; \alpha_1, \beta_1)}; {@code params} may be empty. */
  record UserCall(Token name, ImmutableList<Raw> args, ImmutableList<Token> params, int start, int end, int height)
      implements Raw {}

  /** Part {@code index} of {@code count} equal parts of a tuple target's whole value. */
  record Part(Raw whole, int index, int count, int start, int end, int height) implements Raw {}

  record Cat(ImmutableList<Raw> parts, int start, int end, int height) implements Raw {}

  /** Parentheses (or braces, or one-element square brackets): kept so spans include them. */
  record Group(Raw inner, int start, int end, int height) implements Raw {}

  static Raw unwrap(Raw r) {
    while (r instanceof Group g) {
      r = g.inner();
    }
    return r;
  }
}
