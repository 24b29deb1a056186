package dev.cellgraph.cells;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How a batch of sequences of different lengths runs packed: its sequences sorted longest first
 * (ties in batch order, as {@code pack_padded_sequence(enforce_sorted=False)} sorts), and time cut
 * into segments, each a scan over only the sequences still running when it starts. The rows of a
 * segment are then a prefix of the sorted batch, so the carry passes from one segment to the next
 * by slicing, and a padded step costs nothing unless a sequence ends inside a segment, where the
 * masked carry ({@link MaskedStep}) keeps its state.
 *
 * <p>The cut minimises a cost model: the row-steps computed (times {@link #MASKED_COST} in a
 * masked segment, whose mask costs a few elementwise ops per step) plus {@link #SEGMENT_COST}
 * full-batch steps per segment (a scan's start-up and its smaller, less efficient products).
 * Every cut gives the same numbers; the model only decides the speed.
 *
 * <p>Thread-safe: immutable.
 */
final class Packing {
  /**
   * The cost of a row-step in a masked segment relative to one in an unmasked segment (measured:
   * the masked carry took 1.07 of the padded batch's time, medium LSTM, 2 threads).
   */
  static final double MASKED_COST = 1.1;
  /**
   * The cost of starting a segment, in full-batch steps: each segment's scans pack their weights
   * and run their input products and start their loops anew, forward and backward (fitted to
   * medium LSTM runs, 2 threads: two unmasked segments of 32 and 16 rows took 0.89 of the padded
   * batch's time for 0.75 of its row-steps, three segments 1.14 for 0.83).
   */
  static final double SEGMENT_COST = 6.0;

  /** Steps {@code [start, end)} of the sorted rows {@code [0, rows)}; {@code masked} when one of them ends before {@code end}. */
  record Segment(int start, int end, int rows, boolean masked) {
    int steps() {
      return end - start;
    }
  }

  private final int[] order;
  private final int[] sortedLengths;
  private final List<Segment> segments;

  private Packing(int[] order, int[] sortedLengths, List<Segment> segments) {
    this.order = order;
    this.sortedLengths = sortedLengths;
    this.segments = segments;
  }

  /** The packing of sequences of these lengths (each at least 1), cut by the default cost model. */
  static Packing of(int[] lengths) {
    return of(lengths, SEGMENT_COST, MASKED_COST);
  }

  /**
   * The packing of sequences of these lengths with a cost model of {@code segmentCost} full-batch
   * steps per segment and {@code maskedCost} per masked row-step (tests cut finely with a small one).
   */
  static Packing of(int[] lengths, double segmentCost, double maskedCost) {
    int batch = lengths.length;
    int[] order = IntStream.range(0, batch).boxed()
        .sorted(Comparator.comparingInt((Integer b) -> -lengths[b]).thenComparingInt(b -> b))
        .mapToInt(Integer::intValue).toArray();
    int[] sorted = new int[batch];
    for (int r = 0; r < batch; r++) {
      sorted[r] = lengths[order[r]];
    }
    // the candidate cuts: 0 and every distinct length, ascending; a segment between two adjacent
    // candidates needs no mask, a longer one does
    int[] cuts = IntStream.concat(IntStream.of(0), Arrays.stream(lengths)).distinct().sorted().toArray();
    int n = cuts.length;
    double[] best = new double[n];
    int[] from = new int[n];
    Arrays.fill(best, Double.POSITIVE_INFINITY);
    best[0] = 0;
    for (int j = 1; j < n; j++) {
      for (int i = 0; i < j; i++) {
        int rows = running(sorted, cuts[i]);
        double cost = best[i] + segmentCost * batch
            + (double) rows * (cuts[j] - cuts[i]) * (j > i + 1 ? maskedCost : 1);
        if (cost < best[j]) {
          best[j] = cost;
          from[j] = i;
        }
      }
    }
    List<Segment> segments = new ArrayList<>();
    for (int j = n - 1; j > 0; j = from[j]) {
      int i = from[j];
      segments.add(0, new Segment(cuts[i], cuts[j], running(sorted, cuts[i]), j > i + 1));
    }
    return new Packing(order, sorted, segments);
  }

  /** The number of sorted sequences longer than {@code t}: those still running at step t. */
  private static int running(int[] sorted, int t) {
    int r = 0;
    while (r < sorted.length && sorted[r] > t) {
      r++;
    }
    return r;
  }

  /** The segments, in time order; the first holds every sequence. */
  List<Segment> segments() {
    return segments;
  }

  /** The longest length: the steps the packed run computes. */
  int longest() {
    return sortedLengths[0];
  }

  /** A key naming the compiled graph this packing needs: the segments (the order is applied outside the graph). */
  String key() {
    return segments.toString();
  }

  /** {@code [steps, rows]} for a masked segment: 1 where the sorted sequence runs at that step, else 0. */
  Tensor mask(Segment s, DType dtype) {
    double[] m = new double[s.steps() * s.rows()];
    for (int t = s.start(); t < s.end(); t++) {
      for (int r = 0; r < s.rows(); r++) {
        m[(t - s.start()) * s.rows() + r] = t < sortedLengths[r] ? 1 : 0;
      }
    }
    return Tensor.of(dtype, m, Shape.of(s.steps(), s.rows()));
  }

  /** {@code t} with the batch axis {@code axis} in sorted order (row r is the user's sequence order[r]). */
  Tensor sorted(Tensor t, int axis) {
    return reorder(t, axis, order);
  }

  /** The inverse of {@link #sorted}: {@code t}'s batch axis back in the user's order. */
  Tensor unsorted(Tensor t, int axis) {
    int[] inverse = new int[order.length];
    for (int r = 0; r < order.length; r++) {
      inverse[order[r]] = r;
    }
    return reorder(t, axis, inverse);
  }

  /** {@code t} whose index {@code b} along {@code axis} holds {@code t}'s index {@code from[b]}. */
  private static Tensor reorder(Tensor t, int axis, int[] from) {
    Shape s = t.shape();
    int outer = 1;
    for (int a = 0; a < axis; a++) {
      outer *= s.dim(a);
    }
    int inner = 1;
    for (int a = axis + 1; a < s.rank(); a++) {
      inner *= s.dim(a);
    }
    int n = s.dim(axis);
    // a gather of rows copies them in the tensor's own dtype, one array copy per row
    int[] ids = new int[outer * n];
    for (int o = 0; o < outer; o++) {
      for (int b = 0; b < n; b++) {
        ids[o * n + b] = o * n + from[b];
      }
    }
    return Tensor.gather(t.reshape(outer * n, inner), Tensor.ofInts(ids, outer * n)).reshape(s);
  }
}
