package dev.cellgraph.cells.lang;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ZooTest {
  static Stream<String> names() {
    return Zoo.names().stream();
  }

  @ParameterizedTest
  @MethodSource("names")
  void everyZooCellParsesAndRoundTripsThroughTheNormalizedNotation(String name) {
    CellSpec spec = Zoo.load(name);
    String normalized = spec.toNormalizedString();
    CellSpec again = CellSpec.parse(normalized, name + "-normalized.cell");
    assertEquals(spec, again);
    assertEquals(normalized, again.toNormalizedString());
    // a bar accent (Greff's z̄) has no ASCII spelling: the normalized form writes it ¯
    assertEquals(normalized.contains("¯") ? Notation.UNICODE : Notation.ASCII, again.notation());
    assertTrue(spec.parameterCount(128, 128) > 0);
  }

  @Test
  void everyResourceIsListed() throws IOException {
    Path dir = Path.of("src/main/resources/dev/cellgraph/cells/zoo");
    Set<String> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.map(p -> p.getFileName().toString().replaceAll("\\.cell$", "")).collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(files, new TreeSet<>(Zoo.names()));
  }

  @Test
  void notationsAreMixed() {
    Set<Notation> used = Zoo.names().stream().map(n -> Zoo.load(n).notation()).collect(Collectors.toSet());
    assertEquals(Set.of(Notation.LATEX, Notation.UNICODE, Notation.ASCII), used);
  }

  /** The numbers docs/cells.md prints: a GRU has three quarters of an LSTM's parameters. */
  @Test
  void parameterCountsAtI128H128() {
    Map<String, Long> expected = Map.ofEntries(
        Map.entry("rnn", 33_024L), Map.entry("rnn-relu", 33_024L), Map.entry("gru", 99_072L),
        Map.entry("lstm", 132_096L), Map.entry("simple-rnn", 49_152L), Map.entry("colah-lstm", 131_584L),
        Map.entry("lstm-peephole", 131_968L), Map.entry("lstm-nig", 98_944L), Map.entry("lstm-nfg", 98_944L),
        Map.entry("lstm-nog", 98_944L), Map.entry("lstm-niaf", 131_968L), Map.entry("lstm-noaf", 131_968L),
        Map.entry("lstm-np", 131_584L), Map.entry("lstm-cifg", 98_944L), Map.entry("lstm-fgr", 279_424L),
        Map.entry("mut1", 65_920L), Map.entry("mut2", 82_304L), Map.entry("mut3", 98_688L),
        Map.entry("mgu", 65_792L), Map.entry("lstm-vanilla", 131_968L), Map.entry("lstm-projected", 107_392L),
        Map.entry("d2l-gru", 98_688L), Map.entry("ln-lstm", 133_888L), Map.entry("janet", 65_792L),
        Map.entry("lstm-keras-hard", 131_584L), Map.entry("lstm-graves", 131_968L));
    assertEquals(expected.keySet(), Set.copyOf(Zoo.names()));
    expected.forEach((name, count) -> assertEquals(count, Zoo.load(name).parameterCount(128, 128), name));
  }

  /**
   * Ba et al.'s eqs. (20)-(22) imply W_h [4H, H], W_x [4H, I], one bias b [4H], a gain and a bias
   * of 4H for each of the two gate normalizations and of H for the cell's: 4H(H + I) + 4H + 4·4H + 2H.
   */
  @Test
  void lnLstmHasTheParametersThePaperImplies() {
    CellSpec spec = Zoo.load("ln-lstm");
    int h = 128;
    assertEquals(4L * h * (h + h) + 4 * h + 4 * 4 * h + 2 * h, spec.parameterCount(h, h));
    assertEquals("[W_h [4H, H], W_x [4H, I], alpha_1 [4H], beta_1 [4H], alpha_2 [4H], beta_2 [4H], b [4H], alpha_3 [H],"
        + " beta_3 [H]]", spec.parameters().stream().map(p -> p.name() + " " + p.dims()).toList().toString());
    assertEquals(Map.of("epsilon", 1e-5), spec.constants());
  }

  /** Graves's peepholes are declared diagonal and stored as their diagonals; JANET's beta is a constant. */
  @Test
  void gravesPeepholesAreDiagonalAndJanetsBetaIsAConstant() {
    CellSpec graves = Zoo.load("lstm-graves");
    for (String w : new String[] {"W_ci", "W_cf", "W_co"}) {
      assertEquals(Parameter.Role.DIAGONAL, graves.parameter(w).role(), w);
      assertArrayEquals(new int[] {5}, graves.parameter(w).shape(3, 5), w);
    }
    CellSpec janet = Zoo.load("janet");
    assertEquals(Map.of("beta", 1.0), janet.constants());
    assertEquals(2.5, janet.withConstants(Map.of("beta", 2.5)).constants().get("beta"));
  }

  @Test
  void pytorchCellsUsePyTorchNames() {
    assertEquals("[W_ii, b_ii, W_hi, b_hi, W_if, b_if, W_hf, b_hf, W_ig, b_ig, W_hg, b_hg, W_io, b_io, W_ho, b_ho]",
        Zoo.load("lstm").parameters().stream().map(Parameter::name).toList().toString());
    assertEquals("[h, c]", Zoo.load("lstm").states().toString());
    assertEquals("n = tanh(W_in @ x + b_in + r * (W_hn @ h + b_hn))",
        Zoo.load("gru").toNormalizedString().lines().filter(l -> l.startsWith("n =")).findFirst().orElseThrow());
  }

  @Test
  void unknownNameSuggests() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Zoo.load("gru2"));
    assertTrue(e.getMessage().startsWith("no cell named 'gru2' in the zoo, did you mean 'gru'? (known: rnn, "),
        e.getMessage());
  }
}
