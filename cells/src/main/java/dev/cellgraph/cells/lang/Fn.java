package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.Locale;

/**
 * The functions a formula may apply, elementwise, to a vector. This is the one table of
 * them: adding a function is adding a row (its canonical name first, then every spelling
 * the formula language accepts; a LaTeX command {@code \name} is accepted for each
 * spelling, so {@code \tanh} and {@code \sigma} come for free).
 */
public enum Fn {
  SIGMOID("sigmoid", "sigma", "sigm", "σ"),
  TANH("tanh"),
  RELU("relu", "ReLU"),
  EXP("exp"),
  LOG("log", "ln"),
  SOFTPLUS("softplus"),
  SOFTSIGN("softsign"),
  ABS("abs");

  private final ImmutableList<String> spellings;

  Fn(String name, String... aliases) {
    this.spellings = ImmutableList.<String>builder().add(name).add(aliases).build();
  }

  /** The canonical name, used by the normalized notation: {@code sigmoid}, {@code tanh}, ... */
  public String canonicalName() {
    return spellings.get(0);
  }

  /** Every spelling the formula language accepts for this function, canonical name first. */
  public ImmutableList<String> spellings() {
    return spellings;
  }

  /** Applies this function to this expression: {@code Fn.TANH.of(x)}. */
  public Expr of(Expr argument) {
    return Expr.apply(this, argument);
  }

  private static final ImmutableMap<String, Fn> BY_SPELLING;

  static {
    ImmutableMap.Builder<String, Fn> b = ImmutableMap.builder();
    for (Fn f : values()) {
      for (String s : f.spellings) {
        b.put(s, f);
      }
    }
    BY_SPELLING = b.buildOrThrow();
  }

  /** The function spelled so, or null. */
  static Fn bySpelling(String spelling) {
    return BY_SPELLING.get(spelling);
  }

  /** Every accepted spelling, for suggestions and for recognizing function words. */
  static ImmutableList<String> allSpellings() {
    return BY_SPELLING.keySet().asList();
  }

  @Override
  public String toString() {
    return canonicalName().toLowerCase(Locale.ROOT);
  }
}
