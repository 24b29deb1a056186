package dev.cellgraph.cells.lang;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * One dimension of a shape, as a function of the input size I and hidden size H:
 * {@code i·I + h·H + c}. Shape inference works on these forms, so a parameter's shape is
 * known for every size at once ({@code W_f} in {@code W_f · [h_{t-1}, x_t]} is
 * {@code [H, H+I]}) and {@link #eval} gives the numbers for one pair of sizes.
 *
 * <p>Immutable and thread-safe.
 */
public record Dim(long i, long h, long c) {
  /** The input size. */
  public static final Dim I = new Dim(1, 0, 0);
  /** The hidden size. */
  public static final Dim H = new Dim(0, 1, 0);
  /** The largest number a size may hold (of I, of H or alone), so that sizes print and parse back. */
  static final long MAX_COEFFICIENT = 1_000_000_000L;

  /** A fixed size. */
  public static Dim of(long size) {
    return new Dim(0, 0, size);
  }

  public Dim plus(Dim o) {
    return new Dim(i + o.i, h + o.h, c + o.c);
  }

  public Dim minus(Dim o) {
    return new Dim(i - o.i, h - o.h, c - o.c);
  }

  Dim times(long k) {
    return new Dim(i * k, h * k, c * k);
  }

  /** This dimension for input size {@code inputSize} and hidden size {@code hiddenSize}. */
  public long eval(int inputSize, int hiddenSize) {
    checkArgument(inputSize > 0, "input size (%s) must be positive", inputSize);
    checkArgument(hiddenSize > 0, "hidden size (%s) must be positive", hiddenSize);
    return i * inputSize + h * hiddenSize + c;
  }

  /** Whether every number of this form is at most {@link #MAX_COEFFICIENT} in size. */
  boolean fits() {
    return Math.abs(i) <= MAX_COEFFICIENT && Math.abs(h) <= MAX_COEFFICIENT && Math.abs(c) <= MAX_COEFFICIENT;
  }

  /** Whether this size is positive for some I, H >= 1 (it grows with one of them, or is positive at 1, 1). */
  boolean canBePositive() {
    return i > 0 || h > 0 || i + h + c > 0;
  }

  /** Whether {@code this == other} fails for every positive I and H (not just for some). */
  boolean neverEquals(Dim other) {
    Dim d = minus(other);
    // smallest and largest value of d over I, H >= 1 decide whether 0 is reachable
    if (d.i >= 0 && d.h >= 0) {
      return d.i + d.h + d.c > 0;
    }
    if (d.i <= 0 && d.h <= 0) {
      return d.i + d.h + d.c < 0;
    }
    return false;
  }

  /** {@code H}, {@code I}, {@code H+I}, {@code 2H}, {@code H-I}, {@code 3}, ... (parsable in declarations). */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    term(s, h, "H");
    term(s, i, "I");
    if (c != 0 || s.length() == 0) {
      if (s.length() > 0) {
        s.append(c < 0 ? "-" : "+");
        s.append(Math.abs(c));
      } else {
        s.append(c);
      }
    }
    return s.toString();
  }

  private static void term(StringBuilder s, long k, String name) {
    if (k == 0) {
      return;
    }
    if (s.length() > 0) {
      s.append(k < 0 ? "-" : "+");
    } else if (k < 0) {
      s.append('-');
    }
    long a = Math.abs(k);
    if (a != 1) {
      s.append(a);
    }
    s.append(name);
  }
}
