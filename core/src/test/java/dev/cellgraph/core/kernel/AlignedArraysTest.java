package dev.cellgraph.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AlignedArraysTest {
  @Test
  void everyRequestedElementFitsAfterTheAlignedStart() {
    for (int n : new int[] {0, 1, 7, 1000, 1 << 16, 1 << 18, 300_000, 1 << 20, 3 << 20}) {
      for (int waste : new int[] {1, 2, Integer.MAX_VALUE}) {
        float[] f = AlignedArrays.floats(n, waste);
        int fo = AlignedArrays.offset(f);
        assertTrue(fo >= 0 && fo < AlignedArrays.BYTES / 4 && fo + n <= f.length, "float " + n + " " + waste);
        double[] d = AlignedArrays.doubles(n, waste);
        int d0 = AlignedArrays.offset(d);
        assertTrue(d0 >= 0 && d0 < AlignedArrays.BYTES / 8 && d0 + n <= d.length, "double " + n + " " + waste);
      }
    }
  }

  @Test
  void smallArraysAreNeitherPaddedNorShifted() {
    float[] f = AlignedArrays.floats(100, 2);
    assertEquals(100 + AlignedArrays.BYTES / 4, f.length);
    assertEquals(0, AlignedArrays.offset(f));
    assertEquals(0, AlignedArrays.offset(new double[10]));
  }

  @Test
  void aPackedMatrixMultipliesLikeTheUnpackedOne() {
    // k and n large enough that the packed panels are allocated aligned (when the JVM allows)
    int m = 20;
    int k = 600;
    int n = 900;
    java.util.Random r = new java.util.Random(3);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextGaussian();
    }
    float[] expected = new float[m * n];
    float[] actual = new float[m * n];
    Kernels.gemm(false, false, m, n, k, a, 0, k, b, 0, n, expected, 0, n, false);
    PackedMatrix packed = Kernels.pack(false, k, n, b, 0, n);
    Kernels.gemm(false, m, n, k, a, 0, k, packed, actual, 0, n, false);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 1e-3f * (1 + Math.abs(expected[i])), "element " + i);
    }
  }
}
