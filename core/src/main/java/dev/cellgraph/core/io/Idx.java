package dev.cellgraph.core.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Reads and writes the IDX format of the MNIST family of data sets (LeCun et al.): two zero
 * bytes, an element type code, the rank {@code R}, then {@code R} big-endian 32-bit dimensions and
 * the elements, big-endian, in row-major order. Element types: unsigned byte (0x08), signed byte
 * (0x09), short (0x0b), int (0x0c), float (0x0d) and double (0x0e); any rank from 0 to 255. A file
 * may be gzipped, as the data sets are distributed: the gzip magic number (0x1f 0x8b) is detected.
 *
 * <p>Reading validates the whole file and rejects a bad one with an {@link IdxException} naming
 * the file and saying what was expected, and no other exception. Nothing is allocated before the
 * header's sizes are checked against the file: a plain file must hold exactly the bytes its
 * dimensions declare (fewer is truncation, more is trailing bytes); a gzipped file must be long
 * enough to decompress to them at deflate's best ratio (1032:1), and decompression stops at the
 * declared size, so a stream that would inflate to more is an error, not an allocation. Messages
 * quote at most a few numbers, never the file's contents.
 *
 * <p>Writing gzips a file whose name ends in {@code .gz} and replaces it atomically through
 * {@link AtomicFiles}.
 *
 * <p>Thread-safe: its static methods share no mutable state, and {@link Data} is immutable.
 */
public final class Idx {
  /** The largest element count accepted: what one Java array can hold. */
  public static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

  /**
   * Deflate's largest possible compression ratio (zlib's FAQ), which bounds what a gzipped file
   * of a given length can honestly decompress to.
   */
  public static final long MAX_GZIP_RATIO = 1032;

  private static final int CHUNK = 1 << 16;

  private Idx() {}

  /** An element type, with its code in the IDX header. */
  public enum Type {
    /** Unsigned 8-bit integers (MNIST's images and labels). */
    UNSIGNED_BYTE(0x08, 1, "unsigned byte"),
    /** Signed 8-bit integers. */
    BYTE(0x09, 1, "signed byte"),
    /** Signed big-endian 16-bit integers. */
    SHORT(0x0b, 2, "short"),
    /** Signed big-endian 32-bit integers. */
    INT(0x0c, 4, "int"),
    /** Big-endian IEEE 32-bit floats. */
    FLOAT(0x0d, 4, "float"),
    /** Big-endian IEEE 64-bit floats. */
    DOUBLE(0x0e, 8, "double");

    private final int code;
    private final int width;
    private final String description;

    Type(int code, int width, String description) {
      this.code = code;
      this.width = width;
      this.description = description;
    }

    /**
     * The type code of the IDX header.
     *
     * @return the element type's code in the header, from 0x08 to 0x0e
     */
    public int code() {
      return code;
    }

    /**
     * Bytes per element.
     *
     * @return the size of one element in bytes: 1, 2, 4 or 8
     */
    public int width() {
      return width;
    }

    /**
     * How messages name the type: {@code unsigned byte}.
     *
     * @return the type's name in messages, such as {@code unsigned byte}
     */
    public String description() {
      return description;
    }

    /**
     * Whether the elements are {@code FLOAT} or {@code DOUBLE}.
     *
     * @return {@code true} for {@code FLOAT} and {@code DOUBLE}, {@code false} otherwise
     */
    public boolean isFloating() {
      return this == FLOAT || this == DOUBLE;
    }

    /** The type of a header code, or null. */
    static Type ofCode(int code) {
      for (Type t : values()) {
        if (t.code == code) {
          return t;
        }
      }
      return null;
    }
  }

  /**
   * The contents of an IDX file: an element type, a shape and the elements in row-major order.
   * Immutable; {@link #equals} compares the type, the shape and the bits of every element.
   */
  public static final class Data {
    private final Type type;
    private final int[] shape;
    private final Object values; // byte[], short[], int[], float[] or double[], by type
    private final int size;

    private Data(Type type, Object values, int length, int[] shape) {
      this.type = type;
      this.shape = checkShape(shape.clone(), length);
      this.values = values;
      this.size = length;
    }

    private static int[] checkShape(int[] shape, int length) {
      if (shape.length > 255) {
        throw new IllegalArgumentException("an IDX array has at most 255 dimensions, got " + shape.length);
      }
      long n = 1;
      for (int d : shape) {
        if (d < 0) {
          throw new IllegalArgumentException("dimensions must not be negative, got " + Arrays.toString(shape));
        }
        n = Math.min(n * d, Long.MAX_VALUE / Integer.MAX_VALUE); // saturates instead of overflowing
      }
      if (n != length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not hold " + length
            + " elements");
      }
      return shape;
    }

    /**
     * Unsigned bytes (0 to 255 each), as the MNIST images and labels are; the array is copied.
     *
     * @param values the elements in row-major order, each read as 0 to 255
     * @param shape the dimensions (at most 255), whose product must be {@code values.length}
     * @return new data that holds a copy of {@code values}
     */
    public static Data ofUnsignedBytes(byte[] values, int... shape) {
      return new Data(Type.UNSIGNED_BYTE, values.clone(), values.length, shape);
    }

    /**
     * Signed bytes; the array is copied.
     *
     * @param values the elements in row-major order
     * @param shape the dimensions (at most 255), whose product must be {@code values.length}
     * @return new data that holds a copy of {@code values}
     */
    public static Data ofBytes(byte[] values, int... shape) {
      return new Data(Type.BYTE, values.clone(), values.length, shape);
    }

    /**
     * 16-bit integers; the array is copied.
     *
     * @param values the elements in row-major order
     * @param shape the dimensions (at most 255), whose product must be {@code values.length}
     * @return new data that holds a copy of {@code values}
     */
    public static Data ofShorts(short[] values, int... shape) {
      return new Data(Type.SHORT, values.clone(), values.length, shape);
    }

    /**
     * 32-bit integers; the array is copied.
     *
     * @param values the elements in row-major order
     * @param shape the dimensions (at most 255), whose product must be {@code values.length}
     * @return new data that holds a copy of {@code values}
     */
    public static Data ofInts(int[] values, int... shape) {
      return new Data(Type.INT, values.clone(), values.length, shape);
    }

    /**
     * 32-bit floats; the array is copied.
     *
     * @param values the elements in row-major order
     * @param shape the dimensions (at most 255), whose product must be {@code values.length}
     * @return new data that holds a copy of {@code values}
     */
    public static Data ofFloats(float[] values, int... shape) {
      return new Data(Type.FLOAT, values.clone(), values.length, shape);
    }

    /**
     * 64-bit floats; the array is copied.
     *
     * @param values the elements in row-major order
     * @param shape the dimensions (at most 255), whose product must be {@code values.length}
     * @return new data that holds a copy of {@code values}
     */
    public static Data ofDoubles(double[] values, int... shape) {
      return new Data(Type.DOUBLE, values.clone(), values.length, shape);
    }

    /**
     * The element type.
     *
     * @return the type of the elements
     */
    public Type type() {
      return type;
    }

    /**
     * The dimensions (a copy).
     *
     * @return a new array holding the dimensions, outermost first
     */
    public int[] shape() {
      return shape.clone();
    }

    /**
     * The number of dimensions.
     *
     * @return the rank, from 0 to 255
     */
    public int rank() {
      return shape.length;
    }

    /**
     * The size of dimension {@code axis} (0-based, not negative).
     *
     * @param axis the dimension, in {@code [0, rank)}
     * @return the length of that dimension
     */
    public int dim(int axis) {
      return shape[axis];
    }

    /**
     * The number of elements.
     *
     * @return the product of the dimensions
     */
    public int size() {
      return size;
    }

    /**
     * Element {@code i} (row-major) of an integer type; an unsigned byte reads as 0 to 255.
     *
     * @param i the row-major index of the element, in {@code [0, size)}
     * @return the element's value; 0 to 255 for an unsigned byte
     */
    public int intAt(int i) {
      switch (type) {
        case UNSIGNED_BYTE: return ((byte[]) values)[i] & 0xff;
        case BYTE: return ((byte[]) values)[i];
        case SHORT: return ((short[]) values)[i];
        case INT: return ((int[]) values)[i];
        default: throw new IllegalStateException("intAt: the elements are " + type.description() + "s");
      }
    }

    /**
     * Element {@code i} (row-major) of any type, as a double.
     *
     * @param i the row-major index of the element, in {@code [0, size)}
     * @return the element's value, converted exactly to double
     */
    public double doubleAt(int i) {
      switch (type) {
        case FLOAT: return ((float[]) values)[i];
        case DOUBLE: return ((double[]) values)[i];
        default: return intAt(i);
      }
    }

    /** Writes element {@code i} big-endian, bit for bit. */
    void put(ByteBuffer buf, int i) {
      switch (type) {
        case UNSIGNED_BYTE, BYTE -> buf.put(((byte[]) values)[i]);
        case SHORT -> buf.putShort(((short[]) values)[i]);
        case INT -> buf.putInt(((int[]) values)[i]);
        case FLOAT -> buf.putFloat(((float[]) values)[i]);
        default -> buf.putDouble(((double[]) values)[i]);
      }
    }

    private long bits(int i) {
      switch (type) {
        case FLOAT: return Float.floatToRawIntBits(((float[]) values)[i]);
        case DOUBLE: return Double.doubleToRawLongBits(((double[]) values)[i]);
        default: return intAt(i);
      }
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Data other) || other.type != type || !Arrays.equals(other.shape, shape)) {
        return false;
      }
      for (int i = 0; i < size; i++) {
        if (bits(i) != other.bits(i)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = Objects.hash(type, Arrays.hashCode(shape));
      for (int i = 0; i < Math.min(size, 64); i++) {
        h = 31 * h + Long.hashCode(bits(i));
      }
      return h;
    }

    @Override
    public String toString() {
      return "Idx.Data(" + type.description() + " " + Arrays.toString(shape) + ")";
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * The contents of {@code file}, plain or gzipped; a malformed file is an {@link IdxException} naming it.
   *
   * @param file the IDX file to read, plain or gzipped
   * @return the file's element type, shape and elements
   * @throws IOException if the file cannot be read, or an {@link IdxException} if it is malformed
   */
  public static Data read(Path file) throws IOException {
    long length = Files.size(file);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK)) {
      return parse(in, length, String.valueOf(file));
    }
  }

  /**
   * Parses the bytes of an IDX file, plain or gzipped; {@code source} names it in error messages.
   *
   * @param bytes the complete contents of an IDX file, plain or gzipped
   * @param source the name of the file the bytes came from, used in error messages
   * @return the element type, shape and elements the bytes hold
   * @throws IdxException if the bytes are not a well-formed IDX file
   */
  public static Data parse(byte[] bytes, String source) throws IdxException {
    try {
      return parse(new ByteArrayInputStream(bytes), bytes.length, source);
    } catch (IdxException e) {
      throw e;
    } catch (IOException e) {
      throw new AssertionError("reading a byte array cannot fail", e);
    }
  }

  /** {@code in} supports mark and reset and holds {@code length} bytes. */
  private static Data parse(InputStream in, long length, String source) throws IOException {
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      return parseGzip(in, length, source);
    }
    return parseBody(in, source, length, null);
  }

  private static Data parseGzip(InputStream raw, long length, String source) throws IdxException {
    try {
      // the stream is read to its end so that GZIPInputStream checks the trailer's CRC and length
      GZIPInputStream in = new GZIPInputStream(raw, CHUNK);
      Data d = parseBody(in, source, -1, length);
      if (in.read() != -1) {
        throw error(source, "the gzip stream decompresses to more than its header declares: data continues after the "
            + describe(d.type(), d.shape) + " values");
      }
      return d;
    } catch (IdxException e) {
      throw e;
    } catch (EOFException e) {
      throw error(source, "truncated gzip stream (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw error(source, "corrupt gzip stream: " + excerpt(e.getMessage()));
    }
  }

  /**
   * The header and the data. A plain file has {@code plainLength} bytes and {@code gzipLength}
   * null; a gzip stream comes from a file of {@code gzipLength} bytes.
   */
  private static Data parseBody(InputStream in, String source, long plainLength, Long gzipLength) throws IOException {
    boolean gzip = gzipLength != null;
    String stream = gzip ? "the gzip stream decompresses to" : "the file has";
    byte[] magic = new byte[4];
    int got = readFully(in, magic, 0, 4);
    if (got < 4) {
      throw notIdx(source, stream + " " + got + " byte" + (got == 1 ? "" : "s")
          + ", too few for the 4-byte magic number an IDX file starts with");
    }
    if (magic[0] != 0 || magic[1] != 0) {
      throw notIdx(source, String.format(Locale.ROOT,
          "%s starts with 0x%02x 0x%02x, expected 0x00 0x00 (or 0x1f 0x8b for a gzipped file)",
          gzip ? "the decompressed data" : "it", magic[0] & 0xff, magic[1] & 0xff));
    }
    Type type = Type.ofCode(magic[2] & 0xff);
    if (type == null) {
      throw notIdx(source, String.format(Locale.ROOT, "element type code 0x%02x is none of 0x08 (unsigned byte), "
          + "0x09 (signed byte), 0x0b (short), 0x0c (int), 0x0d (float), 0x0e (double)", magic[2] & 0xff));
    }
    int rank = magic[3] & 0xff;
    byte[] dimBytes = new byte[4 * rank];
    got = readFully(in, dimBytes, 0, dimBytes.length);
    if (got < dimBytes.length) {
      throw error(source, "truncated: the header declares " + rank + " dimensions (" + 4 * rank + " bytes), but "
          + (gzip ? "the gzip stream ends" : "the file ends") + " after " + got + " of them");
    }
    ByteBuffer dimBuf = ByteBuffer.wrap(dimBytes).order(ByteOrder.BIG_ENDIAN);
    int[] shape = new int[rank];
    long count = 1;
    boolean overflow = false;
    for (int k = 0; k < rank; k++) {
      long d = Integer.toUnsignedLong(dimBuf.getInt());
      if (d > MAX_ELEMENTS) {
        throw error(source, "dimension " + k + " is " + d + ", more than one array can hold (" + MAX_ELEMENTS + ")");
      }
      shape[k] = (int) d;
      count *= d;
      if (count > MAX_ELEMENTS) {
        overflow = true;
        count = MAX_ELEMENTS + 1L; // kept there: a later zero still empties the array
      }
    }
    if (count == 0) {
      overflow = false;
    }
    if (overflow) {
      throw error(source, "dimensions " + dims(shape) + " make more than " + MAX_ELEMENTS
          + " elements, more than one array can hold");
    }
    long headerBytes = 4 + 4L * rank;
    long dataBytes = count * type.width();
    if (!gzip) {
      long available = plainLength - headerBytes;
      if (dataBytes > available) {
        throw error(source, "truncated: " + describe(type, shape) + " values need " + dataBytes
            + " bytes of data, the file has " + available + " after its " + headerBytes + "-byte header");
      }
      if (dataBytes < available) {
        throw error(source, "trailing bytes: " + describe(type, shape) + " values need " + dataBytes
            + " bytes of data, the file has " + available + " after its " + headerBytes + "-byte header");
      }
    } else if (headerBytes + dataBytes > MAX_GZIP_RATIO * gzipLength) {
      throw error(source, "the header declares " + describe(type, shape) + " values (" + dataBytes
          + " bytes), more than a gzipped file of " + gzipLength + " bytes can hold (deflate compresses at most "
          + MAX_GZIP_RATIO + ":1)");
    }
    return readData(in, source, type, shape, (int) count, gzip);
  }

  private static Data readData(InputStream in, String source, Type type, int[] shape, int n, boolean gzip)
      throws IOException {
    int width = type.width();
    Object values;
    if (width == 1) {
      byte[] b = new byte[n];
      int got = readFully(in, b, 0, n);
      if (got < n) {
        throw truncatedData(source, type, shape, got, gzip);
      }
      values = b;
    } else {
      values = switch (type) {
        case SHORT -> new short[n];
        case INT -> new int[n];
        case FLOAT -> new float[n];
        default -> new double[n];
      };
      byte[] chunk = new byte[Math.min(CHUNK, n * width)];
      int perChunk = chunk.length / width;
      for (int start = 0; start < n; start += perChunk) {
        int count = Math.min(perChunk, n - start);
        int got = readFully(in, chunk, 0, count * width);
        if (got < count * width) {
          throw truncatedData(source, type, shape, (long) start * width + got, gzip);
        }
        ByteBuffer buf = ByteBuffer.wrap(chunk, 0, count * width).order(ByteOrder.BIG_ENDIAN);
        switch (type) {
          case SHORT -> buf.asShortBuffer().get((short[]) values, start, count);
          case INT -> buf.asIntBuffer().get((int[]) values, start, count);
          case FLOAT -> buf.asFloatBuffer().get((float[]) values, start, count);
          default -> buf.asDoubleBuffer().get((double[]) values, start, count);
        }
      }
    }
    return new Data(type, values, n, shape);
  }

  private static IdxException truncatedData(String source, Type type, int[] shape, long got, boolean gzip) {
    long need = (long) type.width() * size(shape);
    return error(source, gzip
        ? "truncated: the gzip stream ends after " + got + " of the " + need + " data bytes its header declares ("
            + describe(type, shape) + " values)"
        : "the file ended after " + got + " of its " + need + " data bytes (was it truncated while being read?)");
  }

  /** Reads up to {@code len} bytes, fewer only at the end of the stream; returns the count read. */
  private static int readFully(InputStream in, byte[] b, int off, int len) throws IOException {
    int done = 0;
    while (done < len) {
      int r = in.read(b, off + done, len - done);
      if (r < 0) {
        break;
      }
      done += r;
    }
    return done;
  }

  private static long size(int[] shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  /** {@code [60000, 28, 28] unsigned byte}, with at most 8 dimensions spelled out. */
  private static String describe(Type type, int[] shape) {
    return dims(shape) + " " + type.description();
  }

  private static String dims(int[] shape) {
    if (shape.length <= 8) {
      return Arrays.toString(shape);
    }
    StringBuilder sb = new StringBuilder("[");
    for (int k = 0; k < 8; k++) {
      sb.append(shape[k]).append(", ");
    }
    return sb.append("... (").append(shape.length).append(" dimensions)]").toString();
  }

  private static String excerpt(String s) {
    if (s == null) {
      return "no detail";
    }
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }

  private static IdxException error(String source, String message) {
    return new IdxException(source + ": " + message);
  }

  private static IdxException notIdx(String source, String what) {
    return error(source, "not an IDX file: " + what);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code data} to {@code file} atomically, gzipped when the name ends in {@code .gz}.
   *
   * @param file the file to write or replace; a name ending in {@code .gz} gets gzipped contents
   * @param data the contents to write
   * @throws IOException if {@code file} cannot be written; an existing file is then left as it was
   */
  public static void write(Path file, Data data) throws IOException {
    boolean gzip = String.valueOf(file.getFileName()).endsWith(".gz");
    AtomicFiles.write(file, out -> {
      if (gzip) {
        GZIPOutputStream z = new GZIPOutputStream(out, CHUNK);
        writeBody(z, data);
        z.finish();
      } else {
        writeBody(out, data);
      }
    });
  }

  /**
   * The bytes of a plain (not gzipped) IDX file holding {@code data}.
   *
   * @param data the contents to encode
   * @return a new array holding the header and the big-endian elements
   */
  public static byte[] toBytes(Data data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeBody(out, data);
    } catch (IOException e) {
      throw new AssertionError("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  /**
   * The bytes of a gzipped IDX file holding {@code data}.
   *
   * @param data the contents to encode
   * @return a new array holding the gzip stream of the plain IDX bytes
   */
  public static byte[] toGzipBytes(Data data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      writeBody(z, data);
    } catch (IOException e) {
      throw new AssertionError("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  private static void writeBody(OutputStream out, Data data) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.BIG_ENDIAN);
    buf.put((byte) 0).put((byte) 0).put((byte) data.type().code()).put((byte) data.rank());
    for (int d : data.shape) {
      if (buf.remaining() < 4) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      buf.putInt(d);
    }
    int width = data.type().width();
    for (int i = 0, n = data.size(); i < n; i++) {
      if (buf.remaining() < width) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      data.put(buf, i);
    }
    out.write(buf.array(), 0, buf.position());
  }
}
