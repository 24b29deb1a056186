package dev.cellgraph.train;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongSupplier;

/**
 * Shows a run's progress: on a terminal a live bar redrawn in place with rate and ETA (several
 * runs at once share a {@link ProgressBoard}, one row each, which also shows the run's last
 * validation); otherwise (a log, a CI job) a plain whole line at each validation, every so often
 * between them, and at the end, so logs stay readable. Every loss is shown in the task's metric
 * (bits per character for the character model), training and validation alike; a validation
 * appears once, in the line of the step it followed. The training loss shown is the mean of the
 * last {@value #WINDOW} steps' losses (one batch's loss is noise), and the rate comes from the
 * times of those recent steps, so it follows a run whose speed changes (another run starting or
 * finishing beside it). A step's time excludes the validation before it, so the rate is the
 * training's own; the ETA adds the validations still to come at the mean time of those seen. There
 * is no ETA until {@value #TIMED_STEPS} steps after the first {@value #WARM_UP_STEPS} (which
 * compile the plans and warm up the JIT) have been timed.
 *
 * <p>Not thread-safe: one progress display listens to one trainer.
 */
public final class Progress implements Trainer.Listener {
  /** Steps after the first of a run that are not timed for the rate: compilation and JIT warm-up. */
  static final int WARM_UP_STEPS = 5;
  /** Timed steps needed before an ETA is shown. */
  static final int TIMED_STEPS = 10;
  /** The recent steps whose times give the rate and whose losses give the training loss shown. */
  static final int WINDOW = 20;

  private final PrintStream out;
  private final String label;
  private final boolean live;
  private final long lineEveryNanos;
  private final ProgressBoard board;
  private final int row;
  private final int columns;
  private final LongSupplier clock;
  private long total;
  private long first;
  private long startNanos;
  private long lastDraw;
  private boolean barOnScreen;
  /** Durations of the recent timed steps, a ring of WINDOW. */
  private final long[] durations = new long[WINDOW];
  private long timedSteps;
  /** When the last step or validation ended: the next step's time starts there. */
  private long mark;
  private long validations;
  private long validationNanos;
  /** The step the validation before the last one followed (or the run's first step). */
  private long previousValidationStep;
  private final double[] losses = new double[WINDOW];
  private long lossCount;
  private double lastValidation = Double.NaN;
  private long lastValidationStep;
  private long lastDone;
  /** A log line is due for the last step; it is printed at the next event, or merged with this step's validation. */
  private boolean pending;
  private String metricName = "loss";
  private DoubleUnaryOperator metric = x -> x;

  private Progress(PrintStream out, String label, boolean live, long lineEveryNanos, ProgressBoard board, int row,
      int columns, LongSupplier clock) {
    this.out = out;
    this.label = label;
    this.live = live;
    this.lineEveryNanos = lineEveryNanos;
    this.board = board;
    this.row = row;
    this.columns = columns;
    this.clock = clock;
  }

  /**
   * A live bar when {@code System.console()} is present, else a line every 10 seconds (and at each validation).
   *
   * @param out the stream the bar or lines are printed to
   * @param label the run's name, shown at the start of every bar and line
   * @return a progress display, not yet started
   */
  public static Progress auto(PrintStream out, String label) {
    return new Progress(out, label, System.console() != null, 10_000_000_000L, null, -1, terminalColumns(),
        System::nanoTime);
  }

  /**
   * Plain lines at most every {@code seconds} (and at each validation and the end), for logs and tests.
   *
   * @param out the stream the lines are printed to
   * @param label the run's name, shown at the start of every line
   * @param seconds the least time between two progress lines outside validations and the end
   * @return a progress display of plain lines, not yet started
   */
  public static Progress lines(PrintStream out, String label, double seconds) {
    return lines(out, label, seconds, System::nanoTime);
  }

  /** Plain lines timed by {@code clock} (nanoseconds), for tests. */
  static Progress lines(PrintStream out, String label, double seconds, LongSupplier clock) {
    return new Progress(out, label, false, (long) (seconds * 1e9), null, -1, Integer.MAX_VALUE, clock);
  }

  /** The display of one row of a board: redrawn in place on a terminal, else plain lines every {@code seconds}. */
  static Progress onBoard(ProgressBoard board, int row, String label, double seconds, LongSupplier clock) {
    return new Progress(board.out(), label, board.live(), (long) (seconds * 1e9), board, row, board.columns(),
        clock);
  }

  /**
   * Reports losses through the task's metric, e.g. bits per character.
   *
   * @param name the metric's name, e.g. {@code bits/char}
   * @param f the metric as a function of a loss
   * @return this display
   */
  public Progress withMetric(String name, DoubleUnaryOperator f) {
    this.metricName = name;
    this.metric = f;
    return this;
  }

  @Override
  public void started(long fromStep, long totalSteps) {
    first = fromStep;
    total = totalSteps;
    lastDone = fromStep;
    startNanos = clock.getAsLong();
    lastDraw = startNanos;
    mark = startNanos;
    lastValidationStep = fromStep;
    previousValidationStep = fromStep;
    if (fromStep > 0) {
      message(label + ": resuming at step " + fromStep + " of " + totalSteps);
    }
  }

  @Override
  public void stepped(long step, double loss, double gradNorm, double lr) {
    flush();
    long now = clock.getAsLong();
    long done = step + 1;
    lastDone = done;
    losses[(int) (lossCount++ % WINDOW)] = loss;
    if (done - first > WARM_UP_STEPS) {
      durations[(int) (timedSteps++ % WINDOW)] = now - mark;
    }
    mark = now;
    boolean last = done == total;
    if (live) {
      if (now - lastDraw > 100_000_000L || last) {
        draw(bar(now, false));
        lastDraw = now;
      }
    } else if (now - lastDraw >= lineEveryNanos || last) {
      pending = true;
      lastDraw = now;
    }
  }

  @Override
  public void validated(long step, double loss) {
    pending = false; // this line takes the place of the step's own
    lastValidation = loss;
    previousValidationStep = lastValidationStep;
    lastValidationStep = step + 1;
    long now = clock.getAsLong();
    validations++;
    validationNanos += now - mark;
    mark = now;
    if (live && board != null) {
      draw(bar(now, false)); // the row shows it; a line per validation would push the rows off the screen
      return;
    }
    message(label + ": " + stats(now, Validation.THIS_STEP));
    if (live) {
      draw(bar(now, false));
    }
  }

  @Override
  public void skipped(long step, String reason, double lrScale) {
    flush();
    message(String.format(Locale.ROOT, "%s: step %d skipped: %s; learning rate now %s times the schedule",
        label, step + 1, reason, lrScale));
  }

  @Override
  public void noted(long step, String message) {
    flush();
    message(label + ": " + message);
  }

  @Override
  public void finished(long steps) {
    flush();
    if (live && board != null) {
      draw(bar(clock.getAsLong(), true));
    } else if (barOnScreen) {
      out.println();
      barOnScreen = false;
    }
  }

  private void flush() {
    if (pending) {
      pending = false;
      message(label + ": " + stats(clock.getAsLong(), Validation.NONE));
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
    String text = fit(bar, columns - 1); // a wrapped row breaks the cursor moves
    if (board != null) {
      board.draw(row, text);
      return;
    }
    out.print("\r\033[K" + text);
    out.flush();
    barOnScreen = true;
  }

  /** The row cut to {@code width} at a field's end, so no number is shown cut short (0.0 for 0.0923). */
  static String fit(String row, int width) {
    if (row.length() <= width) {
      return row;
    }
    int cut = row.lastIndexOf("  ", width);
    return row.substring(0, cut > 0 ? cut : width);
  }

  /** A terminal row, short enough for 80 columns: label, bar, steps, rate, ETA (or time taken), losses. */
  private String bar(long now, boolean done) {
    int width = 12;
    double frac = total == 0 ? 1 : (double) lastDone / total;
    int filled = (int) Math.round(frac * width);
    StringBuilder sb = new StringBuilder(label).append(" [");
    for (int i = 0; i < width; i++) {
      sb.append(i < filled ? '=' : i == filled ? '>' : ' ');
    }
    sb.append("] ").append(lastDone).append('/').append(total);
    if (done) {
      sb.append("  done in ").append(clockTime((now - startNanos) / 1e9));
    } else {
      double perSecond = perSecond();
      sb.append(Double.isNaN(perSecond) ? "  ETA --" : String.format(Locale.ROOT, "  %.1f/s  ETA %s", perSecond,
          clockTime(secondsLeft(perSecond))));
    }
    sb.append("  train ").append(metricName).append(' ').append(trainLoss());
    if (!Double.isNaN(lastValidation)) {
      sb.append(String.format(Locale.ROOT, "  val %.4f @%d", metric.applyAsDouble(lastValidation),
          lastValidationStep));
    }
    return sb.toString();
  }

  /** Training steps per second over the recent timed steps; NaN until enough have been timed. */
  private double perSecond() {
    if (timedSteps < TIMED_STEPS) {
      return Double.NaN;
    }
    int n = (int) Math.min(timedSteps, WINDOW);
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += durations[i];
    }
    return n / Math.max(sum / 1e9, 1e-9);
  }

  /**
   * The steps left at {@code perSecond}, plus the validations left at the mean time of those seen,
   * their spacing taken from the last two (the run always validates at its end).
   */
  private double secondsLeft(double perSecond) {
    double seconds = (total - lastDone) / perSecond;
    if (validations > 0 && lastValidationStep < total) {
      long every = Math.max(1, lastValidationStep - previousValidationStep);
      seconds += Math.ceil((double) (total - lastValidationStep) / every) * (validationNanos / 1e9 / validations);
    }
    return seconds;
  }

  private enum Validation { NONE, THIS_STEP }

  private String stats(long now, Validation v) {
    String rate = "";
    String eta = "ETA --";
    double perSecond = perSecond();
    if (!Double.isNaN(perSecond)) {
      rate = String.format(Locale.ROOT, "  %.2f step/s", perSecond);
      eta = "ETA " + clockTime(secondsLeft(perSecond));
    }
    return String.format(Locale.ROOT, "step %d/%d%s  %s  train %s %s%s", lastDone, total, rate, eta, metricName,
        trainLoss(), validation(v));
  }

  private String validation(Validation v) {
    if (v == Validation.NONE || Double.isNaN(lastValidation)) {
      return "";
    }
    return String.format(Locale.ROOT, "  validation %s %.4f", metricName, metric.applyAsDouble(lastValidation));
  }

  /** The mean of the recent steps' losses, in the metric; "-" before the first step. */
  private String trainLoss() {
    int n = (int) Math.min(lossCount, WINDOW);
    if (n == 0) {
      return "-";
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      sum += losses[i];
    }
    return String.format(Locale.ROOT, "%.4f", metric.applyAsDouble(sum / n));
  }

  /** The terminal's width: {@code COLUMNS} when exported, else what {@code stty size} says of the terminal, else 80. */
  static int terminalColumns() {
    String c = System.getenv("COLUMNS");
    try {
      if (c == null && System.console() != null) {
        Process p = new ProcessBuilder("stty", "size").redirectInput(new java.io.File("/dev/tty"))
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String answer = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        c = p.waitFor() == 0 && answer.trim().contains(" ") ? answer.trim().split(" ")[1] : null;
      }
      int n = c == null ? 0 : Integer.parseInt(c.trim());
      return n >= 20 ? n : 80;
    } catch (IOException | NumberFormatException e) {
      return 80; // no stty (Windows) or no terminal: the common width
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 80;
    }
  }

  static String clockTime(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
