package dev.cellgraph.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
  @TempDir Path dir;

  private static final String SRC = "x.idx";

  @Test
  void roundTripsEveryElementTypePlainAndGzipped() throws IOException {
    Idx.Data[] all = {
        Idx.Data.ofUnsignedBytes(new byte[] {0, 1, (byte) 255, (byte) 128, 7, 9}, 2, 3),
        Idx.Data.ofBytes(new byte[] {-128, 127, 0}, 3),
        Idx.Data.ofShorts(new short[] {Short.MIN_VALUE, -1, Short.MAX_VALUE, 5}, 2, 1, 2),
        Idx.Data.ofInts(new int[] {Integer.MIN_VALUE, Integer.MAX_VALUE}, 2),
        Idx.Data.ofFloats(new float[] {Float.NaN, -0f, Float.MIN_VALUE, Float.NEGATIVE_INFINITY}, 4),
        Idx.Data.ofDoubles(new double[] {Math.PI}), // rank 0: a scalar
        Idx.Data.ofDoubles(new double[0], 3, 0, 2),
    };
    for (Idx.Data d : all) {
      assertEquals(d, Idx.parse(Idx.toBytes(d), SRC), d.toString());
      assertEquals(d, Idx.parse(Idx.toGzipBytes(d), SRC), d.toString());
      Path plain = dir.resolve("a-idx");
      Path gz = dir.resolve("a-idx.gz");
      Idx.write(plain, d);
      Idx.write(gz, d);
      assertArrayEquals(Idx.toBytes(d), Files.readAllBytes(plain));
      assertEquals(0x1f, Files.readAllBytes(gz)[0] & 0xff, "a .gz name is gzipped");
      assertEquals(d, Idx.read(plain));
      assertEquals(d, Idx.read(gz));
    }
  }

  @Test
  void readsTheLayoutOfTheMnistFiles() throws IOException {
    // the header of train-labels-idx1-ubyte: magic 0x00000801, 3 labels
    byte[] labels = {0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4};
    Idx.Data d = Idx.parse(labels, SRC);
    assertEquals(Idx.Type.UNSIGNED_BYTE, d.type());
    assertArrayEquals(new int[] {3}, d.shape());
    assertEquals(5, d.intAt(0));
    assertEquals(4.0, d.doubleAt(2));
    byte[] shorts = {0, 0, 0x0b, 1, 0, 0, 0, 1, (byte) 0xff, (byte) 0xfe};
    assertEquals(-2, Idx.parse(shorts, SRC).intAt(0), "big-endian");
  }

  private static String rejected(byte[] bytes) {
    return assertThrows(IdxException.class, () -> Idx.parse(bytes, SRC)).getMessage();
  }

  @Test
  void badMagicNumbersAndTypeCodesAreNamed() {
    assertEquals("x.idx: not an IDX file: the file has 3 bytes, too few for the 4-byte magic number an IDX file "
        + "starts with", rejected(new byte[] {0, 0, 8}));
    assertEquals("x.idx: not an IDX file: it starts with 0x50 0x4b, expected 0x00 0x00 (or 0x1f 0x8b for a "
        + "gzipped file)", rejected(new byte[] {0x50, 0x4b, 3, 4, 0, 0}));
    assertEquals("x.idx: not an IDX file: element type code 0x0a is none of 0x08 (unsigned byte), 0x09 (signed "
        + "byte), 0x0b (short), 0x0c (int), 0x0d (float), 0x0e (double)", rejected(new byte[] {0, 0, 0x0a, 1}));
  }

  @Test
  void sizesAreCheckedAgainstTheFileBeforeAnythingIsAllocated() {
    assertEquals("x.idx: truncated: the header declares 3 dimensions (12 bytes), but the file ends after 5 of them",
        rejected(new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0}));
    assertEquals("x.idx: dimension 1 is 4294967295, more than one array can hold (2147483639)",
        rejected(header(8, 2, 0xffffffff)));
    assertEquals("x.idx: dimensions [65536, 65536] make more than 2147483639 elements, more than one array can hold",
        rejected(header(8, 65536, 65536)));
    // a zero dimension after huge ones: an empty array, no allocation
    assertEquals(0, assertDoesParse(header(8, 65536, 65536, 0)).size());
    assertEquals("x.idx: truncated: [60000, 28, 28] unsigned byte values need 47040000 bytes of data, the file has 0 "
        + "after its 16-byte header", rejected(header(8, 60000, 28, 28)));
    assertEquals("x.idx: truncated: [2] int values need 8 bytes of data, the file has 7 after its 8-byte header",
        rejected(concat(header(0x0c, 2), new byte[7])));
    assertEquals("x.idx: trailing bytes: [2] unsigned byte values need 2 bytes of data, the file has 3 after its "
        + "8-byte header", rejected(concat(header(8, 2), new byte[3])));
  }

  private static Idx.Data assertDoesParse(byte[] b) {
    try {
      return Idx.parse(b, SRC);
    } catch (IdxException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void gzipStreamsAreBoundedByTheDeclaredSize() throws IOException {
    Idx.Data d = Idx.Data.ofUnsignedBytes(new byte[] {1, 2, 3, 4}, 4);
    byte[] gz = Idx.toGzipBytes(d);
    assertEquals("x.idx: truncated gzip stream (Unexpected end of ZLIB input stream)",
        rejected(Arrays.copyOf(gz, gz.length - 12)));
    byte[] crc = gz.clone();
    crc[crc.length - 6] ^= 1;
    assertEquals("x.idx: corrupt gzip stream: Corrupt GZIP trailer", rejected(crc));
    byte[] body = gz.clone();
    body[12] ^= (byte) 0xff;
    assertEquals("x.idx: corrupt gzip stream: invalid distance too far back", rejected(body));

    // the header promises 2 bytes, the stream holds 4
    assertEquals("x.idx: the gzip stream decompresses to more than its header declares: data continues after the "
        + "[2] unsigned byte values", rejected(gzip(concat(header(8, 2), new byte[] {1, 2, 3, 4}))));
    assertEquals("x.idx: truncated: the gzip stream ends after 3 of the 4 data bytes its header declares ([2] short "
        + "values)", rejected(gzip(concat(header(0x0b, 2), new byte[3]))));
    assertEquals("x.idx: not an IDX file: the gzip stream decompresses to 0 bytes, too few for the 4-byte magic number "
        + "an IDX file starts with", rejected(gzip(new byte[0])));
    assertEquals("x.idx: not an IDX file: the decompressed data starts with 0x1f 0x8b, expected 0x00 0x00 (or 0x1f "
        + "0x8b for a gzipped file)", rejected(gzip(gz)));
    // 47 MB declared in a 40-byte file: refused before decompressing or allocating
    byte[] bomb = gzip(header(8, 60000, 28, 28));
    assertEquals("x.idx: the header declares [60000, 28, 28] unsigned byte values (47040000 bytes), more than a "
        + "gzipped file of " + bomb.length + " bytes can hold (deflate compresses at most 1032:1)", rejected(bomb));
  }

  @Test
  void readingAFileNamesItsPath() throws IOException {
    Path f = dir.resolve("t10k-labels-idx1-ubyte");
    Files.write(f, new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1});
    IdxException e = assertThrows(IdxException.class, () -> Idx.read(f));
    assertEquals(f + ": truncated: [2] unsigned byte values need 2 bytes of data, the file has 1 after its 8-byte "
        + "header", e.getMessage());
  }

  @Test
  void dataRejectsAShapeThatDoesNotHoldItsElements() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Idx.Data.ofInts(new int[3], 2, 2));
    assertEquals("shape [2, 2] does not hold 3 elements", e.getMessage());
    assertEquals("intAt: the elements are floats",
        assertThrows(IllegalStateException.class, () -> Idx.Data.ofFloats(new float[1], 1).intAt(0)).getMessage());
  }

  static byte[] header(int type, int... dims) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length);
    b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    return b.array();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] r = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }
}
