package dev.cellgraph.search.spark;

import dev.cellgraph.core.InvalidInputException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code --master} value that Spark runs: embedded {@code local}, {@code local[N]},
 * {@code local[*]} or {@code local[N,F]}, or a cluster ({@code spark://host:port},
 * {@code yarn}, {@code k8s://https://host:port}).
 *
 * <p>An embedded master always retries a failed task: Spark's {@code local[N]} tries a task once,
 * a cluster {@code spark.task.maxFailures} times (4), and a search should behave the same on
 * both, so {@code local[N]} runs as {@code local[N,4]} and {@code local[N,F]} keeps its F.
 *
 * <p>Thread-safe: an immutable value.
 *
 * @param given the value as the user wrote it
 * @param sparkMaster the master Spark is started with
 * @param embedded whether Spark runs inside this JVM
 */
public record SparkMaster(String given, String sparkMaster, boolean embedded) {
  /** Spark's default of {@code spark.task.maxFailures} on a cluster. */
  static final int DEFAULT_ATTEMPTS = 4;

  private static final Pattern LOCAL = Pattern.compile("local(?:\\[([^\\],]*)(?:,([^\\]]*))?\\])?");
  private static final String FORMS = "local, local[N], local[*] or local[N,F]";

  /**
   * The master that {@code master} names, or empty when it is not Spark's; {@code workers} is the
   * thread count of a bare {@code local}.
   *
   * @param master the value of {@code --master}
   * @param workers the thread count of a bare {@code local}
   * @return the master, or empty when {@code master} is not Spark's
   * @throws InvalidInputException for a {@code local[...]} whose counts are not positive integers
   */
  public static Optional<SparkMaster> parse(String master, int workers) {
    if (master.startsWith("spark://") || master.startsWith("k8s://") || master.equals("yarn")) {
      if (master.equals("spark://") || master.equals("k8s://")) {
        throw new InvalidInputException("--master " + master + ": the address of the cluster is missing"
            + " (e.g. spark://host:7077 or k8s://https://host:6443)");
      }
      return Optional.of(new SparkMaster(master, master, false));
    }
    if (!master.startsWith("local")) {
      return Optional.empty();
    }
    Matcher m = LOCAL.matcher(master);
    if (!m.matches()) {
      throw new InvalidInputException("--master " + master + ": not a Spark master; the embedded ones are " + FORMS);
    }
    String threads = m.group(1) == null ? String.valueOf(workers) : m.group(1);
    if (!threads.equals("*")) {
      count(master, threads, "thread count N");
    }
    int attempts = m.group(2) == null ? DEFAULT_ATTEMPTS : count(master, m.group(2), "attempt count F");
    return Optional.of(new SparkMaster(master, "local[" + threads + "," + attempts + "]", true));
  }

  private static int count(String master, String text, String what) {
    int n;
    try {
      n = Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n < 1) {
      throw new InvalidInputException("--master " + master + ": the " + what + " (" + text
          + ") must be a positive integer; the embedded masters are " + FORMS);
    }
    return n;
  }
}
