package dev.cellgraph.core.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float elementwise loops of {@link VectorKernels}, one method per op.
 *
 * <p>Why one method per op: a shared loop taking the op as a lambda, or switching on it inside
 * the loop, is compiled once for all ops; the JIT then cannot inline the op and boxes every
 * vector (measured 10 to 50 times slower). A loop of its own per op is compiled for that op.
 *
 * <p>Tails: ops that are exact in their lanes finish with the scalar op (same bits); the
 * approximated ops ({@link VectorMath}) pad the tail into a full vector, so an element's
 * result never depends on its position.
 */
final class FloatLoops {
  private FloatLoops() {}

  private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
  private static final int L = F.length();
  private static final VectorSpecies<Double> D = VectorMath.D;
  /** As many float lanes as a double vector has, for float math done in double. */
  private static final VectorSpecies<Float> FD = VectorMath.FLOATS_PER_DOUBLE_VECTOR;
  // The double-precision loops convert through a per-thread double buffer, a chunk at a time,
  // rather than through 256-bit float vectors: those shared the FloatVector methods' type
  // profiles with the 512-bit loops, and C2 then failed to intrinsify their stores (PrintInlining:
  // "VectorSupport::store failed to inline (intrinsic)") and ran the Java fallbacks.
  // The vector part of such a loop is a method of its own (softsignDoubles): inlined into the
  // chunk loop with the conversions, the polynomial code sometimes hit C2's node budget
  // (PrintInlining: "NodeCountInliningCutoff", then "VectorSupport::store failed to inline
  // (intrinsic)"), and every store ran the Java fallback (DoubleVector.intoArray in profiles).
  private static final int CHUNK = 512;
  private static final ThreadLocal<double[]> DBUF = ThreadLocal.withInitial(() -> new double[CHUNK]);
  private static final ThreadLocal<float[]> FBUF = ThreadLocal.withInitial(() -> new float[CHUNK]);

  private static void toDoubles(float[] x, int off, double[] buf, int m) {
    for (int j = 0; j < m; j++) {
      buf[j] = x[off + j];
    }
  }

  private static void toFloats(double[] buf, float[] out, int off, int m) {
    for (int j = 0; j < m; j++) {
      out[off + j] = (float) buf[j];
    }
  }

  /** Returns false for ops without a vector loop (the caller runs the scalar one). */
  static boolean unary(UnaryOp op, float[] x, int xOff, float[] out, int outOff, int n) {
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

  private static void neg(float[] x, int xOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      v.neg().intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.NEG.apply(x[xOff + i]);
    }
  }

  private static void abs(float[] x, int xOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      v.abs().intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.ABS.apply(x[xOff + i]);
    }
  }

  private static void square(float[] x, int xOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      v.mul(v).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.SQUARE.apply(x[xOff + i]);
    }
  }

  private static void sqrt(float[] x, int xOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      v.sqrt().intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.SQRT.apply(x[xOff + i]);
    }
  }

  private static void reciprocal(float[] x, int xOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      FloatVector.broadcast(F, 1f).div(v).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.RECIPROCAL.apply(x[xOff + i]);
    }
  }

  private static void relu(float[] x, int xOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      FloatVector.zero(F).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.RELU.apply(x[xOff + i]);
    }
  }

  private static void step(float[] x, int xOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      FloatVector.zero(F).blend(1f, v.compare(VectorOperators.GT, 0f)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.STEP.apply(x[xOff + i]);
    }
  }

  private static void sign(float[] x, int xOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      v.blend(1f, v.compare(VectorOperators.GT, 0f)).blend(-1f, v.compare(VectorOperators.LT, 0f)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = UnaryOp.SIGN.apply(x[xOff + i]);
    }
  }

  /** In double, rounded once, as {@link UnaryOp#apply(float)}. */
  private static void softsign(float[] x, int xOff, float[] out, int outOff, int n) {
    int full = FD.loopBound(n);
    softsignLoop(x, xOff, out, outOff, full);
    if (full < n) {
      float[] t = new float[FD.length()];
      System.arraycopy(x, xOff + full, t, 0, n - full);
      softsignLoop(t, 0, t, 0, t.length);
      System.arraycopy(t, 0, out, outOff + full, n - full);
    }
  }

  private static void softsignLoop(float[] x, int xOff, float[] out, int outOff, int n) {
    double[] buf = DBUF.get();
    for (int c0 = 0; c0 < n; c0 += CHUNK) {
      int m = Math.min(CHUNK, n - c0);
      toDoubles(x, xOff + c0, buf, m);
      softsignDoubles(buf, m);
      toFloats(buf, out, outOff + c0, m);
    }
  }

  /** The vector part of {@link #softsignLoop}, in place on the double buffer: a method of its own (see above). */
  private static void softsignDoubles(double[] buf, int m) {
    for (int i = 0; i < m; i += D.length()) {
      DoubleVector v = DoubleVector.fromArray(D, buf, i);
      DoubleVector r = v.div(v.abs().add(1.0));
      r.intoArray(buf, i);
    }
  }

  // exp, tanh and the logistic function in float lanes (see VectorMath for the method and the
  // accuracy): sixteen lanes at a time instead of eight doubles plus two conversions. The tail
  // is padded into a full vector, so an element's result never depends on its position.

  private static void exp(float[] x, int xOff, float[] out, int outOff, int n) {
    int full = F.loopBound(n);
    expLoop(x, xOff, out, outOff, full);
    if (full < n) {
      float[] t = new float[L];
      System.arraycopy(x, xOff + full, t, 0, n - full);
      expLoop(t, 0, t, 0, L);
      System.arraycopy(t, 0, out, outOff + full, n - full);
    }
  }

  private static void expLoop(float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      // exp: see VectorMath. min/max keep NaN, which flows through to the result.
      FloatVector xc = v.max(VectorMath.EXPF_MIN).min(VectorMath.EXPF_MAX);
      FloatVector t = xc.fma(FloatVector.broadcast(F, VectorMath.LOG2EF), FloatVector.broadcast(F, VectorMath.ROUNDF));
      FloatVector k = t.sub(VectorMath.ROUNDF);
      IntVector ki = t.reinterpretAsInts().sub(VectorMath.ROUNDF_BITS);
      FloatVector red = k.fma(FloatVector.broadcast(F, -VectorMath.LN2F_HI), xc);
      red = k.fma(FloatVector.broadcast(F, -VectorMath.LN2F_LO), red);
      FloatVector q = FloatVector.broadcast(F, VectorMath.EF0);
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF1));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF2));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF3));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF4));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF5));
      FloatVector p = red.mul(red).fma(q, red).add(1f);
      IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
      FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector s2 = ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      p.mul(s1).mul(s2).intoArray(out, outOff + i);
    }
  }

  private static void tanh(float[] x, int xOff, float[] out, int outOff, int n) {
    int full = F.loopBound(n);
    tanhLoop(x, xOff, out, outOff, full);
    if (full < n) {
      float[] t = new float[L];
      System.arraycopy(x, xOff + full, t, 0, n - full);
      tanhLoop(t, 0, t, 0, L);
      System.arraycopy(t, 0, out, outOff + full, n - full);
    }
  }

  // tanh in two passes over a chunk (exp(2|x|) into a per-thread buffer, then the rest): as one
  // loop it is big enough that C2 sometimes failed to intrinsify its store (PrintInlining:
  // "VectorSupport::store failed to inline (intrinsic)") and ran the boxed Java fallback.
  private static void tanhLoop(float[] x, int xOff, float[] out, int outOff, int n) {
    float[] buf = FBUF.get();
    for (int c0 = 0; c0 < n; c0 += CHUNK) {
      int m = Math.min(CHUNK, n - c0);
      expTwiceAbs(x, xOff + c0, buf, m);
      tanhFinish(x, xOff + c0, buf, out, outOff + c0, m);
    }
  }

  /** buf = exp(2|x|), as in expLoop. */
  private static void expTwiceAbs(float[] x, int xOff, float[] buf, int m) {
    for (int i = 0; i < m; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      FloatVector xc = v.abs().mul(2f).min(VectorMath.EXPF_MAX);
      FloatVector t = xc.fma(FloatVector.broadcast(F, VectorMath.LOG2EF), FloatVector.broadcast(F, VectorMath.ROUNDF));
      FloatVector k = t.sub(VectorMath.ROUNDF);
      IntVector ki = t.reinterpretAsInts().sub(VectorMath.ROUNDF_BITS);
      FloatVector red = k.fma(FloatVector.broadcast(F, -VectorMath.LN2F_HI), xc);
      red = k.fma(FloatVector.broadcast(F, -VectorMath.LN2F_LO), red);
      FloatVector q = FloatVector.broadcast(F, VectorMath.EF0);
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF1));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF2));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF3));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF4));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF5));
      FloatVector p = red.mul(red).fma(q, red).add(1f);
      IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
      FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector s2 = ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      p.mul(s1).mul(s2).intoArray(buf, i);
    }
  }

  /** tanh from x and e = exp(2|x|): see VectorMath. */
  private static void tanhFinish(float[] x, int xOff, float[] buf, float[] out, int outOff, int m) {
    for (int i = 0; i < m; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      FloatVector e = FloatVector.fromArray(F, buf, i);
      FloatVector ax = v.abs();
      FloatVector big = FloatVector.broadcast(F, 1f).sub(FloatVector.broadcast(F, 2f).div(e.add(1f)));
      big = big.blend(big.neg(), v.compare(VectorOperators.LT, 0f));
      FloatVector z = v.mul(v);
      FloatVector s = FloatVector.broadcast(F, VectorMath.TF0);
      s = s.fma(z, FloatVector.broadcast(F, VectorMath.TF1));
      s = s.fma(z, FloatVector.broadcast(F, VectorMath.TF2));
      s = s.fma(z, FloatVector.broadcast(F, VectorMath.TF3));
      s = s.fma(z, FloatVector.broadcast(F, VectorMath.TF4));
      FloatVector small = s.mul(z).fma(v, v);
      big.blend(small, ax.compare(VectorOperators.LT, VectorMath.TANHF_SMALL))
          .blend(v, ax.compare(VectorOperators.LT, VectorMath.TANHF_TINY)).intoArray(out, outOff + i);
    }
  }

  private static void sigmoid(float[] x, int xOff, float[] out, int outOff, int n) {
    int full = F.loopBound(n);
    sigmoidLoop(x, xOff, out, outOff, full);
    if (full < n) {
      float[] t = new float[L];
      System.arraycopy(x, xOff + full, t, 0, n - full);
      sigmoidLoop(t, 0, t, 0, L);
      System.arraycopy(t, 0, out, outOff + full, n - full);
    }
  }

  private static void sigmoidLoop(float[] x, int xOff, float[] out, int outOff, int n) {
    for (int i = 0; i < n; i += L) {
      FloatVector v = FloatVector.fromArray(F, x, xOff + i);
      // logistic: see VectorMath; exp(-|x|) written out as in expLoop.
      FloatVector xc = v.abs().neg().max(VectorMath.EXPF_MIN);
      FloatVector t = xc.fma(FloatVector.broadcast(F, VectorMath.LOG2EF), FloatVector.broadcast(F, VectorMath.ROUNDF));
      FloatVector k = t.sub(VectorMath.ROUNDF);
      IntVector ki = t.reinterpretAsInts().sub(VectorMath.ROUNDF_BITS);
      FloatVector red = k.fma(FloatVector.broadcast(F, -VectorMath.LN2F_HI), xc);
      red = k.fma(FloatVector.broadcast(F, -VectorMath.LN2F_LO), red);
      FloatVector q = FloatVector.broadcast(F, VectorMath.EF0);
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF1));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF2));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF3));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF4));
      q = q.fma(red, FloatVector.broadcast(F, VectorMath.EF5));
      FloatVector p = red.mul(red).fma(q, red).add(1f);
      IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
      FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector s2 = ki.sub(k1).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector e = p.mul(s1).mul(s2);
      FloatVector.broadcast(F, 1f).blend(e, v.compare(VectorOperators.LT, 0f)).div(e.add(1f))
          .intoArray(out, outOff + i);
    }
  }

  /** out[i] = a[i] op b[i]. */
  static void binary(BinaryOp op, float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
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

  private static void add(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
      va.add(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.ADD.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void sub(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
      va.sub(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.SUB.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void mul(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
      va.mul(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MUL.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void div(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
      va.div(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.DIV.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void max(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
      va.max(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MAX.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void min(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
      va.min(vb).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MIN.apply(a[aOff + i], b[bOff + i]);
    }
  }

  private static void greater(float[] a, int aOff, float[] b, int bOff, float[] out, int outOff, int n) {
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector vb = FloatVector.fromArray(F, b, bOff + i);
      FloatVector.zero(F).blend(1f, va.compare(VectorOperators.GT, vb)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.GREATER.apply(a[aOff + i], b[bOff + i]);
    }
  }

  /** out[i] = a[i] op s. */
  static void binaryScalar(BinaryOp op, float[] a, int aOff, float s, float[] out, int outOff, int n) {
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

  private static void addScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    FloatVector b = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.add(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.ADD.apply(a[aOff + i], s);
    }
  }

  private static void subScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    FloatVector b = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.sub(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.SUB.apply(a[aOff + i], s);
    }
  }

  private static void mulScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    FloatVector b = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.mul(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MUL.apply(a[aOff + i], s);
    }
  }

  private static void divScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    FloatVector b = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.div(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.DIV.apply(a[aOff + i], s);
    }
  }

  private static void maxScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    FloatVector b = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.max(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MAX.apply(a[aOff + i], s);
    }
  }

  private static void minScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    FloatVector b = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      va.min(b).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MIN.apply(a[aOff + i], s);
    }
  }

  private static void greaterScalar(float[] a, int aOff, float s, float[] out, int outOff, int n) {
    FloatVector b = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector.zero(F).blend(1f, va.compare(VectorOperators.GT, b)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.GREATER.apply(a[aOff + i], s);
    }
  }

  /** out[i] = s op a[i]. */
  static void binaryScalarFirst(BinaryOp op, float s, float[] a, int aOff, float[] out, int outOff, int n) {
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

  private static void addScalarFirst(float s, float[] a, int aOff, float[] out, int outOff, int n) {
    FloatVector sv = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      sv.add(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.ADD.apply(s, a[aOff + i]);
    }
  }

  private static void subScalarFirst(float s, float[] a, int aOff, float[] out, int outOff, int n) {
    FloatVector sv = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      sv.sub(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.SUB.apply(s, a[aOff + i]);
    }
  }

  private static void mulScalarFirst(float s, float[] a, int aOff, float[] out, int outOff, int n) {
    FloatVector sv = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      sv.mul(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MUL.apply(s, a[aOff + i]);
    }
  }

  private static void divScalarFirst(float s, float[] a, int aOff, float[] out, int outOff, int n) {
    FloatVector sv = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      sv.div(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.DIV.apply(s, a[aOff + i]);
    }
  }

  private static void maxScalarFirst(float s, float[] a, int aOff, float[] out, int outOff, int n) {
    FloatVector sv = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      sv.max(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MAX.apply(s, a[aOff + i]);
    }
  }

  private static void minScalarFirst(float s, float[] a, int aOff, float[] out, int outOff, int n) {
    FloatVector sv = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      sv.min(va).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.MIN.apply(s, a[aOff + i]);
    }
  }

  private static void greaterScalarFirst(float s, float[] a, int aOff, float[] out, int outOff, int n) {
    FloatVector sv = FloatVector.broadcast(F, s);
    int i = 0;
    for (int upper = F.loopBound(n); i < upper; i += L) {
      FloatVector va = FloatVector.fromArray(F, a, aOff + i);
      FloatVector.zero(F).blend(1f, sv.compare(VectorOperators.GT, va)).intoArray(out, outOff + i);
    }
    for (; i < n; i++) {
      out[outOff + i] = BinaryOp.GREATER.apply(s, a[aOff + i]);
    }
  }
}
