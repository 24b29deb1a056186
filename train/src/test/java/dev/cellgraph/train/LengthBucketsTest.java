package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Batches by length: each epoch reads every sequence once, a batch is of one bucket, and the order is the seed's. */
class LengthBucketsTest {
  /** Sequence i has length 1 + (37 i mod 96): all different, not in index order. */
  private static final int N = 96;
  private static final int[] LENGTHS = new int[N];
  private static final int[] ALL = new int[N];

  static {
    for (int i = 0; i < N; i++) {
      LENGTHS[i] = 1 + (37 * i) % N;
      ALL[i] = i;
    }
  }

  private static int[][] epoch(LengthBuckets b, int epoch, int perEpoch) {
    int[][] batches = new int[perEpoch][];
    for (int k = 0; k < perEpoch; k++) {
      batches[k] = b.batch((long) epoch * perEpoch + k);
    }
    return batches;
  }

  private static int[] sortedUnion(int[][] batches) {
    return Arrays.stream(batches).flatMapToInt(Arrays::stream).sorted().toArray();
  }

  @Test
  void everySequenceIsReadOncePerEpochWithAndWithoutBuckets() {
    for (int buckets : new int[] {1, 3, 8}) {
      LengthBuckets b = LengthBuckets.of(ALL, LENGTHS, 8, buckets, 5);
      assertEquals(buckets, b.buckets());
      for (int e = 0; e < 3; e++) {
        int[][] batches = epoch(b, e, N / 8);
        for (int[] batch : batches) {
          assertEquals(8, batch.length);
        }
        assertArrayEquals(ALL, sortedUnion(batches), buckets + " buckets, epoch " + e);
      }
    }
  }

  @Test
  void withARemainderEachSequenceIsReadAtMostOncePerEpochAndTheRestSitsOut() {
    // 8 buckets of 12 in batches of 5: 2 batches and 2 left over in each, the 16 left over make 3 batches
    LengthBuckets b = LengthBuckets.of(ALL, LENGTHS, 5, 8, 5);
    int[] read = sortedUnion(epoch(b, 0, N / 5));
    assertEquals(95, read.length);
    assertEquals(95, Arrays.stream(read).distinct().count());
  }

  @Test
  void withBucketsABatchHoldsSequencesOfOneBucket() {
    // 8 buckets of 12 by length: lengths 1-12, 13-24, ...; batches of 4 fill each bucket exactly
    LengthBuckets b = LengthBuckets.of(ALL, LENGTHS, 4, 8, 11);
    for (long step = 0; step < 3 * N / 4; step++) {
      int[] batch = b.batch(step);
      Set<Integer> bucket = new TreeSet<>();
      for (int s : batch) {
        bucket.add((LENGTHS[s] - 1) / 12);
      }
      assertEquals(1, bucket.size(), "step " + step + ": " + Arrays.toString(batch));
    }
  }

  @Test
  void oneBucketIsOnePoolWhoseBatchesMixLengths() {
    LengthBuckets b = LengthBuckets.of(ALL, LENGTHS, 4, 1, 11);
    assertEquals(1, b.buckets());
    int mixed = 0;
    for (long step = 0; step < N / 4; step++) {
      int[] batch = b.batch(step);
      int min = Arrays.stream(batch).map(s -> LENGTHS[s]).min().orElseThrow();
      int max = Arrays.stream(batch).map(s -> LENGTHS[s]).max().orElseThrow();
      if (max - min >= 12) {
        mixed++;
      }
    }
    // drawn from one pool, most batches of 4 span more than a bucket of 12 would
    assertTrue(mixed > N / 8, mixed + " of " + N / 4 + " batches span 12 or more");
  }

  @Test
  void theSameSeedGivesTheSameBatchesWhateverOrderTheyAreAskedIn() {
    for (int buckets : new int[] {1, 8}) {
      LengthBuckets b = LengthBuckets.of(ALL, LENGTHS, 8, buckets, 7);
      LengthBuckets again = LengthBuckets.of(ALL, LENGTHS, 8, buckets, 7);
      List<Long> steps = List.of(30L, 2L, 29L, 0L, 13L, 12L, 50L);
      for (long step : steps) {
        assertArrayEquals(b.batch(step), again.batch(step), buckets + " buckets, step " + step);
      }
      for (long step = 0; step < 40; step++) {
        assertArrayEquals(b.batch(step), LengthBuckets.of(ALL, LENGTHS, 8, buckets, 7).batch(step));
      }
    }
  }

  @Test
  void anotherSeedOrAnotherEpochGivesAnotherOrder() {
    for (int buckets : new int[] {1, 8}) {
      int[][] first = epoch(LengthBuckets.of(ALL, LENGTHS, 8, buckets, 7), 0, N / 8);
      int[][] other = epoch(LengthBuckets.of(ALL, LENGTHS, 8, buckets, 8), 0, N / 8);
      int[][] next = epoch(LengthBuckets.of(ALL, LENGTHS, 8, buckets, 7), 1, N / 8);
      assertFalse(Arrays.deepEquals(first, other), buckets + " buckets: seeds 7 and 8");
      assertFalse(Arrays.deepEquals(first, next), buckets + " buckets: epochs 0 and 1");
    }
  }

  @Test
  void badArgumentsAreRefusedWithTheirValues() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> LengthBuckets.of(ALL, LENGTHS, 8, 0, 1));
    assertEquals("buckets (0) must be at least 1 (1: no bucketing)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> LengthBuckets.of(new int[] {0, 1}, LENGTHS, 3, 8, 1));
    assertEquals("a batch of 3 needs 1 to 2 sequences (there are 2)", e.getMessage());
  }

  @Test
  void evaluationBatchesAreSortedByLength() {
    List<int[]> batches = LengthBuckets.byLength(ALL, LENGTHS, 40);
    assertEquals(List.of(40, 40, 16), batches.stream().map(x -> x.length).toList());
    int previous = 0;
    for (int[] batch : batches) {
      for (int s : batch) {
        assertTrue(LENGTHS[s] > previous);
        previous = LENGTHS[s];
      }
    }
  }
}
