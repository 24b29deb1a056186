package dev.cellgraph.core.io;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the JSON tokens of a safetensors header from its bytes, one at a time, and words the
 * messages about them: where a fault is (line and column), what was found there, and bounded
 * excerpts and quotes of the header's text. Skipping a value needs no recursion, and its nesting
 * is bounded by {@link #MAX_DEPTH}.
 */
final class JsonReader {
  /** The deepest nesting accepted; a valid header needs 3 levels, unknown fields may add some. */
  static final int MAX_DEPTH = 64;
  /** The most characters of a name or a value quoted in a message. */
  static final int EXCERPT = 60;

  private final byte[] b;
  private final int start;
  private final int end;
  private final String source;
  private int pos;

  JsonReader(byte[] bytes, int offset, int length, String source) {
    this.b = bytes;
    this.start = offset;
    this.end = offset + length;
    this.source = source;
    this.pos = offset;
  }

  // ---------------------------------------------------------------- position

  int position() {
    return pos;
  }

  boolean atEnd() {
    return pos >= end;
  }

  /** Moves past the character just peeked at. */
  void advance() {
    pos++;
  }

  /** Steps back over the character just read, so that a message points at it. */
  void back() {
    pos--;
  }

  // ---------------------------------------------------------------- JSON tokens

  /** Skips one JSON value whose own nesting level is {@code depth}, without recursion. */
  void skipValue(int depth) throws SafeTensorsException {
    // open[i] is the closing bracket of the i-th container entered
    byte[] open = new byte[MAX_DEPTH + 1];
    int sp = 0;
    while (true) {
      ws();
      int c = peek();
      if (c == '{' || c == '[') {
        if (depth + sp > MAX_DEPTH) {
          throw notSafetensors("the header nests deeper than " + MAX_DEPTH + " levels at " + where(pos));
        }
        pos++;
        open[sp++] = (byte) (c == '{' ? '}' : ']');
        ws();
        if (peek() == open[sp - 1]) {
          pos++;
          sp--;
        } else if (c == '{') {
          skipString("a quoted name");
          colon();
          continue;
        } else {
          continue;
        }
      } else if (c == '"') {
        skipString("a string");
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        number(Long.MAX_VALUE);
      } else if (c == 't') {
        literal("true");
      } else if (c == 'f') {
        literal("false");
      } else if (c == 'n') {
        literal("null");
      } else {
        throw syntax("a JSON value");
      }
      // after a complete value: close containers or move to the next element
      while (sp > 0) {
        ws();
        int d = next();
        if (d == open[sp - 1]) {
          sp--;
          continue;
        }
        if (d != ',') {
          pos--;
          throw syntax("',' or '" + (char) open[sp - 1] + "'");
        }
        if (open[sp - 1] == '}') {
          ws();
          skipString("a quoted name");
          colon();
        }
        break;
      }
      if (sp == 0) {
        return;
      }
    }
  }

  /**
   * Reads a JSON number; returns its value when it is an integer in {@code [0, max]}, else -1.
   */
  long number(long max) throws SafeTensorsException {
    boolean integer = true;
    if (peek() == '-') {
      integer = false;
      pos++;
    }
    int digitsStart = pos;
    if (peek() == '0') {
      pos++;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') {
        pos++;
      }
    } else {
      throw syntax("a digit");
    }
    int digitsEnd = pos;
    if (peek() == '.') {
      integer = false;
      pos++;
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      integer = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      digits();
    }
    if (!integer) {
      return -1;
    }
    long v = 0;
    for (int i = digitsStart; i < digitsEnd; i++) {
      int d = b[i] - '0';
      if (v > (max - d) / 10) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private void digits() throws SafeTensorsException {
    if (!(peek() >= '0' && peek() <= '9')) {
      throw syntax("a digit");
    }
    while (peek() >= '0' && peek() <= '9') {
      pos++;
    }
  }

  private void literal(String word) throws SafeTensorsException {
    for (int i = 0; i < word.length(); i++) {
      if (peek() != word.charAt(i)) {
        throw syntax("'" + word + "'");
      }
      pos++;
    }
  }

  void colon() throws SafeTensorsException {
    ws();
    if (peek() != ':') {
      throw syntax("':'");
    }
    pos++;
    ws();
  }

  /** Reads a JSON string; the header is known to be valid UTF-8. */
  String string(String expected) throws SafeTensorsException {
    if (peek() != '"') {
      throw syntax(expected);
    }
    int from = pos + 1;
    int to = scanString();
    boolean escaped = false;
    for (int i = from; i < to; i++) {
      if (b[i] == '\\') {
        escaped = true;
        break;
      }
    }
    if (!escaped) {
      return new String(b, from, to - from, StandardCharsets.UTF_8);
    }
    StringBuilder sb = new StringBuilder(to - from);
    int run = from;
    for (int i = from; i < to; ) {
      if (b[i] != '\\') {
        i++;
        continue;
      }
      sb.append(new String(b, run, i - run, StandardCharsets.UTF_8));
      int e = b[i + 1];
      switch (e) {
        case '"', '\\', '/' -> sb.append((char) e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        default -> sb.append((char) hex4(i + 2)); // 'u', checked by scanString
      }
      i += e == 'u' ? 6 : 2;
      run = i;
    }
    sb.append(new String(b, run, to - run, StandardCharsets.UTF_8));
    return sb.toString();
  }

  private void skipString(String expected) throws SafeTensorsException {
    if (peek() != '"') {
      throw syntax(expected);
    }
    scanString();
  }

  /**
   * Checks the string at {@code pos} (escapes, control characters, surrogate pairs), moves past
   * its closing quote and returns the index of that quote.
   */
  private int scanString() throws SafeTensorsException {
    int i = pos + 1;
    while (true) {
      if (i >= end) {
        pos = i;
        throw syntax("the closing '\"' of a string");
      }
      int c = b[i] & 0xff;
      if (c == '"') {
        pos = i + 1;
        return i;
      }
      if (c < 0x20) {
        pos = i;
        throw syntax("a character of a string (control characters must be escaped)");
      }
      if (c != '\\') {
        i++;
        continue;
      }
      int e = i + 1 < end ? b[i + 1] : -1;
      if (e == 'u') {
        int u = hex4(i + 2);
        if (u < 0) {
          pos = i;
          throw syntax("four hexadecimal digits after \\u");
        }
        if (Character.isLowSurrogate((char) u)) {
          throw loneSurrogate(u, i);
        }
        if (Character.isHighSurrogate((char) u)) {
          int lo = i + 7 < end && b[i + 6] == '\\' && b[i + 7] == 'u' ? hex4(i + 8) : -1;
          if (lo < 0 || !Character.isLowSurrogate((char) lo)) {
            throw loneSurrogate(u, i);
          }
          i += 12;
        } else {
          i += 6;
        }
      } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r'
          || e == 't') {
        i += 2;
      } else {
        pos = i;
        throw syntax("an escape (one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      }
    }
  }

  /** The value of four hexadecimal digits at {@code i}, or -1. */
  private int hex4(int i) {
    if (i + 4 > end) {
      return -1;
    }
    int v = 0;
    for (int k = i; k < i + 4; k++) {
      int d = Character.digit(b[k], 16);
      if (d < 0 || b[k] < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  private SafeTensorsException loneSurrogate(int u, int at) {
    return error(String.format("the header has a lone surrogate \\u%04x at %s; names and metadata "
        + "must be Unicode text", u, where(at)));
  }

  void ws() {
    while (pos < end) {
      byte c = b[pos];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      pos++;
    }
  }

  int peek() {
    return pos < end ? b[pos] & 0xff : -1;
  }

  int next() {
    int c = peek();
    pos++;
    return c;
  }

  // ---------------------------------------------------------------- UTF-8

  void checkUtf8() throws SafeTensorsException {
    // decoded into a small buffer that is reused, so checking costs no memory per byte
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(b, start, end - start);
    CharBuffer out = CharBuffer.allocate(4096);
    while (true) {
      CoderResult r = dec.decode(in, out, true);
      if (r.isError()) {
        throw notSafetensors("the header is not valid UTF-8 (at byte " + (in.position() - start)
            + " of the header)");
      }
      out.clear();
      if (r.isUnderflow()) {
        r = dec.flush(out);
        if (r.isUnderflow()) {
          return;
        }
      }
    }
  }

  // ---------------------------------------------------------------- messages

  SafeTensorsException error(String message) {
    return new SafeTensorsException(source + ": " + message);
  }

  SafeTensorsException notSafetensors(String what) {
    return error("not a safetensors file: " + what);
  }

  SafeTensorsException syntax(String expected) {
    return notSafetensors("the header is not valid JSON: expected " + expected + " at " + where(pos)
        + ", found " + found(pos));
  }

  /** "line L column C" of a byte index, counting columns in characters. */
  String where(int at) {
    int line = 1;
    int column = 1;
    for (int i = start; i < Math.min(at, end); i++) {
      if (b[i] == '\n') {
        line++;
        column = 1;
      } else if ((b[i] & 0xc0) != 0x80) {
        column++;
      }
    }
    return "line " + line + " column " + column;
  }

  String found(int at) {
    if (at >= end) {
      return "the end of the header";
    }
    int c = b[at] & 0xff;
    if (c > 0x20 && c < 0x7f) {
      return "'" + (char) c + "'";
    }
    if (c >= 0x80) {
      int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      String s = new String(b, at, Math.min(len, end - at), StandardCharsets.UTF_8);
      return String.format("%s (U+%04X)", quote(s), s.codePointAt(0));
    }
    return String.format("the byte 0x%02x", c);
  }

  /**
   * The JSON text of {@code [from, to)}, without whitespace between tokens, cut after
   * {@link #EXCERPT} characters.
   */
  String excerpt(int from, int to) {
    StringBuilder sb = new StringBuilder();
    boolean inString = false;
    int i = from;
    while (i < to && sb.length() < EXCERPT) {
      int c = b[i] & 0xff;
      if (!inString && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
        i++;
        continue;
      }
      if (c >= 0x80) {
        int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        sb.append(new String(b, i, Math.min(len, to - i), StandardCharsets.UTF_8));
        i += len;
        continue;
      }
      if (inString && c == '\\') {
        sb.append('\\').append((char) b[i + 1]);
        i += 2;
        continue;
      }
      if (c == '"') {
        inString = !inString;
      }
      sb.append((char) c);
      i++;
    }
    while (i < to && !inString && isWs(b[i])) {
      i++;
    }
    return i < to ? sb + "..." : sb.toString();
  }

  private static boolean isWs(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  /**
   * A name in single quotes for a message: control and other invisible characters escaped,
   * cut after {@link #EXCERPT} characters.
   */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("'");
    int shown = 0;
    for (int i = 0; i < s.length(); ) {
      if (shown == EXCERPT) {
        sb.append("...' (").append(s.codePointCount(0, s.length())).append(" characters)");
        return sb.toString();
      }
      int cp = s.codePointAt(i);
      int type = Character.getType(cp);
      if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
          || type == Character.UNASSIGNED || type == Character.LINE_SEPARATOR
          || type == Character.PARAGRAPH_SEPARATOR || type == Character.PRIVATE_USE) {
        for (char ch : Character.toChars(cp)) {
          sb.append(String.format("\\u%04x", (int) ch));
        }
      } else {
        sb.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
      shown++;
    }
    return sb.append('\'').toString();
  }
}
