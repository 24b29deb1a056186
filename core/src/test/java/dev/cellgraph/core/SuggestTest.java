package dev.cellgraph.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The two rules of "did you mean": the formula language's and the command line's. */
class SuggestTest {
  @Test
  void inFormulasCaseIsIgnoredAndASwapIsOneEdit() {
    assertEquals(", did you mean 'tanh'?", Suggest.IN_FORMULAS.suffix("tahn", List.of("sigmoid", "tanh"), ""));
    assertEquals(", did you mean '\\sigma'?", Suggest.IN_FORMULAS.suffix("Sigm", List.of("sigma", "tanh"), "\\"));
    assertEquals("", Suggest.IN_FORMULAS.suffix("xyz", List.of("tanh"), ""));
    assertEquals("", Suggest.IN_FORMULAS.suffix("t".repeat(41), List.of("t".repeat(40)), ""));
    assertEquals(1, Suggest.IN_FORMULAS.distance("tahn", "tanh"));
  }

  @Test
  void onTheCommandLineCaseCountsAndASwapIsTwoEdits() {
    assertEquals("steps", Suggest.ON_COMMAND_LINE.closest("setps", List.of("seed", "steps")));
    assertEquals(2, Suggest.ON_COMMAND_LINE.distance("setps", "steps"));
    assertEquals("gru", Suggest.ON_COMMAND_LINE.closest("gruu", List.of("rnn", "lstm", "gru")));
    assertNull(Suggest.ON_COMMAND_LINE.closest("LSTM", List.of("lstm")));
    assertEquals("lstm", Suggest.IN_FORMULAS.closest("LSTM", List.of("lstm")));
    // two edits are allowed even in a short word, where the formula language allows one
    assertEquals("ab", Suggest.ON_COMMAND_LINE.closest("xy", List.of("ab")));
    assertEquals("", Suggest.IN_FORMULAS.suffix("xy", List.of("ab"), ""));
  }
}
