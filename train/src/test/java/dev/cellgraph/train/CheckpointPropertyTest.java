package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import dev.cellgraph.core.io.SafeTensorsException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The checkpoint loader on mutated checkpoints (edited metadata, missing, extra or reshaped
 * tensors, damaged bytes): it loads a checkpoint or rejects it with a short message naming the
 * file, never another exception.
 */
@Tag("fuzz")
class CheckpointPropertyTest {
  private static Path dir;
  private static Map<String, Tensor> valid;
  private static String validMeta;

  @BeforeContainer
  static void writeAValidCheckpoint() throws IOException {
    dir = Files.createTempDirectory("checkpoint-fuzz");
    Checkpoint.save(dir, CheckpointKillTest.contents(7));
    SafeTensors.Contents c = SafeTensors.readContents(dir.resolve(Checkpoint.TENSORS));
    valid = c.tensors();
    validMeta = c.metadata().get("cellgraph");
  }

  @AfterContainer
  static void deleteIt() throws IOException {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(dir);
  }

  @Property(seed = "20240201")
  void mutatedCheckpointsGiveOnlyClearErrors(@ForAll long seed) throws IOException {
    Random r = new Random(seed);
    Map<String, Tensor> t = new LinkedHashMap<>(valid);
    Map<String, String> meta = new LinkedHashMap<>(Map.of("cellgraph", validMeta));
    for (int k = 0, n = 1 + r.nextInt(3); k < n; k++) {
      mutate(t, meta, r);
    }
    byte[] bytes = SafeTensors.toBytes(t, meta);
    if (r.nextInt(4) == 0) {
      bytes = damage(bytes, r);
    }
    Path file = dir.resolve(Checkpoint.TENSORS);
    Files.write(file, bytes);
    try {
      Checkpoint.Contents c = Checkpoint.load(dir);
      assertTrue(c.step() >= 0);
    } catch (IllegalArgumentException | SafeTensorsException e) {
      String m = e.getMessage();
      assertTrue(m.contains(Checkpoint.TENSORS), m);
      assertTrue(m.length() <= 1_000 + dir.toString().length(), () -> m.length() + ": " + m.substring(0, 300));
    }
  }

  private static final String[] JSON_VALUES = {"1", "-1", "0", "1.5", "1e400", "\"7\"", "null", "true", "[]", "{}",
      "99999999999999999999999", "[" .repeat(300) + "]".repeat(300), "\"" + "x".repeat(5000) + "\""};

  private static void mutate(Map<String, Tensor> t, Map<String, String> meta, Random r) {
    List<String> names = new ArrayList<>(t.keySet());
    String json = meta.getOrDefault("cellgraph", "{}");
    switch (r.nextInt(8)) {
      case 0 -> t.remove(names.get(r.nextInt(names.size()))); // a tensor missing
      case 1 -> t.put(pick(r, "rng", "param/w", "history/loss", "history/validation_step", "other", "optimizer/x"),
          Tensor.of(pick(r, DType.FLOAT64, DType.INT64, DType.INT32), new double[0],
              Shape.of(0))); // replaced by an empty one
      case 2 -> { // reshaped or retyped
        String k = names.get(r.nextInt(names.size()));
        int n = r.nextInt(9);
        t.put(k, Tensor.of(pick(r, DType.FLOAT32, DType.FLOAT64, DType.INT64, DType.INT32), new double[n], Shape.of(n)));
      }
      case 3 -> meta.remove("cellgraph");
      case 4 -> { // a field's value replaced
        String field = pick(r, "format", "step", "checksum");
        meta.put("cellgraph", json.replaceFirst("\"" + field + "\": [^,\\n}]*",
            "\"" + field + "\": " + java.util.regex.Matcher.quoteReplacement(JSON_VALUES[r.nextInt(JSON_VALUES.length)])));
      }
      case 5 -> { // a character of the JSON replaced
        if (!json.isEmpty()) {
          int at = r.nextInt(json.length());
          meta.put("cellgraph", json.substring(0, at) + pick(r, "{", "}", "[", "\"", ",", ":", "", "x")
              + json.substring(at + 1));
        }
      }
      case 6 -> meta.put("cellgraph", JSON_VALUES[r.nextInt(JSON_VALUES.length)]);
      default -> t.put("param/" + "p".repeat(r.nextInt(3) * 5000), Tensor.of(new double[] {1}, 1));
    }
  }

  /** Flips bits or truncates the file. */
  private static byte[] damage(byte[] b, Random r) {
    if (r.nextBoolean()) {
      return Arrays.copyOf(b, r.nextInt(b.length));
    }
    b = b.clone();
    long headerLength = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
      int at = 8 + r.nextInt((int) headerLength); // inside the header, where the structure is
      b[at] ^= (byte) (1 << r.nextInt(8));
    }
    return b;
  }

  @SafeVarargs
  private static <T> T pick(Random r, T... options) {
    return options[r.nextInt(options.length)];
  }
}
