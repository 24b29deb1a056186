package dev.cellgraph.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The progress of several runs at once (a comparison trains cells in parallel). On a terminal
 * each run has one line, redrawn in place, and lines that stay (validations, notes) are printed
 * above them; in a log, every line is a plain whole line, so runs never mix within a line.
 *
 * <p>Thread-safe: the runs' threads draw on it at once.
 */
public final class ProgressBoard {
  private final PrintStream out;
  private final boolean live;
  private final List<String> rows = new ArrayList<>();

  private ProgressBoard(PrintStream out, boolean live) {
    this.out = out;
    this.live = live;
  }

  /** Redrawn in place when {@code System.console()} is present, else plain lines. */
  public static ProgressBoard auto(PrintStream out) {
    return new ProgressBoard(out, System.console() != null);
  }

  /** Plain lines (a log, a test). */
  public static ProgressBoard lines(PrintStream out) {
    return new ProgressBoard(out, false);
  }

  /** Redrawn in place whatever {@code out} is (for tests of the terminal display). */
  static ProgressBoard terminal(PrintStream out) {
    return new ProgressBoard(out, true);
  }

  /** A new row for a run labelled {@code label}; in a log, a line at most every {@code seconds}. */
  public synchronized Progress add(String label, double seconds) {
    rows.add(label);
    if (live) {
      out.println(label);
    }
    return Progress.onBoard(this, rows.size() - 1, label, seconds);
  }

  PrintStream out() {
    return out;
  }

  boolean live() {
    return live;
  }

  /** Redraws row {@code row} on a terminal. */
  synchronized void draw(int row, String text) {
    rows.set(row, text);
    int up = rows.size() - row;
    out.print("\033[" + up + "A\r\033[2K" + text + "\033[" + up + "B\r");
    out.flush();
  }

  /** A line that stays: above the rows on a terminal, which are then drawn again below it. */
  synchronized void println(String line) {
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
