package dev.cellgraph.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import dev.cellgraph.core.io.AtomicFiles;
import dev.cellgraph.core.io.SafeTensors;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A training checkpoint in a directory: {@code checkpoint.safetensors} holds everything a resumed
 * run needs (parameters, optimizer state, carried recurrent state, random state, history) and, in
 * its metadata, the run's description as JSON; {@code checkpoint.json} repeats that description
 * for people and tools. Both are written atomically, the safetensors file first: it is the
 * authority, so a crash between the two writes loses nothing, and {@link #load} reads nothing
 * else (after a crash {@code checkpoint.json} may describe the previous checkpoint).
 *
 * <p>A writer killed mid-write leaves a hidden temporary file ({@code .checkpoint.safetensors.<hex>.tmp});
 * loading never reads one, and the next {@link #save} deletes them ({@link AtomicFiles} removes a
 * target's temporaries that no live writer locks). Saves into one directory are serialized,
 * within a JVM and across processes (by a lock on {@code .checkpoint.lock}), so the two files of
 * one checkpoint are never mixed with another's: the class is thread-safe.
 *
 * <p>Tensors are named {@code param/<name>}, {@code optimizer/<key>}, {@code carry/<state>},
 * {@code history/<series>} and {@code rng} (the four int64 words of the {@code Rng} state).
 */
public final class Checkpoint {
  /** The file name of a checkpoint's tensors in its directory. */
  public static final String TENSORS = "checkpoint.safetensors";
  /** The file name of a checkpoint's JSON description (step, config, recipe) in its directory. */
  public static final String JSON = "checkpoint.json";
  static final String LOCK = ".checkpoint.lock";
  static final int FORMAT = 1;
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  /** The name of the tensor holding the random state, outside every {@link Section}. */
  static final String RNG = "rng";

  /**
   * A group of tensors in the file, each tensor named by the group's prefix and its key
   * ({@code param/W}); the prefixes are the file format, so they never change.
   */
  enum Section {
    PARAMETERS("param/"), OPTIMIZER("optimizer/"), CARRY("carry/"), HISTORY("history/");

    private final String prefix;

    Section(String prefix) {
      this.prefix = prefix;
    }

    /** The name in the file of this section's tensor {@code key}. */
    String tensorName(String key) {
      return prefix + key;
    }

    /** The section and key a tensor name in a file stands for, or null when it is in none. */
    static Key parse(String tensorName) {
      for (Section s : values()) {
        if (tensorName.startsWith(s.prefix)) {
          return new Key(s, tensorName.substring(s.prefix.length()));
        }
      }
      return null;
    }
  }

  /** A tensor's place in a checkpoint: its section and its key there. */
  record Key(Section section, String key) {}

  /** The contents of a checkpoint. */
  public record Contents(JsonObject meta, Map<String, Tensor> parameters, Map<String, Tensor> optimizer,
      Map<String, Tensor> carry, long[] rngState, History history) {
    /**
     * The step the run continues from (the number of steps done).
     *
     * @return the number of steps already done, from the metadata's {@code step}
     */
    public long step() {
      return meta.get("step").getAsLong();
    }
  }

  private Checkpoint() {}

  /**
   * Whether {@code dir} holds a checkpoint.
   *
   * @param dir the directory to look in
   * @return true if {@code dir} holds a {@code checkpoint.safetensors} file
   */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(TENSORS));
  }

  /**
   * Writes a checkpoint into {@code dir} (created if needed), replacing the previous one atomically.
   *
   * @param dir the checkpoint directory, created if it does not exist
   * @param c the contents to write: parameters, optimizer state, carry, random state, history and metadata
   * @throws IOException if a file cannot be written or the directory's lock cannot be taken
   */
  public static void save(Path dir, Contents c) throws IOException {
    Files.createDirectories(dir);
    synchronized (Checkpoint.class) { // FileChannel locks are per process, not per thread
      try (FileChannel lock = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock held = lock.lock()) {
        write(dir, c); // AtomicFiles removes the temporaries killed writers left (unlocked ones)
      }
    }
  }

  private static void write(Path dir, Contents c) throws IOException {
    Map<String, Tensor> t = new LinkedHashMap<>();
    c.parameters().forEach((k, v) -> t.put(Section.PARAMETERS.tensorName(k), v));
    c.optimizer().forEach((k, v) -> t.put(Section.OPTIMIZER.tensorName(k), v));
    c.carry().forEach((k, v) -> t.put(Section.CARRY.tensorName(k), v));
    c.history().toTensors().forEach((k, v) -> t.put(Section.HISTORY.tensorName(k), v));
    t.put(RNG, TensorAccess.wrap(DType.INT64, c.rngState().clone(), dev.cellgraph.core.Shape.of(4)));
    String json = GSON.toJson(c.meta());
    SafeTensors.write(dir.resolve(TENSORS), t, Map.of("cellgraph", json));
    AtomicFiles.writeString(dir.resolve(JSON), json + "\n");
  }

  /**
   * Reads the checkpoint in {@code dir}; a missing or damaged one is an error naming the file.
   *
   * @param dir the directory holding {@code checkpoint.safetensors}
   * @return the checkpoint's contents: metadata, parameters, optimizer state, carry, random state and history
   * @throws IOException if the checkpoint file cannot be read
   */
  public static Contents load(Path dir) throws IOException {
    Path f = dir.resolve(TENSORS);
    if (!Files.isRegularFile(f)) {
      throw new IllegalArgumentException("no checkpoint in " + dir + " (" + f.getFileName() + " is missing)");
    }
    SafeTensors.Contents sc = SafeTensors.readContents(f);
    String json = sc.metadata().get("cellgraph");
    if (json == null) {
      throw new IllegalArgumentException(f + " is not a cellgraph checkpoint (no 'cellgraph' metadata)");
    }
    JsonObject meta;
    try {
      meta = JsonParser.parseString(json).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new IllegalArgumentException(f + ": its 'cellgraph' metadata is not a JSON object");
    }
    if (!(meta.has("format") && integer(meta.get("format")) == FORMAT)) {
      throw new IllegalArgumentException(f + ": unsupported checkpoint format "
          + (meta.has("format") ? excerpt(meta.get("format").toString()) : "(none)")
          + " (this version reads format " + FORMAT + ")");
    }
    if (!meta.has("step") || integer(meta.get("step")) < 0) {
      throw new IllegalArgumentException(f + ": its 'cellgraph' metadata has no step (a non-negative integer), "
          + "got " + (meta.has("step") ? excerpt(meta.get("step").toString()) : "none"));
    }
    Map<Section, Map<String, Tensor>> sections = new EnumMap<>(Section.class);
    for (Section s : Section.values()) {
      sections.put(s, new LinkedHashMap<>());
    }
    Tensor rng = null;
    for (Map.Entry<String, Tensor> e : sc.tensors().entrySet()) {
      String k = e.getKey();
      Key key = Section.parse(k);
      if (k.equals(RNG)) {
        rng = e.getValue();
      } else if (key != null) {
        sections.get(key.section()).put(key.key(), e.getValue());
      } else {
        throw new IllegalArgumentException(f + ": unexpected tensor '" + excerpt(k) + "'");
      }
    }
    Map<String, Tensor> hist = sections.get(Section.HISTORY);
    if (rng == null || rng.size() != 4 || rng.dtype() != DType.INT64) {
      throw new IllegalArgumentException(f + ": the random state '" + RNG + "' is missing or not 4 integers");
    }
    for (String[] group : new String[][] {{"loss", "grad_norm", "lr", "seconds"},
        {"validation_step", "validation_loss"}}) {
      for (String k : group) {
        Tensor t = hist.get(k);
        Tensor first = hist.get(group[0]);
        if (t != null && first != null && t.size() != first.size()) {
          throw new IllegalArgumentException(f + ": the history's '" + k + "' has " + t.size()
              + " values, its '" + group[0] + "' " + first.size());
        }
      }
    }
    History h;
    try {
      h = History.fromTensors(hist);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(f + ": " + e.getMessage());
    }
    return new Contents(meta, sections.get(Section.PARAMETERS), sections.get(Section.OPTIMIZER),
        sections.get(Section.CARRY), rng.toLongArray(), h);
  }

  /** The value of a JSON integer in {@code [0, Long.MAX_VALUE]}, or -1 for anything else. */
  private static long integer(JsonElement e) {
    if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber())) {
      return -1;
    }
    try {
      BigDecimal v = e.getAsBigDecimal();
      return v.signum() >= 0 && v.stripTrailingZeros().scale() <= 0 ? v.longValueExact() : -1;
    } catch (NumberFormatException | ArithmeticException x) {
      return -1;
    }
  }

  /** At most 60 characters of a value for a message. */
  private static String excerpt(String s) {
    return s.length() <= 60 ? s : s.substring(0, Character.isHighSurrogate(s.charAt(59)) ? 59 : 60) + "...";
  }
}
