package dev.cellgraph.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SafeTensorsTest {
  @TempDir Path dir;

  // ---------------------------------------------------------------- round trips

  @Test
  void roundTripsEveryDtypeWithScalarsAndEmptyTensors() throws IOException {
    Map<String, Tensor> in = new LinkedHashMap<>();
    in.put("f32", Tensor.ofFloats(new float[] {1.5f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, 3e38f}, 2, 3));
    in.put("f64", Tensor.of(new double[] {Math.PI, -Double.MAX_VALUE, Double.MIN_VALUE, Double.NEGATIVE_INFINITY}, 4));
    in.put("i32", Tensor.ofInts(new int[] {Integer.MIN_VALUE, -1, 0, 7, Integer.MAX_VALUE, 42}, 3, 1, 2));
    in.put("i64", Tensor.ofLongs(new long[] {Long.MIN_VALUE, Long.MAX_VALUE, -5}, 3));
    in.put("scalar_f64", Tensor.scalar(DType.FLOAT64, 2.25));
    in.put("scalar_i32", Tensor.scalar(DType.INT32, -9));
    in.put("empty_f32", Tensor.zeros(DType.FLOAT32, 0));
    in.put("empty_i64", Tensor.zeros(DType.INT64, 2, 0, 3));
    // names in no particular order, with characters JSON must escape
    in.put("a.z \"quoted\" <tag> ü", Tensor.ofFloats(new float[] {1, 2, 3}, 3));
    Path file = dir.resolve("all.safetensors");
    SafeTensors.write(file, in);

    Map<String, Tensor> out = SafeTensors.read(file);
    assertEquals(new ArrayList<>(in.keySet()), new ArrayList<>(out.keySet()), "header order is kept");
    for (String name : in.keySet()) {
      assertEquals(in.get(name), out.get(name), name); // exact: dtype, shape and bits
    }
    assertEquals(Shape.scalar(), out.get("scalar_f64").shape());
    assertEquals(DType.INT32, out.get("i32").dtype());
  }

  @Test
  void roundTripsMetadataAndAnEmptyFile() throws IOException {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put("format", "pt");
    meta.put("step", "1200");
    Path file = dir.resolve("m.safetensors");
    SafeTensors.write(file, Map.of("w", Tensor.ones(DType.FLOAT32, 2)), meta);
    SafeTensors.Contents c = SafeTensors.readContents(file);
    assertEquals(meta, c.metadata());
    assertEquals(List.of("format", "step"), new ArrayList<>(c.metadata().keySet()));
    assertEquals(Tensor.ones(DType.FLOAT32, 2), c.tensors().get("w"));
    String header = headerOf(Files.readAllBytes(file));
    assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\",\"step\":\"1200\"},\"w\":"), header);

    SafeTensors.write(file, Map.of());
    assertEquals(Map.of(), SafeTensors.read(file));
    assertEquals(Map.of(), SafeTensors.readContents(file).metadata());
    assertEquals(16, Files.size(file)); // length + "{}" padded with six spaces
  }

  @Test
  void headerIsPaddedWithSpacesToAMultipleOfEight() {
    for (int len = 1; len <= 9; len++) {
      byte[] bytes = SafeTensors.toBytes(Map.of("x".repeat(len), Tensor.zeros(DType.FLOAT32, 1)), Map.of());
      long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertEquals(0, n % 8);
      String header = headerOf(bytes);
      assertTrue(header.endsWith("}") || header.endsWith(" "));
      assertEquals(header.stripTrailing().length(), header.indexOf("}}") + 2, header);
      assertEquals(8 + n + 4, bytes.length);
    }
  }

  @Test
  void writeRejectsTheReservedNameAndOutOfRangeInt32() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.toBytes(Map.of("__metadata__", Tensor.zeros(DType.FLOAT32, 1)), Map.of()));
    assertEquals("'__metadata__' is reserved and cannot name a tensor", e.getMessage());
    Tensor bad = TensorAccess.wrap(DType.INT32, new long[] {1, 1L << 33}, Shape.of(2));
    e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.toBytes(Map.of("ids", bad), Map.of()));
    assertEquals("tensor 'ids': int32 value 8589934592 at position 1 does not fit in 32 bits", e.getMessage());
  }

  @Test
  void rngStateSurvivesACheckpointExactly() throws IOException {
    // how a trainer checkpoints its random stream: the four state words as an I64 tensor
    dev.cellgraph.core.random.Rng rng = dev.cellgraph.core.random.Rng.seeded(31);
    rng.nextGaussian();
    Path file = dir.resolve("ckpt.safetensors");
    SafeTensors.write(file, Map.of("rng_state", Tensor.ofLongs(rng.state(), 4)));
    dev.cellgraph.core.random.Rng resumed =
        dev.cellgraph.core.random.Rng.fromState(SafeTensors.read(file).get("rng_state").toLongArray());
    for (int i = 0; i < 10; i++) {
      assertEquals(rng.nextLong(), resumed.nextLong());
    }
  }

  // ---------------------------------------------------------------- files written by PyTorch

  @Test
  void readsPyTorchLstmWeights() throws IOException {
    Map<String, Tensor> w = SafeTensors.read(golden("weights.safetensors"));
    assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"), new ArrayList<>(w.keySet()));
    // nn.LSTM(input_size=3, hidden_size=4): four gates stacked, float64
    assertEquals(Shape.of(16, 3), w.get("weight_ih_l0").shape());
    assertEquals(Shape.of(16, 4), w.get("weight_hh_l0").shape());
    assertEquals(Shape.of(16), w.get("bias_ih_l0").shape());
    assertEquals(Shape.of(16), w.get("bias_hh_l0").shape());
    for (Tensor t : w.values()) {
      assertEquals(DType.FLOAT64, t.dtype());
      for (double v : t.toDoubleArray()) {
        assertTrue(Math.abs(v) <= 0.6, "the generator (golden.py) draws uniform(-0.6, 0.6)");
      }
    }
    // values read independently with Python's struct.unpack('<d', ...)
    assertEquals(0.16261671926296337, w.get("weight_ih_l0").get(0, 0));
    assertEquals(0.27310620103942823, w.get("weight_ih_l0").get(1, 2));
    assertEquals(-0.10556735583935052, w.get("weight_ih_l0").get(15, 2));
    assertEquals(-0.34886153630674216, w.get("weight_hh_l0").get(1, 1));
    assertEquals(-0.5936305084324668, w.get("bias_hh_l0").get(0));
    assertEquals(0.07964600222668757, w.get("bias_hh_l0").get(15));
  }

  @Test
  void readsPyTorchLstmInputsAndExpectedOutputs() throws IOException {
    Map<String, Tensor> in = SafeTensors.read(golden("input.safetensors"));
    assertEquals(List.of("input", "h0", "c0", "grad_output"), new ArrayList<>(in.keySet()));
    assertEquals(Shape.of(5, 2, 3), in.get("input").shape());
    assertEquals(Shape.of(1, 2, 4), in.get("h0").shape());
    assertEquals(-0.9444082157926768, in.get("input").get(0, 0, 0));
    assertEquals(-1.8632317601680546, in.get("input").get(4, 1, 2));
    assertEquals(0.5164837893748883, in.get("h0").get(0, 1, 1));

    Map<String, Tensor> ex = SafeTensors.read(golden("expected.safetensors"));
    assertEquals(10, ex.size());
    assertEquals(Shape.of(5, 2, 4), ex.get("output").shape());
    assertEquals(Shape.of(16, 3), ex.get("grad.weight_ih_l0").shape());
    // an LSTM's output is o * tanh(c), so every element lies in (-1, 1)
    for (double v : ex.get("output").toDoubleArray()) {
      assertTrue(Math.abs(v) < 1);
    }
    // the last output step is h_n
    assertEquals(ex.get("h_n").reshape(2, 4), ex.get("output").select(0, 4));
  }

  @Test
  void rewritingPyTorchFilesReproducesTheirBytes() throws IOException {
    for (String name : List.of("weights.safetensors", "input.safetensors", "expected.safetensors")) {
      byte[] original = Files.readAllBytes(golden(name));
      byte[] ours = SafeTensors.toBytes(SafeTensors.read(golden(name)), Map.of());
      assertArrayEquals(original, ours, name);
    }
  }

  private Path golden(String name) throws IOException {
    // copied to a temporary file: test resources may live inside a jar
    Path p = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/golden/pytorch/lstm/" + name)) {
      Files.copy(in, p, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return p;
  }

  // ---------------------------------------------------------------- corrupted files

  static Stream<Arguments> corruptFiles() {
    return Stream.of(
        Arguments.of("shorter than the length field", new byte[5],
            "bad.safetensors: not a safetensors file: it has 5 bytes, too few for the 8-byte header length a safetensors file starts with"),
        Arguments.of("header length past the end", withLength(1000, "{}", 0),
            "bad.safetensors: not a safetensors file: its first 8 bytes give a header length of 1000, past the end of the file (10 bytes)"),
        Arguments.of("header length over the bound", withLength(1L << 40, "{}", 0),
            "bad.safetensors: not a safetensors file: its first 8 bytes give a header length of 1099511627776, over the limit of 104857600 bytes"),
        Arguments.of("header length negative as a signed long", withLength(-8, "{}", 0),
            "bad.safetensors: not a safetensors file: its first 8 bytes give a header length of 18446744073709551608, over the limit of 104857600 bytes"),
        Arguments.of("truncated data",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}", 20),
            "bad.safetensors: tensor 'w': data_offsets [0, 24] extend past the end of the data (20 bytes)"),
        Arguments.of("offsets out of range",
            file("{\"weight_ih_l0\":{\"dtype\":\"F64\",\"shape\":[12],\"data_offsets\":[0,96]}}", 80),
            "bad.safetensors: tensor 'weight_ih_l0': data_offsets [0, 96] extend past the end of the data (80 bytes)"),
        Arguments.of("offsets reversed",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8),
            "bad.safetensors: tensor 'w': data_offsets [8, 0] end before they begin"),
        Arguments.of("overlapping tensors",
            file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[12,28]}}", 28),
            "bad.safetensors: tensors 'a' [0, 16] and 'b' [12, 28] overlap"),
        Arguments.of("a tensor inside another",
            file("{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]},"
                + "\"a\":{\"dtype\":\"F64\",\"shape\":[4],\"data_offsets\":[0,32]}}", 32),
            "bad.safetensors: tensors 'a' [0, 32] and 'b' [8, 12] overlap"),
        Arguments.of("unknown dtype",
            file("{\"emb\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4),
            "bad.safetensors: tensor 'emb': dtype 'BF16' is not supported (F32, F64, I32 and I64 are)"),
        Arguments.of("shape and size disagree",
            file("{\"w\":{\"dtype\":\"F64\",\"shape\":[16,3],\"data_offsets\":[0,380]}}", 384),
            "bad.safetensors: tensor 'w': shape [16, 3] of F64 needs 384 bytes, but data_offsets [0, 380] hold 380"),
        Arguments.of("too many elements",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,4]}}", 4),
            "bad.safetensors: tensor 'w': shape [65536, 65536] has more than 2147483647 elements"),
        Arguments.of("not JSON", file("{not json}", 0),
            "bad.safetensors: not a safetensors file: the header is not valid JSON: expected a quoted tensor name at line 1 column 2, found 'n'"),
        Arguments.of("not a JSON object", file("[1, 2]", 0),
            "bad.safetensors: not a safetensors file: the header is not a JSON object (it starts with '[')"),
        Arguments.of("data after the JSON object", file("{} {}", 0),
            "bad.safetensors: not a safetensors file: the header has data after its JSON object at line 1 column 4"),
        Arguments.of("not UTF-8", withHeaderBytes(new byte[] {'{', (byte) 0xff, '}'}),
            "bad.safetensors: not a safetensors file: the header is not valid UTF-8 (at byte 1 of the header)"),
        Arguments.of("duplicate names",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8),
            "bad.safetensors: tensor 'w' appears more than once in the header"),
        Arguments.of("negative dimension",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", 16),
            "bad.safetensors: tensor 'w': 'shape' must be an array of non-negative integers up to 2147483647, got [-1,4]"),
        Arguments.of("fractional dimension",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4),
            "bad.safetensors: tensor 'w': 'shape' must be an array of non-negative integers up to 2147483647, got [1.5]"),
        Arguments.of("dimension as a string",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]}}", 8),
            "bad.safetensors: tensor 'w': 'shape' must be an array of non-negative integers up to 2147483647, got [\"2\"]"),
        Arguments.of("shape not an array",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":4,\"data_offsets\":[0,16]}}", 16),
            "bad.safetensors: tensor 'w': 'shape' must be an array of non-negative integers up to 2147483647, got 4"),
        Arguments.of("three offsets",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8),
            "bad.safetensors: tensor 'w': 'data_offsets' must be an array of two non-negative integers [begin, end], got [0,4,8]"),
        Arguments.of("negative offset",
            file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 8),
            "bad.safetensors: tensor 'w': 'data_offsets' must be an array of two non-negative integers [begin, end], got [-4,0]"),
        Arguments.of("dtype not a string",
            file("{\"w\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
            "bad.safetensors: tensor 'w': 'dtype' must be a string, got 32"),
        Arguments.of("missing dtype", file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
            "bad.safetensors: tensor 'w': missing 'dtype'"),
        Arguments.of("missing shape", file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
            "bad.safetensors: tensor 'w': missing 'shape'"),
        Arguments.of("missing data_offsets", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
            "bad.safetensors: tensor 'w': missing 'data_offsets'"),
        Arguments.of("entry not an object", file("{\"w\":[1,2]}", 0),
            "bad.safetensors: tensor 'w': entry must be a JSON object, got [1,2]"),
        Arguments.of("metadata not strings", file("{\"__metadata__\":{\"epoch\":3}}", 0),
            "bad.safetensors: '__metadata__' value of 'epoch' must be a string, got 3"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptFiles")
  void rejectsCorruptFileWithAClearMessage(String what, byte[] bytes, String message) throws IOException {
    Path file = dir.resolve("bad.safetensors");
    Files.write(file, bytes);
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(file));
    assertEquals(message, e.getMessage());
    // the in-memory parser agrees
    e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(bytes, "bad.safetensors"));
    assertEquals(message, e.getMessage());
  }

  @Test
  void truncatingARealFileAnywhereIsRejected() throws IOException {
    byte[] full = Files.readAllBytes(golden("weights.safetensors"));
    for (int len = 0; len < full.length; len += 7) {
      byte[] cut = Arrays.copyOf(full, len);
      assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(cut, "weights.safetensors"),
          "truncated to " + len + " bytes");
    }
    SafeTensorsException e = assertThrows(SafeTensorsException.class,
        () -> SafeTensors.parse(Arrays.copyOf(full, full.length - 16), "weights.safetensors"));
    assertEquals("weights.safetensors: tensor 'bias_hh_l0': data_offsets [1024, 1152] extend past "
        + "the end of the data (1136 bytes)", e.getMessage());
  }

  @Test
  void acceptsEmptyTensorsAtAnyOffsetAndTrailingSpaces() throws IOException {
    byte[] bytes = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"e\":{\"dtype\":\"I64\",\"shape\":[0,5],\"data_offsets\":[4,4]}}   ", 8);
    Map<String, Tensor> t = SafeTensors.parse(bytes, "ok").tensors();
    assertEquals(Shape.of(0, 5), t.get("e").shape());
    assertEquals(DType.INT64, t.get("e").dtype());
  }

  // ---------------------------------------------------------------- hostile headers

  @Test
  void anEmptyTensorWhoseOtherDimensionsOverflowAnIntIsRejectedNamingTheFile() {
    byte[] bytes = file("{\"e\":{\"dtype\":\"F32\",\"shape\":[0,65536,65536],\"data_offsets\":[0,0]}}", 0);
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(bytes, "big.safetensors"));
    assertEquals("big.safetensors: tensor 'e': shape [0, 65536, 65536] is too large: the product of its "
        + "non-zero dimensions exceeds 2147483647", e.getMessage());
  }

  @Test
  void deepNestingIsRejectedWithoutRecursion() {
    for (int depth : new int[] {5_000, 1_000_000}) {
      String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":" + "[".repeat(depth) + "]".repeat(depth)
          + ",\"data_offsets\":[0,0]}}";
      SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(file(header, 0), "deep"));
      assertEquals("deep: not a safetensors file: the header nests deeper than 64 levels at line 1 column 91",
          e.getMessage());
    }
    String entry = "{\"w\":" + "[".repeat(1_000_000) + "]".repeat(1_000_000) + "}";
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(file(entry, 0), "deep"));
    assertEquals("deep: not a safetensors file: the header nests deeper than 64 levels at line 1 column 69",
        e.getMessage());
    // unknown fields may nest, within the limit
    String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4],\"extra\":"
        + "[{\"a\":".repeat(30) + "null" + "}]".repeat(30) + "}}";
    assertDoesNotThrow(() -> SafeTensors.parse(file(ok, 4), "ok"));
  }

  @Test
  void messagesQuoteOnlyAnExcerptOfAHugeValueOrName() {
    String shape = "[" + "-1,".repeat(3_000_000) + "1]"; // about 9 MB
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(
        file("{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[0,4]}}", 4), "huge"));
    assertEquals("huge: tensor 'w': 'shape' must be an array of non-negative integers up to 2147483647, got "
        + "[" + "-1,".repeat(19) + "-1...", e.getMessage());
    String name = "n".repeat(5_000_000) + "\n";
    e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(
        file("{\"" + name.replace("\n", "\\n") + "\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2),
        "huge"));
    assertEquals("huge: tensor '" + "n".repeat(60) + "...' (5000001 characters): dtype 'BF16' is not supported "
        + "(F32, F64, I32 and I64 are)", e.getMessage());
    e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(
        file("{\"a\\u0007b\":[1, 2]}", 0), "ctl"));
    assertEquals("ctl: tensor 'a\\u0007b': entry must be a JSON object, got [1,2]", e.getMessage());
  }

  @Test
  void aLoneSurrogateIsRejectedOnWriteAndOnRead() {
    IllegalArgumentException w = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.toBytes(Map.of("a\ud800b", Tensor.zeros(DType.FLOAT32, 1)), Map.of()));
    assertEquals("tensor name 'a\\ud800b' has a lone surrogate \\ud800 at index 1, which UTF-8 cannot encode",
        w.getMessage());
    w = assertThrows(IllegalArgumentException.class,
        () -> SafeTensors.toBytes(Map.of(), Map.of("k", "\udc00")));
    assertEquals("metadata value of 'k' '\\udc00' has a lone surrogate \\udc00 at index 0, which UTF-8 cannot encode",
        w.getMessage());
    // a valid pair is kept exactly
    byte[] ok = SafeTensors.toBytes(Map.of("\ud83d\ude00", Tensor.zeros(DType.FLOAT32, 1)), Map.of());
    assertDoesNotThrow(() -> assertTrue(SafeTensors.parse(ok, "ok").tensors().containsKey("\ud83d\ude00")));
    for (String escape : new String[] {"\\ud800", "\\udc00", "\\ud800\\u0041", "\\ud800x"}) {
      SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(
          file("{\"a" + escape + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0), "s"));
      assertEquals("s: the header has a lone surrogate " + escape.substring(0, 6) + " at line 1 column 4; names "
          + "and metadata must be Unicode text", e.getMessage());
    }
  }

  @Test
  void garbageIsNotASafetensorsFile() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(png, "logo.png"));
    assertEquals("logo.png: not a safetensors file: its first 8 bytes give a header length of 727905341920923785, "
        + "over the limit of 104857600 bytes", e.getMessage());
    byte[] text = withHeaderBytes("hello".getBytes(StandardCharsets.UTF_8));
    e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(text, "t"));
    assertEquals("t: not a safetensors file: the header is not a JSON object (it starts with 'h')", e.getMessage());
    e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(withHeaderBytes(new byte[0]), "t"));
    assertEquals("t: not a safetensors file: the header is empty; expected a JSON object", e.getMessage());
    e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(file("{\"w\":{\"dtype\" \"F32\"}}", 0), "t"));
    assertEquals("t: not a safetensors file: the header is not valid JSON: expected ':' at line 1 column 15, found '\"'",
        e.getMessage());
  }

  @Test
  void duplicateFieldsAndMetadataKeysAreRejected() {
    SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(
        file("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F64\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0), "d"));
    assertEquals("d: tensor 'w': 'dtype' appears more than once", e.getMessage());
    e = assertThrows(SafeTensorsException.class, () -> SafeTensors.parse(
        file("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", 0), "d"));
    assertEquals("d: '__metadata__' has the key 'a' more than once", e.getMessage());
  }

  // ---------------------------------------------------------------- atomic writes

  @Test
  void writeReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
    Path file = dir.resolve("w.safetensors");
    Files.writeString(file, "old contents");
    SafeTensors.write(file, Map.of("x", Tensor.ones(DType.FLOAT64, 3)));
    assertEquals(Tensor.ones(DType.FLOAT64, 3), SafeTensors.read(file).get("x"));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void aFailedWriteLeavesTheOldFileIntact() throws IOException {
    Path file = dir.resolve("keep.txt");
    AtomicFiles.writeString(file, "complete old contents");
    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(file, out -> {
      out.write("half of the new".getBytes(StandardCharsets.UTF_8));
      throw new IOException("disk full");
    }));
    assertEquals("disk full", e.getMessage());
    assertEquals("complete old contents", Files.readString(file));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void atomicFilesWritesBytesAndText() throws IOException {
    Path bin = dir.resolve("a.bin");
    AtomicFiles.write(bin, new byte[] {1, 2, 3});
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(bin));
    Path txt = dir.resolve("sub").resolve("b.csv");
    Files.createDirectories(txt.getParent());
    AtomicFiles.writeString(txt, "step,loss\n1,0.5 ü\n");
    assertEquals("step,loss\n1,0.5 ü\n", Files.readString(txt));
    AtomicFiles.writeString(txt, "");
    assertEquals(0, Files.size(txt));
  }

  // ---------------------------------------------------------------- helpers

  /** A file with {@code header} (padded to 8 bytes) and {@code dataBytes} bytes of data. */
  private static byte[] file(String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return withLength(h.length, header, dataBytes);
  }

  private static byte[] withLength(long length, String header, int dataBytes) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(length).put(h);
    for (int i = 0; i < dataBytes; i++) {
      b.put((byte) i);
    }
    return b.array();
  }

  private static byte[] withHeaderBytes(byte[] h) {
    ByteBuffer b = ByteBuffer.allocate(8 + h.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    return b.array();
  }

  private static String headerOf(byte[] file) {
    long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return new String(file, 8, (int) n, StandardCharsets.UTF_8);
  }
}
