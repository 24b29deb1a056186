package dev.cellgraph.core.kernel;

/**
 * Elementwise functions of one argument. Each constant states its exact meaning as a scalar
 * function; the plain kernels apply it as written and the vectorized kernels must agree with it
 * to within float rounding.
 *
 * <p>Immutable and thread-safe: each constant is a pure function.
 */
public enum UnaryOp {
  /** {@code -x}. */
  NEG {
    @Override public double apply(double x) { return -x; }
  },
  /** {@code e^x}. */
  EXP {
    @Override public double apply(double x) { return Math.exp(x); }
  },
  /** The natural logarithm. */
  LOG {
    @Override public double apply(double x) { return Math.log(x); }
  },
  /** The hyperbolic tangent. */
  TANH {
    @Override public double apply(double x) { return Math.tanh(x); }
  },
  /** The logistic function 1 / (1 + e^-x), evaluated without overflow for large |x|. */
  SIGMOID {
    @Override public double apply(double x) {
      if (x >= 0) {
        return 1.0 / (1.0 + Math.exp(-x));
      }
      double e = Math.exp(x);
      return e / (1.0 + e);
    }
  },
  /** {@code max(x, 0)}. */
  RELU {
    @Override public double apply(double x) { return x > 0 ? x : 0.0; }
  },
  /** log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so that it never overflows. */
  SOFTPLUS {
    @Override public double apply(double x) { return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x))); }
  },
  /** x / (1 + |x|). */
  SOFTSIGN {
    @Override public double apply(double x) { return x / (1.0 + Math.abs(x)); }
  },
  /** {@code |x|}. */
  ABS {
    @Override public double apply(double x) { return Math.abs(x); }
  },
  /** {@code x * x}. */
  SQUARE {
    @Override public double apply(double x) { return x * x; }
  },
  /** The square root (NaN for negative x). */
  SQRT {
    @Override public double apply(double x) { return Math.sqrt(x); }
  },
  /** {@code 1 / x}. */
  RECIPROCAL {
    @Override public double apply(double x) { return 1.0 / x; }
  },
  /** The error function 2/√π ∫₀ˣ e^(-t²) dt (Commons Math; about 1e-15 relative), for the exact GELU. */
  ERF {
    @Override public double apply(double x) { return org.apache.commons.math3.special.Erf.erf(x); }
  },
  /** -1, 0 or 1 (0 for zero and NaN stays NaN), the derivative of {@code abs} away from zero. */
  SIGN {
    @Override public double apply(double x) { return Math.signum(x); }
  },
  /** 1 where x > 0, else 0: the derivative of {@code relu}. */
  STEP {
    @Override public double apply(double x) { return x > 0 ? 1.0 : 0.0; }
  };

  /**
   * The function in double precision.
   *
   * @param x the argument
   * @return the function's value at {@code x}
   */
  public abstract double apply(double x);

  /**
   * The function in single precision: computed in double, rounded once.
   *
   * @param x the argument
   * @return the double-precision value at {@code x}, rounded to float
   */
  public float apply(float x) {
    return (float) apply((double) x);
  }
}
