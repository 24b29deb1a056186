package dev.cellgraph.autodiff.compile;

/**
 * How a row-split run of a {@link CompiledScan} divides the batch among its parts: shares as fast
 * as each part ran last time. On this shared machine one core at times runs at half speed for
 * seconds, and with equal blocks the other core then waits for it: in one profile of a medium
 * RNN, the main thread spent 11% of the step waiting for the helper's block. Any boundaries give
 * the same bits, so the shares change only the time a run takes.
 *
 * <p>Mutable and thread-safe: runs of one compiled scan on several threads read and update the
 * shares at once. Each update publishes a new array through a volatile field and never changes a
 * published one, so a reader sees one whole set of shares; of two concurrent updates one is kept,
 * and either is a fair estimate.
 */
final class RowShares {
  /** Blocks of fewer batch rows than this are not worth a thread of their own. */
  static final int MIN_ROWS = 4;

  /** Per part of the last split, its share of the batch; null: equal shares. */
  private volatile double[] shares;

  /**
   * The first row of each of {@code parts} blocks and the batch size after them: the current
   * shares of the batch, in multiples of {@code unit}, each block at least {@link #MIN_ROWS} rows
   * (or one unit); equal shares before the first measurement.
   */
  int[] bounds(int batch, int unit, int parts) {
    int[] b = new int[parts + 1];
    int units = batch / unit;
    int minUnits = Math.max(1, MIN_ROWS / unit);
    double[] share = shares;
    if (share == null || share.length != parts || units < parts * minUnits) {
      for (int i = 0; i <= parts; i++) {
        b[i] = splitRows(batch, unit, parts, i);
      }
      return b;
    }
    double upTo = 0;
    for (int i = 1; i < parts; i++) {
      upTo += share[i - 1];
      int u = (int) Math.round(upTo * units);
      u = Math.max(u, b[i - 1] / unit + minUnits);
      u = Math.min(u, units - (parts - i) * minUnits);
      b[i] = u * unit;
    }
    b[parts] = batch;
    return b;
  }

  /**
   * Moves each part's share of the rows halfway to its share of the speed (rows per second) just
   * measured: part p ran rows [bounds[p], bounds[p + 1]) in {@code nanos[p]}.
   */
  void adapt(int[] bounds, long[] nanos) {
    int parts = nanos.length;
    double[] rate = new double[parts];
    double sum = 0;
    for (int p = 0; p < parts; p++) {
      if (nanos[p] <= 0) {
        return;
      }
      rate[p] = (bounds[p + 1] - bounds[p]) / (double) nanos[p];
      sum += rate[p];
    }
    double[] old = shares;
    double[] next = new double[parts];
    for (int p = 0; p < parts; p++) {
      double was = old != null && old.length == parts ? old[p] : (bounds[p + 1] - bounds[p]) / (double) bounds[parts];
      next[p] = 0.5 * was + 0.5 * rate[p] / sum;
    }
    shares = next;
  }

  /** The start of block {@code i} of {@code parts}: boundaries at multiples of {@code unit}. */
  private static int splitRows(int length, int unit, int parts, int i) {
    int units = length / unit;
    return i == parts ? length : (int) ((long) units * i / parts) * unit;
  }
}
