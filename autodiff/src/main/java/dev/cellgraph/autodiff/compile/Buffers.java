package dev.cellgraph.autodiff.compile;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Arrays reused across the steps of one compiled scan run: the loop's fused outputs and step
 * slices come from here, and {@link CompiledScan} gives back the arrays of values whose lifetime
 * ended with the step (the previous carries, the stacked outputs once copied), so a run
 * allocates a handful of arrays instead of several per step.
 *
 * <p>Only arrays this pool handed out are ever taken back, and only when the caller knows no live
 * tensor holds them; any other array given to {@link #recycle} is ignored. A pool belongs to one
 * run on one thread: {@link #open} makes it the thread's current pool until {@link #close}, and
 * {@link FusedOp} allocates from the current pool (or plainly when there is none). A reused
 * array is not cleared: its taker overwrites every element.
 */
final class Buffers implements AutoCloseable {
  private static final ThreadLocal<Buffers> CURRENT = new ThreadLocal<>();

  private final Map<Integer, ArrayDeque<float[]>> floats = new HashMap<>();
  private final Map<Integer, ArrayDeque<double[]>> doubles = new HashMap<>();
  // arrays compare by identity; weak, so arrays handed out and never given back (values internal
  // to a step) are collected as usual
  private final Map<Object, Boolean> handedOut = new WeakHashMap<>();
  private final Buffers previous;

  private Buffers(Buffers previous) {
    this.previous = previous;
  }

  /** A new pool, current on this thread until closed (the previous one is restored then). */
  static Buffers open() {
    Buffers b = new Buffers(CURRENT.get());
    CURRENT.set(b);
    return b;
  }

  @Override
  public void close() {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }

  /** A float array of length n from the current pool, or a new one. */
  static float[] newFloats(int n) {
    Buffers b = CURRENT.get();
    return b == null ? new float[n] : b.floats(n);
  }

  /** A double array of length n from the current pool, or a new one. */
  static double[] newDoubles(int n) {
    Buffers b = CURRENT.get();
    return b == null ? new double[n] : b.doubles(n);
  }

  float[] floats(int n) {
    ArrayDeque<float[]> q = floats.get(n);
    float[] a = q == null || q.isEmpty() ? new float[n] : q.pop();
    handedOut.put(a, Boolean.TRUE);
    return a;
  }

  double[] doubles(int n) {
    ArrayDeque<double[]> q = doubles.get(n);
    double[] a = q == null || q.isEmpty() ? new double[n] : q.pop();
    handedOut.put(a, Boolean.TRUE);
    return a;
  }

  /** Takes back an array this pool handed out, whose holder is dead; ignores any other object. */
  void recycle(Object array) {
    if (array == null || handedOut.remove(array) == null) {
      return;
    }
    if (array instanceof float[]) {
      float[] a = (float[]) array;
      floats.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    } else {
      double[] a = (double[]) array;
      doubles.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }
  }
}
