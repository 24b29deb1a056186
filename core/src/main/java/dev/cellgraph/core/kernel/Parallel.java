package dev.cellgraph.core.kernel;

import dev.cellgraph.core.Setting;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Runs the parts of a split matrix product or elementwise pass on helper threads.
 *
 * <p>The calling thread runs part 0 itself. The other parts go to a team of daemon threads that,
 * after finishing a part, spin for a short while ({@value #SPIN_NANOS} ns by default, property
 * {@code cellgraph.spin.nanos}) waiting for the next one before they park. A recurrent layer
 * issues a product every few tens of microseconds, and waking a parked thread costs about as
 * much as a small product: spinning is what makes splitting those products pay (OpenMP runtimes
 * spin for the same reason). The team serves one caller at a time; a concurrent or nested call
 * falls back to a fork-join pool. Threads are created on first use, so programs that only do
 * small products never start one.
 */
final class Parallel {
  private Parallel() {}

  static final long SPIN_NANOS = Setting.SPIN_NANOS.longValue(500_000L, 0, Long.MAX_VALUE);

  /**
   * The thread running part 0 of the team's current call, or null. Here rather than in
   * {@link Team}, whose initialization starts the threads: reading it must not.
   */
  private static volatile Thread teamOwner;

  private static final class Pool {
    // ForkJoinPool's default factory makes daemon threads, so the pool never keeps a JVM alive.
    static final ForkJoinPool POOL = new ForkJoinPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * One spinning helper thread with a single-slot mailbox. A posted part is run by whoever claims
   * it first: the helper, or the caller once it has finished its own part. A parked helper can
   * take milliseconds to wake up on a virtual machine (measured: 2 ms on average here); the
   * caller then runs the part itself instead of waiting.
   */
  private static final class Worker extends Thread {
    private volatile IntConsumer task;
    private volatile int index;
    private volatile long posted; // sequence number of the last part handed over
    private final AtomicLong claimed = new AtomicLong(); // of the last part someone took
    private volatile long finished; // sequence number of the last part the helper completed
    private volatile boolean parked;
    private volatile Throwable failure;

    Worker(int id) {
      super("cellgraph-worker-" + id);
      setDaemon(true);
    }

    void post(IntConsumer part, int i, long seq) {
      task = part;
      index = i;
      failure = null;
      posted = seq;
      if (parked) {
        LockSupport.unpark(this);
      }
    }

    /** Takes part {@code seq} for the calling thread, unless the helper (or the caller) already has. */
    boolean claim(long seq) {
      long c = claimed.get();
      return c < seq && claimed.compareAndSet(c, seq);
    }

    void await(long seq) {
      int spins = 0;
      while (finished != seq) {
        if (++spins < 1 << 16) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
      }
    }

    @Override
    public void run() {
      long seen = 0;
      while (true) {
        long start = System.nanoTime();
        int spins = 0;
        while (posted == seen) {
          Thread.onSpinWait();
          if ((++spins & 255) == 0 && System.nanoTime() - start > SPIN_NANOS) {
            parked = true;
            if (posted == seen) {
              LockSupport.park(this);
            }
            parked = false;
            start = System.nanoTime();
          }
        }
        seen = posted;
        if (!claim(seen)) {
          continue; // the caller ran it
        }
        try {
          task.accept(index);
        } catch (Throwable t) {
          failure = t;
        }
        finished = seen;
      }
    }
  }

  private static final class Team {
    static final Worker[] WORKERS = start();
    static final AtomicBoolean BUSY = new AtomicBoolean();
    static long sequence;

    private static Worker[] start() {
      Worker[] w = new Worker[Math.max(0, Runtime.getRuntime().availableProcessors() - 1)];
      for (int i = 0; i < w.length; i++) {
        w[i] = new Worker(i + 1);
        w[i].start();
      }
      return w;
    }
  }

  /** Calls {@code part.accept(i)} for every i in [0, parts), concurrently, and waits for all. */
  static void forEach(int parts, IntConsumer part) {
    if (parts == 1) {
      part.accept(0);
      return;
    }
    if (parts - 1 <= Team.WORKERS.length && Team.BUSY.compareAndSet(false, true)) {
      teamOwner = Thread.currentThread();
      try {
        onTeam(parts, part);
      } finally {
        teamOwner = null;
        Team.BUSY.set(false);
      }
    } else {
      onPool(parts, part);
    }
  }

  /**
   * Whether the calling thread is running a part of a team call (as the caller or as a helper):
   * the team's threads are all busy then, so work inside a part should not split again.
   */
  static boolean inPart() {
    Thread t = Thread.currentThread();
    return t instanceof Worker || t == teamOwner;
  }

  private static void onTeam(int parts, IntConsumer part) {
    long seq = ++Team.sequence;
    for (int i = 1; i < parts; i++) {
      Team.WORKERS[i - 1].post(part, i, seq);
    }
    Throwable failure = null;
    try {
      part.accept(0);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    for (int i = 1; i < parts; i++) {
      Worker w = Team.WORKERS[i - 1];
      if (w.claim(seq)) {
        try {
          part.accept(i); // the helper has not started it: it is asleep or busy elsewhere
        } catch (RuntimeException | Error e) {
          failure = merge(failure, e);
        }
      } else {
        w.await(seq);
        failure = merge(failure, w.failure);
      }
      w.task = null; // the part is done: let go of what it captured
    }
    rethrow(failure);
  }

  private static void onPool(int parts, IntConsumer part) {
    ForkJoinTask<?>[] forked = new ForkJoinTask<?>[parts - 1];
    for (int i = 1; i < parts; i++) {
      int index = i;
      forked[i - 1] = Pool.POOL.submit(() -> part.accept(index));
    }
    Throwable failure = null;
    try {
      part.accept(0);
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    for (ForkJoinTask<?> task : forked) {
      try {
        task.join();
      } catch (RuntimeException | Error e) {
        failure = merge(failure, e);
      }
    }
    rethrow(failure);
  }

  private static Throwable merge(Throwable first, Throwable next) {
    if (next == null) {
      return first;
    }
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  private static void rethrow(Throwable failure) {
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    }
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  /**
   * Calls {@code chunk.accept(c)} for every c in [0, chunks) on {@code parts} threads. Part i first
   * takes its own contiguous share, in order, so that a balanced run touches the same data on the
   * same core every time; a part that runs out helps with the others' remaining chunks. On a
   * shared machine one core can run much slower than the other for seconds at a time: with a
   * static split the whole product waits for it.
   */
  static void forEachChunk(int parts, int chunks, IntConsumer chunk) {
    if (parts == 1 || chunks == 1) {
      for (int c = 0; c < chunks; c++) {
        chunk.accept(c);
      }
      return;
    }
    AtomicIntegerArray next = new AtomicIntegerArray(parts);
    for (int i = 0; i < parts; i++) {
      next.set(i, split(chunks, 1, parts, i));
    }
    forEach(parts, i -> {
      for (int d = 0; d < parts; d++) {
        int owner = (i + d) % parts;
        int end = split(chunks, 1, parts, owner + 1);
        for (int c; (c = next.getAndIncrement(owner)) < end; ) {
          chunk.accept(c);
        }
      }
    });
  }

  /**
   * Splits {@code length} into {@code parts} ranges whose boundaries are multiples of
   * {@code unit} (except the end): returns the start of range {@code i}.
   */
  static int split(int length, int unit, int parts, int i) {
    int units = (length + unit - 1) / unit;
    return Math.min(length, (int) ((long) units * i / parts) * unit);
  }
}
