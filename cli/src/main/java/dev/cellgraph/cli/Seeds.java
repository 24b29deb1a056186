package dev.cellgraph.cli;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The seeds a command trains on: {@code --seed S} alone (1 by default), or {@code --seeds K} (K
 * seeds from S: S, S+1, ..., S+K-1), or {@code --seeds 1,4,7} (those seeds, without {@code --seed}).
 */
final class Seeds {
  /** The most seeds one command trains on: each is a whole run per cell. */
  static final int MAX = 100;

  static final String USAGE = String.join("\n",
      "  --seeds K | S1,S2,...        train every cell on K seeds (--seed, --seed + 1, ...) or on the seeds",
      "                              listed, and report per cell the median and the range (min-max) of the",
      "                              final validation, and how many seeds solved the task (adding: MSE below",
      "                              0.05; copy: below 0.1 nats/symbol)");

  private Seeds() {}

  /** The seeds of {@code --seed} and {@code --seeds}, in the order given; mistakes are usage errors. */
  static List<Long> of(Args a) {
    long first = a.longValue("seed", 1);
    if (!a.has("seeds")) {
      return List.of(first);
    }
    String v = a.get("seeds").trim();
    if (!v.contains(",")) {
      int k;
      try {
        k = Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new UsageException("--seeds must be a number of seeds (5) or a list of seeds (1,2,3), got '" + v + "'");
      }
      if (k < 1 || k > MAX) {
        throw new UsageException("--seeds must be between 1 and " + MAX + " seeds, got " + k);
      }
      List<Long> seeds = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        seeds.add(first + i);
      }
      return List.copyOf(seeds);
    }
    if (a.has("seed")) {
      throw new UsageException("--seed and a list of --seeds both choose the seeds: give the list alone");
    }
    Set<Long> seeds = new LinkedHashSet<>();
    for (String s : v.split(",", -1)) {
      String t = s.trim();
      if (t.isEmpty()) {
        throw new UsageException("--seeds: empty seed in '" + v + "'");
      }
      long seed;
      try {
        seed = Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw new UsageException("--seeds: '" + t + "' is not a whole number");
      }
      if (!seeds.add(seed)) {
        throw new UsageException("--seeds: seed " + seed + " is listed twice");
      }
    }
    if (seeds.size() > MAX) {
      throw new UsageException("--seeds must be between 1 and " + MAX + " seeds, got " + seeds.size());
    }
    return List.copyOf(seeds);
  }
}
