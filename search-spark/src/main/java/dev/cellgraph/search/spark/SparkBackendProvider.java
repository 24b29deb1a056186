package dev.cellgraph.search.spark;

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
  @Override
  public Optional<Backend> open(String master, int workers) {
    return SparkMaster.parse(master, workers).map(SparkBackend::start);
  }
}
