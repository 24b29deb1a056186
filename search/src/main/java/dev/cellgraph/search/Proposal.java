package dev.cellgraph.search;

import static java.util.Objects.requireNonNull;

import dev.cellgraph.cells.search.Candidate;

/**
 * A candidate a strategy wants evaluated, at a hidden size. Immutable and thread-safe.
 *
 * @param candidate the cell
 * @param hidden the hidden size H it is trained at
 */
public record Proposal(Candidate candidate, int hidden) {
  /**
   * Rejects a null candidate.
   *
   * @param candidate the cell, not null
   * @param hidden the hidden size H, at least 1
   * @throws IllegalArgumentException if {@code hidden} is less than 1
   */
  public Proposal {
    requireNonNull(candidate, "candidate");
    if (hidden < 1) {
      throw new IllegalArgumentException("hidden size (" + hidden + ") must be at least 1");
    }
  }

  /**
   * The identity under which the search evaluates it once: the cell's hash and the hidden size.
   *
   * @return the proposal's key, {@code hash@hidden}
   */
  public String key() {
    return candidate.hash() + "@" + hidden;
  }
}
