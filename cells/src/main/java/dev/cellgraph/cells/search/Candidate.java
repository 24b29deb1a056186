package dev.cellgraph.cells.search;

import static java.util.Objects.requireNonNull;

import dev.cellgraph.cells.lang.CellSpec;

/**
 * A cell of a search: its specification, its {@code .cell} text (which parses back to the same
 * cell), its identity (the {@link Canonical#hash hash} of its canonical form), and where it came
 * from. Immutable and thread-safe.
 *
 * @param spec the cell
 * @param text the cell as a {@code .cell} file: a comment naming its origin, then the normalized notation
 * @param hash the canonical hash, equal for equal cells
 * @param parent the hash of the cell it was derived from, empty for a seed or a random cell
 * @param mutation how it was derived: a {@link Mutation#label()}, {@code crossover}, {@code random} or {@code seed}
 */
public record Candidate(CellSpec spec, String text, String hash, String parent, String mutation) {
  /**
   * Rejects null components.
   *
   * @param spec the cell
   * @param text the cell as a {@code .cell} file
   * @param hash the canonical hash, equal for equal cells
   * @param parent the hash of the cell it was derived from, empty for a seed or a random cell
   * @param mutation how it was derived: a mutation's label, {@code crossover}, {@code random} or {@code seed}
   */
  public Candidate {
    requireNonNull(spec, "spec");
    requireNonNull(text, "text");
    requireNonNull(hash, "hash");
    requireNonNull(parent, "parent");
    requireNonNull(mutation, "mutation");
  }

  /**
   * A candidate for {@code spec}, its text written from the specification.
   *
   * @param spec the cell
   * @param parent the hash of the cell it was derived from, empty for a seed or a random cell
   * @param mutation how it was derived: a mutation's label, {@code crossover}, {@code random} or {@code seed}
   * @param origin the text of the comment that heads the {@code .cell} text
   * @return the candidate, its hash computed from {@code spec}
   */
  public static Candidate of(CellSpec spec, String parent, String mutation, String origin) {
    String text = "# " + origin + "\n" + spec.toNormalizedString();
    return new Candidate(spec, text, Canonical.hash(spec), parent, mutation);
  }

  /**
   * A candidate read back from its text (a trial's cell, a checkpoint's population).
   *
   * @param text the cell as a {@code .cell} file
   * @param parent the hash of the cell it was derived from, empty for a seed or a random cell
   * @param mutation how it was derived: a mutation's label, {@code crossover}, {@code random} or {@code seed}
   * @return the candidate, its spec parsed from {@code text}
   */
  public static Candidate parse(String text, String parent, String mutation) {
    CellSpec spec = CellSpec.parse(text, "candidate.cell");
    return new Candidate(spec, text, Canonical.hash(spec), parent, mutation);
  }
}
