package dev.cellgraph.search.spark;

import java.net.URISyntaxException;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.DefaultConfiguration;

/**
 * Spark's logging at warnings for an embedded run: without a log4j2 configuration of the user's,
 * Spark would print its INFO lines (dozens per job) between the search's progress lines.
 *
 * <p>Thread-safe: log4j's reconfiguration is.
 */
final class EmbeddedLogging {
  private static final String CONFIG = "log4j2-embedded.properties";

  private EmbeddedLogging() {}

  static void quiet() {
    if (System.getProperty("log4j2.configurationFile") != null || System.getProperty("log4j.configurationFile") != null) {
      return;
    }
    if (!(LogManager.getContext(false) instanceof LoggerContext context)
        || !(context.getConfiguration() instanceof DefaultConfiguration)) {
      return; // a log4j2 file of the user's on the class path, or not log4j's core: theirs decides
    }
    try {
      context.setConfigLocation(EmbeddedLogging.class.getResource(CONFIG).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("the bundled " + CONFIG + " has no URI", e);
    }
  }
}
