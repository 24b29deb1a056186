package dev.cellgraph.search;

import dev.cellgraph.cells.search.Candidate;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * Random search: every generation is {@code perGeneration} new cells of the space, independent of
 * what came before; the first one also holds the seed cells, as the reference. Not thread-safe.
 */
public final class RandomSearch extends KeepsEverything {
  private final Variation variation;
  private final int perGeneration;
  private final int hidden;

  /**
   * {@code perGeneration} new cells of {@code variation} per generation, at hidden size {@code hidden}.
   *
   * @param variation where the new cells come from
   * @param perGeneration the number of cells per generation, at least 1
   * @param hidden the hidden size H of every proposal
   * @throws IllegalArgumentException if {@code perGeneration} is less than 1
   */
  public RandomSearch(Variation variation, int perGeneration, int hidden) {
    if (perGeneration < 1) {
      throw new IllegalArgumentException("cells per generation (" + perGeneration + ") must be at least 1");
    }
    this.variation = variation;
    this.perGeneration = perGeneration;
    this.hidden = hidden;
  }

  @Override
  public String name() {
    return "random";
  }

  @Override
  public List<Proposal> propose(int generation, Rng rng) {
    List<Proposal> out = new ArrayList<>();
    if (generation == 0) {
      for (Candidate s : variation.seeds()) {
        out.add(new Proposal(s, hidden));
      }
    }
    for (int tries = 0; out.size() < perGeneration && tries < 4 * perGeneration; tries++) {
      variation.fresh(rng).ifPresent(c -> out.add(new Proposal(c, hidden)));
    }
    return out;
  }
}
