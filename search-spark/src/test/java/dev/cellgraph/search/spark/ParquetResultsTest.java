package dev.cellgraph.search.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParquetResultsTest {
  private final SparkBackend spark = EmbeddedSpark.backend();

  private static List<TrialResult> generation(int from, int n) {
    List<TrialResult> rs = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      Trial t = new Trial("h = tanh(W x + U h + b)\n# ünïcode ⊙ " + i, "h" + i, i == 0 ? "" : "h0", "activation",
          "adding", 8, 20, 1L << 40 | i);
      rs.add(i % 3 == 2
          ? new TrialResult(t, Double.NaN, Double.NaN, 0, Double.NaN, false, Double.NaN, "candidate.cell:1:5: unknown function")
          : new TrialResult(t, 0.1 + Math.ulp(0.1) * i, Double.NaN, 1000L + i, 1.25e-3, i % 4 == 1, 3e-10, ""));
    }
    return rs;
  }

  @Test
  void generationsAppendedAreReadBackBitForBit(@TempDir Path dir) {
    Path table = dir.resolve("results.parquet");
    List<TrialResult> first = generation(0, 5);
    List<TrialResult> second = generation(5, 4);
    ParquetResults.append(spark.session(), first, table);
    ParquetResults.append(spark.session(), second, table);
    List<TrialResult> all = new ArrayList<>(first);
    all.addAll(second);
    Comparator<TrialResult> byHash = Comparator.comparing(r -> r.trial().hash());
    assertEquals(all.stream().sorted(byHash).toList(),
        ParquetResults.read(spark.session(), table).stream().sorted(byHash).toList());
  }

  @Test
  void theTableAnswersQueriesByColumnName(@TempDir Path dir) {
    Path table = dir.resolve("results.parquet");
    ParquetResults.append(spark.session(), generation(0, 6), table);
    spark.session().read().parquet(table.toString()).createOrReplaceTempView("results");
    List<Row> best = spark.session().sql("SELECT hash, parameters FROM results WHERE error = ''"
        + " ORDER BY validation_loss LIMIT 2").collectAsList();
    assertEquals("[[h0,1000], [h1,1001]]", best.toString());
  }
}
