package dev.cellgraph.search;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of a strategy whose population is every proposal it has seen (random search and the
 * grid, unlike evolution's aging population): it remembers each with its fitness, and its state
 * is that list.
 */
abstract class KeepsEverything implements Strategy {
  private final List<Member> seen = new ArrayList<>();

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
