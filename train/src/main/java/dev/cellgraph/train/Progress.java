package dev.cellgraph.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a run's progress: on a terminal a live bar redrawn in place with rate and ETA; otherwise
 * (a log, a CI job) a plain line every so often, so logs stay readable.
 *
 * <p>Not thread-safe: one progress display listens to one trainer.
 */
public final class Progress implements Trainer.Listener {
  private final PrintStream out;
  private final String label;
  private final boolean live;
  private final long lineEveryNanos;
  private long total;
  private long first;
  private long startNanos;
  private long lastDraw;
  private boolean barOnScreen;
  private double lastLoss = Double.NaN;
  private double lastValidation = Double.NaN;
  private String metricName = "loss";
  private java.util.function.DoubleUnaryOperator metric = x -> x;

  private Progress(PrintStream out, String label, boolean live, long lineEveryNanos) {
    this.out = out;
    this.label = label;
    this.live = live;
    this.lineEveryNanos = lineEveryNanos;
  }

  /** A live bar when {@code System.console()} is present, else a line every 10 seconds. */
  public static Progress auto(PrintStream out, String label) {
    return new Progress(out, label, System.console() != null, 10_000_000_000L);
  }

  /** Plain lines at most every {@code seconds} (and at the end), for logs and tests. */
  public static Progress lines(PrintStream out, String label, double seconds) {
    return new Progress(out, label, false, (long) (seconds * 1e9));
  }

  /** Reports validation values through the task's metric, e.g. bits per character. */
  public Progress withMetric(String name, java.util.function.DoubleUnaryOperator f) {
    this.metricName = name;
    this.metric = f;
    return this;
  }

  @Override
  public void started(long fromStep, long totalSteps) {
    first = fromStep;
    total = totalSteps;
    startNanos = System.nanoTime();
    lastDraw = startNanos;
    if (fromStep > 0) {
      out.println(label + ": resuming at step " + fromStep + " of " + totalSteps);
    }
  }

  @Override
  public void stepped(long step, double loss, double gradNorm, double lr) {
    lastLoss = loss;
    long now = System.nanoTime();
    boolean last = step + 1 == total;
    if (live) {
      if (now - lastDraw > 100_000_000L || last) {
        out.print("\r" + bar(step + 1, now));
        out.flush();
        barOnScreen = true;
        lastDraw = now;
      }
    } else if (now - lastDraw >= lineEveryNanos || last) {
      out.println(line(step + 1, now));
      lastDraw = now;
    }
  }

  @Override
  public void validated(long step, double loss) {
    lastValidation = loss;
    if (barOnScreen) {
      out.print("\r\033[K");
      barOnScreen = false;
    }
    out.println(String.format(Locale.ROOT, "%s: step %d validation %s %.4f", label, step + 1, metricName,
        metric.applyAsDouble(loss)));
  }

  @Override
  public void skipped(long step, String reason, double lrScale) {
    if (barOnScreen) {
      out.print("\r\033[K");
      barOnScreen = false;
    }
    out.println(String.format(Locale.ROOT, "%s: step %d skipped: %s; learning rate now %s times the schedule",
        label, step + 1, reason, lrScale));
  }

  @Override
  public void finished(long steps) {
    if (barOnScreen) {
      out.println();
      barOnScreen = false;
    }
  }

  private String bar(long done, long now) {
    int width = 24;
    double frac = total == 0 ? 1 : (double) done / total;
    int filled = (int) Math.round(frac * width);
    StringBuilder sb = new StringBuilder(label).append(" [");
    for (int i = 0; i < width; i++) {
      sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    sb.append("] ").append(stats(done, now));
    return sb.toString();
  }

  private String line(long done, long now) {
    return label + ": " + stats(done, now);
  }

  private String stats(long done, long now) {
    double secs = (now - startNanos) / 1e9;
    double rate = secs > 0 ? (done - first) / secs : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    String v = Double.isNaN(lastValidation) ? ""
        : String.format(Locale.ROOT, "  val %s %.4f", metricName, metric.applyAsDouble(lastValidation));
    return String.format(Locale.ROOT, "step %d/%d  %.2f step/s  ETA %s  loss %.4f%s", done, total, rate,
        clock(eta), lastLoss, v);
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
