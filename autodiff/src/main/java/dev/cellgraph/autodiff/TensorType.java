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
  /** Rejects a null dtype or shape. */
  public TensorType {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
  }

  /** The type of dtype {@code dtype} and shape {@code dims}. */
  public static TensorType of(DType dtype, int... dims) {
    return new TensorType(dtype, Shape.of(dims));
  }

  /** {@code float64[2, 3]}. */
  @Override
  public String toString() {
    return dtype.lowerName() + shape;
  }
}
