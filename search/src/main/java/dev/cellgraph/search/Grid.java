package dev.cellgraph.search;

import dev.cellgraph.cells.search.Candidate;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * A grid, as in Greff et al. (2015): every given cell at every given hidden size (the seeds,
 * learning rate and budget are the search's), {@code perGeneration} proposals a generation so
 * that a long grid is checkpointed as it goes. Not thread-safe.
 */
public final class Grid extends KeepsEverything {
  private final List<Proposal> points = new ArrayList<>();
  private final int perGeneration;

  /**
   * Every cell of {@code cells} at every size of {@code hiddenSizes}, {@code perGeneration} points per generation.
   *
   * @param cells the cells to evaluate, not empty
   * @param hiddenSizes the hidden sizes to evaluate each cell at, not empty
   * @param perGeneration the number of grid points per generation, at least 1
   * @throws IllegalArgumentException if a list is empty or {@code perGeneration} is less than 1
   */
  public Grid(List<Candidate> cells, List<Integer> hiddenSizes, int perGeneration) {
    if (cells.isEmpty() || hiddenSizes.isEmpty() || perGeneration < 1) {
      throw new IllegalArgumentException("a grid needs cells, hidden sizes and at least one point per generation");
    }
    for (Candidate c : cells) {
      for (int h : hiddenSizes) {
        points.add(new Proposal(c, h));
      }
    }
    this.perGeneration = perGeneration;
  }

  /**
   * How many generations the whole grid takes.
   *
   * @return the number of generations needed to propose every grid point
   */
  public int generations() {
    return (points.size() + perGeneration - 1) / perGeneration;
  }

  @Override
  public String name() {
    return "grid";
  }

  @Override
  public List<Proposal> propose(int generation, Rng rng) {
    int from = Math.min(points.size(), generation * perGeneration);
    return List.copyOf(points.subList(from, Math.min(points.size(), from + perGeneration)));
  }
}
