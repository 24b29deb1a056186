package dev.cellgraph.search;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.cellgraph.cells.search.Candidate;
import java.util.ArrayList;
import java.util.List;

/** Proposals and members as JSON, for the strategies' checkpoints: a candidate is saved as its text and origin. */
final class Members {
  private Members() {}

  static JsonObject save(Proposal p) {
    JsonObject o = new JsonObject();
    o.addProperty("text", p.candidate().text());
    o.addProperty("parent", p.candidate().parent());
    o.addProperty("mutation", p.candidate().mutation());
    o.addProperty("hidden", p.hidden());
    return o;
  }

  static Proposal proposal(JsonObject o) {
    return new Proposal(Candidate.parse(o.get("text").getAsString(), o.get("parent").getAsString(),
        o.get("mutation").getAsString()), o.get("hidden").getAsInt());
  }

  static JsonArray save(List<Strategy.Member> members) {
    JsonArray a = new JsonArray();
    for (Strategy.Member m : members) {
      JsonObject o = save(m.proposal());
      o.addProperty("fitness", Double.toString(m.fitness()));
      a.add(o);
    }
    return a;
  }

  static List<Strategy.Member> members(JsonArray a) {
    List<Strategy.Member> out = new ArrayList<>();
    for (var e : a) {
      JsonObject o = e.getAsJsonObject();
      out.add(new Strategy.Member(proposal(o), Double.parseDouble(o.get("fitness").getAsString())));
    }
    return out;
  }

  static JsonArray saveProposals(List<Proposal> proposals) {
    JsonArray a = new JsonArray();
    proposals.forEach(p -> a.add(save(p)));
    return a;
  }

  static List<Proposal> proposals(JsonArray a) {
    List<Proposal> out = new ArrayList<>();
    a.forEach(e -> out.add(proposal(e.getAsJsonObject())));
    return out;
  }
}
