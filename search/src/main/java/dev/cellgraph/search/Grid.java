package dev.cellgraph.search;

import com.google.gson.JsonObject;
import dev.cellgraph.cells.search.Candidate;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * A grid, as in Greff et al. (2015): every given cell at every given hidden size (the seeds,
 * learning rate and budget are the search's), {@code perGeneration} proposals a generation so
 * that a long grid is checkpointed as it goes. Not thread-safe.
 */
public final class Grid implements Strategy {
  private final List<Proposal> points = new ArrayList<>();
  private final int perGeneration;
  private final List<Member> seen = new ArrayList<>();

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

  /** How many generations the whole grid takes. */
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

  @Override
  public void observe(List<Proposal> proposals, double[] fitness) {
    for (int k = 0; k < proposals.size(); k++) {
      seen.add(new Member(proposals.get(k), fitness[k]));
    }
  }

  @Override
  public List<Member> population() {
    return List.copyOf(seen);
  }

  @Override
  public JsonObject save() {
    JsonObject o = new JsonObject();
    o.add("seen", Members.save(seen));
    return o;
  }

  @Override
  public void restore(JsonObject state) {
    seen.clear();
    seen.addAll(Members.members(state.getAsJsonArray("seen")));
  }
}
