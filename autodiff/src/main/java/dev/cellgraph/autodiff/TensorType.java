package dev.cellgraph.autodiff;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import java.util.Objects;

/**
 * The static type of a node's value: dtype and shape.
 *
 * <p>Immutable and thread-safe.
 */
public record TensorType(DType dtype, Shape shape) {
  /**
   * Rejects a null dtype or shape.
   *
   * @param dtype the element type, not null
   * @param shape the dimensions, not null
   */
  public TensorType {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
  }

  /**
   * The type of dtype {@code dtype} and shape {@code dims}.
   *
   * @param dtype the element type
   * @param dims the dimensions, outermost first
   * @return the tensor type with that dtype and shape
   */
  public static TensorType of(DType dtype, int... dims) {
    return new TensorType(dtype, Shape.of(dims));
  }

  /** {@code float64[2, 3]}. */
  @Override
  public String toString() {
    return dtype.lowerName() + shape;
  }
}
