package dev.cellgraph.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The double elementwise loops of {@link VectorKernels}, one method per op.
 *
 * <p>Why one method per op: a shared loop taking the op as a lambda, or switching on it inside
 * the loop, is compiled once for all ops; the JIT then cannot inline the op and boxes every
 * vector (measured 10 to 50 times slower). A loop of its own per op is compiled for that op.
 *
 * <p>Tails: ops that are exact in their lanes finish with the scalar op (same bits); the
 * approximated ops ({@link VectorMath}) pad the tail into a full vector, so an element's
 * result never depends on its position.
 */
final class DoubleLoops {
  private DoubleLoops() {}

  private static final VectorSpecies<Double> D = VectorMath.D;
  private static final int L = D.length();

  /** Returns false for ops without a vector loop (the caller runs the scalar one). */
  static boolean unary(UnaryOp op, double[] x, int xOff, double[] out, int outOff, int n) {
    switch (op) {
      case NEG: neg(x, xOff, out, outOff, n); return true;
      case ABS: abs(x, xOff, out, outOff, n); return true;
      case SQUARE: square(x, xOff, out, outOff, n); return true;
      case SQRT: sqrt(x, xOff, out, outOff, n); return true;
      case RECIPROCAL: reciprocal(x, xOff, out, outOff, n); return true;
      case RELU: relu(x, xOff, out, outOff, n); return true;
      case STEP: step(x, xOff, out, outOff, n); return true;
      case SIGN: sign(x, xOff, out, outOff, n); return true;
      case SOFTSIGN: softsign(x, xOff, out, outOff, n); return true;
      case EXP: exp(x, xOff, out, outOff, n); return true;
      case TANH: tanh(x, xOff, out, outOff, n); return true;
      case SIGMOID: sigmoid(x, xOff, out, outOff, n); return true;
      default: return false;
    }
  }

  private static void neg(double[] x, int xOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      v.neg().intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.NEG.apply(x[xOff + i]);
    }
  }

  private static void abs(double[] x, int xOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      v.abs().intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.ABS.apply(x[xOff + i]);
    }
  }

  private static void square(double[] x, int xOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      v.mul(v).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.SQUARE.apply(x[xOff + i]);
    }
  }

  private static void sqrt(double[] x, int xOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      v.sqrt().intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.SQRT.apply(x[xOff + i]);
    }
  }

  private static void reciprocal(double[] x, int xOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      DoubleVector.broadcast(D, 1.0).div(v).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.RECIPROCAL.apply(x[xOff + i]);
    }
  }

  private static void relu(double[] x, int xOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      DoubleVector.zero(D).blend(v, v.compare(VectorOperators.GT, 0.0)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.RELU.apply(x[xOff + i]);
    }
  }

  private static void step(double[] x, int xOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      DoubleVector.zero(D).blend(1.0, v.compare(VectorOperators.GT, 0.0)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.STEP.apply(x[xOff + i]);
    }
  }

  private static void sign(double[] x, int xOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      v.blend(1.0, v.compare(VectorOperators.GT, 0.0)).blend(-1.0, v.compare(VectorOperators.LT, 0.0)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.SIGN.apply(x[xOff + i]);
    }
  }

  private static void softsign(double[] x, int xOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      v.div(v.abs().add(1.0)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.SOFTSIGN.apply(x[xOff + i]);
    }
  }

  private static void exp(double[] x, int xOff, double[] out, int outOff, int n) {
    int full = D.loopBound(n);
    expLoop(x, xOff, out, outOff, full);
    if (full < n) {
      double[] t = new double[L];
      System.arraycopy(x, xOff + full, t, 0, n - full);
      expLoop(t, 0, t, 0, L);
      System.arraycopy(t, 0, out, outOff + full, n - full);
    }
  }

  private static void expLoop(double[] x, int xOff, double[] out, int outOff, int n) {
    for (int i = 0; i < n; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      // exp: see VectorMath. min/max keep NaN, which flows through to the result.
      DoubleVector xc = v.max(VectorMath.EXP_MIN).min(VectorMath.EXP_MAX);
      DoubleVector k = xc.fma(DoubleVector.broadcast(D, VectorMath.LOG2E), DoubleVector.broadcast(D, VectorMath.ROUND))
          .sub(VectorMath.ROUND);
      DoubleVector red = k.fma(DoubleVector.broadcast(D, -VectorMath.LN2_HI), xc).add(k.mul(-VectorMath.LN2_LO));
      DoubleVector q = DoubleVector.broadcast(D, VectorMath.C13);
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C12));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C11));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C10));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C9));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C8));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C7));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C6));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C5));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C4));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C3));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C2));
      DoubleVector p = red.mul(red).fma(q, red);
      DoubleVector k1 = k.mul(0.5).add(VectorMath.ROUND).sub(VectorMath.ROUND);
      DoubleVector s1 = k1.add(VectorMath.ROUND).reinterpretAsLongs()
          .sub(VectorMath.ROUND_BITS_LESS_BIAS).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      DoubleVector s2 = k.sub(k1).add(VectorMath.ROUND).reinterpretAsLongs()
          .sub(VectorMath.ROUND_BITS_LESS_BIAS).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      DoubleVector r = p.add(1.0).mul(s1).mul(s2);
      r.intoArray(out, outOff + i);
    }
  }

  private static void tanh(double[] x, int xOff, double[] out, int outOff, int n) {
    int full = D.loopBound(n);
    tanhLoop(x, xOff, out, outOff, full);
    if (full < n) {
      double[] t = new double[L];
      System.arraycopy(x, xOff + full, t, 0, n - full);
      tanhLoop(t, 0, t, 0, L);
      System.arraycopy(t, 0, out, outOff + full, n - full);
    }
  }

  private static void tanhLoop(double[] x, int xOff, double[] out, int outOff, int n) {
    for (int i = 0; i < n; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      // tanh: see VectorMath.
      DoubleVector ax = v.abs();
      DoubleVector xm = ax.mul(-2.0).max(VectorMath.TANH_EXPM1_MIN);
      DoubleVector k = xm.fma(DoubleVector.broadcast(D, VectorMath.LOG2E), DoubleVector.broadcast(D, VectorMath.ROUND))
          .sub(VectorMath.ROUND);
      DoubleVector red = k.fma(DoubleVector.broadcast(D, -VectorMath.LN2_HI), xm).add(k.mul(-VectorMath.LN2_LO));
      DoubleVector q = DoubleVector.broadcast(D, VectorMath.C13);
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C12));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C11));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C10));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C9));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C8));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C7));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C6));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C5));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C4));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C3));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C2));
      DoubleVector p = red.mul(red).fma(q, red);
      DoubleVector s = k.add(VectorMath.ROUND).reinterpretAsLongs()
          .sub(VectorMath.ROUND_BITS_LESS_BIAS).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      DoubleVector u = s.fma(p, s.sub(1.0));
      DoubleVector t = u.neg().div(u.add(2.0));
      DoubleVector r = t.blend(t.neg(), v.compare(VectorOperators.LT, 0.0))
          .blend(v, ax.compare(VectorOperators.LT, VectorMath.TANH_TINY));
      r.intoArray(out, outOff + i);
    }
  }

  private static void sigmoid(double[] x, int xOff, double[] out, int outOff, int n) {
    int full = D.loopBound(n);
    sigmoidLoop(x, xOff, out, outOff, full);
    if (full < n) {
      double[] t = new double[L];
      System.arraycopy(x, xOff + full, t, 0, n - full);
      sigmoidLoop(t, 0, t, 0, L);
      System.arraycopy(t, 0, out, outOff + full, n - full);
    }
  }

  private static void sigmoidLoop(double[] x, int xOff, double[] out, int outOff, int n) {
    for (int i = 0; i < n; i += L) {
      DoubleVector v = DoubleVector.fromArray(D, x, xOff + i);
      // logistic: see VectorMath.
      // exp: see VectorMath. min/max keep NaN, which flows through to the result.
      DoubleVector xc = v.abs().neg().max(VectorMath.EXP_MIN).min(VectorMath.EXP_MAX);
      DoubleVector k = xc.fma(DoubleVector.broadcast(D, VectorMath.LOG2E), DoubleVector.broadcast(D, VectorMath.ROUND))
          .sub(VectorMath.ROUND);
      DoubleVector red = k.fma(DoubleVector.broadcast(D, -VectorMath.LN2_HI), xc).add(k.mul(-VectorMath.LN2_LO));
      DoubleVector q = DoubleVector.broadcast(D, VectorMath.C13);
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C12));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C11));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C10));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C9));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C8));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C7));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C6));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C5));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C4));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C3));
      q = q.fma(red, DoubleVector.broadcast(D, VectorMath.C2));
      DoubleVector p = red.mul(red).fma(q, red);
      DoubleVector k1 = k.mul(0.5).add(VectorMath.ROUND).sub(VectorMath.ROUND);
      DoubleVector s1 = k1.add(VectorMath.ROUND).reinterpretAsLongs()
          .sub(VectorMath.ROUND_BITS_LESS_BIAS).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      DoubleVector s2 = k.sub(k1).add(VectorMath.ROUND).reinterpretAsLongs()
          .sub(VectorMath.ROUND_BITS_LESS_BIAS).lanewise(VectorOperators.LSHL, 52).reinterpretAsDoubles();
      DoubleVector e = p.add(1.0).mul(s1).mul(s2);
      DoubleVector r = DoubleVector.broadcast(D, 1.0).blend(e, v.compare(VectorOperators.LT, 0.0)).div(e.add(1.0));
      r.intoArray(out, outOff + i);
    }
  }

  /** out[i] = a[i] op b[i]. */
  static void binary(BinaryOp op, double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    switch (op) {
      case ADD: add(a, aOff, b, bOff, out, outOff, n); return;
      case SUB: sub(a, aOff, b, bOff, out, outOff, n); return;
      case MUL: mul(a, aOff, b, bOff, out, outOff, n); return;
      case DIV: div(a, aOff, b, bOff, out, outOff, n); return;
      case MAX: max(a, aOff, b, bOff, out, outOff, n); return;
      case MIN: min(a, aOff, b, bOff, out, outOff, n); return;
      case GREATER: greater(a, aOff, b, bOff, out, outOff, n); return;
      default: throw new AssertionError(op);
    }
  }

  private static void add(double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      DoubleVector vb = DoubleVector.fromArray(D, b, bOff + i);
      va.add(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.ADD.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void sub(double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      DoubleVector vb = DoubleVector.fromArray(D, b, bOff + i);
      va.sub(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.SUB.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void mul(double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      DoubleVector vb = DoubleVector.fromArray(D, b, bOff + i);
      va.mul(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MUL.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void div(double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      DoubleVector vb = DoubleVector.fromArray(D, b, bOff + i);
      va.div(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.DIV.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void max(double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      DoubleVector vb = DoubleVector.fromArray(D, b, bOff + i);
      va.max(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MAX.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void min(double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      DoubleVector vb = DoubleVector.fromArray(D, b, bOff + i);
      va.min(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MIN.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void greater(double[] a, int aOff, double[] b, int bOff, double[] out, int outOff, int n) {
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      DoubleVector vb = DoubleVector.fromArray(D, b, bOff + i);
      DoubleVector.zero(D).blend(1.0, va.compare(VectorOperators.GT, vb)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.GREATER.apply(a[aOff + i], b[bOff + i]);
    }
  }

  /** out[i] = a[i] op s. */
  static void binaryScalar(BinaryOp op, double[] a, int aOff, double s, double[] out, int outOff, int n) {
    switch (op) {
      case ADD: addScalar(a, aOff, s, out, outOff, n); return;
      case SUB: subScalar(a, aOff, s, out, outOff, n); return;
      case MUL: mulScalar(a, aOff, s, out, outOff, n); return;
      case DIV: divScalar(a, aOff, s, out, outOff, n); return;
      case MAX: maxScalar(a, aOff, s, out, outOff, n); return;
      case MIN: minScalar(a, aOff, s, out, outOff, n); return;
      case GREATER: greaterScalar(a, aOff, s, out, outOff, n); return;
      default: throw new AssertionError(op);
    }
  }

  private static void addScalar(double[] a, int aOff, double s, double[] out, int outOff, int n) {
    DoubleVector b = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      va.add(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.ADD.apply(a[aOff + i], s);
    }
  }

  private static void subScalar(double[] a, int aOff, double s, double[] out, int outOff, int n) {
    DoubleVector b = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      va.sub(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.SUB.apply(a[aOff + i], s);
    }
  }

  private static void mulScalar(double[] a, int aOff, double s, double[] out, int outOff, int n) {
    DoubleVector b = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      va.mul(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MUL.apply(a[aOff + i], s);
    }
  }

  private static void divScalar(double[] a, int aOff, double s, double[] out, int outOff, int n) {
    DoubleVector b = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      va.div(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.DIV.apply(a[aOff + i], s);
    }
  }

  private static void maxScalar(double[] a, int aOff, double s, double[] out, int outOff, int n) {
    DoubleVector b = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      va.max(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MAX.apply(a[aOff + i], s);
    }
  }

  private static void minScalar(double[] a, int aOff, double s, double[] out, int outOff, int n) {
    DoubleVector b = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      va.min(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MIN.apply(a[aOff + i], s);
    }
  }

  private static void greaterScalar(double[] a, int aOff, double s, double[] out, int outOff, int n) {
    DoubleVector b = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      DoubleVector.zero(D).blend(1.0, va.compare(VectorOperators.GT, b)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.GREATER.apply(a[aOff + i], s);
    }
  }

  /** out[i] = s op a[i]. */
  static void binaryScalarFirst(BinaryOp op, double s, double[] a, int aOff, double[] out, int outOff, int n) {
    switch (op) {
      case ADD: addScalarFirst(s, a, aOff, out, outOff, n); return;
      case SUB: subScalarFirst(s, a, aOff, out, outOff, n); return;
      case MUL: mulScalarFirst(s, a, aOff, out, outOff, n); return;
      case DIV: divScalarFirst(s, a, aOff, out, outOff, n); return;
      case MAX: maxScalarFirst(s, a, aOff, out, outOff, n); return;
      case MIN: minScalarFirst(s, a, aOff, out, outOff, n); return;
      case GREATER: greaterScalarFirst(s, a, aOff, out, outOff, n); return;
      default: throw new AssertionError(op);
    }
  }

  private static void addScalarFirst(double s, double[] a, int aOff, double[] out, int outOff, int n) {
    DoubleVector sv = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      sv.add(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.ADD.apply(s, a[aOff + i]);
    }
  }

  private static void subScalarFirst(double s, double[] a, int aOff, double[] out, int outOff, int n) {
    DoubleVector sv = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      sv.sub(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.SUB.apply(s, a[aOff + i]);
    }
  }

  private static void mulScalarFirst(double s, double[] a, int aOff, double[] out, int outOff, int n) {
    DoubleVector sv = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      sv.mul(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MUL.apply(s, a[aOff + i]);
    }
  }

  private static void divScalarFirst(double s, double[] a, int aOff, double[] out, int outOff, int n) {
    DoubleVector sv = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      sv.div(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.DIV.apply(s, a[aOff + i]);
    }
  }

  private static void maxScalarFirst(double s, double[] a, int aOff, double[] out, int outOff, int n) {
    DoubleVector sv = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      sv.max(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MAX.apply(s, a[aOff + i]);
    }
  }

  private static void minScalarFirst(double s, double[] a, int aOff, double[] out, int outOff, int n) {
    DoubleVector sv = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      sv.min(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MIN.apply(s, a[aOff + i]);
    }
  }

  private static void greaterScalarFirst(double s, double[] a, int aOff, double[] out, int outOff, int n) {
    DoubleVector sv = DoubleVector.broadcast(D, s);
    int i = 0;
    for (int upper = D.loopBound(n); i < upper; i += L) {
      DoubleVector va = DoubleVector.fromArray(D, a, aOff + i);
      DoubleVector.zero(D).blend(1.0, sv.compare(VectorOperators.GT, va)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.GREATER.apply(s, a[aOff + i]);
    }
  }
}
