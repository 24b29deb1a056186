package dev.cellgraph.core;

import dev.cellgraph.core.internal.TensorAccess;

/** {@link Tensor}'s zero-copy factories and accessors, given to {@link TensorAccess} (not API). */
final class TensorBridge implements TensorAccess.Bridge {
  @Override
  public Tensor wrap(float[] data, Shape shape) {
    return Tensor.wrap(data, shape);
  }

  @Override
  public Tensor wrap(double[] data, Shape shape) {
    return Tensor.wrap(data, shape);
  }

  @Override
  public Tensor wrap(DType intType, long[] data, Shape shape) {
    return Tensor.wrap(intType, data, shape);
  }

  @Override
  public float[] floats(Tensor t) {
    return t.rawFloats();
  }

  @Override
  public double[] doubles(Tensor t) {
    return t.rawDoubles();
  }

  @Override
  public long[] longs(Tensor t) {
    return t.rawLongs();
  }
}
