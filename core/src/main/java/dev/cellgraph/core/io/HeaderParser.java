package dev.cellgraph.core.io;

import static dev.cellgraph.core.io.JsonReader.quote;

import dev.cellgraph.core.DType;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a safetensors JSON header straight from its bytes, in one pass, without recursion and
 * without building a JSON tree: the work and the memory are proportional to the header's size,
 * nesting is bounded by {@link JsonReader#MAX_DEPTH}, and every value quoted in a message is a
 * bounded excerpt, so no header can exhaust the stack or the heap or flood a terminal. This class
 * reads the header's own structure (the entries and the metadata); {@link JsonReader} reads the
 * JSON tokens and words the messages.
 */
final class HeaderParser {
  /** The most dimensions a shape may have, so a long run of 1s cannot cost memory per byte. */
  static final int MAX_RANK = 64;

  private static final String METADATA = "__metadata__";

  /** One header entry, checked against itself (the data section is checked by the caller). */
  record Entry(String name, DType dtype, int[] dims, long begin, long end) {
    String where() {
      return "tensor " + quote(name) + ": ";
    }

    String describe() {
      return quote(name) + " [" + begin + ", " + end + "]";
    }
  }

  private final JsonReader in;

  HeaderParser(byte[] bytes, int offset, int length, String source) {
    this.in = new JsonReader(bytes, offset, length, source);
  }

  void parse(Map<String, String> metadata, List<Entry> entries) throws SafeTensorsException {
    in.checkUtf8();
    in.ws();
    if (in.atEnd()) {
      throw in.notSafetensors("the header is empty; expected a JSON object");
    }
    if (in.peek() != '{') {
      throw in.notSafetensors("the header is not a JSON object (it starts with " + in.found(in.position()) + ")");
    }
    in.advance();
    Set<String> seen = new HashSet<>();
    in.ws();
    if (in.peek() == '}') {
      in.advance();
    } else {
      while (true) {
        in.ws();
        String name = in.string("a quoted tensor name");
        in.colon();
        if (!seen.add(name)) {
          throw in.error(name.equals(METADATA) ? "'" + METADATA + "' appears more than once in the header"
              : "tensor " + quote(name) + " appears more than once in the header");
        }
        if (name.equals(METADATA)) {
          metadata(metadata);
        } else {
          entries.add(entry(name));
        }
        in.ws();
        int c = in.next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          in.back();
          throw in.syntax("',' or '}' after the entry of " + quote(name));
        }
      }
    }
    in.ws();
    if (!in.atEnd()) {
      throw in.notSafetensors("the header has data after its JSON object at " + in.where(in.position()));
    }
  }

  private Entry entry(String name) throws SafeTensorsException {
    String where = "tensor " + quote(name) + ": ";
    int valueStart = in.position();
    if (in.peek() != '{') {
      in.skipValue(2);
      throw in.error(where + "entry must be a JSON object, got " + in.excerpt(valueStart, in.position()));
    }
    in.advance();
    DType dtype = null;
    long[] dims = null;
    long[] offsets = null;
    in.ws();
    if (in.peek() == '}') {
      in.advance();
    } else {
      while (true) {
        in.ws();
        String key = in.string("a quoted field name");
        in.colon();
        int at = in.position();
        switch (key) {
          case "dtype" -> {
            if (dtype != null) {
              throw in.error(where + "'dtype' appears more than once");
            }
            if (in.peek() != '"') {
              in.skipValue(3);
              throw in.error(where + "'dtype' must be a string, got " + in.excerpt(at, in.position()));
            }
            String dtypeName = in.string("a string");
            dtype = DType.fromSafetensors(dtypeName);
            if (dtype == null) {
              throw in.error(where + "dtype " + quote(dtypeName) + " is not supported (F32, F64, I32 and I64 are)");
            }
          }
          case "shape" -> {
            if (dims != null) {
              throw in.error(where + "'shape' appears more than once");
            }
            dims = integers(Integer.MAX_VALUE, MAX_RANK);
            if (dims != null && dims.length > MAX_RANK) {
              throw in.error(where + "'shape' has more than " + MAX_RANK + " dimensions, got " + in.excerpt(at, in.position()));
            }
            if (dims == null) {
              throw in.error(where + "'shape' must be an array of non-negative integers up to "
                  + Integer.MAX_VALUE + ", got " + in.excerpt(at, in.position()));
            }
          }
          case "data_offsets" -> {
            if (offsets != null) {
              throw in.error(where + "'data_offsets' appears more than once");
            }
            offsets = integers(Long.MAX_VALUE, 2);
            if (offsets == null || offsets.length != 2) {
              throw in.error(where + "'data_offsets' must be an array of two non-negative integers "
                  + "[begin, end], got " + in.excerpt(at, in.position()));
            }
          }
          default -> in.skipValue(3); // other writers may add fields; they carry nothing we read
        }
        in.ws();
        int c = in.next();
        if (c == '}') {
          break;
        }
        if (c != ',') {
          in.back();
          throw in.syntax("',' or '}' in the entry of " + quote(name));
        }
      }
    }
    if (dtype == null) {
      throw in.error(where + "missing 'dtype'");
    }
    if (dims == null) {
      throw in.error(where + "missing 'shape'");
    }
    if (offsets == null) {
      throw in.error(where + "missing 'data_offsets'");
    }
    long begin = offsets[0];
    long stop = offsets[1];
    if (begin > stop) {
      throw in.error(where + "data_offsets [" + begin + ", " + stop + "] end before they begin");
    }
    // Shape needs the product of the non-zero dimensions to fit in an int even when the
    // tensor is empty, since its strides are such products.
    long elements = 1;
    long nonZero = 1;
    for (long d : dims) {
      elements = Math.min(elements * d, 1L << 32);
      nonZero = Math.min(nonZero * Math.max(d, 1), 1L << 32);
    }
    if (elements > Integer.MAX_VALUE) {
      throw in.error(where + "shape " + shapeText(dims) + " has more than " + Integer.MAX_VALUE + " elements");
    }
    if (nonZero > Integer.MAX_VALUE) {
      throw in.error(where + "shape " + shapeText(dims) + " is too large: the product of its non-zero "
          + "dimensions exceeds " + Integer.MAX_VALUE);
    }
    long needed = elements * dtype.byteSize();
    if (needed != stop - begin) {
      throw in.error(where + "shape " + shapeText(dims) + " of " + dtype.safetensorsName() + " needs "
          + needed + " bytes, but data_offsets [" + begin + ", " + stop + "] hold " + (stop - begin));
    }
    int[] intDims = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      intDims[i] = (int) dims[i];
    }
    return new Entry(name, dtype, intDims, begin, stop);
  }

  private void metadata(Map<String, String> out) throws SafeTensorsException {
    int valueStart = in.position();
    if (in.peek() != '{') {
      in.skipValue(2);
      throw in.error("'" + METADATA + "' must be an object of strings, got " + in.excerpt(valueStart, in.position()));
    }
    in.advance();
    in.ws();
    if (in.peek() == '}') {
      in.advance();
      return;
    }
    while (true) {
      in.ws();
      String key = in.string("a quoted metadata key");
      in.colon();
      int at = in.position();
      if (in.peek() != '"') {
        in.skipValue(3);
        throw in.error("'" + METADATA + "' value of " + quote(key) + " must be a string, got " + in.excerpt(at, in.position()));
      }
      if (out.put(key, in.string("a string")) != null) {
        throw in.error("'" + METADATA + "' has the key " + quote(key) + " more than once");
      }
      in.ws();
      int c = in.next();
      if (c == '}') {
        return;
      }
      if (c != ',') {
        in.back();
        throw in.syntax("',' or '}' in '" + METADATA + "'");
      }
    }
  }

  /**
   * The elements of a JSON array of integers in {@code [0, max]}, or null (after skipping the
   * value) if it is not one; only the first {@code maxCount + 1} are kept, so that the caller
   * can tell there are too many.
   */
  private long[] integers(long max, int maxCount) throws SafeTensorsException {
    if (in.peek() != '[') {
      in.skipValue(3);
      return null;
    }
    in.advance();
    long[] out = new long[4];
    int n = 0;
    boolean ok = true;
    in.ws();
    if (in.peek() == ']') {
      in.advance();
      return new long[0];
    }
    while (true) {
      in.ws();
      int c = in.peek();
      if (c == '-' || (c >= '0' && c <= '9')) {
        long v = in.number(max);
        if (v < 0) {
          ok = false;
        } else if (ok && n <= maxCount) {
          if (n == out.length) {
            out = Arrays.copyOf(out, 2 * n);
          }
          out[n++] = v;
        }
      } else {
        in.skipValue(4);
        ok = false;
      }
      in.ws();
      c = in.next();
      if (c == ']') {
        break;
      }
      if (c != ',') {
        in.back();
        throw in.syntax("',' or ']' in an array");
      }
    }
    return ok ? Arrays.copyOf(out, n) : null;
  }

  /** {@code [2, 3]}, or the first dimensions and the rank when there are many. */
  private static String shapeText(long[] dims) {
    if (dims.length <= 8) {
      return Arrays.toString(dims);
    }
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 8; i++) {
      sb.append(dims[i]).append(", ");
    }
    return sb.append("... (").append(dims.length).append(" dimensions)]").toString();
  }
}
