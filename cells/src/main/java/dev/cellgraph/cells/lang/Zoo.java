package dev.cellgraph.cells.lang;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import dev.cellgraph.core.Suggest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cells shipped with cellgraph, as {@code .cell} resources in
 * {@code dev/cellgraph/cells/zoo/}; docs/cells.md describes each. Thread-safe.
 */
public final class Zoo {
  private static final String DIR = "/dev/cellgraph/cells/zoo/";
  private static final ImmutableList<String> NAMES = ImmutableList.of(
      "rnn", "rnn-relu", "lstm", "gru", "simple-rnn", "colah-lstm", "lstm-peephole",
      "lstm-nig", "lstm-nfg", "lstm-nog", "lstm-niaf", "lstm-noaf", "lstm-np", "lstm-cifg", "lstm-fgr",
      "mut1", "mut2", "mut3", "mgu", "lstm-vanilla", "lstm-projected", "d2l-gru",
      "ln-lstm", "janet", "lstm-keras-hard", "lstm-graves");
  private static final ConcurrentHashMap<String, CellSpec> CACHE = new ConcurrentHashMap<>();

  private Zoo() {}

  /**
   * The names of the shipped cells.
   *
   * @return the shipped cells' names, e.g. {@code lstm}
   */
  public static ImmutableList<String> names() {
    return NAMES;
  }

  /**
   * Whether a shipped cell has this name.
   *
   * @param name a cell name, e.g. {@code gru}
   * @return true if the zoo ships a cell of that name
   */
  public static boolean contains(String name) {
    return NAMES.contains(name);
  }

  /**
   * The shipped cell of this name ({@code "gru"}, {@code "lstm-cifg"}, ...).
   *
   * @param name the shipped cell's name
   * @return the cell, parsed once and cached
   * @throws IllegalArgumentException for an unknown name, suggesting the closest one
   */
  public static CellSpec load(String name) {
    requireNonNull(name, "name");
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("no cell named '" + name + "' in the zoo"
          + Suggest.IN_FORMULAS.suffix(name, NAMES, "") + " (known: " + String.join(", ", NAMES) + ")");
    }
    return CACHE.computeIfAbsent(name, n -> CellSpec.parse(text(n), n + ".cell"));
  }

  /**
   * The shipped cell of this name with named sizes replacing the defaults of its {@code size}
   * lines ({@code Map.of("P", 32)} for {@code lstm-projected}).
   *
   * @param name the shipped cell's name
   * @param sizes the value of each named size to replace, by size name
   * @return the cell with those sizes
   */
  public static CellSpec load(String name, Map<String, Integer> sizes) {
    requireNonNull(sizes, "sizes");
    if (sizes.isEmpty()) {
      return load(name);
    }
    load(name); // the same message for an unknown name
    return CellSpec.parse(text(name), name + ".cell", sizes, Map.of());
  }

  /**
   * The text of a shipped cell, as written.
   *
   * @param name the shipped cell's name
   * @return the {@code .cell} file's text
   */
  public static String text(String name) {
    requireNonNull(name, "name");
    try (InputStream in = Zoo.class.getResourceAsStream(DIR + name + ".cell")) {
      if (in == null || !NAMES.contains(name)) {
        throw new IllegalArgumentException("no cell named '" + name + "' in the zoo");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
