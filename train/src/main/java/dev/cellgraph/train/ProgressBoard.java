package dev.cellgraph.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The progress of several runs at once (a comparison trains cells in parallel). On a terminal
 * each run has one row, redrawn in place, showing its step, rate, ETA, training loss and last
 * validation (a run not yet started says it is waiting, a finished one its time); lines that stay
 * (notes, skipped steps) are printed above the rows. In a log, every line is a plain whole line
 * naming its run, so runs never mix within a line.
 *
 * <p>Thread-safe: the runs' threads draw on it at once.
 */
public final class ProgressBoard {
  private final PrintStream out;
  private final boolean live;
  private final int columns;
  private final List<String> rows = new ArrayList<>();

  private ProgressBoard(PrintStream out, boolean live, int columns) {
    this.out = out;
    this.live = live;
    this.columns = columns;
  }

  /**
   * Redrawn in place when {@code System.console()} is present, else plain lines.
   *
   * @param out the stream the rows or lines are printed to
   * @return a board with no rows yet
   */
  public static ProgressBoard auto(PrintStream out) {
    boolean live = System.console() != null;
    return new ProgressBoard(out, live, live ? Progress.terminalColumns() : Integer.MAX_VALUE);
  }

  /**
   * Plain lines (a log, a test).
   *
   * @param out the stream the lines are printed to
   * @return a board of plain lines with no rows yet
   */
  public static ProgressBoard lines(PrintStream out) {
    return new ProgressBoard(out, false, Integer.MAX_VALUE);
  }

  /** Redrawn in place whatever {@code out} is, rows cut to {@code columns} (for tests of the terminal display). */
  static ProgressBoard terminal(PrintStream out, int columns) {
    return new ProgressBoard(out, true, columns);
  }

  /**
   * A new row for a run labelled {@code label}; in a log, a line at most every {@code seconds}.
   *
   * @param label the run's name, shown at the start of its row and lines
   * @param seconds the least time between two of the run's lines in a log
   * @return the progress display of the new row, to listen to the run's trainer
   */
  public Progress add(String label, double seconds) {
    return add(label, seconds, System::nanoTime);
  }

  /** As {@link #add(String, double)}, timed by {@code clock} (nanoseconds), for tests. */
  synchronized Progress add(String label, double seconds, java.util.function.LongSupplier clock) {
    String waiting = label + "  waiting";
    rows.add(waiting);
    if (live) {
      out.println(waiting);
    }
    return Progress.onBoard(this, rows.size() - 1, label, seconds, clock);
  }

  PrintStream out() {
    return out;
  }

  boolean live() {
    return live;
  }

  int columns() {
    return columns;
  }

  /** Redraws row {@code row} on a terminal. */
  synchronized void draw(int row, String text) {
    rows.set(row, text);
    int up = rows.size() - row;
    out.print("\033[" + up + "A\r\033[2K" + text + "\033[" + up + "B\r");
    out.flush();
  }

  /**
   * Prints a line that stays (a run's failure, a note): above the rows on a terminal, which are
   * then drawn again below it; in a log, a plain line.
   *
   * @param line the text to print, without a line break
   */
  public synchronized void println(String line) {
    if (!live) {
      out.println(line);
      return;
    }
    out.print("\033[" + rows.size() + "A\r\033[2K" + line + "\n");
    for (String r : rows) {
      out.print("\033[2K" + r + "\n");
    }
    out.flush();
  }
}
