package dev.cellgraph.search;

import java.util.Optional;

/**
 * Opens a {@link Backend} for a {@code --master} value. Found through {@link java.util.ServiceLoader},
 * so the Spark back end is used when its module is on the class path and the search module
 * itself never depends on Spark. Implementations are thread-safe (stateless).
 */
public interface BackendProvider {
  /**
   * A back end for {@code master} (e.g. {@code local[2]}, {@code spark://host:7077}), or empty if not this provider's.
   *
   * @param master the value of {@code --master}
   * @param workers the thread count of the local back end
   * @return the back end, or empty when {@code master} is not this provider's
   */
  Optional<Backend> open(String master, int workers);
}
