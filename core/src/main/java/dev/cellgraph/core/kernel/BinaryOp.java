package dev.cellgraph.core.kernel;

/**
 * Elementwise functions of two arguments, with their exact scalar meaning.
 *
 * <p>Immutable and thread-safe: each constant is a pure function.
 */
public enum BinaryOp {
  /** {@code a + b}. */
  ADD {
    @Override public double apply(double a, double b) { return a + b; }
    @Override public float apply(float a, float b) { return a + b; }
  },
  /** {@code a - b}. */
  SUB {
    @Override public double apply(double a, double b) { return a - b; }
    @Override public float apply(float a, float b) { return a - b; }
  },
  /** {@code a * b}. */
  MUL {
    @Override public double apply(double a, double b) { return a * b; }
    @Override public float apply(float a, float b) { return a * b; }
  },
  /** {@code a / b}. */
  DIV {
    @Override public double apply(double a, double b) { return a / b; }
    @Override public float apply(float a, float b) { return a / b; }
  },
  /** The larger of a and b ({@link Math#max}: NaN if either is NaN). */
  MAX {
    @Override public double apply(double a, double b) { return Math.max(a, b); }
    @Override public float apply(float a, float b) { return Math.max(a, b); }
  },
  /** The smaller of a and b ({@link Math#min}: NaN if either is NaN). */
  MIN {
    @Override public double apply(double a, double b) { return Math.min(a, b); }
    @Override public float apply(float a, float b) { return Math.min(a, b); }
  },
  /** 1 where a > b, else 0. */
  GREATER {
    @Override public double apply(double a, double b) { return a > b ? 1.0 : 0.0; }
    @Override public float apply(float a, float b) { return a > b ? 1f : 0f; }
  };

  /**
   * This function in float64.
   *
   * @param a the left operand
   * @param b the right operand
   * @return the function's value at {@code (a, b)}, in double precision
   */
  public abstract double apply(double a, double b);

  /**
   * This function in float32.
   *
   * @param a the left operand
   * @param b the right operand
   * @return the function's value at {@code (a, b)}, computed and rounded in float precision
   */
  public abstract float apply(float a, float b);
}
