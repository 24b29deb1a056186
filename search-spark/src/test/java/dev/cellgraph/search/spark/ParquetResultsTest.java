package dev.cellgraph.search.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.search.ResultRow;
import dev.cellgraph.search.ResultsStore;
import dev.cellgraph.search.TrainingEvaluator;
import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetResultsTest {
  private final SparkBackend spark = EmbeddedSpark.backend();

  private static final Comparator<ResultRow> KEY = Comparator.<ResultRow>comparingInt(ResultRow::generation)
      .thenComparing(r -> r.result().trial().hash()).thenComparingLong(r -> r.result().trial().seed());

  /** Rows of one generation: trained ones, a failed one (NaN metrics), a diverged one, a cell over two lines with Unicode. */
  private static List<ResultRow> generation(int g, int n) {
    List<ResultRow> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Trial t = new Trial("h' = tanh(W x + U h + b)\n# σ ⊙ " + g + "." + i, g + "h" + i, i == 0 ? "" : g + "h0",
          i == 0 ? "seed" : "activation", "adding", 8, 20, 1L << 40 | i);
      TrialResult r = switch (i % 3) {
        case 2 -> TrainingEvaluator.failed(t, "candidate.cell:1:5: unknown function 'tanhh'");
        case 1 -> new TrialResult(t, Double.NaN, Double.NaN, 1000L + i, 1.25e-3, true, 3e-10, "");
        default -> new TrialResult(t, 0.1 + Math.ulp(0.1) * i + g, Double.NaN, 1000L + i, 1.25e-3, false, 3e-10, "");
      };
      rows.add(new ResultRow(g, r));
    }
    return rows;
  }

  private static List<ResultRow> sorted(List<ResultRow> rows) {
    return rows.stream().sorted(KEY).toList();
  }

  @Test
  void anExportedStoreIsReadBackBitForBitAndAgainAfterAGenerationIsRewritten(@TempDir Path dir) throws IOException {
    ResultsStore store = new ResultsStore(dir.resolve("results"));
    store.write(0, generation(0, 5));
    store.write(1, generation(1, 4));
    Path table = dir.resolve("results.parquet");
    ParquetResults.export(spark.session(), store, table);
    assertEquals(sorted(store.readAll()), sorted(ParquetResults.read(spark.session(), table)));
    // a resumed search writes the generation it was killed in again
    store.write(1, generation(1, 2));
    ParquetResults.export(spark.session(), store, table);
    assertEquals(7, store.readAll().size());
    assertEquals(sorted(store.readAll()), sorted(ParquetResults.read(spark.session(), table)));
  }

  @Test
  void theTableHasTheStoresColumnsAndAnswersQueriesByName(@TempDir Path dir) {
    Path table = dir.resolve("results.parquet");
    ParquetResults.write(spark.session(), generation(0, 6), table);
    Dataset<Row> results = spark.session().read().parquet(table.toString());
    assertEquals(ResultRow.COLUMNS, Arrays.asList(results.columns()));
    results.createOrReplaceTempView("results");
    assertEquals("[[0h0,1000], [0h3,1003]]", spark.session().sql("SELECT hash, parameters FROM results"
        + " WHERE error = '' AND NOT diverged ORDER BY validation_loss").collectAsList().toString());
  }

  @Test
  void sparkReadsTheSearchStoresJsonLinesWithNaNAsNull(@TempDir Path dir) throws IOException {
    ResultsStore store = new ResultsStore(dir.resolve("results"));
    store.write(0, generation(0, 3));
    store.write(1, generation(1, 3));
    Dataset<Row> json = spark.session().read().json(store.dir().toString());
    assertEquals(ResultRow.COLUMNS.stream().sorted().toList(), Arrays.stream(json.columns()).sorted().toList());
    List<Row> trained = json.select("generation", "hash", "validation_loss", "cell")
        .where("generation = 0 AND error = ''").orderBy("hash").collectAsList();
    assertEquals(List.of(0L, "0h0", 0.1, "h' = tanh(W x + U h + b)\n# σ ⊙ 0.0"), values(trained.get(0)));
    assertEquals(Arrays.asList(0L, "0h1", null, "h' = tanh(W x + U h + b)\n# σ ⊙ 0.1"), values(trained.get(1)));
    assertEquals(2, trained.size());
  }

  private static List<Object> values(Row row) {
    List<Object> vs = new ArrayList<>();
    for (int i = 0; i < row.length(); i++) {
      vs.add(row.get(i));
    }
    return vs;
  }

  @Test
  void theExportCommandWritesTheTableBesideTheStore(@TempDir Path dir) throws IOException {
    new ResultsStore(dir.resolve("results")).write(0, generation(0, 4));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(0, ParquetExport.run(new String[] {dir.toString(), "local[2,2]"}, print(out), print(err)));
    assertEquals("wrote 4 rows to " + dir.resolve("results.parquet") + "\n", out.toString(StandardCharsets.UTF_8));
    assertEquals(2, ParquetExport.run(new String[] {dir.resolve("none").toString()}, print(out), print(err)));
    assertTrue(err.toString(StandardCharsets.UTF_8).equals("ParquetExport: " + dir.resolve("none/results")
        + " is not a directory: " + dir.resolve("none") + " holds no search results\n"), err.toString());
  }

  private static PrintStream print(ByteArrayOutputStream bytes) {
    return new PrintStream(bytes, true, StandardCharsets.UTF_8);
  }
}
