package dev.cellgraph.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * One cell's final results over several seeds: the median and the range (min-max, the honest
 * spread of a handful of values) of the runs that finished, and how many runs solved the task.
 * A run that diverged has the value NaN: it counts as a run, never as finished or solved.
 *
 * <p>Thread-safe: immutable.
 */
record SeedStats(String cell, List<Long> seeds, double[] values, OptionalDouble solvedBelow) {
  SeedStats {
    if (seeds.size() != values.length) {
      throw new IllegalArgumentException("seeds (" + seeds.size() + ") and values (" + values.length
          + ") must have the same length");
    }
    seeds = List.copyOf(seeds);
    values = values.clone();
  }

  /** The runs, finished or not. */
  int runs() {
    return values.length;
  }

  /** The values of the runs that finished, sorted. */
  double[] finished() {
    return Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
  }

  /** The runs that diverged. */
  int diverged() {
    return runs() - finished().length;
  }

  /** The median of the finished runs (the mean of the middle two for an even count), NaN if none finished. */
  double median() {
    return median(finished());
  }

  double min() {
    double[] f = finished();
    return f.length == 0 ? Double.NaN : f[0];
  }

  double max() {
    double[] f = finished();
    return f.length == 0 ? Double.NaN : f[f.length - 1];
  }

  /** The number of runs whose value is below the task's threshold (0 for a task without one). */
  int solved() {
    return solvedSeeds().size();
  }

  /** The seeds whose runs solved the task, in the order run. */
  List<Long> solvedSeeds() {
    List<Long> r = new ArrayList<>();
    if (solvedBelow.isPresent()) {
      for (int i = 0; i < values.length; i++) {
        if (values[i] < solvedBelow.getAsDouble()) {
          r.add(seeds.get(i));
        }
      }
    }
    return r;
  }

  /** The seeds whose runs did not solve it (diverged ones included), in the order run. */
  List<Long> unsolvedSeeds() {
    List<Long> r = new ArrayList<>(seeds);
    r.removeAll(solvedSeeds());
    return r;
  }

  /** The value of one seed's run. */
  double valueOf(long seed) {
    return values[seeds.indexOf(seed)];
  }

  /** The median of sorted values, NaN for none. */
  static double median(double[] sorted) {
    int n = sorted.length;
    if (n == 0) {
      return Double.NaN;
    }
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
