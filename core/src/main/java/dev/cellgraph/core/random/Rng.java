package dev.cellgraph.core.random;

import java.util.Arrays;

/**
 * The one seeded source of random numbers in cellgraph: xoshiro256** 1.0 (Blackman and Vigna),
 * its 256-bit state seeded from a {@code long} by SplitMix64, both exactly as in the authors'
 * reference C code.
 *
 * <p>Guarantees: the same seed gives the same bits on every JVM and platform, and so do the
 * derived values: {@link #nextDouble}, {@link #nextFloat} and {@link #nextInt(int)} use integer
 * arithmetic only, and {@link #nextGaussian} uses {@link StrictMath}. The complete state is four
 * longs ({@link #state()}); {@link #fromState(long[])} resumes the stream exactly, which is what a
 * training checkpoint needs. Gaussians are not cached between calls, so there is no hidden state.
 *
 * <p>An {@code Rng} is not thread-safe; give each thread its own stream with {@link #split()} or
 * {@link #fork(long)}.
 */
public final class Rng {
  private static final double DOUBLE_UNIT = 0x1.0p-53;
  private static final float FLOAT_UNIT = 0x1.0p-24f;
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

  private long s0;
  private long s1;
  private long s2;
  private long s3;

  private Rng(long s0, long s1, long s2, long s3) {
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /**
   * A generator whose state is the first four outputs of SplitMix64 started at {@code seed}.
   *
   * @param seed any value, zero included; equal seeds give equal streams
   * @return a new generator at the start of that seed's stream
   */
  public static Rng seeded(long seed) {
    long x = seed;
    long a = mix64(x += GOLDEN_GAMMA);
    long b = mix64(x += GOLDEN_GAMMA);
    long c = mix64(x += GOLDEN_GAMMA);
    long d = mix64(x + GOLDEN_GAMMA);
    // SplitMix64 is a bijection of its counter, so four consecutive outputs are never all zero.
    return new Rng(a, b, c, d);
  }

  /**
   * A generator resuming from a state returned by {@link #state()}: four longs, not all zero (the
   * all-zero state is the one fixed point of xoshiro).
   *
   * @param state the four state words, as {@link #state()} returned them
   * @return a new generator that continues the stream from that state
   */
  public static Rng fromState(long[] state) {
    if (state.length != 4) {
      throw new IllegalArgumentException(
          "an Rng state has 4 longs, got " + state.length + ": " + Arrays.toString(state));
    }
    if ((state[0] | state[1] | state[2] | state[3]) == 0) {
      throw new IllegalArgumentException("an Rng state must not be all zero");
    }
    return new Rng(state[0], state[1], state[2], state[3]);
  }

  /**
   * A copy of the complete state; {@link #fromState(long[])} resumes from it.
   *
   * @return a new array of the four state words {@code s0..s3}
   */
  public long[] state() {
    return new long[] {s0, s1, s2, s3};
  }

  /**
   * An independent copy at the same position: both produce the same stream from here.
   *
   * @return a new generator with this one's state, advancing independently
   */
  public Rng copy() {
    return new Rng(s0, s1, s2, s3);
  }

  /** The SplitMix64 output function (Stafford's Mix13 variant), a bijection on longs. */
  private static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * The next 64 random bits: xoshiro256** {@code next()}.
   *
   * @return the next output of the generator, any long value
   */
  public long nextLong() {
    long result = Long.rotateLeft(s1 * 5, 7) * 9;
    long t = s1 << 17;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = Long.rotateLeft(s3, 45);
    return result;
  }

  /**
   * A uniform double in [0, 1) with 53 random bits (the top bits of {@link #nextLong()}).
   *
   * @return a double {@code x} with {@code 0 <= x < 1}, a multiple of 2^-53
   */
  public double nextDouble() {
    return (nextLong() >>> 11) * DOUBLE_UNIT;
  }

  /**
   * A uniform float in [0, 1) with 24 random bits.
   *
   * @return a float {@code x} with {@code 0 <= x < 1}, a multiple of 2^-24
   */
  public float nextFloat() {
    return (nextLong() >>> 40) * FLOAT_UNIT;
  }

  /**
   * A uniform int in [0, bound), without modulo bias.
   *
   * @param bound the exclusive upper bound, at least 1
   * @return an int {@code x} with {@code 0 <= x < bound}, each value equally likely
   */
  public int nextInt(int bound) {
    if (bound <= 0) {
      throw new IllegalArgumentException("bound (" + bound + ") must be positive");
    }
    // Lemire's multiply-and-reject on 32-bit draws: exact, and usually a single draw.
    long m = (nextLong() >>> 32) * bound;
    long low = m & 0xFFFFFFFFL;
    if (low < bound) {
      long threshold = (0x1_0000_0000L - bound) % bound;
      while (low < threshold) {
        m = (nextLong() >>> 32) * bound;
        low = m & 0xFFFFFFFFL;
      }
    }
    return (int) (m >>> 32);
  }

  /**
   * A uniform boolean (the top bit of {@link #nextLong()}).
   *
   * @return {@code true} or {@code false} with equal probability
   */
  public boolean nextBoolean() {
    return nextLong() < 0;
  }

  /**
   * A standard normal value by the Box–Muller transform of two {@link #nextDouble()} draws,
   * evaluated with {@link StrictMath} so the result is bit-for-bit reproducible. Each call
   * consumes exactly two longs; the second normal of the pair is discarded so that the state
   * stays four longs.
   *
   * @return a draw from the normal distribution with mean 0 and standard deviation 1
   */
  public double nextGaussian() {
    double u1 = 1.0 - nextDouble(); // (0, 1]: log stays finite
    double u2 = nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  /**
   * Shuffles {@code a} in place by Fisher–Yates with {@link #nextInt(int)}.
   *
   * @param a the array to permute; every permutation is equally likely
   */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextInt(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }

  /**
   * A random permutation of {@code 0 .. n-1}.
   *
   * @param n the number of elements, at least 0
   * @return a new array holding each of {@code 0 .. n-1} once, in random order
   */
  public int[] permutation(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n (" + n + ") must not be negative");
    }
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    shuffle(p);
    return p;
  }

  /**
   * A new generator seeded from this one's next output; this one advances by one step. Use it to
   * hand out streams in order (one per worker, one per epoch). The child is seeded through
   * SplitMix64 like {@link #seeded(long)}, so parent and child streams are statistically
   * independent.
   *
   * @return a new generator seeded by SplitMix64 from this one's next output
   */
  public Rng split() {
    return seeded(nextLong());
  }

  /**
   * A generator determined by this one's current state and {@code key}, without advancing this
   * one: {@code fork(0)} and {@code fork(1)} are different streams, and {@code fork(k)} called
   * twice gives the same stream. Use it for streams named by an index (per layer, per parameter)
   * that must not depend on how many others were drawn.
   *
   * @param key the stream's name, such as a layer or parameter index
   * @return a new generator; equal state and key give the same stream
   */
  public Rng fork(long key) {
    long h = mix64(s0 + GOLDEN_GAMMA);
    h = mix64(h ^ s1);
    h = mix64(h ^ s2);
    h = mix64(h ^ s3);
    h = mix64(h ^ mix64(key + GOLDEN_GAMMA));
    return seeded(h);
  }

  /** {@code Rng[state=…]}: the four state words in hex, enough to reproduce the stream. */
  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT, "Rng[state=%016x %016x %016x %016x]", s0, s1, s2, s3);
  }
}
