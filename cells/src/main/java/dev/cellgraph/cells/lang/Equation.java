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
  /**
   * Rejects null components.
   *
   * @param target the name of the defined state or intermediate value
   * @param spelling the target as the user wrote it, for display
   * @param expr the formula the target is set to
   * @param span where the equation is in the source
   */
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
