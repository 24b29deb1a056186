/**
 * The Apache Spark back end of the variant search: {@link dev.cellgraph.search.spark.SparkBackend}
 * runs a generation's trials as one Spark job, embedded ({@code local[N]}) or on a cluster, and
 * {@link dev.cellgraph.search.spark.SparkBackendProvider} opens it for a {@code --master} value.
 * Only this module depends on Spark.
 */
package dev.cellgraph.search.spark;
