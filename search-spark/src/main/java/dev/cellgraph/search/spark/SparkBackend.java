package dev.cellgraph.search.spark;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.search.Backend;
import dev.cellgraph.search.Evaluator;
import dev.cellgraph.search.TrainingEvaluator;
import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Runs each generation as one Spark job: the trials become an RDD with one partition per trial
 * (so that Spark retries, and balances, trial by trial), executors map each through the
 * {@link Evaluator}, and the results come back to the driver in the order of the trials.
 *
 * <p>The evaluator travels in the task's closure rather than as a broadcast: it is small, and each
 * task then has its own copy, so it need not be thread-safe, and an embedded run serializes it
 * exactly as a cluster does.
 *
 * <p>A task that fails (its executor lost, an {@link Error}) is retried by Spark up to its
 * attempt count. If one still fails after that, the job is aborted; each trial then runs again as
 * a job of its own, so that only the trials that fail every attempt are recorded as failed (with
 * Spark's reason) and the search goes on. Evaluation is deterministic, so running a finished
 * trial again gives the same result.
 *
 * <p>Not thread-safe: one search drives it, one generation at a time.
 */
public final class SparkBackend implements Backend {
  private final SparkSession spark;
  private final JavaSparkContext context;
  private final String name;
  private final boolean owned;

  private SparkBackend(SparkSession spark, String name, boolean owned) {
    this.spark = spark;
    this.context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    this.name = name;
    this.owned = owned;
  }

  /**
   * Starts Spark for {@code master}: embedded with the UI off, on the loopback address (unless
   * {@code spark.ui.enabled}, {@code spark.driver.host} or {@code .bindAddress} is set) and Spark's
   * logging at warnings (unless a log4j2 configuration is given); on a cluster as
   * {@code spark-submit} configured it. A session that is already running in this JVM (a notebook's,
   * a test's) is used as it is, and left running by {@link #close}.
   *
   * @param master the master to run on
   * @return the back end, on a new or the running session
   * @throws InvalidInputException when {@code spark-submit} was given another master
   */
  public static SparkBackend start(SparkMaster master) {
    String submitted = System.getProperty("spark.master");
    if (submitted != null && !submitted.equals(master.given()) && !submitted.equals(master.sparkMaster())) {
      throw new InvalidInputException("--master " + master.given() + " differs from spark-submit's --master "
          + submitted + "; give both the same master");
    }
    SparkSession.Builder builder = SparkSession.builder().appName("cellgraph search").master(master.sparkMaster());
    if (master.embedded()) {
      EmbeddedLogging.quiet();
      defaultTo(builder, "spark.ui.enabled", "false");
      // an embedded Spark talks to itself only: no lookup of the host's address, nothing on the network
      defaultTo(builder, "spark.driver.host", "127.0.0.1");
      defaultTo(builder, "spark.driver.bindAddress", "127.0.0.1");
    }
    boolean running = SparkSession.getDefaultSession().isDefined();
    return new SparkBackend(builder.getOrCreate(), "spark " + master.given(), !running);
  }

  /** Sets {@code key} unless the user set it ({@code -Dspark...}, as SparkConf reads them). */
  private static void defaultTo(SparkSession.Builder builder, String key, String value) {
    if (System.getProperty(key) == null) {
      builder.config(key, value);
    }
  }

  /**
   * The session this back end runs on, for writing and reading results with Spark.
   *
   * @return the session
   */
  public SparkSession session() {
    return spark;
  }

  @Override
  public List<TrialResult> evaluate(List<Trial> trials, Evaluator evaluator) {
    if (trials.isEmpty()) {
      return List.of();
    }
    RunTrial run = new RunTrial(requireSerializable(evaluator));
    context.setJobDescription("cellgraph search: " + trials.size() + " trials");
    try {
      return context.parallelize(trials, trials.size()).map(run).collect();
    } catch (Exception e) {
      // Scala throws the checked SparkException of an aborted job without declaring it
      if (!(e instanceof SparkException)) {
        throw e;
      }
      requireRunning(e);
      return oneJobPerTrial(trials, run);
    }
  }

  /** Spark would say "Task not serializable" with a Scala trace; this names the evaluator's class. */
  private static Evaluator requireSerializable(Evaluator evaluator) {
    try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
      out.writeObject(evaluator);
    } catch (IOException e) {
      throw new IllegalArgumentException("the evaluator (" + evaluator.getClass().getName()
          + ") cannot be sent to Spark's executors: " + e, e);
    }
    return evaluator;
  }

  private List<TrialResult> oneJobPerTrial(List<Trial> trials, RunTrial run) {
    List<JavaFutureAction<List<TrialResult>>> jobs = new ArrayList<>();
    for (Trial trial : trials) {
      context.setJobDescription("cellgraph search: trial " + trial.hash() + " seed " + trial.seed() + " alone");
      jobs.add(context.parallelize(List.of(trial), 1).map(run).collectAsync());
    }
    List<TrialResult> results = new ArrayList<>(trials.size());
    for (int i = 0; i < trials.size(); i++) {
      try {
        results.add(jobs.get(i).get().get(0));
      } catch (ExecutionException e) {
        requireRunning(e);
        results.add(TrainingEvaluator.failed(trials.get(i), "failed on Spark: " + reason(e.getCause())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        jobs.forEach(j -> j.cancel(true));
        throw new IllegalStateException("interrupted while the trials ran on Spark", e);
      }
    }
    return results;
  }

  /** A job that failed because Spark itself stopped cannot be retried trial by trial. */
  private void requireRunning(Exception e) {
    if (spark.sparkContext().isStopped()) {
      throw new IllegalStateException("Spark stopped while the trials ran: " + reason(e), e);
    }
  }

  /** Spark's abort message: its first line names the task, the attempts and the last failure. */
  private static String reason(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return (newline < 0 ? message : message.substring(0, newline)).strip();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void close() {
    if (owned) {
      spark.stop();
    }
  }
}
