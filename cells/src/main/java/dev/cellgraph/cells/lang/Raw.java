package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import java.util.List;

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

  /** A function applied to its arguments; {@code index} is the summation index of {@code \sum_i} (else null). */
  record Call(Fn fn, ImmutableList<Raw> args, String index, int start, int end, int height) implements Raw {
    Raw arg() {
      return args.get(0);
    }
  }

  /** A value to a constant power, evaluated by the parser. */
  record Pow(Raw base, double exponent, int start, int end, int height) implements Raw {}

  /** {@code \mathrm{diag}(w)}: a diagonal matrix, which may only multiply a vector. */
  record Diag(Raw arg, int start, int end, int height) implements Raw {}

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

  /** The direct sub-trees, left to right. */
  static List<Raw> children(Raw r) {
    if (r instanceof Call c) {
      return c.args();
    } else if (r instanceof Bin b) {
      return List.of(b.left(), b.right());
    } else if (r instanceof Prod p) {
      return List.of(p.left(), p.right());
    } else if (r instanceof Neg g) {
      return List.of(g.operand());
    } else if (r instanceof Cat c) {
      return c.parts();
    } else if (r instanceof Group g) {
      return List.of(g.inner());
    } else if (r instanceof Pow w) {
      return List.of(w.base());
    } else if (r instanceof Diag d) {
      return List.of(d.arg());
    } else if (r instanceof UserCall u) {
      return u.args();
    } else if (r instanceof Part t) {
      return List.of(t.whole());
    }
    return List.of();
  }

  static Raw unwrap(Raw r) {
    while (r instanceof Group g) {
      r = g.inner();
    }
    return r;
  }
}
