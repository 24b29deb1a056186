package dev.cellgraph.core.io;

import com.google.common.collect.ImmutableMap;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads and writes the safetensors format, in which PyTorch users exchange weights: an 8-byte
 * little-endian header length {@code N}, a UTF-8 JSON header of {@code N} bytes mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to
 * the start of the data section) plus an optional {@code "__metadata__"} map of strings, then the
 * raw little-endian data. Supported dtypes: F32, F64, I32, I64.
 *
 * <p>Reading validates the whole file before returning anything and rejects a bad one with a
 * {@link SafeTensorsException} naming the file and the tensor, and no other exception; a file
 * that is not safetensors at all is "not a safetensors file: ..." with what was expected. Reading
 * allocates no more than a small multiple of the file's size, whatever the file says: the header
 * is parsed in one pass without recursion (nesting is limited to 64 levels), and every name or
 * value quoted in a message is cut to a short excerpt. The maps returned are immutable and
 * iterate in header order.
 *
 * <p>Writing keeps the caller's map order for the header and the data, pads the header with
 * spaces to a multiple of 8 bytes (as the reference writer does, so that the data starts
 * aligned), and replaces the file atomically through {@link AtomicFiles}. A name or metadata
 * string with a lone surrogate is rejected, since UTF-8 cannot encode it; the reader rejects one
 * written as a JSON escape too.
 *
 * <p>Thread-safe: its static methods share no mutable state.
 */
public final class SafeTensors {
  /** The largest header accepted (100 MiB), so a corrupt length cannot exhaust memory. */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  private static final String METADATA = "__metadata__";
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private SafeTensors() {}

  /** The tensors of a file together with its {@code __metadata__} (empty when absent). */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    /**
     * Copies both maps, keeping their iteration order.
     *
     * @param tensors the tensors by name, copied in iteration order
     * @param metadata the {@code __metadata__} strings by key (may be empty), copied in order
     */
    public Contents {
      tensors = ImmutableMap.copyOf(tensors);
      metadata = ImmutableMap.copyOf(metadata);
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * The tensors of {@code file}, in header order.
   *
   * @param file the safetensors file to read
   * @return the tensors by name, an immutable map in header order
   * @throws IOException if the file cannot be read, or a {@link SafeTensorsException} if it is not
   *     well formed
   */
  public static Map<String, Tensor> read(Path file) throws IOException {
    return readContents(file).tensors();
  }

  /**
   * The tensors and metadata of {@code file}.
   *
   * @param file the safetensors file to read
   * @return the file's tensors and metadata, both immutable maps in header order
   * @throws IOException if the file cannot be read, or a {@link SafeTensorsException} if it is not
   *     well formed
   */
  public static Contents readContents(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return parse(new ChannelSource(ch), String.valueOf(file.getFileName()));
    }
  }

  /**
   * Parses the bytes of a safetensors file; {@code source} names it in error messages.
   *
   * @param bytes the complete contents of a safetensors file
   * @param source the name of the file the bytes came from, used in error messages
   * @return the tensors and metadata, both immutable maps in header order
   * @throws SafeTensorsException if the bytes are not a well-formed safetensors file
   */
  public static Contents parse(byte[] bytes, String source) throws SafeTensorsException {
    try {
      return parse(new ArraySource(bytes), source);
    } catch (SafeTensorsException e) {
      throw e;
    } catch (IOException e) {
      throw new AssertionError("reading a byte array cannot fail", e);
    }
  }

  private static Contents parse(Source in, String source) throws IOException {
    long fileSize = in.size();
    if (fileSize < 8) {
      throw notSafetensors(source, "it has " + fileSize + " bytes, too few for the 8-byte header "
          + "length a safetensors file starts with");
    }
    long headerLength = read(in, source, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw notSafetensors(source, "its first 8 bytes give a header length of "
          + Long.toUnsignedString(headerLength) + ", over the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    if (headerLength > fileSize - 8) {
      throw notSafetensors(source, "its first 8 bytes give a header length of " + headerLength
          + ", past the end of the file (" + fileSize + " bytes)");
    }
    // The header is read only once its length is known to fit in the file, so a corrupt length
    // cannot make this allocation larger than the file.
    ByteBuffer header = read(in, source, 8, (int) headerLength);
    long dataStart = 8 + headerLength;
    long dataLength = fileSize - dataStart;

    Map<String, String> metadata = new LinkedHashMap<>();
    List<HeaderParser.Entry> entries = new ArrayList<>();
    new HeaderParser(header.array(), header.arrayOffset() + header.position(), header.remaining(), source)
        .parse(metadata, entries);
    for (HeaderParser.Entry e : entries) {
      if (e.end() > dataLength) {
        throw error(source, e.where() + "data_offsets [" + e.begin() + ", " + e.end()
            + "] extend past the end of the data (" + dataLength + " bytes)");
      }
    }
    checkOverlaps(entries, source);

    ImmutableMap.Builder<String, Tensor> tensors = ImmutableMap.builderWithExpectedSize(entries.size());
    for (HeaderParser.Entry e : entries) {
      tensors.put(e.name(), decode(in, source, dataStart + e.begin(), e.dtype(), Shape.of(e.dims())));
    }
    return new Contents(tensors.build(), metadata);
  }

  private static void checkOverlaps(List<HeaderParser.Entry> entries, String source)
      throws SafeTensorsException {
    List<HeaderParser.Entry> sorted = new ArrayList<>();
    for (HeaderParser.Entry e : entries) {
      if (e.end() > e.begin()) { // an empty tensor occupies no bytes
        sorted.add(e);
      }
    }
    sorted.sort(Comparator.comparingLong(HeaderParser.Entry::begin).thenComparingLong(HeaderParser.Entry::end));
    HeaderParser.Entry reach = null; // the tensor that extends furthest among those seen
    for (HeaderParser.Entry e : sorted) {
      if (reach != null && e.begin() < reach.end()) {
        throw error(source, "tensors " + reach.describe() + " and " + e.describe() + " overlap");
      }
      if (reach == null || e.end() > reach.end()) {
        reach = e;
      }
    }
  }

  /** Reads a tensor in chunks, so that one of more than 2 GiB needs no single huge buffer. */
  private static Tensor decode(Source in, String source, long position, DType dtype, Shape shape)
      throws IOException {
    int n = shape.size();
    int width = dtype.byteSize();
    float[] f = dtype == DType.FLOAT32 ? new float[n] : null;
    double[] d = dtype == DType.FLOAT64 ? new double[n] : null;
    long[] l = dtype.isFloating() ? null : new long[n];
    int chunk = (1 << 20) / width;
    for (int start = 0; start < n; start += chunk) {
      int count = Math.min(chunk, n - start);
      ByteBuffer buf = read(in, source, position + (long) start * width, count * width)
          .order(ByteOrder.LITTLE_ENDIAN);
      switch (dtype) {
        case FLOAT32: buf.asFloatBuffer().get(f, start, count); break;
        case FLOAT64: buf.asDoubleBuffer().get(d, start, count); break;
        case INT32:
          for (int i = 0; i < count; i++) {
            l[start + i] = buf.getInt();
          }
          break;
        default: buf.asLongBuffer().get(l, start, count);
      }
    }
    switch (dtype) {
      case FLOAT32: return TensorAccess.wrap(f, shape);
      case FLOAT64: return TensorAccess.wrap(d, shape);
      default: return TensorAccess.wrap(dtype, l, shape);
    }
  }

  /** Reads from {@code in}; a file cut short while it is being read is an error naming it. */
  private static ByteBuffer read(Source in, String source, long position, int length) throws IOException {
    ByteBuffer buf = in.read(position, length);
    if (buf == null) {
      throw error(source, "the file ended while " + length + " bytes at " + position
          + " were read (was it truncated while being read?)");
    }
    return buf;
  }

  private static SafeTensorsException error(String source, String message) {
    return new SafeTensorsException(source + ": " + message);
  }

  private static SafeTensorsException notSafetensors(String source, String what) {
    return error(source, "not a safetensors file: " + what);
  }

  // ---------------------------------------------------------------- writing

  /**
   * Writes {@code tensors} to {@code file} atomically, in the map's order.
   *
   * @param file the file to write or replace
   * @param tensors the tensors by name, written in the map's iteration order
   * @throws IOException if {@code file} cannot be written; an existing file is then left as it was
   */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    write(file, tensors, Map.of());
  }

  /**
   * Writes {@code tensors} and a {@code __metadata__} map to {@code file} atomically.
   *
   * @param file the file to write or replace
   * @param tensors the tensors by name, written in the map's iteration order
   * @param metadata the strings to store in {@code __metadata__}; none is written when empty
   * @throws IOException if {@code file} cannot be written; an existing file is then left as it was
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    byte[] header = header(tensors, metadata);
    AtomicFiles.write(file, out -> writeBody(out, header, tensors));
  }

  /**
   * The bytes of a safetensors file holding {@code tensors} and {@code metadata}.
   *
   * @param tensors the tensors by name, in the order to write them
   * @param metadata the strings to store in {@code __metadata__}; none is written when empty
   * @return a new array holding the complete file: header length, padded header and data
   */
  public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
    byte[] header = header(tensors, metadata);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      writeBody(out, header, tensors);
    } catch (IOException e) {
      throw new AssertionError("writing to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  /** The JSON header, padded with spaces to a multiple of 8 bytes. */
  private static byte[] header(Map<String, Tensor> tensors, Map<String, String> metadata) {
    JsonObject root = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      for (Map.Entry<String, String> kv : metadata.entrySet()) {
        String key = Objects.requireNonNull(kv.getKey(), "metadata key");
        String value = Objects.requireNonNull(kv.getValue(), () -> "metadata value of '" + key + "'");
        checkUnicode("metadata key", key);
        checkUnicode("metadata value of " + JsonReader.quote(key), value);
        meta.addProperty(key, value);
      }
      root.add(METADATA, meta);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> kv : tensors.entrySet()) {
      String name = Objects.requireNonNull(kv.getKey(), "tensor name");
      Tensor t = Objects.requireNonNull(kv.getValue(), () -> "tensor '" + name + "'");
      if (name.equals(METADATA)) {
        throw new IllegalArgumentException("'" + METADATA + "' is reserved and cannot name a tensor");
      }
      checkUnicode("tensor name", name);
      JsonObject entry = new JsonObject();
      entry.addProperty("dtype", t.dtype().safetensorsName());
      JsonArray shape = new JsonArray();
      for (int d : t.shape().toArray()) {
        shape.add(d);
      }
      entry.add("shape", shape);
      long bytes = (long) t.size() * t.dtype().byteSize();
      JsonArray offsets = new JsonArray();
      offsets.add(new JsonPrimitive(offset));
      offsets.add(new JsonPrimitive(offset + bytes));
      entry.add("data_offsets", offsets);
      root.add(name, entry);
      offset += bytes;
    }
    byte[] json = GSON.toJson(root).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) & ~7;
    byte[] out = Arrays.copyOf(json, padded);
    Arrays.fill(out, json.length, padded, (byte) ' ');
    return out;
  }

  /**
   * Rejects a string UTF-8 cannot encode: written as is, a lone surrogate would come back as
   * '?' and the name would change on a round trip.
   */
  private static void checkUnicode(String what, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(String.format(
            "%s %s has a lone surrogate \\u%04x at index %d, which UTF-8 cannot encode",
            what, JsonReader.quote(s), (int) c, i));
      }
    }
  }

  private static void writeBody(OutputStream out, byte[] header, Map<String, Tensor> tensors)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    buf.putLong(header.length);
    out.write(buf.array(), 0, buf.position());
    out.write(header);
    for (Map.Entry<String, Tensor> kv : tensors.entrySet()) {
      Tensor t = kv.getValue();
      int width = t.dtype().byteSize();
      buf.clear();
      for (int i = 0, n = t.size(); i < n; i++) {
        if (buf.remaining() < width) {
          out.write(buf.array(), 0, buf.position());
          buf.clear();
        }
        switch (t.dtype()) {
          case FLOAT32: buf.putFloat(TensorAccess.floats(t)[i]); break;
          case FLOAT64: buf.putDouble(TensorAccess.doubles(t)[i]); break;
          case INT32: buf.putInt(toInt32(kv.getKey(), TensorAccess.longs(t)[i], i)); break;
          default: buf.putLong(TensorAccess.longs(t)[i]);
        }
      }
      out.write(buf.array(), 0, buf.position());
    }
  }

  private static int toInt32(String name, long v, int i) {
    if (v != (int) v) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': int32 value " + v + " at position " + i + " does not fit in 32 bits");
    }
    return (int) v;
  }

  // ---------------------------------------------------------------- byte sources

  private interface Source {
    long size() throws IOException;

    /** Exactly {@code length} bytes from {@code position}, as a heap buffer, or null if the file is shorter. */
    ByteBuffer read(long position, int length) throws IOException;
  }

  private static final class ArraySource implements Source {
    private final byte[] bytes;

    ArraySource(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public ByteBuffer read(long position, int length) {
      return ByteBuffer.wrap(bytes, (int) position, length).slice();
    }
  }

  private static final class ChannelSource implements Source {
    private final FileChannel ch;

    ChannelSource(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public ByteBuffer read(long position, int length) throws IOException {
      ByteBuffer buf = ByteBuffer.allocate(length);
      while (buf.hasRemaining()) {
        int n = ch.read(buf, position + buf.position());
        if (n < 0) {
          return null;
        }
      }
      return buf.flip();
    }
  }
}
