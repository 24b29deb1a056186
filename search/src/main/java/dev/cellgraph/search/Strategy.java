package dev.cellgraph.search;

import com.google.gson.JsonObject;
import dev.cellgraph.core.random.Rng;
import java.util.List;

/**
 * How a search chooses what to evaluate next. A strategy proposes one generation at a time,
 * is told what each proposal scored (its fitness: the mean validation loss over the seeds, lower
 * is better, infinite for a failed or diverged candidate), and saves and restores its whole state
 * as JSON, so that a resumed search continues exactly as an uninterrupted one. All randomness
 * comes from the {@link Rng} the search passes, which the search checkpoints.
 *
 * <p>Not thread-safe: one search drives it.
 */
public interface Strategy {
  /** {@code random}, {@code evolution}, {@code grid}. */
  String name();

  /** The proposals of generation {@code generation} (counting from 0); empty when the strategy has nothing left. */
  List<Proposal> propose(int generation, Rng rng);

  /** The fitness of each proposal of the generation just evaluated, in the order proposed. */
  void observe(List<Proposal> proposals, double[] fitness);

  /** The proposals a report calls the strategy's population (evolution: the living; others: every one seen). */
  List<Member> population();

  /** The state after the last {@link #observe}. */
  JsonObject save();

  /** Restores a state from {@link #save()}. */
  void restore(JsonObject state);

  /** A proposal and its fitness. */
  record Member(Proposal proposal, double fitness) {}
}
