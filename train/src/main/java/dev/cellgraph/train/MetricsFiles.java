package dev.cellgraph.train;

import com.google.gson.JsonObject;
import dev.cellgraph.core.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * Writes a run's metrics as it goes: {@code metrics.csv} and {@code metrics.jsonl} in a directory,
 * one row (one JSON object) per step with the training loss, gradient norm before clipping,
 * learning rate, the step's seconds and the seconds since the first step, and, at the steps that
 * were validated, the validation loss; the task's metric ({@link Task#metricName()}, e.g.
 * {@code bits/char}) of both follows in its own columns. Steps count from 1.
 *
 * <p>Both files are rewritten whole from the trainer's {@link History} (atomically, through
 * {@link AtomicFiles}) at every validation, at most every {@code seconds} otherwise, and at the
 * end: a reader never sees half a line, and a resumed run's files hold its whole history.
 *
 * <p>Not thread-safe: it listens to one trainer.
 */
public final class MetricsFiles implements Trainer.Listener {
  /** The file name of the CSV metrics, one row per step. */
  public static final String CSV = "metrics.csv";
  /** The file name of the JSON-lines metrics, one object per event. */
  public static final String JSONL = "metrics.jsonl";

  private final Path dir;
  private final Trainer trainer;
  private final long everyNanos;
  private long lastWrite;

  /**
   * Metrics of {@code trainer}'s run in {@code dir}, written at most every {@code seconds} between validations.
   *
   * @param dir the directory the two files are written in
   * @param trainer the trainer whose history and task are written
   * @param seconds the least time between two writes outside validations and the end
   */
  public MetricsFiles(Path dir, Trainer trainer, double seconds) {
    this.dir = dir;
    this.trainer = trainer;
    this.everyNanos = (long) (seconds * 1e9);
  }

  @Override
  public void started(long fromStep, long totalSteps) {
    lastWrite = System.nanoTime();
  }

  @Override
  public void stepped(long step, double loss, double gradNorm, double lr) {
    if (System.nanoTime() - lastWrite >= everyNanos) {
      write();
    }
  }

  @Override
  public void validated(long step, double loss) {
    write();
  }

  @Override
  public void finished(long steps) {
    write();
  }

  /** Writes both files now. */
  public void write() {
    try {
      Task task = trainer.task();
      String[] text = render(trainer.history(), task.metricName(), task::metric);
      AtomicFiles.writeString(dir.resolve(CSV), text[0]);
      AtomicFiles.writeString(dir.resolve(JSONL), text[1]);
      lastWrite = System.nanoTime();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the metrics in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The metric's name as a column name: {@code bits/char} is {@code bits_per_char}.
   *
   * @param metricName the task's metric name, e.g. {@code bits/char}
   * @return the column name, lower case with {@code /} spelled {@code _per_} and other symbols {@code _}
   */
  public static String column(String metricName) {
    return metricName.toLowerCase(Locale.ROOT).replace("/", "_per_").replaceAll("[^a-z0-9_]+", "_");
  }

  /**
   * The header of the CSV, after an optional leading column {@code first}.
   *
   * @param first the name of a leading column, or null for none
   * @param metricName the task's metric name, which names the last two columns
   * @return the CSV header line, without a line break
   */
  public static String header(String first, String metricName) {
    String m = column(metricName);
    return (first != null ? first + "," : "") + "step,loss,grad_norm,lr,seconds,elapsed_seconds,validation_loss,train_"
        + m + ",validation_" + m;
  }

  /**
   * The CSV rows of a history (no header), each after {@code first} and a comma when it is not null.
   *
   * @param h the history to write
   * @param first the value of a leading column on every row, or null for none
   * @param metric the task's metric as a function of a loss
   * @return the rows, one line per step, each ended by a line break
   */
  public static String csvRows(History h, String first, DoubleUnaryOperator metric) {
    StringBuilder csv = new StringBuilder();
    forEachRow(h, metric, (step, r) -> {
      if (first != null) {
        csv.append(first).append(',');
      }
      csv.append(step);
      for (double v : r) {
        csv.append(',').append(Double.isNaN(v) ? "" : number(v));
      }
      csv.append('\n');
    });
    return csv.toString();
  }

  /** The CSV (with its header) and the JSON lines of a history. */
  static String[] render(History h, String metricName, DoubleUnaryOperator metric) {
    String m = column(metricName);
    StringBuilder jsonl = new StringBuilder();
    String[] names = {"loss", "grad_norm", "lr", "seconds", "elapsed_seconds", "validation_loss", "train_" + m,
        "validation_" + m};
    forEachRow(h, metric, (step, r) -> {
      JsonObject o = new JsonObject();
      o.addProperty("step", step);
      for (int i = 0; i < names.length; i++) {
        if (!Double.isNaN(r[i])) {
          o.addProperty(names[i], r[i]);
        }
      }
      jsonl.append(o).append('\n');
    });
    return new String[] {header(null, metricName) + "\n" + csvRows(h, null, metric), jsonl.toString()};
  }

  private interface Row {
    void accept(long step, double[] values);
  }

  /** Each step's values in the order of {@link #header}, NaN where there is none. */
  private static void forEachRow(History h, DoubleUnaryOperator metric, Row row) {
    List<Long> vs = h.validationSteps();
    List<Double> vl = h.validationLoss();
    int v = 0;
    double elapsed = 0;
    int n = h.size();
    for (int i = 0; i < n; i++) {
      elapsed += h.seconds().get(i);
      double val = Double.NaN;
      while (v < vs.size() && vs.get(v) < i) {
        v++;
      }
      if (v < vs.size() && vs.get(v) == i) {
        val = vl.get(v);
      }
      double loss = h.loss().get(i);
      row.accept(i + 1, new double[] {loss, h.gradNorm().get(i), h.learningRate().get(i), h.seconds().get(i),
          elapsed, val, metric.applyAsDouble(loss), Double.isNaN(val) ? Double.NaN : metric.applyAsDouble(val)});
    }
  }

  private static String number(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
