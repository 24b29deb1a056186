package dev.cellgraph.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class TensorAccessTest {
  @Test
  void wrapsAndReadsBackingArraysWithoutCopying() {
    float[] f = {1, 2, 3, 4, 5, 6};
    Tensor t = TensorAccess.wrap(f, Shape.of(2, 3));
    assertSame(f, TensorAccess.floats(t));
    assertEquals(6f, t.get(1, 2));
    double[] d = {1, 2};
    assertSame(d, TensorAccess.doubles(TensorAccess.wrap(d, Shape.of(2))));
    long[] l = {7, 8};
    Tensor i = TensorAccess.wrap(DType.INT32, l, Shape.of(2));
    assertSame(l, TensorAccess.longs(i));
    assertEquals(DType.INT32, i.dtype());
  }

  @Test
  void checksLikeTheTensorItWraps() {
    assertEquals("data of length 5 does not match shape [2, 3] of 6 elements",
        assertThrows(IllegalArgumentException.class, () -> TensorAccess.wrap(new float[5], Shape.of(2, 3)))
            .getMessage());
    assertEquals("wrap(long[]) needs an integer dtype, got float32",
        assertThrows(IllegalArgumentException.class,
            () -> TensorAccess.wrap(DType.FLOAT32, new long[1], Shape.of(1))).getMessage());
    assertThrows(IllegalArgumentException.class, () -> TensorAccess.doubles(Tensor.zeros(DType.FLOAT32, 1)));
  }

  @Test
  void theBridgeIsInstalledOnceByTensor() {
    TensorAccess.floats(Tensor.zeros(DType.FLOAT32, 1));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> TensorAccess.install(
        new TensorAccess.Bridge() {
          @Override
          public Tensor wrap(float[] data, Shape shape) {
            return null;
          }

          @Override
          public Tensor wrap(double[] data, Shape shape) {
            return null;
          }

          @Override
          public Tensor wrap(DType intType, long[] data, Shape shape) {
            return null;
          }

          @Override
          public float[] floats(Tensor t) {
            return null;
          }

          @Override
          public double[] doubles(Tensor t) {
            return null;
          }

          @Override
          public long[] longs(Tensor t) {
            return null;
          }
        }));
    assertEquals("the tensor bridge is installed once, by Tensor", e.getMessage());
  }

  @Test
  void worksWhenItIsUsedBeforeTensorIsInitialized() throws Exception {
    // a fresh class loader, in which nothing has touched Tensor yet: wrap must initialize it
    URL classes = Tensor.class.getProtectionDomain().getCodeSource().getLocation();
    URL[] path = {classes, Shape.class.getProtectionDomain().getCodeSource().getLocation()};
    try (URLClassLoader fresh = new URLClassLoader(path, ClassLoader.getPlatformClassLoader())) {
      Class<?> access = fresh.loadClass(TensorAccess.class.getName());
      Class<?> shape = fresh.loadClass(Shape.class.getName());
      Object dims = shape.getMethod("of", int[].class).invoke(null, (Object) new int[] {2});
      float[] data = {1, 2};
      Object t = access.getMethod("wrap", float[].class, shape).invoke(null, data, dims);
      assertSame(data, access.getMethod("floats", t.getClass()).invoke(null, t));
    }
  }
}
