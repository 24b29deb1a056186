package dev.cellgraph.search;

import java.io.Serializable;
import java.util.Objects;

/**
 * One evaluation to run: a candidate cell (its whole {@code .cell} text) trained on a task with
 * one seed for a fixed budget. A trial is a value: the same trial gives the same result on any
 * machine, which is what lets a back end retry it or run it anywhere. Immutable and thread-safe.
 * Java serialization only carries it between the JVMs of one search (to Spark's executors);
 * it is no stored format, so the serialized-form page leaves it out.
 *
 * @param cellText the candidate as a {@code .cell} file that round-trips through the parser
 * @param hash the canonical hash of the candidate (its identity: equal cells share it)
 * @param parent the hash of the candidate it was derived from, or empty for a seed cell
 * @param mutation how it was derived from its parent ("seed" for a starting cell)
 * @param task the task name, as {@code cellgraph train --task} takes it
 * @param hidden the hidden size H
 * @param steps the training budget in optimizer steps
 * @param seed the seed of initialisation, data and dropout
 * @serial exclude
 */
public record Trial(String cellText, String hash, String parent, String mutation, String task,
    int hidden, int steps, long seed) implements Serializable {
  /**
   * Rejects null strings.
   *
   * @param cellText the candidate's {@code .cell} text, not null
   * @param hash the candidate's canonical hash, not null
   * @param parent the hash of the candidate it was derived from, or empty; not null
   * @param mutation how it was derived from its parent, not null
   * @param task the task name, not null
   * @param hidden the hidden size H
   * @param steps the training budget in optimizer steps
   * @param seed the seed of initialisation, data and dropout
   */
  public Trial {
    Objects.requireNonNull(cellText, "cellText");
    Objects.requireNonNull(hash, "hash");
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(mutation, "mutation");
    Objects.requireNonNull(task, "task");
  }
}
