package dev.cellgraph.train.nn;

/** Argument checks with one message grammar. */
final class Checks {
  private Checks() {}

  static void positive(String what, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(what + " (" + value + ") must be at least 1");
    }
  }
}
