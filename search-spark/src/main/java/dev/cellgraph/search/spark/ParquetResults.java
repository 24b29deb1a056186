package dev.cellgraph.search.spark;

import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Result rows as a Parquet data set written by Spark: one row per evaluated trial, appended a
 * generation at a time as new part files of one directory, which Spark, pandas, DuckDB and
 * Polars read as one table. Spark's commit protocol writes each part under {@code _temporary}
 * and renames it when the job succeeds, so a reader never sees half a file (the atomicity that
 * {@code AtomicFiles} gives a single file).
 *
 * <p>Thread-safe: stateless; Spark's session is.
 */
public final class ParquetResults {
  /** The columns, in the order of {@link Trial} and {@link TrialResult}; snake case, as SQL and pandas users write them. */
  public static final StructType SCHEMA = new StructType(new StructField[] {
      field("cell_text", DataTypes.StringType), field("hash", DataTypes.StringType),
      field("parent", DataTypes.StringType), field("mutation", DataTypes.StringType),
      field("task", DataTypes.StringType), field("hidden", DataTypes.IntegerType),
      field("steps", DataTypes.IntegerType), field("seed", DataTypes.LongType),
      field("validation_loss", DataTypes.DoubleType), field("validation_accuracy", DataTypes.DoubleType),
      field("parameters", DataTypes.LongType), field("seconds_per_step", DataTypes.DoubleType),
      field("diverged", DataTypes.BooleanType), field("grad_check_error", DataTypes.DoubleType),
      field("error", DataTypes.StringType)});

  private ParquetResults() {}

  private static StructField field(String name, org.apache.spark.sql.types.DataType type) {
    return DataTypes.createStructField(name, type, false);
  }

  /** Appends {@code results} to the data set in {@code directory}, creating it the first time. */
  public static void append(SparkSession spark, List<TrialResult> results, Path directory) {
    List<Row> rows = results.stream().map(ParquetResults::row).toList();
    // one part file per generation: the rows are few, and many tiny parts slow every reader
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode(SaveMode.Append).parquet(directory.toString());
  }

  /** Every row of the data set in {@code directory}, in no particular order. */
  public static List<TrialResult> read(SparkSession spark, Path directory) {
    Dataset<Row> table = spark.read().schema(SCHEMA).parquet(directory.toString());
    return table.collectAsList().stream().map(ParquetResults::result).toList();
  }

  static Row row(TrialResult r) {
    Trial t = r.trial();
    return RowFactory.create(t.cellText(), t.hash(), t.parent(), t.mutation(), t.task(), t.hidden(), t.steps(),
        t.seed(), r.validationLoss(), r.validationAccuracy(), r.parameters(), r.secondsPerStep(), r.diverged(),
        r.gradCheckError(), r.error());
  }

  static TrialResult result(Row row) {
    Trial t = new Trial(row.getString(0), row.getString(1), row.getString(2), row.getString(3), row.getString(4),
        row.getInt(5), row.getInt(6), row.getLong(7));
    return new TrialResult(t, row.getDouble(8), row.getDouble(9), row.getLong(10), row.getDouble(11),
        row.getBoolean(12), row.getDouble(13), row.getString(14));
  }
}
