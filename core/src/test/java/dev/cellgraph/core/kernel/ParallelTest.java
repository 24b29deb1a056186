package dev.cellgraph.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** The spinning helper team: every part runs once, failures reach the caller, no deadlocks. */
class ParallelTest {

  @Test
  void everyPartRunsExactlyOnce() {
    for (int parts = 1; parts <= 4; parts++) {
      for (int round = 0; round < 1000; round++) {
        AtomicIntegerArray runs = new AtomicIntegerArray(parts);
        Parallel.forEach(parts, runs::incrementAndGet);
        for (int i = 0; i < parts; i++) {
          assertEquals(1, runs.get(i), "part " + i + " of " + parts);
        }
      }
    }
  }

  @Test
  void writesOfTheHelperAreVisibleToTheCaller() {
    int[] out = new int[2];
    for (int round = 1; round <= 10_000; round++) {
      int r = round;
      Parallel.forEach(2, i -> out[i] = r + i);
      assertArrayEquals(new int[] {round, round + 1}, out);
    }
  }

  @Test
  void aFailingPartReachesTheCallerAndTheTeamKeepsWorking() {
    IllegalStateException boom = new IllegalStateException("part 1 failed");
    IllegalStateException thrown = assertThrows(IllegalStateException.class,
        () -> Parallel.forEach(2, i -> {
          if (i == 1) {
            throw boom;
          }
        }));
    assertSame(boom, thrown);
    IllegalArgumentException first = assertThrows(IllegalArgumentException.class,
        () -> Parallel.forEach(2, i -> {
          throw new IllegalArgumentException("part " + i);
        }));
    assertEquals("part 0", first.getMessage());
    assertEquals("part 1", first.getSuppressed()[0].getMessage());
    AtomicIntegerArray runs = new AtomicIntegerArray(2);
    Parallel.forEach(2, runs::incrementAndGet);
    assertEquals(1, runs.get(0));
    assertEquals(1, runs.get(1));
  }

  @Test
  void nestedAndConcurrentCallsComplete() throws Exception {
    ExecutorService callers = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        results.add(callers.submit(() -> {
          int total = 0;
          for (int round = 0; round < 500; round++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(4);
            // a part that splits again: the team is busy, so the inner split goes to the pool
            Parallel.forEach(2, i -> Parallel.forEach(2, j -> runs.incrementAndGet(2 * i + j)));
            for (int i = 0; i < 4; i++) {
              total += runs.get(i);
            }
          }
          return total;
        }));
      }
      for (Future<Integer> f : results) {
        assertEquals(2000, f.get());
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
