package dev.cellgraph.search.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.search.Backend;
import dev.cellgraph.search.BackendProvider;
import dev.cellgraph.search.Evaluator;
import dev.cellgraph.search.Trial;
import dev.cellgraph.search.TrialResult;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.Test;

/** An executor lost during a trial: an Error that is not fatal to Spark, so it fails the task and Spark retries it. */
final class LostExecutor extends Error {
  private static final long serialVersionUID = 1L;

  LostExecutor(String message) {
    super(message);
  }
}

/** The Spark back end on an embedded local[2] with two attempts per task, against plain calls of the evaluator. */
class SparkBackendTest {
  private final SparkBackend spark = EmbeddedSpark.backend();

  /** A deterministic stand-in: the metrics are a function of the trial alone. */
  static TrialResult measure(Trial t) {
    SplittableRandom r = new SplittableRandom(t.seed() * 31 + t.cellText().hashCode());
    return new TrialResult(t, r.nextDouble(), r.nextDouble(), t.hidden() * 4L * (t.hidden() + 2), 0,
        false, r.nextDouble() * 1e-9, "");
  }

  static List<Trial> trials(int n) {
    List<Trial> ts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ts.add(new Trial("h = tanh(W x + U h + b)  # " + i, "hash" + i, i == 0 ? "" : "hash0",
          i == 0 ? "seed" : "activation", "adding", 8, 20, 1000 + i));
    }
    return ts;
  }

  @Test
  void resultsComeBackInTrialOrderAsTheEvaluatorGivesThem() {
    List<Trial> ts = trials(9);
    List<TrialResult> expected = ts.stream().map(SparkBackendTest::measure).toList();
    assertEquals(expected, spark.evaluate(ts, SparkBackendTest::measure));
    assertEquals(List.of(), spark.evaluate(List.of(), SparkBackendTest::measure));
  }

  @Test
  void aTrialThatThrowsIsRecordedFailedWithItsMessageAndTheOthersRun() {
    List<Trial> ts = trials(4);
    List<TrialResult> results = spark.evaluate(ts, t -> {
      if (t.hash().equals("hash2")) {
        throw new InvalidInputException("candidate.cell:1:5: unknown function 'tanhh'\n  h = tanhh(W x)\n      ^");
      }
      return measure(t);
    });
    assertEquals("InvalidInputException: candidate.cell:1:5: unknown function 'tanhh'\n  h = tanhh(W x)\n      ^",
        results.get(2).error());
    assertTrue(Double.isNaN(results.get(2).validationLoss()));
    assertEquals(List.of(measure(ts.get(0)), measure(ts.get(1)), measure(ts.get(3))),
        List.of(results.get(0), results.get(1), results.get(3)));
  }

  @Test
  void aFailedTaskIsRetriedBySparkAndGivesTheSameResult() {
    List<Trial> ts = trials(4);
    List<TrialResult> results = spark.evaluate(ts, t -> {
      if (TaskContext.get().attemptNumber() == 0 && t.seed() % 2 == 0) {
        throw new LostExecutor("executor lost on attempt 0");
      }
      return measure(t);
    });
    assertEquals(ts.stream().map(SparkBackendTest::measure).toList(), results);
  }

  @Test
  void aTrialThatFailsEveryAttemptIsRecordedFailedAndTheOthersStillRun() {
    List<Trial> ts = trials(3);
    List<TrialResult> results = spark.evaluate(ts, t -> {
      if (t.hash().equals("hash1")) {
        throw new LostExecutor("this trial's executor is lost on every attempt");
      }
      return measure(t);
    });
    String error = results.get(1).error();
    assertTrue(error.startsWith("failed on Spark: Job aborted due to stage failure: Task 0 in stage"), error);
    assertTrue(error.contains("failed 2 times"), error);
    assertTrue(error.contains("LostExecutor: this trial's executor is lost on every attempt"), error);
    assertEquals(List.of(measure(ts.get(0)), measure(ts.get(2))), List.of(results.get(0), results.get(2)));
    assertFalse(spark.session().sparkContext().isStopped());
  }

  @Test
  void aCandidateTooLargeOrTooDeepIsRecordedFailedWithoutEndingTheEmbeddedJvm() {
    List<TrialResult> results = spark.evaluate(trials(2), t -> {
      throw t.seed() % 2 == 0 ? new OutOfMemoryError("Java heap space") : new StackOverflowError();
    });
    assertEquals(List.of("OutOfMemoryError: Java heap space", "StackOverflowError"),
        results.stream().map(TrialResult::error).toList());
    assertFalse(spark.session().sparkContext().isStopped());
  }

  @Test
  void anEvaluatorThatBreaksItsContractGivesAFailedRowNotAWrongOne() {
    List<Trial> ts = trials(3);
    List<TrialResult> results = spark.evaluate(ts, t -> t.seed() == 1000 ? null : measure(ts.get(2)));
    assertEquals(List.of("the evaluator returned no result", "the evaluator returned the result of another trial", ""),
        results.stream().map(TrialResult::error).toList());
    assertEquals(ts, results.stream().map(TrialResult::trial).toList());
  }

  @Test
  void aMasterOtherThanSparkSubmitsIsRefused() {
    System.setProperty("spark.master", "spark://head:7077");
    try {
      assertEquals("--master local[2] differs from spark-submit's --master spark://head:7077; give both the same master",
          assertThrows(InvalidInputException.class,
              () -> SparkBackend.start(SparkMaster.parse("local[2]", 2).orElseThrow())).getMessage());
    } finally {
      System.clearProperty("spark.master");
    }
  }

  @Test
  void anEvaluatorThatCannotBeSentIsACallersMistakeNamingItsClass() {
    Object notSerializable = new Object();
    Evaluator holdsIt = t -> notSerializable.hashCode() == 0 ? null : measure(t);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spark.evaluate(trials(1), holdsIt));
    assertTrue(e.getMessage().startsWith("the evaluator (" + holdsIt.getClass().getName()
        + ") cannot be sent to Spark's executors: java.io.NotSerializableException: java.lang.Object"), e.getMessage());
  }

  @Test
  void theSearchFindsTheSparkBackEndForSparkMastersOnly() {
    List<BackendProvider> providers = ServiceLoader.load(BackendProvider.class).stream()
        .map(ServiceLoader.Provider::get).toList();
    assertInstanceOf(SparkBackendProvider.class, providers.get(0));
    assertEquals(1, providers.size());
    assertTrue(providers.get(0).open("threads", 2).isEmpty());
    try (Backend b = providers.get(0).open("local[2,2]", 2).orElseThrow()) {
      // the running session is shared: same JVM, same Spark context
      assertEquals("spark local[2,2]", b.name());
    }
  }
}
