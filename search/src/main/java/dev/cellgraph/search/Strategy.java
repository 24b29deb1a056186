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
  /**
   * {@code random}, {@code evolution}, {@code grid}.
   *
   * @return the strategy's name, as the command line names it
   */
  String name();

  /**
   * The proposals of generation {@code generation} (counting from 0); empty when the strategy has
   * nothing left.
   *
   * @param generation the index of the generation to propose, 0 first
   * @param rng the search's random source, the only one the strategy may use
   * @return the generation's proposals, or an empty list when the strategy is done
   */
  List<Proposal> propose(int generation, Rng rng);

  /**
   * The fitness of each proposal of the generation just evaluated, in the order proposed.
   *
   * @param proposals the proposals of the generation, as {@link #propose} returned them
   * @param fitness the fitness of each proposal, in the same order (lower is better)
   */
  void observe(List<Proposal> proposals, double[] fitness);

  /**
   * The proposals a report calls the strategy's population (evolution: the living; others: every
   * one seen).
   *
   * @return the population, each proposal with its fitness
   */
  List<Member> population();

  /**
   * The state after the last {@link #observe}.
   *
   * @return the strategy's whole state as JSON
   */
  JsonObject save();

  /**
   * Restores a state from {@link #save()}.
   *
   * @param state a state returned by {@link #save()}
   */
  void restore(JsonObject state);

  /** A proposal and its fitness. */
  record Member(Proposal proposal, double fitness) {}
}
