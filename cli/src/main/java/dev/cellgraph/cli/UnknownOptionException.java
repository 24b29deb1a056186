package dev.cellgraph.cli;

import java.util.Set;
import java.util.TreeSet;

/**
 * An option the command does not have; it carries the command's table of options, which
 * {@link Command#options} reads for shell completion.
 *
 * <p>Thread-safe: immutable once thrown.
 */
public final class UnknownOptionException extends UsageException {
  private static final long serialVersionUID = 1L;
  /** An option name no command has. */
  static final String PROBE = "cellgraph-list-options";

  /** A command's options without dashes: those with a value and the flags, each sorted. */
  public record Known(Set<String> valued, Set<String> flags) {
    /**
     * Copies both sets, sorted.
     *
     * @param valued the options with a value
     * @param flags the flags
     */
    public Known {
      valued = java.util.Collections.unmodifiableSet(new TreeSet<>(valued));
      flags = java.util.Collections.unmodifiableSet(new TreeSet<>(flags));
    }
  }

  private final transient Known known;

  UnknownOptionException(String message, Set<String> valued, Set<String> flags) {
    super(message);
    this.known = new Known(valued, flags);
  }

  /**
   * The options the command knows, for suggestions and completion.
   *
   * @return the options
   */
  public Known known() {
    return known;
  }
}
