package dev.cellgraph.core.internal;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.Objects;

/**
 * Not API: wraps arrays as tensors and reads a tensor's backing array, without copying, for
 * cellgraph's own modules. A caller of {@code wrap} gives up the array; a caller of
 * {@code floats}, {@code doubles} or {@code longs} must never write to the array it gets, since
 * tensors are immutable and shared.
 *
 * <p>{@link Tensor} provides the implementation ({@link Bridge}) when its class is initialized,
 * as the JDK's {@code SharedSecrets} do; the bridge is then held in a constant, so that these calls
 * cost what direct calls would.
 *
 * <p>Thread-safe: its only state is the bridge, installed once during {@link Tensor}'s class
 * initialization and then held in a constant.
 */
public final class TensorAccess {
  private TensorAccess() {}

  /** What {@link Tensor} gives this class: its zero-copy factories and accessors. */
  public interface Bridge {
    /**
     * A float32 tensor over {@code data} itself (not copied).
     *
     * @param data the values in row-major order, of length {@code shape.size()}
     * @param shape the tensor's shape
     * @return a float32 tensor backed by {@code data}
     */
    Tensor wrap(float[] data, Shape shape);

    /**
     * A float64 tensor over {@code data} itself (not copied).
     *
     * @param data the values in row-major order, of length {@code shape.size()}
     * @param shape the tensor's shape
     * @return a float64 tensor backed by {@code data}
     */
    Tensor wrap(double[] data, Shape shape);

    /**
     * An integer tensor of {@code intType} over {@code data} itself (not copied).
     *
     * @param intType the integer dtype, {@code INT32} or {@code INT64}
     * @param data the values in row-major order, of length {@code shape.size()}
     * @param shape the tensor's shape
     * @return a tensor of {@code intType} backed by {@code data}
     */
    Tensor wrap(DType intType, long[] data, Shape shape);

    /**
     * The values array of a float32 tensor itself; callers must not write to it.
     *
     * @param t a float32 tensor
     * @return the tensor's own values array, in row-major order
     */
    float[] floats(Tensor t);

    /**
     * The values array of a float64 tensor itself; callers must not write to it.
     *
     * @param t a float64 tensor
     * @return the tensor's own values array, in row-major order
     */
    double[] doubles(Tensor t);

    /**
     * The values array of an integer tensor itself; callers must not write to it.
     *
     * @param t an int32 or int64 tensor
     * @return the tensor's own values array, in row-major order
     */
    long[] longs(Tensor t);
  }

  private static volatile Bridge installed;

  /**
   * Called once, by {@link Tensor}'s class initialization.
   *
   * @param bridge the implementation that {@link Tensor} provides, not null
   */
  public static void install(Bridge bridge) {
    Objects.requireNonNull(bridge, "bridge");
    if (installed != null) {
      throw new IllegalStateException("the tensor bridge is installed once, by Tensor");
    }
    installed = bridge;
  }

  /** Holds the bridge as a constant; initializing it initializes {@link Tensor}, which installs it. */
  private static final class Holder {
    static final Bridge BRIDGE = load();

    private static Bridge load() {
      try {
        Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new AssertionError(e);
      }
      Bridge b = installed;
      if (b == null) {
        throw new IllegalStateException("Tensor did not install its bridge");
      }
      return b;
    }
  }

  /**
   * A float32 tensor of {@code data}, without copying; the caller gives up the array.
   *
   * @param data the values in row-major order, of length {@code shape.size()}
   * @param shape the tensor's shape
   * @return a float32 tensor backed by {@code data}
   */
  public static Tensor wrap(float[] data, Shape shape) {
    return Holder.BRIDGE.wrap(data, shape);
  }

  /**
   * A float64 tensor of {@code data}, without copying; the caller gives up the array.
   *
   * @param data the values in row-major order, of length {@code shape.size()}
   * @param shape the tensor's shape
   * @return a float64 tensor backed by {@code data}
   */
  public static Tensor wrap(double[] data, Shape shape) {
    return Holder.BRIDGE.wrap(data, shape);
  }

  /**
   * An integer tensor ({@code intType} int32 or int64) of {@code data}, without copying.
   *
   * @param intType the integer dtype, {@code INT32} or {@code INT64}
   * @param data the values in row-major order, of length {@code shape.size()}
   * @param shape the tensor's shape
   * @return a tensor of {@code intType} backed by {@code data}
   */
  public static Tensor wrap(DType intType, long[] data, Shape shape) {
    return Holder.BRIDGE.wrap(intType, data, shape);
  }

  /**
   * The backing array of a float32 tensor; must not be modified.
   *
   * @param t a float32 tensor
   * @return the tensor's own values array, in row-major order
   */
  public static float[] floats(Tensor t) {
    return Holder.BRIDGE.floats(t);
  }

  /**
   * The backing array of a float64 tensor; must not be modified.
   *
   * @param t a float64 tensor
   * @return the tensor's own values array, in row-major order
   */
  public static double[] doubles(Tensor t) {
    return Holder.BRIDGE.doubles(t);
  }

  /**
   * The backing array of an integer tensor (int32 values are held as longs); must not be modified.
   *
   * @param t an int32 or int64 tensor
   * @return the tensor's own values array (int32 values widened to long), in row-major order
   */
  public static long[] longs(Tensor t) {
    return Holder.BRIDGE.longs(t);
  }
}
