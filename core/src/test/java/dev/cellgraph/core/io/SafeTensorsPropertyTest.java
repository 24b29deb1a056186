package dev.cellgraph.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * The safetensors reader on generated files: valid ones round-trip bit for bit; mutated ones
 * (bit flips, truncations, header edits, random bytes) are read or rejected with the reader's
 * own exception, whose message names the file and stays short.
 */
@Tag("fuzz")
class SafeTensorsPropertyTest {
  private static final String SOURCE = "fuzz.safetensors";
  /** A message is the source, a fixed text and at most a few bounded excerpts. */
  private static final int MAX_MESSAGE = 1_000;

  @Property(seed = "20240101")
  void validFilesRoundTripBitExactly(@ForAll("contents") SafeTensors.Contents c) throws Exception {
    byte[] bytes = SafeTensors.toBytes(c.tensors(), c.metadata());
    SafeTensors.Contents back = SafeTensors.parse(bytes, SOURCE);
    assertEquals(new ArrayList<>(c.tensors().keySet()), new ArrayList<>(back.tensors().keySet()));
    assertEquals(c.tensors(), back.tensors());
    assertEquals(c.metadata(), back.metadata());
    // bytes compare NaN payloads too, which Tensor.equals does not
    assertArrayEquals(bytes, SafeTensors.toBytes(back.tensors(), back.metadata()));
  }

  @Property(seed = "20240102")
  void mutatedFilesGiveOnlyTheReadersOwnClearError(@ForAll("contents") SafeTensors.Contents c,
      @ForAll long mutationSeed) {
    byte[] bytes = mutate(SafeTensors.toBytes(c.tensors(), c.metadata()), new Random(mutationSeed));
    readOrReject(bytes);
  }

  @Property(seed = "20240103")
  void randomBytesGiveOnlyTheReadersOwnClearError(@ForAll("randomFiles") byte[] bytes) {
    readOrReject(bytes);
  }

  /** Parses {@code bytes}: success, or a SafeTensorsException naming the file, of bounded length. */
  static void readOrReject(byte[] bytes) {
    try {
      SafeTensors.Contents got = SafeTensors.parse(bytes, SOURCE);
      // whatever is accepted can be written and read back
      SafeTensors.parse(SafeTensors.toBytes(got.tensors(), got.metadata()), SOURCE);
    } catch (SafeTensorsException e) {
      String m = e.getMessage();
      assertTrue(m.startsWith(SOURCE + ": "), m);
      assertTrue(m.length() <= MAX_MESSAGE, () -> m.length() + " characters: " + m.substring(0, 300));
    }
  }

  // ---------------------------------------------------------------- generators

  @Provide
  Arbitrary<SafeTensors.Contents> contents() {
    Arbitrary<Map<String, Tensor>> tensors = Arbitraries.maps(names(), tensors()).ofMaxSize(5)
        .map(LinkedHashMap::new);
    Arbitrary<Map<String, String>> metadata = Arbitraries.maps(text(), text()).ofMaxSize(3);
    return Combinators.combine(tensors, metadata).as(SafeTensors.Contents::new);
  }

  /** Any valid Unicode (no lone surrogates): letters, escapes, controls, emoji. */
  static Arbitrary<String> text() {
    Arbitrary<String> anyCodePoints = Arbitraries.integers().between(0, 0x10ffff)
        .filter(cp -> cp < 0xd800 || cp > 0xdfff)
        .list().ofMaxSize(12)
        .map(cps -> {
          StringBuilder sb = new StringBuilder();
          cps.forEach(sb::appendCodePoint);
          return sb.toString();
        });
    Arbitrary<String> jsonish = Arbitraries.strings().withChars("\"\\/{}[]:,\n\t\u0000\u2028 aé")
        .ofMaxLength(8);
    Arbitrary<String> emoji = Arbitraries.of("😀", "a😀b", "\uD83D\uDE00\u0301");
    return Arbitraries.oneOf(anyCodePoints, jsonish, emoji, Arbitraries.strings().alpha().ofMaxLength(6));
  }

  static Arbitrary<String> names() {
    return text().filter(s -> !s.equals("__metadata__"));
  }

  static Arbitrary<Tensor> tensors() {
    Arbitrary<int[]> dims = Arbitraries.integers().between(0, 4).array(int[].class).ofMaxSize(3);
    return Combinators.combine(Arbitraries.of(DType.values()), dims, Arbitraries.longs())
        .as((dtype, d, seed) -> tensor(dtype, Shape.of(d), new Random(seed)));
  }

  /** Random bits of every kind: NaN payloads, infinities, subnormals, extreme integers. */
  static Tensor tensor(DType dtype, Shape shape, Random r) {
    int n = shape.size();
    switch (dtype) {
      case FLOAT32 -> {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
          f[i] = Float.intBitsToFloat(r.nextInt());
        }
        return TensorAccess.wrap(f, shape);
      }
      case FLOAT64 -> {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
          d[i] = Double.longBitsToDouble(r.nextLong());
        }
        return TensorAccess.wrap(d, shape);
      }
      default -> {
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
          l[i] = dtype == DType.INT32 ? r.nextInt() : r.nextLong();
        }
        return TensorAccess.wrap(dtype, l, shape);
      }
    }
  }

  @Provide
  Arbitrary<byte[]> randomFiles() {
    Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
    // a plausible length field followed by random bytes, so the header parser sees them
    Arbitrary<byte[]> framed = Arbitraries.bytes().array(byte[].class).ofMaxSize(200).map(b -> {
      ByteBuffer buf = ByteBuffer.allocate(8 + b.length).order(ByteOrder.LITTLE_ENDIAN);
      return buf.putLong(b.length).put(b).array();
    });
    Arbitrary<byte[]> jsonish = Arbitraries.strings().withChars("{}[]\":,0123456789-.eE \\u\"dtypeshapF3I6_ofs")
        .ofMaxLength(120).map(s -> {
          byte[] h = ("{" + s).getBytes(StandardCharsets.UTF_8);
          ByteBuffer buf = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
          return buf.putLong(h.length).put(h).array();
        });
    return Arbitraries.oneOf(raw, framed, jsonish);
  }

  private static final byte[][] TOKENS = tokens("{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\ud800",
      "-", "0", "9", "1e9", ".5", "null", "true", "[[[[", "99999999999999999999", "4294967296",
      "\"dtype\":\"F32\"", "\"shape\":[0,65536,65536]", "\"data_offsets\":[0,0]", "\"__metadata__\":",
      "\u00ff", "\u00e9", "\u0000", " ");

  private static byte[][] tokens(String... s) {
    byte[][] t = new byte[s.length][];
    for (int i = 0; i < s.length; i++) {
      t[i] = s[i].getBytes(StandardCharsets.UTF_8);
    }
    t[24] = new byte[] {(byte) 0xff}; // a byte that is never UTF-8
    return t;
  }

  /** One to three mutations of a valid file. */
  static byte[] mutate(byte[] file, Random r) {
    byte[] b = file;
    int rounds = 1 + r.nextInt(3);
    for (int k = 0; k < rounds && b.length > 0; k++) {
      long headerLength = b.length >= 8 ? ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong() : 0;
      int headerEnd = (int) Math.max(8, Math.min(b.length, 8 + Math.max(0, headerLength)));
      switch (r.nextInt(7)) {
        case 0 -> { // bit flips anywhere
          b = b.clone();
          for (int i = 0, n = 1 + r.nextInt(8); i < n; i++) {
            int at = r.nextInt(b.length);
            b[at] ^= (byte) (1 << r.nextInt(8));
          }
        }
        case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncation
        case 2 -> { // a header byte replaced by a JSON token, the length fixed up
          if (headerEnd > 8) {
            int at = 8 + r.nextInt(headerEnd - 8);
            b = splice(b, at, 1, TOKENS[r.nextInt(TOKENS.length)], headerEnd);
          }
        }
        case 3 -> { // a token inserted into the header
          int at = 8 + r.nextInt(Math.max(1, headerEnd - 8));
          b = splice(b, Math.min(at, b.length), 0, TOKENS[r.nextInt(TOKENS.length)], headerEnd);
        }
        case 4 -> { // a span of the header deleted
          if (headerEnd > 9) {
            int at = 8 + r.nextInt(headerEnd - 8);
            b = splice(b, at, 1 + r.nextInt(Math.min(16, headerEnd - at)), new byte[0], headerEnd);
          }
        }
        case 5 -> { // the length field replaced
          if (b.length >= 8) {
            b = b.clone();
            long v = switch (r.nextInt(4)) {
              case 0 -> r.nextLong();
              case 1 -> headerLength + r.nextInt(17) - 8;
              case 2 -> -1 - r.nextInt(8);
              default -> SafeTensors.MAX_HEADER_BYTES + r.nextInt(3) - 1;
            };
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
          }
        }
        default -> { // random bytes over a span of the data or the header
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

  /** Replaces {@code len} bytes at {@code at} by {@code with}, keeping the length field honest. */
  private static byte[] splice(byte[] b, int at, int len, byte[] with, int headerEnd) {
    len = Math.min(len, b.length - at);
    byte[] out = new byte[b.length - len + with.length];
    System.arraycopy(b, 0, out, 0, at);
    System.arraycopy(with, 0, out, at, with.length);
    System.arraycopy(b, at + len, out, at + with.length, b.length - at - len);
    if (out.length >= 8 && at < headerEnd) {
      ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(0, headerEnd - 8 - len + with.length);
    }
    return out;
  }
}
