package dev.cellgraph.cells.lang;

import static java.util.Objects.requireNonNull;

import java.util.Objects;

/**
 * One definition of a cell: {@code target = expr}. The target is a state (whose new value
 * this is) or an intermediate value; {@code spelling} is how the user wrote it
 * ({@code C̃_t}, {@code \tilde{h}_t}, {@code h'}), for display. Equality ignores the
 * spelling and span.
 *
 * <p>Immutable and thread-safe.
 */
public record Equation(String target, String spelling, Expr expr, Span span) {
  /** Rejects null components. */
  public Equation {
    requireNonNull(target, "target");
    requireNonNull(spelling, "spelling");
    requireNonNull(expr, "expr");
    requireNonNull(span, "span");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Equation e && e.target.equals(target) && e.expr.equals(expr);
  }

  @Override
  public int hashCode() {
    return Objects.hash(target, expr);
  }

  @Override
  public String toString() {
    return target + " = " + expr;
  }
}
