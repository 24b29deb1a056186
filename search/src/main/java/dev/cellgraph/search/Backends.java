package dev.cellgraph.search;

import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Opens the back end for a {@code --master}: none (or {@code local}) is the {@link LocalBackend};
 * any other value is offered to every {@link BackendProvider} on the class path, in
 * {@link ServiceLoader} order, and the first that accepts it opens it. Thread-safe (stateless).
 */
public final class Backends {
  /** What to do when no provider accepts a master: the Spark module's name and how to get it on the class path. */
  public static final String SPARK_HINT = "the Spark back end is the module cellgraph-search-spark: run the search "
      + "with its class path (java @search-spark/target/cellgraph-search.args dev.cellgraph.cli.Main search ...), "
      + "or with spark-submit and its shaded jar (see docs/search.md, Running on Spark)";

  private Backends() {}

  /**
   * The back end for {@code master} with {@code workers} parallel trials.
   *
   * @param master the {@code --master} value, or null or {@code local} for this JVM
   * @param workers the number of trials run in parallel
   * @return the opened back end
   * @throws IllegalArgumentException naming the master and {@link #SPARK_HINT} when no provider accepts it
   */
  public static Backend open(String master, int workers) {
    if (master == null || master.equals("local")) {
      return new LocalBackend(workers);
    }
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
      Optional<Backend> b = p.open(master, workers);
      if (b.isPresent()) {
        return b.get();
      }
    }
    throw new IllegalArgumentException("no back end for --master " + master + " on the class path; " + SPARK_HINT);
  }
}
