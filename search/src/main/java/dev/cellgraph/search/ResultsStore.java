package dev.cellgraph.search;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cellgraph.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Every evaluated trial of a search, one file per generation in a directory:
 * {@code generation-00000.jsonl}, one JSON object per line with the {@link ResultRow#COLUMNS}
 * (NaN as null), which pandas ({@code read_json(lines=True)}), DuckDB ({@code read_json_auto})
 * and Spark ({@code spark.read.json}) read as one table; and {@link #exportCsv} writes all rows
 * as one CSV. A generation's file is written whole and atomically, before the search's
 * checkpoint, so a resumed search rewrites at most the generation it was killed in.
 *
 * <p>Not thread-safe: one search writes it.
 */
public final class ResultsStore {
  private final Path dir;

  /**
   * A store in {@code dir}, created if it does not exist.
   *
   * @param dir the directory of the generation files
   * @throws IOException if the directory cannot be created
   */
  public ResultsStore(Path dir) throws IOException {
    this.dir = dir;
    Files.createDirectories(dir);
  }

  /**
   * The directory the results are written to.
   *
   * @return the store's directory
   */
  public Path dir() {
    return dir;
  }

  /**
   * Writes the rows of one generation, replacing that generation's file if it exists.
   *
   * @param generation the generation the rows belong to
   * @param rows the rows to write, in order
   * @throws IOException if the file cannot be written
   */
  public void write(int generation, List<ResultRow> rows) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (ResultRow r : rows) {
      sb.append(json(r)).append('\n');
    }
    AtomicFiles.writeString(file(generation), sb.toString());
  }

  private Path file(int generation) {
    return dir.resolve(String.format(Locale.ROOT, "generation-%05d.jsonl", generation));
  }

  static String json(ResultRow r) {
    JsonObject o = new JsonObject();
    List<Object> v = r.values();
    for (int k = 0; k < v.size(); k++) {
      String c = ResultRow.COLUMNS.get(k);
      Object x = v.get(k);
      if (x instanceof Double d && !Double.isFinite(d)) {
        o.add(c, com.google.gson.JsonNull.INSTANCE);
      } else if (x instanceof Number n) {
        o.addProperty(c, n);
      } else if (x instanceof Boolean b) {
        o.addProperty(c, b);
      } else {
        o.addProperty(c, (String) x);
      }
    }
    return o.toString();
  }

  /**
   * Every row of generations before {@code upTo}, in generation and file order.
   *
   * @param upTo the first generation not read
   * @return the rows read, generation 0 first
   * @throws IOException if a generation file cannot be read
   */
  public List<ResultRow> read(int upTo) throws IOException {
    List<ResultRow> rows = new ArrayList<>();
    for (int g = 0; g < upTo; g++) {
      Path f = file(g);
      if (!Files.exists(f)) {
        continue;
      }
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          rows.add(row(JsonParser.parseString(line).getAsJsonObject()));
        }
      }
    }
    return rows;
  }

  /**
   * Every row of every generation file in the directory.
   *
   * @return the rows read, generation 0 first
   * @throws IOException if the directory or a generation file cannot be read
   */
  public List<ResultRow> readAll() throws IOException {
    int last = -1;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String n = p.getFileName().toString();
        if (n.matches("generation-\\d{5}\\.jsonl")) {
          last = Math.max(last, Integer.parseInt(n.substring(11, 16)));
        }
      }
    }
    return read(last + 1);
  }

  private static ResultRow row(JsonObject o) {
    Trial t = new Trial(o.get("cell").getAsString(), o.get("hash").getAsString(), o.get("parent").getAsString(),
        o.get("mutation").getAsString(), o.get("task").getAsString(), o.get("hidden").getAsInt(),
        o.get("steps").getAsInt(), o.get("seed").getAsLong());
    return new ResultRow(o.get("generation").getAsInt(), new TrialResult(t, number(o, "validation_loss"),
        number(o, "validation_accuracy"), o.get("parameters").getAsLong(), number(o, "seconds_per_step"),
        o.get("diverged").getAsBoolean(), number(o, "grad_check_error"), o.get("error").getAsString()));
  }

  private static double number(JsonObject o, String key) {
    return o.get(key).isJsonNull() ? Double.NaN : o.get(key).getAsDouble();
  }

  /**
   * Writes {@code rows} as CSV (RFC 4180: quoted where needed, NaN as an empty field).
   *
   * @param file the CSV file to write
   * @param rows the rows to write, in order, after a header line of the columns
   * @throws IOException if the file cannot be written
   */
  public static void exportCsv(Path file, List<ResultRow> rows) throws IOException {
    StringBuilder sb = new StringBuilder(String.join(",", ResultRow.COLUMNS)).append("\r\n");
    for (ResultRow r : rows) {
      List<Object> v = r.values();
      for (int k = 0; k < v.size(); k++) {
        if (k > 0) {
          sb.append(',');
        }
        sb.append(csv(v.get(k)));
      }
      sb.append("\r\n");
    }
    AtomicFiles.writeString(file, sb.toString());
  }

  private static String csv(Object x) {
    if (x instanceof Double d) {
      return Double.isFinite(d) ? Double.toString(d) : "";
    }
    String s = String.valueOf(x);
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
