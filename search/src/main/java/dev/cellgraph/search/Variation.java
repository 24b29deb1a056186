package dev.cellgraph.search;

import static java.util.Objects.requireNonNull;

import dev.cellgraph.cells.search.Candidate;
import dev.cellgraph.cells.search.SearchSpace;
import dev.cellgraph.core.random.Rng;
import java.util.List;
import java.util.Optional;

/**
 * Where new cells come from: {@code mutate} walks one to three random mutations from a seed
 * cell (Jozefowicz et al.), {@code random} draws from the grammar (Schrimpf et al.). Immutable
 * and thread-safe apart from the space's counters, which are synchronized.
 */
public final class Variation {
  /** The two spaces a search may draw new cells from. */
  public enum Kind { /** Mutants of the seed cells. */ MUTATE, /** Cells drawn from the grammar. */ RANDOM }

  private final SearchSpace space;
  private final Kind kind;
  private final List<Candidate> seeds;

  /**
   * A source of new cells of {@code space}: mutants of {@code seeds} (and their descendants) or random cells, as {@code kind} says.
   *
   * @param space the search space the cells are drawn from, not null
   * @param kind whether to mutate the seeds or draw random cells, not null
   * @param seeds the seed cells to mutate, at least one for {@code MUTATE}; copied
   */
  public Variation(SearchSpace space, Kind kind, List<Candidate> seeds) {
    this.space = requireNonNull(space, "space");
    this.kind = requireNonNull(kind, "kind");
    this.seeds = List.copyOf(seeds);
    if (kind == Kind.MUTATE && seeds.isEmpty()) {
      throw new IllegalArgumentException("a mutation search needs at least one seed cell");
    }
  }

  List<Candidate> seeds() {
    return seeds;
  }

  SearchSpace space() {
    return space;
  }

  /** A new cell of the space, or empty when every attempt failed (counted by the space). */
  Optional<Candidate> fresh(Rng rng) {
    if (kind == Kind.RANDOM) {
      return space.random(rng);
    }
    Candidate c = seeds.get(rng.nextInt(seeds.size()));
    int edits = 1 + rng.nextInt(3);
    for (int k = 0; k < edits; k++) {
      Optional<Candidate> next = space.mutate(c, rng);
      if (next.isEmpty()) {
        return k == 0 ? Optional.empty() : Optional.of(c);
      }
      c = next.get();
    }
    return Optional.of(c);
  }

  /** A mutant of {@code parent}. */
  Optional<Candidate> mutant(Candidate parent, Rng rng) {
    return space.mutate(parent, rng);
  }
}
