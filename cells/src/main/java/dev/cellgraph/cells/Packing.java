package dev.cellgraph.cells;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * How a batch of sequences of different lengths runs packed: its sequences sorted longest first
 * (ties in batch order, as {@code pack_padded_sequence(enforce_sorted=False)} sorts), so that at
 * every step the sequences still running are a prefix of the sorted batch, and one packed scan
 * ({@link dev.cellgraph.autodiff.Scan#packed}) per layer and direction computes each step over only
 * that prefix (PyTorch's {@code batch_sizes}), the masked carry ({@link MaskedStep}) keeping the
 * finished rows' states.
 *
 * <p>Thread-safe: immutable.
 */
final class Packing {
  private final int[] order;
  private final int[] sortedLengths;

  private Packing(int[] order, int[] sortedLengths) {
    this.order = order;
    this.sortedLengths = sortedLengths;
  }

  /** The packing of sequences of these lengths (each at least 1). */
  static Packing of(int[] lengths) {
    int batch = lengths.length;
    int[] order = IntStream.range(0, batch).boxed()
        .sorted(Comparator.comparingInt((Integer b) -> -lengths[b]).thenComparingInt(b -> b))
        .mapToInt(Integer::intValue).toArray();
    int[] sorted = new int[batch];
    for (int r = 0; r < batch; r++) {
      sorted[r] = lengths[order[r]];
    }
    return new Packing(order, sorted);
  }

  /** The longest length: the steps the packed run computes. */
  int longest() {
    return sortedLengths[0];
  }

  /** The lengths in sorted order, longest first. */
  int[] sortedLengths() {
    return sortedLengths.clone();
  }

  /**
   * Per step up to the longest length, how many sequences run at it: PyTorch's
   * {@code PackedSequence.batch_sizes}, the rows a packed step computes.
   */
  int[] batchSizes() {
    int[] sizes = new int[longest()];
    for (int n : sortedLengths) {
      for (int t = 0; t < n; t++) {
        sizes[t]++;
      }
    }
    return sizes;
  }

  /** {@code [longest, B]} in sorted order: 1 where the sorted sequence runs at that step, else 0. */
  Tensor mask(DType dtype) {
    return Lengths.mask(sortedLengths, longest(), dtype);
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
