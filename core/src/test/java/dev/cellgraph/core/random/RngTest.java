package dev.cellgraph.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The expected numbers below were computed by a Python transcription of Vigna's reference C
 * code (splitmix64.c, xoshiro256starstar.c), independent of this Java implementation.
 */
class RngTest {

  @Test
  void xoshiroMatchesTheReferenceOutputsFromState1234() {
    // The sequence published with the reference implementation for state {1, 2, 3, 4}.
    Rng r = Rng.fromState(new long[] {1, 2, 3, 4});
    assertEquals(11520L, r.nextLong());
    assertEquals(0L, r.nextLong());
    assertEquals(1509978240L, r.nextLong());
    assertEquals(1215971899390074240L, r.nextLong());
  }

  @Test
  void seedingUsesSplitMix64() {
    // SplitMix64 from 0 starts 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, ...
    long[] s = Rng.seeded(0).state();
    assertEquals(0xe220a8397b1dcdafL, s[0]);
    assertEquals(0x6e789e6aa1b965f4L, s[1]);
    assertArrayEquals(
        new long[] {-4767286540954276203L, 2949826092126892291L, 5139283748462763858L,
            6349198060258255764L},
        Rng.seeded(42).state());
  }

  @Test
  void seed42GivesTheGoldenLongs() {
    Rng r = Rng.seeded(42);
    long[] expected = {1546998764402558742L, 6990951692964543102L, -5902157311460992607L,
        -1389169964527427423L, -151191095644234140L, -4247557243643801032L};
    for (long e : expected) {
      assertEquals(e, r.nextLong());
    }
    Rng zero = Rng.seeded(0);
    assertEquals(-7355399402456485196L, zero.nextLong());
    assertEquals(-4652746763540216534L, zero.nextLong());
  }

  @Test
  void derivedValuesAreGolden() {
    assertEquals(0.08386297105988216, Rng.seeded(42).nextDouble());
    Rng f = Rng.seeded(123);
    assertEquals(0.19669431447982788f, f.nextFloat());
    assertEquals(0.9695722460746765f, f.nextFloat());
    assertEquals(0.46744030714035034f, f.nextFloat());

    Rng i = Rng.seeded(7);
    int[] ints = new int[10];
    for (int k = 0; k < ints.length; k++) {
      ints[k] = i.nextInt(10);
    }
    assertArrayEquals(new int[] {7, 2, 8, 9, 9, 8, 0, 1, 4, 1}, ints);
    Rng big = Rng.seeded(7);
    assertEquals(1504476538, big.nextInt(Integer.MAX_VALUE));
    assertEquals(598613706, big.nextInt(Integer.MAX_VALUE));
  }

  @Test
  void gaussiansAreBitExact() {
    // StrictMath (fdlibm) pins these bits on every JVM. The same formula in Python with the
    // platform libm gives 0.6497871727569374, 0.7838080677923209, 0.9079201875481046 and
    // -0.5393385544661145: equal up to one ulp, the libraries' rounding differences.
    double[] python = {0.6497871727569374, 0.7838080677923209, 0.9079201875481046,
        -0.5393385544661145};
    double[] strict = {0.6497871727569374, 0.7838080677923209, 0.9079201875481047,
        -0.5393385544661145};
    Rng g = Rng.seeded(123);
    for (int i = 0; i < 4; i++) {
      double v = g.nextGaussian();
      assertEquals(strict[i], v);
      assertEquals(python[i], v, Math.ulp(python[i]));
    }
  }

  @Test
  void stateRoundTripResumesTheStreamExactly() {
    Rng a = Rng.seeded(2024);
    for (int i = 0; i < 37; i++) {
      a.nextGaussian();
      a.nextInt(5);
    }
    long[] saved = a.state();
    Rng b = Rng.fromState(saved);
    saved[0] ^= 1; // the returned array is a copy: changing it changes neither generator
    for (int i = 0; i < 100; i++) {
      assertEquals(a.nextLong(), b.nextLong());
      assertEquals(a.nextGaussian(), b.nextGaussian());
      assertEquals(a.nextFloat(), b.nextFloat());
    }
    assertArrayEquals(a.state(), b.state());
  }

  @Test
  void copyIsIndependentOfTheOriginal() {
    Rng a = Rng.seeded(5);
    Rng c = a.copy();
    long first = a.nextLong();
    assertEquals(first, c.nextLong());
    a.nextLong();
    assertNotEquals(Arrays.toString(a.state()), Arrays.toString(c.state()));
  }

  @Test
  void fromStateRejectsBadStates() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Rng.fromState(new long[3]));
    assertEquals("an Rng state has 4 longs, got 3: [0, 0, 0]", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Rng.fromState(new long[4]));
    assertEquals("an Rng state must not be all zero", e.getMessage());
  }

  @Test
  void splitStreamsAreIndependent() {
    Rng parent = Rng.seeded(99);
    Rng c1 = parent.split();
    Rng c2 = parent.split();
    long[] p = draw(parent, 1000);
    long[] a = draw(c1, 1000);
    long[] b = draw(c2, 1000);
    assertNoCommonValues(p, a);
    assertNoCommonValues(p, b);
    assertNoCommonValues(a, b);
    // sample correlation of the uniforms near zero (|r| < 4/sqrt(n) with overwhelming odds)
    assertTrue(Math.abs(correlation(Rng.seeded(99).split(), Rng.seeded(99))) < 0.04);
  }

  @Test
  void splitIsDeterministic() {
    assertArrayEquals(Rng.seeded(3).split().state(), Rng.seeded(3).split().state());
  }

  @Test
  void forkIsKeyedAndDoesNotAdvanceTheParent() {
    Rng parent = Rng.seeded(11);
    long[] before = parent.state();
    Rng f0 = parent.fork(0);
    Rng f0again = parent.fork(0);
    Rng f1 = parent.fork(1);
    assertArrayEquals(before, parent.state());
    assertArrayEquals(f0.state(), f0again.state());
    assertNoCommonValues(draw(f0, 1000), draw(f1, 1000));
    assertNoCommonValues(draw(parent.fork(0), 1000), draw(parent.copy(), 1000));
    // after the parent moves on, the same key gives a different stream
    parent.nextLong();
    assertFalse(Arrays.equals(before, parent.state()));
    assertNotEquals(Rng.seeded(11).fork(0).nextLong(), parent.fork(0).nextLong());
  }

  @Test
  void uniformsStayInRangeAndLookUniform() {
    Rng r = Rng.seeded(1);
    int n = 200_000;
    double sum = 0;
    int[] buckets = new int[10];
    for (int i = 0; i < n; i++) {
      double u = r.nextDouble();
      assertTrue(u >= 0 && u < 1);
      float f = r.nextFloat();
      assertTrue(f >= 0 && f < 1);
      sum += u;
      buckets[r.nextInt(10)]++;
    }
    assertEquals(0.5, sum / n, 0.005);
    for (int c : buckets) {
      assertEquals(n / 10.0, c, 600); // about 4.5 standard deviations
    }
  }

  @Test
  void gaussianMomentsAreStandard() {
    Rng r = Rng.seeded(8);
    int n = 200_000;
    double s = 0;
    double s2 = 0;
    for (int i = 0; i < n; i++) {
      double g = r.nextGaussian();
      s += g;
      s2 += g * g;
    }
    assertEquals(0.0, s / n, 0.01);
    assertEquals(1.0, s2 / n, 0.015);
  }

  @Test
  void nextIntRejectsNonPositiveBounds() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Rng.seeded(1).nextInt(0));
    assertEquals("bound (0) must be positive", e.getMessage());
    assertEquals(0, Rng.seeded(1).nextInt(1));
  }

  @Test
  void permutationContainsEveryIndexOnce() {
    int[] p = Rng.seeded(4).permutation(50);
    int[] sorted = p.clone();
    Arrays.sort(sorted);
    for (int i = 0; i < 50; i++) {
      assertEquals(i, sorted[i]);
    }
    assertArrayEquals(p, Rng.seeded(4).permutation(50));
  }

  private static long[] draw(Rng r, int n) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextLong();
    }
    return v;
  }

  private static void assertNoCommonValues(long[] a, long[] b) {
    long[] s = b.clone();
    Arrays.sort(s);
    for (long v : a) {
      assertTrue(Arrays.binarySearch(s, v) < 0, "streams share the value " + v);
    }
  }

  private static double correlation(Rng x, Rng y) {
    int n = 10_000;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
      double a = x.nextDouble();
      double b = y.nextDouble();
      sx += a;
      sy += b;
      sxx += a * a;
      syy += b * b;
      sxy += a * b;
    }
    double cov = sxy / n - (sx / n) * (sy / n);
    return cov / Math.sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
  }
}
