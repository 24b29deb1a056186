package dev.cellgraph.search.spark;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.search.Backend;
import dev.cellgraph.search.BackendProvider;
import java.util.Optional;

/**
 * The Spark back end for every master Spark runs ({@link SparkMaster}); registered in
 * {@code META-INF/services}, so a search finds it whenever this module is on the class path.
 *
 * <p>Thread-safe: stateless.
 */
public final class SparkBackendProvider implements BackendProvider {
  /** The shaded jar leaves Spark to spark-submit; run with java -jar, Spark is missing. */
  static final String NO_SPARK = "Spark is not on the class path (cellgraph-search.jar leaves it to spark-submit):"
      + " run the search with spark-submit, or embedded with java @search-spark/target/cellgraph-search.args"
      + " dev.cellgraph.cli.Main search ... (docs/search.md, Running on Spark)";

  @Override
  public Optional<Backend> open(String master, int workers) {
    Optional<SparkMaster> spark = SparkMaster.parse(master, workers);
    if (spark.isPresent() && !sparkIsPresent()) {
      throw new InvalidInputException("--master " + master + ": " + NO_SPARK);
    }
    return spark.map(SparkBackend::start);
  }

  private static boolean sparkIsPresent() {
    try {
      Class.forName("org.apache.spark.sql.SparkSession", false, SparkBackendProvider.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
