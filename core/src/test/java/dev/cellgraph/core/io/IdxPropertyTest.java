package dev.cellgraph.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * The IDX reader on generated files: valid ones, plain and gzipped, round-trip bit for bit;
 * mutated ones (bit flips, truncations, appended bytes, edited headers and dimensions, before or
 * after gzipping) and random bytes are read or rejected with the reader's own exception, whose
 * message names the file and stays short. Any other exception, or an OutOfMemoryError from an
 * allocation the file does not justify, fails the property.
 */
@Tag("fuzz")
class IdxPropertyTest {
  private static final String SOURCE = "fuzz.idx";
  /** A message is the source, a fixed text and a few numbers (at most 8 dimensions spelled out). */
  private static final int MAX_MESSAGE = 400;

  @Property(seed = "20240201")
  void validFilesRoundTripBitExactly(@ForAll("data") Idx.Data d) throws Exception {
    byte[] plain = Idx.toBytes(d);
    Idx.Data back = Idx.parse(plain, SOURCE);
    assertEquals(d, back);
    assertArrayEquals(plain, Idx.toBytes(back));
    assertEquals(d, Idx.parse(Idx.toGzipBytes(d), SOURCE));
  }

  @Property(seed = "20240202")
  void mutatedFilesGiveOnlyTheReadersOwnClearError(@ForAll("data") Idx.Data d, @ForAll long mutationSeed,
      @ForAll boolean gzipFirst) throws IOException {
    Random r = new Random(mutationSeed);
    byte[] bytes = gzipFirst ? mutate(gzip(Idx.toBytes(d), r), r) : mutate(Idx.toBytes(d), r);
    if (!gzipFirst && r.nextInt(3) == 0) {
      bytes = gzip(bytes, r); // a damaged IDX inside an intact gzip stream
    }
    readOrReject(bytes);
  }

  @Property(seed = "20240203")
  void randomBytesGiveOnlyTheReadersOwnClearError(@ForAll("randomFiles") byte[] bytes) {
    readOrReject(bytes);
  }

  /** Parses {@code bytes}: success, or an IdxException naming the file, of bounded length. */
  static void readOrReject(byte[] bytes) {
    try {
      Idx.Data got = Idx.parse(bytes, SOURCE);
      // whatever is accepted is exactly what the file holds
      assertEquals(got, Idx.parse(Idx.toBytes(got), SOURCE));
    } catch (IdxException e) {
      String m = e.getMessage();
      assertTrue(m.startsWith(SOURCE + ": "), m);
      assertTrue(m.length() <= MAX_MESSAGE, () -> m.length() + " characters: " + m.substring(0, 300));
    }
  }

  // ---------------------------------------------------------------- generators

  @Provide
  Arbitrary<Idx.Data> data() {
    Arbitrary<int[]> dims = Arbitraries.integers().between(0, 5).array(int[].class).ofMaxSize(4);
    return Combinators.combine(Arbitraries.of(Idx.Type.values()), dims, Arbitraries.longs())
        .as((type, shape, seed) -> data(type, shape, new Random(seed)));
  }

  /** Random bits of every kind: NaN payloads, infinities, subnormals, extreme integers. */
  static Idx.Data data(Idx.Type type, int[] shape, Random r) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    switch (type) {
      case UNSIGNED_BYTE, BYTE -> {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return type == Idx.Type.BYTE ? Idx.Data.ofBytes(b, shape) : Idx.Data.ofUnsignedBytes(b, shape);
      }
      case SHORT -> {
        short[] s = new short[n];
        for (int i = 0; i < n; i++) {
          s[i] = (short) r.nextInt();
        }
        return Idx.Data.ofShorts(s, shape);
      }
      case INT -> {
        int[] v = new int[n];
        Arrays.setAll(v, i -> r.nextInt());
        return Idx.Data.ofInts(v, shape);
      }
      case FLOAT -> {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = Float.intBitsToFloat(r.nextInt());
        }
        return Idx.Data.ofFloats(f, shape);
      }
      default -> {
        double[] v = new double[n];
        Arrays.setAll(v, i -> Double.longBitsToDouble(r.nextLong()));
        return Idx.Data.ofDoubles(v, shape);
      }
    }
  }

  @Provide
  Arbitrary<byte[]> randomFiles() {
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    // a valid magic number followed by random bytes, so dimensions and data are random
    Arbitrary<byte[]> framed = Combinators.combine(Arbitraries.of(8, 9, 0x0b, 0x0c, 0x0d, 0x0e, 0, 0xff),
        Arbitraries.integers().between(0, 255), Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
        .as((type, rank, body) -> {
          byte[] b = new byte[4 + body.length];
          b[2] = (byte) (int) type;
          b[3] = (byte) (int) rank;
          System.arraycopy(body, 0, b, 4, body.length);
          return b;
        });
    // the gzip magic number followed by random bytes, so the inflater sees them
    Arbitrary<byte[]> gzipish = Arbitraries.bytes().array(byte[].class).ofMaxSize(200).map(body -> {
      byte[] b = new byte[10 + body.length];
      b[0] = 0x1f;
      b[1] = (byte) 0x8b;
      b[2] = 8; // deflate
      System.arraycopy(body, 0, b, 10, body.length);
      return b;
    });
    return Arbitraries.oneOf(raw, framed, gzipish);
  }

  /** Dimensions that stress the size checks: zero, huge, overflowing products, off by one. */
  private static final int[] DIMS = {0, 1, 2, 28, 60000, 65536, 0x7fffffff, 0x7ffffff7, 0x7ffffff8, -1, 0x80000000};

  /** One to three mutations of a file. */
  static byte[] mutate(byte[] file, Random r) {
    byte[] b = file;
    int rounds = 1 + r.nextInt(3);
    for (int k = 0; k < rounds && b.length > 0; k++) {
      switch (r.nextInt(7)) {
        case 0 -> { // bit flips anywhere
          b = b.clone();
          for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
            int at = r.nextInt(b.length);
            b[at] ^= (byte) (1 << r.nextInt(8));
          }
        }
        case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncation
        case 2 -> { // bytes appended
          byte[] extra = new byte[1 + r.nextInt(16)];
          r.nextBytes(extra);
          b = IdxTest.concat(b, extra);
        }
        case 3 -> { // a dimension replaced by an edge value
          int rank = b.length >= 4 ? b[3] & 0xff : 0;
          int slot = 4 + 4 * r.nextInt(Math.max(1, rank));
          if (slot + 4 <= b.length) {
            b = b.clone();
            ByteBuffer.wrap(b).putInt(slot, DIMS[r.nextInt(DIMS.length)]);
          }
        }
        case 4 -> { // the type code or the rank replaced
          if (b.length >= 4) {
            b = b.clone();
            b[2 + r.nextInt(2)] = (byte) r.nextInt(256);
          }
        }
        case 5 -> { // a span deleted
          int at = r.nextInt(b.length);
          int len = 1 + r.nextInt(Math.min(16, b.length - at));
          byte[] out = new byte[b.length - len];
          System.arraycopy(b, 0, out, 0, at);
          System.arraycopy(b, at + len, out, at, b.length - at - len);
          b = out;
        }
        default -> { // random bytes over a span
          b = b.clone();
          int at = r.nextInt(b.length);
          for (int i = at, n = Math.min(b.length, at + 1 + r.nextInt(16)); i < n; i++) {
            b[i] = (byte) r.nextInt();
          }
        }
      }
    }
    return b;
  }

  /** Gzips {@code raw} at a random level, as different tools do. */
  static byte[] gzip(byte[] raw, Random r) throws IOException {
    int level = r.nextInt(10);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out) {
      {
        def.setLevel(level == 0 ? Deflater.NO_COMPRESSION : level);
      }
    }) {
      z.write(raw);
    }
    return out.toByteArray();
  }
}
