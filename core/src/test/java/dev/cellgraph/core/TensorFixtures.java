package dev.cellgraph.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.random.Rng;
import org.junit.jupiter.api.function.Executable;

/** Helpers of the tensor tests: random and counting tensors, naive references, message checks. */
final class TensorFixtures {
  private TensorFixtures() {}

  /** A float64 tensor of uniform(-1, 1) values drawn from {@code rng}. */
  static Tensor random(Rng rng, int... dims) {
    Shape s = Shape.of(dims);
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = 2 * rng.nextDouble() - 1;
    }
    return Tensor.of(DType.FLOAT64, v, s);
  }

  static Tensor arange(int... dims) {
    Shape s = Shape.of(dims);
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = i;
    }
    return Tensor.of(DType.FLOAT64, v, s);
  }

  static void assertMessage(String message, Executable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertEquals(message, e.getMessage());
  }

  /** The row-major coordinates of flat position {@code flat} in {@code s}. */
  static int[] coords(Shape s, int flat) {
    int[] c = new int[s.rank()];
    for (int ax = s.rank() - 1; ax >= 0; ax--) {
      c[ax] = flat % s.dim(ax);
      flat /= s.dim(ax);
    }
    return c;
  }

  /** NumPy broadcasting spelled out element by element: the reference for zip. */
  static Tensor naiveZip(BinaryOp op, Tensor a, Tensor b) {
    Shape out = Shape.broadcast(a.shape(), b.shape());
    double[] v = new double[out.size()];
    for (int i = 0; i < v.length; i++) {
      int[] c = coords(out, i);
      v[i] = op.apply(a.get(project(c, a.shape())), b.get(project(c, b.shape())));
    }
    return Tensor.of(a.dtype(), v, out);
  }

  static int[] project(int[] c, Shape s) {
    int[] p = new int[s.rank()];
    int off = c.length - s.rank();
    for (int i = 0; i < p.length; i++) {
      p[i] = s.dim(i) == 1 ? 0 : c[i + off];
    }
    return p;
  }

  /** The triple loop, on 2-D float64 matrices. */
  static Tensor naiveMatmul(Tensor a, Tensor b) {
    int m = a.shape().dim(0);
    int k = a.shape().dim(1);
    int n = b.shape().dim(1);
    double[] c = new double[m * n];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int p = 0; p < k; p++) {
          s += a.get(i, p) * b.get(p, j);
        }
        c[i * n + j] = s;
      }
    }
    return Tensor.of(c, m, n);
  }

  static Tensor naiveTranspose(Tensor a) {
    int r = a.shape().dim(0);
    int c = a.shape().dim(1);
    double[] v = new double[r * c];
    for (int i = 0; i < r; i++) {
      for (int j = 0; j < c; j++) {
        v[j * r + i] = a.get(i, j);
      }
    }
    return Tensor.of(v, c, r);
  }

  static double dot(Tensor a, Tensor b) {
    double s = 0;
    for (int i = 0; i < a.size(); i++) {
      s += a.getFlat(i) * b.getFlat(i);
    }
    return s;
  }

  static int[] dims(String s) {
    if (s.isBlank()) {
      return new int[0];
    }
    String[] parts = s.split(",");
    int[] d = new int[parts.length];
    for (int i = 0; i < d.length; i++) {
      d[i] = Integer.parseInt(parts[i].trim());
    }
    return d;
  }
}
