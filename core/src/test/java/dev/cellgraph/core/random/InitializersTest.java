package dev.cellgraph.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class InitializersTest {

  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
  void uniformStaysInBoundsWithUniformMoments(DType dtype) {
    Tensor t = Initializers.uniform(Rng.seeded(1), dtype, Shape.of(400, 250), -0.3, 0.7);
    assertEquals(dtype, t.dtype());
    double[] v = t.toDoubleArray();
    for (double x : v) {
      assertTrue(x >= -0.3 && x < 0.7, "value " + x + " outside [-0.3, 0.7)");
    }
    // mean 0.2, variance (hi - lo)^2 / 12
    assertEquals(0.2, mean(v), 0.003);
    assertEquals(1.0 / 12, variance(v), 0.002);
  }

  @Test
  void float32UniformNeverRoundsOntoTheUpperBound() {
    // hi = 1/sqrt(3) is not a float; values just below it round up past it in float32
    double hi = 1 / Math.sqrt(3);
    Tensor t = Initializers.uniform(Rng.seeded(3), DType.FLOAT32, Shape.of(1_000_000), hi - 1e-7, hi);
    for (double x : t.toDoubleArray()) {
      assertTrue(x >= hi - 1e-7 && x < hi, "value " + x + " outside the interval");
    }
  }

  @ParameterizedTest
  @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
  void normalHasTheRequestedMoments(DType dtype) {
    Tensor t = Initializers.normal(Rng.seeded(2), dtype, Shape.of(100_000), 1.5, 0.5);
    double[] v = t.toDoubleArray();
    assertEquals(1.5, mean(v), 0.01);
    assertEquals(0.5, Math.sqrt(variance(v)), 0.005);
  }

  @Test
  void xavierUsesFanInAndFanOut() {
    // [out, in] = [300, 200]: bound sqrt(6 / 500), std sqrt(2 / 500)
    Shape s = Shape.of(300, 200);
    double bound = Math.sqrt(6.0 / 500);
    double[] u = Initializers.xavierUniform(Rng.seeded(4), DType.FLOAT64, s).toDoubleArray();
    for (double x : u) {
      assertTrue(Math.abs(x) <= bound);
    }
    assertEquals(bound * bound / 3, variance(u), 0.02 * bound * bound / 3);
    double[] g = Initializers.xavierUniform(Rng.seeded(4), DType.FLOAT64, s, 2.0).toDoubleArray();
    assertEquals(2 * u[17], g[17], 1e-15);

    double[] n = Initializers.xavierNormal(Rng.seeded(5), DType.FLOAT64, s).toDoubleArray();
    assertEquals(Math.sqrt(2.0 / 500), Math.sqrt(variance(n)), 0.01 * Math.sqrt(2.0 / 500));
    assertEquals(0.0, mean(n), 0.002);
  }

  @Test
  void fansFollowPyTorch() {
    assertArrayEquals(new int[] {3, 16}, Initializers.fans(Shape.of(16, 3)));
    // conv-style [out, in, kh, kw]: the receptive field multiplies both
    assertArrayEquals(new int[] {4 * 9, 8 * 9}, Initializers.fans(Shape.of(8, 4, 3, 3)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.xavierUniform(Rng.seeded(1), DType.FLOAT32, Shape.of(16)));
    assertEquals("xavierUniform needs a shape of rank at least 2 to compute fan-in and fan-out, got [16]",
        e.getMessage());
  }

  @Test
  void pytorchRecurrentIsUniformOverOneOverSqrtHidden() {
    // hidden size 4: bound 0.5, as nn.LSTM(3, 4) uses
    double[] v = Initializers.pytorchRecurrent(Rng.seeded(6), DType.FLOAT64, Shape.of(16, 3), 4)
        .toDoubleArray();
    double max = 0;
    for (double x : v) {
      assertTrue(x >= -0.5 && x < 0.5);
      max = Math.max(max, Math.abs(x));
    }
    assertTrue(max > 0.4, "48 draws should come near the bound, got " + max);
    double[] big = Initializers.pytorchRecurrent(Rng.seeded(6), DType.FLOAT64, Shape.of(512, 256), 256)
        .toDoubleArray();
    assertEquals(1.0 / 256 / 3, variance(big), 0.03 / 256 / 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.pytorchRecurrent(Rng.seeded(1), DType.FLOAT32, Shape.of(2), 0));
    assertEquals("hiddenSize (0) must be positive", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"5, 5", "8, 3", "3, 8", "1, 7", "7, 1", "64, 64"})
  void orthogonalHasOrthonormalRowsOrColumns(int rows, int cols) {
    Tensor q = Initializers.orthogonal(Rng.seeded(rows * 31L + cols), DType.FLOAT64, Shape.of(rows, cols));
    assertEquals(Shape.of(rows, cols), q.shape());
    // Q^T Q = I for tall (and square) Q, Q Q^T = I for wide Q
    Tensor gram = rows >= cols ? q.matmul(q, true, false) : q.matmul(q, false, true);
    int k = Math.min(rows, cols);
    assertTrue(gram.allClose(identity(k), 0, 1e-12), "not orthonormal: " + gram);
  }

  @Test
  void orthogonalFlattensTrailingDimsAndAppliesGain() {
    Tensor q = Initializers.orthogonal(Rng.seeded(9), DType.FLOAT64, Shape.of(4, 2, 3), 2.0);
    Tensor flat = q.reshape(4, 6);
    Tensor gram = flat.matmul(flat, false, true); // rows are orthogonal, each of norm 2
    assertTrue(gram.allClose(identity(4).mul(4.0), 0, 1e-12), gram.toString());
  }

  @Test
  void orthogonalInFloat32IsOrthonormalToFloatPrecision() {
    Tensor q = Initializers.orthogonal(Rng.seeded(10), DType.FLOAT32, Shape.of(32, 16));
    Tensor gram = q.to(DType.FLOAT64).matmul(q.to(DType.FLOAT64), true, false);
    assertTrue(gram.allClose(identity(16), 0, 1e-6));
  }

  @Test
  void orthogonalSignCorrectionMakesDiagonalOfRPositive() {
    // With Q sign-corrected, R' = Q^T A has a positive diagonal: the QR factorisation of the
    // same Gaussian matrix A that orthogonal drew (A is regenerated from the same seed).
    Rng rng = Rng.seeded(12);
    double[] a = new double[6 * 4];
    for (int i = 0; i < a.length; i++) {
      a[i] = rng.nextGaussian();
    }
    Tensor am = Tensor.of(a, 6, 4);
    Tensor q = Initializers.orthogonal(Rng.seeded(12), DType.FLOAT64, Shape.of(6, 4));
    Tensor r = q.matmul(am, true, false);
    for (int i = 0; i < 4; i++) {
      assertTrue(r.get(i, i) > 0, "diag(R)[" + i + "] = " + r.get(i, i));
      for (int j = 0; j < i; j++) {
        assertEquals(0.0, r.get(i, j), 1e-12, "R is upper triangular");
      }
    }
  }

  @Test
  void orthogonalNeedsRankTwo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.orthogonal(Rng.seeded(1), DType.FLOAT64, Shape.of(5)));
    assertEquals("orthogonal needs a shape of rank at least 2, got [5]", e.getMessage());
    assertEquals(Tensor.zeros(DType.FLOAT64, 0, 3),
        Initializers.orthogonal(Rng.seeded(1), DType.FLOAT64, Shape.of(0, 3)));
  }

  @Test
  void sameSeedGivesIdenticalTensors() {
    Shape s = Shape.of(7, 5);
    for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      assertEquals(Initializers.uniform(Rng.seeded(1), dt, s, -1, 1), Initializers.uniform(Rng.seeded(1), dt, s, -1, 1));
      assertEquals(Initializers.normal(Rng.seeded(1), dt, s, 0, 1), Initializers.normal(Rng.seeded(1), dt, s, 0, 1));
      assertEquals(Initializers.xavierUniform(Rng.seeded(1), dt, s), Initializers.xavierUniform(Rng.seeded(1), dt, s));
      assertEquals(Initializers.xavierNormal(Rng.seeded(1), dt, s), Initializers.xavierNormal(Rng.seeded(1), dt, s));
      assertEquals(Initializers.orthogonal(Rng.seeded(1), dt, s), Initializers.orthogonal(Rng.seeded(1), dt, s));
      assertEquals(Initializers.pytorchRecurrent(Rng.seeded(1), dt, s, 5),
          Initializers.pytorchRecurrent(Rng.seeded(1), dt, s, 5));
      assertNotEquals(Initializers.normal(Rng.seeded(1), dt, s, 0, 1), Initializers.normal(Rng.seeded(2), dt, s, 0, 1));
    }
    // consecutive draws from one generator differ, and resuming from a saved state repeats them
    Rng rng = Rng.seeded(77);
    Tensor first = Initializers.normal(rng, DType.FLOAT32, s, 0, 1);
    long[] saved = rng.state();
    Tensor second = Initializers.normal(rng, DType.FLOAT32, s, 0, 1);
    assertNotEquals(first, second);
    assertEquals(second, Initializers.normal(Rng.fromState(saved), DType.FLOAT32, s, 0, 1));
  }

  @Test
  void float32ValuesAreTheFloat64ValuesRoundedOnce() {
    Tensor d = Initializers.normal(Rng.seeded(3), DType.FLOAT64, Shape.of(20), 0, 1);
    Tensor f = Initializers.normal(Rng.seeded(3), DType.FLOAT32, Shape.of(20), 0, 1);
    assertEquals(d.to(DType.FLOAT32), f);
  }

  @Test
  void argumentsAreChecked() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.uniform(Rng.seeded(1), DType.FLOAT32, Shape.of(2), 1, 1));
    assertEquals("uniform: lo (1.0) must be less than hi (1.0) and both finite", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.normal(Rng.seeded(1), DType.FLOAT32, Shape.of(2), 0, -1));
    assertEquals("normal: std (-1.0) must be finite and not negative", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Initializers.normal(Rng.seeded(1), DType.INT64, Shape.of(2), 0, 1));
    assertEquals("normal needs a floating dtype, got int64", e.getMessage());
    assertEquals(Tensor.zeros(DType.FLOAT32, 3), Initializers.zeros(DType.FLOAT32, Shape.of(3)));
  }

  private static Tensor identity(int n) {
    double[] v = new double[n * n];
    for (int i = 0; i < n; i++) {
      v[i * n + i] = 1;
    }
    return Tensor.of(v, n, n);
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  private static double variance(double[] v) {
    double m = mean(v);
    double s = 0;
    for (double x : v) {
      s += (x - m) * (x - m);
    }
    return s / v.length;
  }
}
