package dev.cellgraph.core.io;

import com.google.common.collect.ImmutableMap;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the safetensors format, in which PyTorch users exchange weights: an 8-byte
 * little-endian header length {@code N}, a UTF-8 JSON header of {@code N} bytes mapping each
 * tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to
 * the start of the data section) plus an optional {@code "__metadata__"} map of strings, then the
 * raw little-endian data. Supported dtypes: F32, F64, I32, I64.
 *
 * <p>Reading validates the whole file before returning anything and rejects a bad one with a
 * {@link SafeTensorsException} naming the file and the tensor. The maps returned are immutable
 * and iterate in header order.
 *
 * <p>Writing keeps the caller's map order for the header and the data, pads the header with
 * spaces to a multiple of 8 bytes (as the reference writer does, so that the data starts
 * aligned), and replaces the file atomically through {@link AtomicFiles}.
 *
 * <p>Thread-safe: its static methods share no mutable state.
 */
public final class SafeTensors {
  /** The largest header accepted (100 MiB), so a corrupt length cannot exhaust memory. */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  private static final String METADATA = "__metadata__";
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
  private static final TypeAdapter<JsonElement> ELEMENT = GSON.getAdapter(JsonElement.class);

  private SafeTensors() {}

  /** The tensors of a file together with its {@code __metadata__} (empty when absent). */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    public Contents {
      tensors = ImmutableMap.copyOf(tensors);
      metadata = ImmutableMap.copyOf(metadata);
    }
  }

  // ---------------------------------------------------------------- reading

  /** The tensors of {@code file}, in header order. */
  public static Map<String, Tensor> read(Path file) throws IOException {
    return readContents(file).tensors();
  }

  /** The tensors and metadata of {@code file}. */
  public static Contents readContents(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return parse(new ChannelSource(ch), String.valueOf(file.getFileName()));
    }
  }

  /** Parses the bytes of a safetensors file; {@code source} names it in error messages. */
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
      throw error(source, "file of " + fileSize + " bytes is too short for the 8-byte header length");
    }
    long headerLength = in.read(0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
      throw error(source, "header length " + Long.toUnsignedString(headerLength)
          + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
    }
    if (headerLength > fileSize - 8) {
      throw error(source, "header length " + headerLength + " extends past the end of the file ("
          + fileSize + " bytes)");
    }
    String headerText;
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in.read(8, (int) headerLength));
      headerText = chars.toString();
    } catch (CharacterCodingException e) {
      throw error(source, "header is not valid UTF-8", e);
    }
    long dataStart = 8 + headerLength;
    long dataLength = fileSize - dataStart;

    Map<String, String> metadata = new LinkedHashMap<>();
    List<Entry> entries = new ArrayList<>();
    parseHeader(headerText, source, metadata, entries);
    for (Entry e : entries) {
      if (e.end > dataLength) {
        throw error(source, e.where() + "data_offsets [" + e.begin + ", " + e.end
            + "] extend past the end of the data (" + dataLength + " bytes)");
      }
    }
    checkOverlaps(entries, source);

    ImmutableMap.Builder<String, Tensor> tensors = ImmutableMap.builder();
    for (Entry e : entries) {
      tensors.put(e.name, decode(in, dataStart + e.begin, e.dtype, e.shape));
    }
    return new Contents(tensors.build(), metadata);
  }

  /** One validated header entry. */
  private static final class Entry {
    final String name;
    final DType dtype;
    final Shape shape;
    final long begin;
    final long end;

    Entry(String name, DType dtype, Shape shape, long begin, long end) {
      this.name = name;
      this.dtype = dtype;
      this.shape = shape;
      this.begin = begin;
      this.end = end;
    }

    String where() {
      return "tensor '" + name + "': ";
    }

    String describe() {
      return "'" + name + "' [" + begin + ", " + end + "]";
    }
  }

  private static void parseHeader(String text, String source, Map<String, String> metadata,
      List<Entry> entries) throws SafeTensorsException {
    // The top level is read by hand so that duplicate names are caught (JsonObject would keep
    // the last silently) and header order is kept.
    Map<String, JsonElement> raw = new LinkedHashMap<>();
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    try {
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        throw error(source, "header is not a JSON object");
      }
      reader.beginObject();
      while (reader.hasNext()) {
        String name = reader.nextName();
        JsonElement value = ELEMENT.read(reader);
        if (raw.put(name, value) != null) {
          throw error(source, "tensor '" + name + "' appears more than once in the header");
        }
      }
      reader.endObject();
    } catch (SafeTensorsException e) {
      throw e;
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw error(source, "header is not valid JSON" + gsonLocation(e), e);
    }
    boolean trailing;
    try {
      trailing = reader.peek() != JsonToken.END_DOCUMENT;
    } catch (IOException e) {
      trailing = true; // strict mode rejects a second top-level value
    }
    if (trailing) {
      throw error(source, "header has data after the JSON object");
    }

    for (Map.Entry<String, JsonElement> kv : raw.entrySet()) {
      String name = kv.getKey();
      JsonElement value = kv.getValue();
      if (name.equals(METADATA)) {
        parseMetadata(value, source, metadata);
        continue;
      }
      String where = "tensor '" + name + "': ";
      if (!value.isJsonObject()) {
        throw error(source, where + "entry must be a JSON object, got " + value);
      }
      JsonObject o = value.getAsJsonObject();
      JsonElement dt = field(o, "dtype", where, source);
      JsonElement sh = field(o, "shape", where, source);
      JsonElement off = field(o, "data_offsets", where, source);

      if (!(dt.isJsonPrimitive() && dt.getAsJsonPrimitive().isString())) {
        throw error(source, where + "'dtype' must be a string, got " + dt);
      }
      String dtypeName = dt.getAsString();
      DType dtype = DType.fromSafetensors(dtypeName);
      if (dtype == null) {
        throw error(source, where + "dtype '" + dtypeName
            + "' is not supported (F32, F64, I32 and I64 are)");
      }

      long[] dims = integers(sh, Integer.MAX_VALUE);
      if (dims == null) {
        throw error(source, where + "'shape' must be an array of non-negative integers, got " + sh);
      }
      long[] offsets = integers(off, Long.MAX_VALUE);
      if (offsets == null || offsets.length != 2) {
        throw error(source, where
            + "'data_offsets' must be an array of two non-negative integers [begin, end], got " + off);
      }
      long begin = offsets[0];
      long end = offsets[1];
      if (begin > end) {
        throw error(source, where + "data_offsets [" + begin + ", " + end + "] end before they begin");
      }

      int[] intDims = new int[dims.length];
      long elements = 1;
      boolean empty = false;
      for (int i = 0; i < dims.length; i++) {
        intDims[i] = (int) dims[i];
        empty |= dims[i] == 0;
      }
      for (int i = 0; i < dims.length && !empty; i++) {
        elements *= dims[i];
        if (elements > Integer.MAX_VALUE) {
          throw error(source, where + "shape " + Arrays.toString(dims) + " has more than "
              + Integer.MAX_VALUE + " elements");
        }
      }
      if (empty) {
        elements = 0;
      }
      long needed = elements * dtype.byteSize();
      if (needed != end - begin) {
        throw error(source, where + "shape " + Arrays.toString(dims) + " of " + dtypeName + " needs "
            + needed + " bytes, but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
      }
      entries.add(new Entry(name, dtype, Shape.of(intDims), begin, end));
    }
  }

  private static JsonElement field(JsonObject o, String key, String where, String source)
      throws SafeTensorsException {
    JsonElement e = o.get(key);
    if (e == null) {
      throw error(source, where + "missing '" + key + "'");
    }
    return e;
  }

  private static void parseMetadata(JsonElement value, String source, Map<String, String> out)
      throws SafeTensorsException {
    if (!value.isJsonObject()) {
      throw error(source, "'__metadata__' must be an object of strings, got " + value);
    }
    for (Map.Entry<String, JsonElement> kv : value.getAsJsonObject().entrySet()) {
      JsonElement v = kv.getValue();
      if (!(v.isJsonPrimitive() && v.getAsJsonPrimitive().isString())) {
        throw error(source, "'__metadata__' value of '" + kv.getKey() + "' must be a string, got " + v);
      }
      out.put(kv.getKey(), v.getAsString());
    }
  }

  /** The elements of a JSON array of integers in {@code [0, max]}, or null if it is not one. */
  private static long[] integers(JsonElement e, long max) {
    if (!e.isJsonArray()) {
      return null;
    }
    JsonArray a = e.getAsJsonArray();
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement x = a.get(i);
      if (!(x.isJsonPrimitive() && x.getAsJsonPrimitive().isNumber())) {
        return null;
      }
      BigDecimal v;
      try {
        v = x.getAsBigDecimal();
      } catch (NumberFormatException ex) {
        return null;
      }
      if (v.signum() < 0 || v.stripTrailingZeros().scale() > 0
          || v.compareTo(BigDecimal.valueOf(max)) > 0) {
        return null;
      }
      out[i] = v.longValueExact();
    }
    return out;
  }

  private static void checkOverlaps(List<Entry> entries, String source) throws SafeTensorsException {
    List<Entry> sorted = new ArrayList<>();
    for (Entry e : entries) {
      if (e.end > e.begin) { // an empty tensor occupies no bytes
        sorted.add(e);
      }
    }
    sorted.sort(Comparator.comparingLong((Entry e) -> e.begin).thenComparingLong(e -> e.end));
    Entry reach = null; // the tensor that extends furthest among those seen
    for (Entry e : sorted) {
      if (reach != null && e.begin < reach.end) {
        throw error(source, "tensors " + reach.describe() + " and " + e.describe() + " overlap");
      }
      if (reach == null || e.end > reach.end) {
        reach = e;
      }
    }
  }

  /** Reads a tensor in chunks, so that one of more than 2 GiB needs no single huge buffer. */
  private static Tensor decode(Source in, long position, DType dtype, Shape shape) throws IOException {
    int n = shape.size();
    int width = dtype.byteSize();
    float[] f = dtype == DType.FLOAT32 ? new float[n] : null;
    double[] d = dtype == DType.FLOAT64 ? new double[n] : null;
    long[] l = dtype.isFloating() ? null : new long[n];
    int chunk = (1 << 20) / width;
    for (int start = 0; start < n; start += chunk) {
      int count = Math.min(chunk, n - start);
      ByteBuffer buf = in.read(position + (long) start * width, count * width)
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
      case FLOAT32: return Tensor.wrap(f, shape);
      case FLOAT64: return Tensor.wrap(d, shape);
      default: return Tensor.wrap(dtype, l, shape);
    }
  }

  private static final Pattern GSON_LOCATION =
      Pattern.compile(" at line \\d+ column \\d+");

  /** " at line 1 column 3" from Gson's message, whose wording otherwise addresses developers. */
  private static String gsonLocation(Exception e) {
    Matcher m = GSON_LOCATION.matcher(String.valueOf(e.getMessage()));
    return m.find() ? m.group() : "";
  }

  private static SafeTensorsException error(String source, String message) {
    return new SafeTensorsException(source + ": " + message);
  }

  private static SafeTensorsException error(String source, String message, Throwable cause) {
    return new SafeTensorsException(source + ": " + message, cause);
  }

  // ---------------------------------------------------------------- writing

  /** Writes {@code tensors} to {@code file} atomically, in the map's order. */
  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    write(file, tensors, Map.of());
  }

  /** Writes {@code tensors} and a {@code __metadata__} map to {@code file} atomically. */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    byte[] header = header(tensors, metadata);
    AtomicFiles.write(file, out -> writeBody(out, header, tensors));
  }

  /** The bytes of a safetensors file holding {@code tensors} and {@code metadata}. */
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
        meta.addProperty(Objects.requireNonNull(kv.getKey(), "metadata key"),
            Objects.requireNonNull(kv.getValue(), () -> "metadata value of '" + kv.getKey() + "'"));
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
          case FLOAT32: buf.putFloat(t.rawFloats()[i]); break;
          case FLOAT64: buf.putDouble(t.rawDoubles()[i]); break;
          case INT32: buf.putInt(toInt32(kv.getKey(), t.rawLongs()[i], i)); break;
          default: buf.putLong(t.rawLongs()[i]);
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

    /** Exactly {@code length} bytes from {@code position}, as a buffer at position 0. */
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
          throw new IOException("file ended while reading " + length + " bytes at " + position
              + " (was it truncated while being read?)");
        }
      }
      return buf.flip();
    }
  }
}
