package dev.cellgraph.train;

import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Which sequences make each training batch, read in epochs, for sequences of different lengths:
 * with buckets, batches hold sequences of similar length, so that padding them to the batch's
 * longest costs little (torchtext's {@code BucketIterator}, Keras's
 * {@code bucket_by_sequence_length}).
 *
 * <p>The policy, with {@code N >= 2} buckets: the sequences are ranked by length (ties by their
 * index) and cut into N buckets of equal count, once. Each epoch, every bucket's sequences are
 * shuffled and cut into batches of B; the remainders of all buckets (fewer than B each), in bucket
 * order, are cut into batches of B too, and what is left (fewer than B) sits this epoch out. The
 * epoch's batches are then shuffled, so each batch is of one bucket (or of neighbouring ones) and
 * the buckets come in random order. An epoch is {@code floor(n / B)} batches. With N = 1 there are
 * no buckets: each epoch is one shuffle of all sequences (one pool), read as one stream in batches
 * of B (a batch may span two epochs), so every sequence is read once per epoch and a batch mixes
 * all lengths. N above the number of sequences is cut to it. Every shuffle is drawn from the seed and the epoch number, so a
 * batch depends only on the step: the same seed gives the same batches, and a resumed run reads
 * the batches an uninterrupted one would.
 *
 * <p>Thread-safe: immutable but for a cache of the current epoch's batches, published whole.
 */
public final class LengthBuckets {
  /** The buckets a task with lengths uses unless told otherwise. */
  public static final int DEFAULT = 8;

  private static final long EPOCH_SALT = 0xE90C4F11EL;
  private static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private final int[] sequences;
  private final int[][] buckets;
  private final int batch;
  private final long seed;
  private volatile Epoch cached;

  private record Epoch(long number, int[][] batches) {}

  private LengthBuckets(int[] sequences, int[] lengths, int batch, int bucketCount, long seed) {
    if (batch < 1 || batch > sequences.length) {
      throw new IllegalArgumentException("a batch of " + batch + " needs 1 to " + sequences.length
          + " sequences (there are " + sequences.length + ")");
    }
    if (bucketCount < 1) {
      throw new IllegalArgumentException("buckets (" + bucketCount + ") must be at least 1 (1: no bucketing)");
    }
    this.sequences = sequences.clone();
    this.batch = batch;
    this.seed = seed;
    if (bucketCount <= 1) {
      this.buckets = null;
      return;
    }
    Integer[] ranked = Arrays.stream(sequences).boxed().toArray(Integer[]::new);
    Arrays.sort(ranked, Comparator.<Integer>comparingInt(i -> lengths[i]).thenComparingInt(i -> i));
    int n = ranked.length;
    int count = Math.min(bucketCount, n);
    this.buckets = new int[count][];
    for (int k = 0; k < count; k++) {
      int from = (int) ((long) k * n / count);
      int to = (int) ((long) (k + 1) * n / count);
      buckets[k] = Arrays.stream(ranked, from, to).mapToInt(Integer::intValue).toArray();
    }
  }

  /**
   * The batches of {@code sequences} (indices into {@code lengths}) in batches of {@code batch}
   * with {@code buckets} buckets (1: none, one pool), shuffled from {@code seed}.
   *
   * @param sequences the indices of the sequences to read (copied)
   * @param lengths each sequence's length, indexed by sequence index
   * @param batch the number of sequences per batch, 1 to the number of sequences
   * @param buckets the number of buckets, at least 1 (1: no bucketing)
   * @param seed the seed every epoch's shuffles are drawn from
   * @return the batching policy
   */
  public static LengthBuckets of(int[] sequences, int[] lengths, int batch, int buckets, long seed) {
    return new LengthBuckets(sequences, lengths, batch, buckets, seed);
  }

  /**
   * The number of buckets (1 without bucketing).
   *
   * @return the number of buckets, 1 without bucketing
   */
  public int buckets() {
    return buckets == null ? 1 : buckets.length;
  }

  /**
   * The sequences of the batch of step {@code step} (counting from 0).
   *
   * @param step the training step, counting from 0
   * @return the indices of the batch's sequences (a fresh array of the batch size)
   */
  public int[] batch(long step) {
    if (buckets == null) {
      return streamed(step);
    }
    int perEpoch = sequences.length / batch;
    long number = step / perEpoch;
    Epoch e = cached;
    if (e == null || e.number() != number) {
      e = new Epoch(number, epoch(number));
      cached = e;
    }
    return e.batches()[(int) (step % perEpoch)].clone();
  }

  private int[] streamed(long step) {
    int count = sequences.length;
    int[] picked = new int[batch];
    int[] order = null;
    long epoch = -1;
    for (int j = 0; j < batch; j++) {
      long position = step * batch + j;
      if (position / count != epoch) {
        epoch = position / count;
        order = sequences.clone();
        epochRng(epoch).shuffle(order);
      }
      picked[j] = order[(int) (position % count)];
    }
    return picked;
  }

  private int[][] epoch(long number) {
    Rng rng = epochRng(number);
    List<int[]> batches = new ArrayList<>();
    List<Integer> rest = new ArrayList<>();
    for (int[] bucket : buckets) {
      int[] order = bucket.clone();
      rng.shuffle(order);
      int full = order.length / batch * batch;
      for (int from = 0; from < full; from += batch) {
        batches.add(Arrays.copyOfRange(order, from, from + batch));
      }
      for (int i = full; i < order.length; i++) {
        rest.add(order[i]);
      }
    }
    for (int from = 0; from + batch <= rest.size(); from += batch) {
      batches.add(rest.subList(from, from + batch).stream().mapToInt(Integer::intValue).toArray());
    }
    int[][] all = batches.toArray(new int[0][]);
    for (int i = all.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int[] t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    return all;
  }

  private Rng epochRng(long epoch) {
    return Rng.seeded(seed ^ EPOCH_SALT ^ (epoch * GOLDEN));
  }

  /**
   * Evaluation batches of at most {@code max} of {@code sequences}, in order of length (ties by
   * index), so that each is padded little: the same on every call.
   *
   * @param sequences the indices of the sequences to evaluate
   * @param lengths each sequence's length, indexed by sequence index
   * @param max the largest number of sequences per batch
   * @return the batches of sequence indices, shortest sequences first
   */
  public static List<int[]> byLength(int[] sequences, int[] lengths, int max) {
    int[] sorted = Arrays.stream(sequences).boxed()
        .sorted(Comparator.<Integer>comparingInt(i -> lengths[i]).thenComparingInt(i -> i))
        .mapToInt(Integer::intValue).toArray();
    List<int[]> out = new ArrayList<>();
    for (int from = 0; from < sorted.length; from += max) {
      out.add(Arrays.copyOfRange(sorted, from, Math.min(sorted.length, from + max)));
    }
    return out;
  }
}
