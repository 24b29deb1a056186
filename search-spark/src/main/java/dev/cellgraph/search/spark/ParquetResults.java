package dev.cellgraph.search.spark;

import dev.cellgraph.search.ResultRow;
import dev.cellgraph.search.ResultsStore;
import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A search's result rows as a Parquet data set written by Spark, with the columns of
 * {@link ResultRow#COLUMNS} (the search's own store, JSON lines, has the same) and NaN kept as
 * NaN. {@link #export} writes the whole store again each time, so the table always holds exactly
 * the store's rows, also after a resumed search rewrote the generation it was killed in.
 * Spark's commit protocol writes the part files under {@code _temporary} and moves them into
 * place when the job succeeds, so a reader never sees half a file (the atomicity that
 * {@code AtomicFiles} gives a single file).
 *
 * <p>Thread-safe: stateless; Spark's session is.
 */
public final class ParquetResults {
  private static final Map<String, DataType> TYPES = Map.of("generation", DataTypes.IntegerType,
      "hidden", DataTypes.IntegerType, "steps", DataTypes.IntegerType, "seed", DataTypes.LongType,
      "parameters", DataTypes.LongType, "diverged", DataTypes.BooleanType,
      "validation_loss", DataTypes.DoubleType, "validation_accuracy", DataTypes.DoubleType,
      "seconds_per_step", DataTypes.DoubleType, "grad_check_error", DataTypes.DoubleType);

  /** {@link ResultRow#COLUMNS} with their types; the rest are strings. */
  public static final StructType SCHEMA = new StructType(ResultRow.COLUMNS.stream()
      .map(c -> DataTypes.createStructField(c, TYPES.getOrDefault(c, DataTypes.StringType), false))
      .toArray(StructField[]::new));

  private ParquetResults() {}

  /**
   * Writes every row of {@code store} to the data set {@code table}, replacing what it held.
   *
   * @param spark the session that writes
   * @param store the search's results
   * @param table the directory of the Parquet data set
   * @throws IOException if the store cannot be read
   */
  public static void export(SparkSession spark, ResultsStore store, Path table) throws IOException {
    write(spark, store.readAll(), table);
  }

  /**
   * Writes {@code rows} to the data set {@code table}, replacing what it held.
   *
   * @param spark the session that writes
   * @param rows the rows to write
   * @param table the directory of the Parquet data set
   */
  public static void write(SparkSession spark, List<ResultRow> rows, Path table) {
    // one part file: a search has thousands of rows, and many tiny parts slow every reader
    spark.createDataFrame(rows.stream().map(ParquetResults::row).toList(), SCHEMA).coalesce(1)
        .write().mode(SaveMode.Overwrite).parquet(table.toString());
  }

  /**
   * Every row of the data set {@code table}.
   *
   * @param spark the session that reads
   * @param table the directory of the Parquet data set
   * @return the rows, in the order of the data set
   */
  public static List<ResultRow> read(SparkSession spark, Path table) {
    return spark.read().schema(SCHEMA).parquet(table.toString()).collectAsList().stream()
        .map(ParquetResults::resultRow).toList();
  }

  static Row row(ResultRow row) {
    return RowFactory.create(row.values().toArray());
  }

  static ResultRow resultRow(Row r) {
    Trial t = new Trial(r.getAs("cell"), r.getAs("hash"), r.getAs("parent"), r.getAs("mutation"), r.getAs("task"),
        r.<Integer>getAs("hidden"), r.<Integer>getAs("steps"), r.<Long>getAs("seed"));
    return new ResultRow(r.<Integer>getAs("generation"), new TrialResult(t, r.<Double>getAs("validation_loss"),
        r.<Double>getAs("validation_accuracy"), r.<Long>getAs("parameters"), r.<Double>getAs("seconds_per_step"),
        r.<Boolean>getAs("diverged"), r.<Double>getAs("grad_check_error"), r.getAs("error")));
  }
}
