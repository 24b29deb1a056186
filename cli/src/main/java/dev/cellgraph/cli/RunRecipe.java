package dev.cellgraph.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What rebuilds a {@code train} run without its command line: the cell (its formulas as written,
 * or the built-in's name) and the options given. {@code train} writes it as {@code config.json} in
 * the run's directory and into every checkpoint, so {@code train --config}, {@code --resume} and
 * {@code sample} work after the {@code .cell} file is moved or deleted:
 *
 * <pre>{"cellgraph": "0.1", "command": "train", "cell": {"name": "my", "formula": "h' = ...",
 *  "sizes": {"P": 32}, "constants": {"beta": 2.5}},
 *  "options": {"task": "charlm", "steps": "500"}, "flags": ["bidirectional"]}</pre>
 *
 * <p>The cell's {@code sizes} and {@code constants} are those {@code --size} and {@code --set} gave
 * (absent when none were), so that the cell is rebuilt with them and not with its defaults.
 *
 * <p>Thread-safe: stateless.
 */
final class RunRecipe {
  static final String FILE = "config.json";
  /** Options that say how to start this invocation, not what the run is, so they are not recorded. */
  static final Set<String> NOT_RECORDED = Set.of("config", "resume", "cell", CellRef.SIZE, CellRef.SET);

  private RunRecipe() {}

  /** The recipe of a run of {@code cell} with the options of {@code a}. */
  static JsonObject of(CellRef cell, Args a) {
    JsonObject r = new JsonObject();
    r.addProperty("cellgraph", Main.version());
    r.addProperty("command", "train");
    JsonObject c = new JsonObject();
    c.addProperty("name", cell.name());
    if (cell.builtinName() != null) {
      c.addProperty("builtin", cell.builtinName());
    }
    c.addProperty("formula", cell.text());
    if (!cell.sizes().isEmpty()) {
      JsonObject sizes = new JsonObject();
      cell.sizes().forEach(sizes::addProperty);
      c.add("sizes", sizes);
    }
    if (!cell.constants().isEmpty()) {
      JsonObject constants = new JsonObject();
      cell.constants().forEach(constants::addProperty);
      c.add("constants", constants);
    }
    r.add("cell", c);
    JsonObject options = new JsonObject();
    a.values().forEach((k, v) -> {
      if (!NOT_RECORDED.contains(k)) {
        options.addProperty(k, v);
      }
    });
    r.add("options", options);
    JsonArray flags = new JsonArray();
    a.flags().stream().filter(f -> !NOT_RECORDED.contains(f)).sorted().forEach(flags::add);
    r.add("flags", flags);
    return r;
  }

  /** Reads a {@code config.json}; a missing, unreadable or malformed file is a usage error naming it. */
  static JsonObject read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UsageException("--config " + file + " does not exist or is not a file");
    }
    try {
      if (Files.size(file) > (16 << 20)) {
        throw new UsageException("--config " + file + " is larger than 16 MiB; it is not a cellgraph config.json");
      }
      JsonElement e = JsonParser.parseString(Files.readString(file));
      if (!e.isJsonObject()) {
        throw new UsageException(file + " is not a cellgraph config.json (not a JSON object)");
      }
      JsonObject r = e.getAsJsonObject();
      check(r, file.toString());
      return r;
    } catch (JsonParseException e) {
      throw new UsageException(file + " is not a cellgraph config.json: " + jsonError(e)
          + " (--config replays the config.json a train run wrote; a formula cell file goes to --cell)");
    } catch (IOException e) {
      throw new UsageException("cannot read --config " + file + ": " + e.getMessage());
    }
  }

  private static final Pattern JSON_POSITION =
      Pattern.compile("line (\\d+) column (\\d+)");

  /** Gson's message names its own classes and options; the user needs only where the JSON breaks. */
  static String jsonError(JsonParseException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        Matcher m = JSON_POSITION.matcher(t.getMessage());
        if (m.find()) {
          return "malformed JSON at line " + m.group(1) + ", column " + m.group(2);
        }
      }
    }
    return "malformed JSON";
  }

  /** Checks the structure of a recipe read from {@code origin}, so that using it cannot fail halfway. */
  static void check(JsonObject r, String origin) {
    JsonElement command = r.get("command");
    if (command == null || !command.isJsonPrimitive() || !command.getAsString().equals("train")) {
      throw new UsageException(origin + " is not the config.json of a train run (no \"command\": \"train\")");
    }
    JsonObject cell = object(r, "cell", origin);
    string(cell, "name", origin);
    if (!cell.has("builtin")) {
      string(cell, "formula", origin);
    } else {
      string(cell, "builtin", origin);
    }
    for (String key : new String[] {"sizes", "constants"}) {
      if (cell.has(key)) {
        JsonObject o = object(cell, key, origin);
        for (String k : o.keySet()) {
          JsonElement v = o.get(k);
          boolean number = v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber();
          if (!number || (key.equals("sizes") && !(v.getAsDouble() >= 1 && v.getAsDouble() <= 999_999_999
              && v.getAsDouble() == Math.rint(v.getAsDouble())))) {
            throw new UsageException(origin + ": the cell's \"" + key + "\" must map names to "
                + (key.equals("sizes") ? "whole numbers from 1 to 999999999" : "numbers") + ", not \"" + k + "\": " + v);
          }
        }
      }
    }
    JsonObject options = object(r, "options", origin);
    for (String k : options.keySet()) {
      string(options, k, origin);
    }
    JsonElement flags = r.get("flags");
    if (flags != null && !(flags.isJsonArray() && flags.getAsJsonArray().asList().stream()
        .allMatch(f -> f.isJsonPrimitive() && f.getAsJsonPrimitive().isString()))) {
      throw new UsageException(origin + ": \"flags\" must be an array of option names");
    }
  }

  /**
   * The recorded cell, rebuilt from the formulas kept in the recipe with the sizes and constants it
   * was given, and {@code sizes} and {@code constants} (a replay's {@code --size} and {@code --set})
   * over them.
   */
  static CellRef cell(JsonObject r, String origin, Map<String, Integer> sizes, Map<String, Double> constants) {
    JsonObject c = r.getAsJsonObject("cell");
    String builtin = c.has("builtin") ? c.get("builtin").getAsString() : null;
    Map<String, Integer> s = recordedSizes(r, origin);
    s.putAll(sizes);
    Map<String, Double> k = new LinkedHashMap<>();
    if (c.has("constants")) {
      c.getAsJsonObject("constants").entrySet().forEach(e -> k.put(e.getKey(), e.getValue().getAsDouble()));
    }
    k.putAll(constants);
    return CellRef.recorded(c.get("name").getAsString(), builtin,
        c.has("formula") ? c.get("formula").getAsString() : null, s, k, origin);
  }

  /** The named sizes of the recipe's cell; a recipe written before cells kept them has them as the option --size. */
  private static Map<String, Integer> recordedSizes(JsonObject r, String origin) {
    JsonObject c = r.getAsJsonObject("cell");
    Map<String, Integer> sizes = new LinkedHashMap<>();
    if (c.has("sizes")) {
      c.getAsJsonObject("sizes").entrySet().forEach(e -> sizes.put(e.getKey(), e.getValue().getAsInt()));
    } else if (r.getAsJsonObject("options").has(CellRef.SIZE)) {
      try {
        sizes.putAll(CellRef.sizes(r.getAsJsonObject("options").get(CellRef.SIZE).getAsString()));
      } catch (UsageException e) {
        throw new UsageException(origin + ": " + e.getMessage());
      }
    }
    return sizes;
  }

  /**
   * Refuses a {@code --size} or {@code --set} of {@code cli} that would change the cell of the run
   * being resumed from {@code recorded}: a resumed run continues the same cell (giving the value it
   * already has is fine; a name the cell has not got is the formula language's to refuse).
   */
  static void checkSameCell(CellRef recorded, Args cli, String origin) {
    for (Map.Entry<String, Integer> e : CellRef.sizes(cli).entrySet()) {
      Integer was = recorded.spec().namedSizes().get(e.getKey());
      if (was != null && !was.equals(e.getValue())) {
        throw changed("--size " + e.getKey() + "=" + e.getValue(), e.getKey() + " = " + was, origin);
      }
    }
    for (Map.Entry<String, Double> e : CellRef.constants(cli).entrySet()) {
      Double was = recorded.spec().constants().get(e.getKey());
      if (was != null && !was.equals(e.getValue())) {
        throw changed("--set " + e.getKey() + "=" + CellRef.number(e.getValue()),
            e.getKey() + " = " + CellRef.number(was), origin);
      }
    }
  }

  private static UsageException changed(String option, String recorded, String origin) {
    return new UsageException(option + ": " + origin + " was trained with " + recorded + ", and a resumed run"
        + " continues the same cell; to train with another value, start a new run in another --checkpoint DIR");
  }

  /** The command line {@code cli} over the recipe's options (see {@link Args#over}). */
  static Args apply(JsonObject r, Args cli, Set<String> valued, Set<String> booleans, String origin) {
    Map<String, String> values = new LinkedHashMap<>();
    r.getAsJsonObject("options").entrySet().forEach(e -> values.put(e.getKey(), e.getValue().getAsString()));
    Set<String> flags = new LinkedHashSet<>();
    if (r.has("flags")) {
      r.getAsJsonArray("flags").forEach(f -> flags.add(f.getAsString()));
    }
    return cli.over(values, flags, valued, booleans, origin);
  }

  static String toJson(JsonObject r) {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(r) + "\n";
  }

  private static JsonObject object(JsonObject r, String key, String origin) {
    JsonElement e = r.get(key);
    if (e == null || !e.isJsonObject()) {
      throw new UsageException(origin + ": \"" + key + "\" must be a JSON object");
    }
    return e.getAsJsonObject();
  }

  private static String string(JsonObject r, String key, String origin) {
    JsonElement e = r.get(key);
    if (e == null || !e.isJsonPrimitive()) {
      throw new UsageException(origin + ": \"" + key + "\" must be a string");
    }
    return e.getAsString();
  }
}
