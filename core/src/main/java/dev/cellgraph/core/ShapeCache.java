package dev.cellgraph.core;

import com.google.common.cache.CacheBuilder;
import java.util.concurrent.ConcurrentMap;

/**
 * Maps from a shape (a sequence length, a batch size) to what was compiled for it: a scan, a
 * cell's step, a layer's runner. A program that meets ever new shapes (sentences of every length,
 * run without buckets) would otherwise keep every compilation it ever made; these keep the
 * {@code cellgraph.cache.shapes} most recently used (default 32) and compile a dropped one again
 * when it comes back.
 *
 * <p>Thread-safe: the maps are Guava caches, safe for concurrent use.
 */
public final class ShapeCache {
  /** Entries each map keeps. */
  public static final int SIZE = Setting.CACHE_SHAPES.intValue(32, 1, 1 << 20);

  private ShapeCache() {}

  /**
   * A new bounded map: {@code computeIfAbsent} is atomic, as on a {@code ConcurrentHashMap}.
   *
   * @param <K> the key type
   * @param <V> the value type
   * @return an empty map that keeps at most {@link #SIZE} entries
   */
  public static <K, V> ConcurrentMap<K, V> newMap() {
    // one segment: Guava bounds each of its segments separately, so with several a map could drop
    // entries well before it holds SIZE of them; compilations are too rare to contend for a lock
    return CacheBuilder.newBuilder().concurrencyLevel(1).maximumSize(SIZE).<K, V>build().asMap();
  }
}
