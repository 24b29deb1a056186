package dev.cellgraph.search.spark;

/** One embedded Spark for every test class of the JVM: starting it is most of the tests' time; Spark's shutdown hook stops it. */
final class EmbeddedSpark {
  private static SparkBackend backend;

  private EmbeddedSpark() {}

  /** local[2] with two attempts per task, so that retries can be tested. */
  static synchronized SparkBackend backend() {
    if (backend == null) {
      backend = SparkBackend.start(SparkMaster.parse("local[2,2]", 2).orElseThrow());
    }
    return backend;
  }
}
