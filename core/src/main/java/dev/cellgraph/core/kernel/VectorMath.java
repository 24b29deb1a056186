package dev.cellgraph.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Constants of the vectorized exp, tanh and logistic function, which are written out inside the
 * loops of {@link FloatLoops} and {@link DoubleLoops}.
 *
 * <p>Why not {@code lanewise(EXP)}: on JDK 17 the Vector API computes EXP and TANH one lane at a
 * time with {@code Math} (measured here: no faster than a scalar loop; {@code Math.tanh} is about
 * 25 ns). Why written out rather than called: a helper returning a vector is compiled on its own
 * once it is hot, after which the JIT no longer inlines it ("already compiled into a big
 * method") and boxes every vector that crosses the call.
 *
 * <p>exp: clamp x to [-746, 710] (beyond, the result is 0 or infinity anyway; NaN stays NaN);
 * {@code x = k ln2 + r} with {@code |r| <= ln2 / 2} (Cody-Waite, ln2 split in two so {@code r} is
 * exact); {@code expm1(r)} by its Taylor polynomial to degree 13 (truncation below 1e-17
 * relative); {@code exp(x) = 2^k (1 + expm1(r))}, with 2^k applied as two exact factors so that
 * subnormal results are rounded once. tanh: {@code sign(x) (-u / (2 + u))} with
 * {@code u = expm1(-2|x|) = 2^k expm1(r) + (2^k - 1)}, which keeps the digits of small x; x itself
 * below 2^-28, as fdlibm. Logistic: {@code (x < 0 ? e : 1) / (1 + e)} with {@code e = exp(-|x|)},
 * the same formula as {@link UnaryOp#SIGMOID}.
 *
 * <p>Accuracy, checked by the tests against {@code Math} on a dense grid and special values:
 * exp within 2 ulp, tanh and the logistic function within 4 ulp (relative error below 1e-15),
 * including subnormal results, overflow to infinity, signed zeros, infinities and NaN. The
 * float32 loops use float polynomials of their own (below), within 2 float ulp.
 */
final class VectorMath {
  private VectorMath() {}

  static final VectorSpecies<Double> D = VectorWidth.DOUBLE;
  /** As many float lanes as {@link #D} has: float data is converted to it and back. */
  static final VectorSpecies<Float> FLOATS_PER_DOUBLE_VECTOR =
      VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));

  static final double LOG2E = 1.4426950408889634;
  /** ln2 split so that {@code k * LN2_HI} is exact for |k| < 2^11. */
  static final double LN2_HI = 6.93147180369123816490e-01;
  static final double LN2_LO = 1.90821492927058770002e-10;
  /** Adding this rounds a double below 2^51 in magnitude to an integer, held in the low bits. */
  static final double ROUND = 0x1.8p52;
  /** The bits of {@link #ROUND} less the exponent bias: subtracting gives a biased exponent. */
  static final long ROUND_BITS_LESS_BIAS = Double.doubleToRawLongBits(ROUND) - 1023;
  static final double EXP_MIN = -746;
  static final double EXP_MAX = 710;
  /** tanh(|x|) rounds to 1 beyond 19.1; expm1 is evaluated on [-50, 0]. */
  static final double TANH_EXPM1_MIN = -50;
  static final double TANH_TINY = 0x1p-28;
  /** Taylor coefficients of expm1: 1/2!, ..., 1/13!. */
  static final double C2 = 1.0 / 2;
  static final double C3 = 1.0 / 6;
  static final double C4 = 1.0 / 24;
  static final double C5 = 1.0 / 120;
  static final double C6 = 1.0 / 720;
  static final double C7 = 1.0 / 5040;
  static final double C8 = 1.0 / 40320;
  static final double C9 = 1.0 / 362880;
  static final double C10 = 1.0 / 3628800;
  static final double C11 = 1.0 / 39916800;
  static final double C12 = 1.0 / 479001600;
  static final double C13 = 1.0 / 6227020800.0;

  // float32, in float lanes (Cephes' expf and tanhf): exp(x) = 2^k (1 + r + r^2 P(r)) with
  // x = k ln2 + r, ln2 split so that k * LN2F_HI is exact; P of degree 5. 2^k is applied as two
  // factors, so results near the bottom of the range are rounded once into subnormals. tanh: for
  // |x| < 0.625 the odd polynomial x + x^3 Q(x^2), else sign(x) (1 - 2 / (exp(2|x|) + 1)).
  // Accuracy, checked by the tests against the double-then-round scalar meaning on a dense grid
  // and the special values (signed zeros, infinities, NaN, subnormal results): within 2 float ulp.
  static final float EXPF_MIN = -104f;
  /** exp overflows to infinity from 88.73; clamping at 89 still gives infinity, via 2^64 * 2^64. */
  static final float EXPF_MAX = 89f;
  static final float LOG2EF = 1.44269504088896341f;
  /** Adding this rounds a float below 2^22 in magnitude to an integer, held in the low bits. */
  static final float ROUNDF = 0x1.8p23f;
  static final int ROUNDF_BITS = Float.floatToRawIntBits(ROUNDF);
  static final float LN2F_HI = 0.693359375f;
  static final float LN2F_LO = -2.12194440e-4f;
  static final float EF0 = 1.9875691500e-4f;
  static final float EF1 = 1.3981999507e-3f;
  static final float EF2 = 8.3334519073e-3f;
  static final float EF3 = 4.1665795894e-2f;
  static final float EF4 = 1.6666665459e-1f;
  static final float EF5 = 5.0000001201e-1f;
  static final float TANHF_SMALL = 0.625f;
  /** Below this tanh(x) rounds to x (and -0 stays -0). */
  static final float TANHF_TINY = 0x1p-12f;
  static final float TF0 = -5.70498872745e-3f;
  static final float TF1 = 2.06390887954e-2f;
  static final float TF2 = -5.37397155531e-2f;
  static final float TF3 = 1.33314422036e-1f;
  static final float TF4 = -3.33332819422e-1f;
}
