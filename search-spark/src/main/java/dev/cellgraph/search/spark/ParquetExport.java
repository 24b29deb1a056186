package dev.cellgraph.search.spark;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.search.ResultsStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code ParquetExport SEARCH-DIR [MASTER]}: writes the results of the search in SEARCH-DIR
 * (its {@code results/} store) to {@code SEARCH-DIR/results.parquet} with Spark, embedded
 * {@code local[*]} unless spark-submit or MASTER says otherwise. Exit status as {@code cellgraph}'s:
 * 0 done, 2 a mistake in the command line or a store that cannot be read.
 *
 * <p>Thread-safe: each run is its own.
 */
public final class ParquetExport {
  private ParquetExport() {}

  /**
   * Runs the export and exits with its status.
   *
   * @param args {@code SEARCH-DIR [MASTER]}
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length < 1 || args.length > 2) {
      err.println("usage: ParquetExport SEARCH-DIR [MASTER]   (writes SEARCH-DIR/results.parquet)");
      return 2;
    }
    Path dir = Path.of(args[0]);
    Path results = dir.resolve("results");
    if (!Files.isDirectory(results)) {
      err.println("ParquetExport: " + results + " is not a directory: " + dir + " holds no search results");
      return 2;
    }
    String master = args.length == 2 ? args[1] : System.getProperty("spark.master", "local[*]");
    SparkMaster spark;
    try {
      spark = SparkMaster.parse(master, 1).orElseThrow(() -> new InvalidInputException(master
          + " is not a Spark master (local[N], spark://host:port, yarn or k8s://...)"));
    } catch (InvalidInputException e) {
      err.println("ParquetExport: " + e.getMessage());
      return 2;
    }
    try (SparkBackend backend = SparkBackend.start(spark)) {
      SparkSession session = backend.session();
      Path table = dir.resolve("results.parquet");
      ParquetResults.export(session, new ResultsStore(results), table);
      out.println("wrote " + session.read().parquet(table.toString()).count() + " rows to " + table);
    } catch (IOException e) {
      err.println("ParquetExport: cannot read the results in " + results + ": " + e);
      return 2;
    }
    return 0;
  }
}
