package dev.cellgraph.search;

import com.google.gson.JsonObject;
import dev.cellgraph.cells.search.Candidate;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Regularized evolution (Real et al. 2019, "Regularized Evolution for Image Classifier
 * Architecture Search"): a population of {@code size} cells, first the seeds and new cells of the
 * space; each later generation makes {@code children} children, each a mutant (or, with
 * probability {@code crossover}, a crossover) of the fittest of {@code tournament} members drawn
 * at random; the children join the population and the oldest members die, so that a cell
 * survives by having fit descendants rather than by one lucky evaluation. Not thread-safe.
 */
public final class Evolution implements Strategy {
  private final Variation variation;
  private final int size;
  private final int children;
  private final int tournament;
  private final double crossover;
  private final int hidden;
  /** The living, oldest first. */
  private final List<Member> population = new ArrayList<>();

  /**
   * Evolution of populations of {@code size} cells at hidden size {@code hidden}, {@code children} per generation, parents chosen by tournaments of {@code tournament}, crossover with probability {@code crossover}.
   *
   * @param variation where mutants, crossovers and new cells come from
   * @param size the population size, at least 2
   * @param children the children made per generation, at least 1
   * @param tournament the members drawn per tournament, between 1 and {@code size}
   * @param crossover the probability that a child is a crossover, in [0, 1]
   * @param hidden the hidden size H the cells are built at
   * @throws IllegalArgumentException if a number is out of range (the message names it)
   */
  public Evolution(Variation variation, int size, int children, int tournament, double crossover, int hidden) {
    if (size < 2 || children < 1 || tournament < 1 || tournament > size || !(crossover >= 0 && crossover <= 1)) {
      throw new IllegalArgumentException("population (" + size + ") must be at least 2, children (" + children
          + ") at least 1, tournament (" + tournament + ") between 1 and the population, crossover ("
          + crossover + ") a probability");
    }
    this.variation = variation;
    this.size = size;
    this.children = children;
    this.tournament = tournament;
    this.crossover = crossover;
    this.hidden = hidden;
  }

  @Override
  public String name() {
    return "evolution";
  }

  @Override
  public List<Proposal> propose(int generation, Rng rng) {
    List<Proposal> out = new ArrayList<>();
    if (generation == 0) {
      for (Candidate s : variation.seeds()) {
        if (out.size() < size) {
          out.add(new Proposal(s, hidden));
        }
      }
      for (int tries = 0; out.size() < size && tries < 4 * size; tries++) {
        variation.fresh(rng).ifPresent(c -> out.add(new Proposal(c, hidden)));
      }
      return out;
    }
    for (int tries = 0; out.size() < children && tries < 4 * children; tries++) {
      Candidate parent = select(rng).proposal().candidate();
      Optional<Candidate> child = rng.nextDouble() < crossover
          ? variation.space().crossover(parent, select(rng).proposal().candidate(), rng)
          : variation.mutant(parent, rng);
      child.ifPresent(c -> out.add(new Proposal(c, hidden)));
    }
    return out;
  }

  /** The fittest of {@code tournament} members drawn with replacement; ties go to the younger. */
  private Member select(Rng rng) {
    Member best = null;
    int bestIndex = -1;
    for (int k = 0; k < tournament; k++) {
      int i = rng.nextInt(population.size());
      Member m = population.get(i);
      if (best == null || m.fitness() < best.fitness() || m.fitness() == best.fitness() && i > bestIndex) {
        best = m;
        bestIndex = i;
      }
    }
    return best;
  }

  @Override
  public void observe(List<Proposal> proposals, double[] fitness) {
    for (int k = 0; k < proposals.size(); k++) {
      population.add(new Member(proposals.get(k), fitness[k]));
    }
    while (population.size() > size) {
      population.remove(0);
    }
  }

  @Override
  public List<Member> population() {
    return List.copyOf(population);
  }

  @Override
  public JsonObject save() {
    JsonObject o = new JsonObject();
    o.add("population", Members.save(population));
    return o;
  }

  @Override
  public void restore(JsonObject state) {
    population.clear();
    population.addAll(Members.members(state.getAsJsonArray("population")));
  }
}
