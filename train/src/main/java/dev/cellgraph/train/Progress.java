package dev.cellgraph.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * Shows a run's progress: on a terminal a live bar redrawn in place with rate and ETA (several
 * runs at once share a {@link ProgressBoard}, one line each); otherwise (a log, a CI job) a plain
 * line every so often, so logs stay readable. Losses are shown in the task's metric (bits per
 * character for the character model), training and validation alike, and each validation is
 * printed once, on its own line. The ETA appears only once a few steps after the first (which
 * compile the plans and warm up the JIT) have been timed.
 *
 * <p>Not thread-safe: one progress display listens to one trainer.
 */
public final class Progress implements Trainer.Listener {
  /** Steps after the first of a run that are not timed for the rate: compilation and JIT warm-up. */
  static final int WARM_UP_STEPS = 3;
  /** Timed steps needed before an ETA is shown. */
  static final int TIMED_STEPS = 5;

  private final PrintStream out;
  private final String label;
  private final boolean live;
  private final long lineEveryNanos;
  private final ProgressBoard board;
  private final int row;
  private long total;
  private long first;
  private long timedFrom = -1;
  private long timedFromNanos;
  private long lastDraw;
  private boolean barOnScreen;
  private double lastLoss = Double.NaN;
  private double lastValidation = Double.NaN;
  private long lastValidationStep;
  private long lastDone;
  private String metricName = "loss";
  private DoubleUnaryOperator metric = x -> x;

  private Progress(PrintStream out, String label, boolean live, long lineEveryNanos, ProgressBoard board, int row) {
    this.out = out;
    this.label = label;
    this.live = live;
    this.lineEveryNanos = lineEveryNanos;
    this.board = board;
    this.row = row;
  }

  /** A live bar when {@code System.console()} is present, else a line every 10 seconds. */
  public static Progress auto(PrintStream out, String label) {
    return new Progress(out, label, System.console() != null, 10_000_000_000L, null, -1);
  }

  /** Plain lines at most every {@code seconds} (and at the end), for logs and tests. */
  public static Progress lines(PrintStream out, String label, double seconds) {
    return new Progress(out, label, false, (long) (seconds * 1e9), null, -1);
  }

  /** The display of one row of a board: redrawn in place on a terminal, else plain lines every {@code seconds}. */
  static Progress onBoard(ProgressBoard board, int row, String label, double seconds) {
    return new Progress(board.out(), label, board.live(), (long) (seconds * 1e9), board, row);
  }

  /** Reports losses through the task's metric, e.g. bits per character. */
  public Progress withMetric(String name, DoubleUnaryOperator f) {
    this.metricName = name;
    this.metric = f;
    return this;
  }

  @Override
  public void started(long fromStep, long totalSteps) {
    first = fromStep;
    total = totalSteps;
    lastDraw = System.nanoTime();
    if (fromStep > 0) {
      message(label + ": resuming at step " + fromStep + " of " + totalSteps);
    }
  }

  @Override
  public void stepped(long step, double loss, double gradNorm, double lr) {
    lastLoss = loss;
    long now = System.nanoTime();
    long done = step + 1;
    lastDone = done;
    if (done - first == WARM_UP_STEPS) {
      timedFrom = done;
      timedFromNanos = now;
    }
    boolean last = done == total;
    if (live) {
      if (now - lastDraw > 100_000_000L || last) {
        draw(bar(done, now));
        lastDraw = now;
      }
    } else if (now - lastDraw >= lineEveryNanos || last) {
      message(label + ": " + stats(done, now, false));
      lastDraw = now;
    }
  }

  @Override
  public void validated(long step, double loss) {
    lastValidation = loss;
    lastValidationStep = step + 1;
    message(String.format(Locale.ROOT, "%s: step %d validation %s %.4f", label, step + 1, metricName,
        metric.applyAsDouble(loss)));
    if (live) {
      draw(bar(lastDone, System.nanoTime())); // the bar shows this validation at once, not the one before
    }
  }

  @Override
  public void skipped(long step, String reason, double lrScale) {
    message(String.format(Locale.ROOT, "%s: step %d skipped: %s; learning rate now %s times the schedule",
        label, step + 1, reason, lrScale));
  }

  @Override
  public void noted(long step, String message) {
    message(label + ": " + message);
  }

  @Override
  public void finished(long steps) {
    if (barOnScreen && board == null) {
      out.println();
      barOnScreen = false;
    }
  }

  /** A line that stays: above the board, or after clearing this display's bar. */
  private void message(String line) {
    if (board != null) {
      board.println(line);
      return;
    }
    if (barOnScreen) {
      out.print("\r\033[K");
      barOnScreen = false;
    }
    out.println(line);
  }

  private void draw(String bar) {
    if (board != null) {
      board.draw(row, bar);
      return;
    }
    out.print("\r\033[K" + bar);
    out.flush();
    barOnScreen = true;
  }

  private String bar(long done, long now) {
    int width = 24;
    double frac = total == 0 ? 1 : (double) done / total;
    int filled = (int) Math.round(frac * width);
    StringBuilder sb = new StringBuilder(label).append(" [");
    for (int i = 0; i < width; i++) {
      sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    sb.append("] ").append(stats(done, now, true));
    return sb.toString();
  }

  private String stats(long done, long now, boolean withValidation) {
    String rate = "";
    String eta = "ETA --";
    if (timedFrom >= 0 && done - timedFrom >= TIMED_STEPS) {
      double perSecond = (done - timedFrom) / ((now - timedFromNanos) / 1e9);
      rate = String.format(Locale.ROOT, "  %.2f step/s", perSecond);
      eta = "ETA " + clock((total - done) / perSecond);
    }
    String v = withValidation && !Double.isNaN(lastValidation)
        ? String.format(Locale.ROOT, "  validation (step %d) %.4f", lastValidationStep,
            metric.applyAsDouble(lastValidation)) : "";
    return String.format(Locale.ROOT, "step %d/%d%s  %s  train %s %.4f%s", done, total, rate, eta, metricName,
        metric.applyAsDouble(lastLoss), v);
  }

  static String clock(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
