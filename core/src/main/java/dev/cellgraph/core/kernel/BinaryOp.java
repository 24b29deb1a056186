package dev.cellgraph.core.kernel;

/**
 * Elementwise functions of two arguments, with their exact scalar meaning.
 *
 * <p>Immutable and thread-safe: each constant is a pure function.
 */
public enum BinaryOp {
  ADD {
    @Override public double apply(double a, double b) { return a + b; }
    @Override public float apply(float a, float b) { return a + b; }
  },
  SUB {
    @Override public double apply(double a, double b) { return a - b; }
    @Override public float apply(float a, float b) { return a - b; }
  },
  MUL {
    @Override public double apply(double a, double b) { return a * b; }
    @Override public float apply(float a, float b) { return a * b; }
  },
  DIV {
    @Override public double apply(double a, double b) { return a / b; }
    @Override public float apply(float a, float b) { return a / b; }
  },
  MAX {
    @Override public double apply(double a, double b) { return Math.max(a, b); }
    @Override public float apply(float a, float b) { return Math.max(a, b); }
  },
  MIN {
    @Override public double apply(double a, double b) { return Math.min(a, b); }
    @Override public float apply(float a, float b) { return Math.min(a, b); }
  },
  /** 1 where a > b, else 0. */
  GREATER {
    @Override public double apply(double a, double b) { return a > b ? 1.0 : 0.0; }
    @Override public float apply(float a, float b) { return a > b ? 1f : 0f; }
  };

  public abstract double apply(double a, double b);

  public abstract float apply(float a, float b);
}
