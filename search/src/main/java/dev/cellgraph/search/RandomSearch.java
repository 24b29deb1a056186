package dev.cellgraph.search;

import com.google.gson.JsonObject;
import dev.cellgraph.cells.search.Candidate;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * Random search: every generation is {@code perGeneration} new cells of the space, independent of
 * what came before; the first one also holds the seed cells, as the reference. Not thread-safe.
 */
public final class RandomSearch implements Strategy {
  private final Variation variation;
  private final int perGeneration;
  private final int hidden;
  private final List<Member> seen = new ArrayList<>();

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
