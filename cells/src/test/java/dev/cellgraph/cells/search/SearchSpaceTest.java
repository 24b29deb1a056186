package dev.cellgraph.cells.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SearchSpaceTest {
  private static SearchSpace spaceFor(CellSpec spec) {
    // cells that need I = H (MUT1-3) are searched at such sizes
    int input = spec.sizeRequirements().isEmpty() ? 3 : 4;
    return new SearchSpace(SearchSpace.Limits.of(input, 4, List.of(spec)), Grammar.defaults());
  }

  /** The candidate type-checks, is inside the space, and its text parses back to the same cell and hash. */
  private static void assertSound(SearchSpace space, Candidate c) {
    assertNull(space.check(c.spec()), c.text());
    CellSpec back = CellSpec.parse(c.text(), "back.cell");
    assertEquals(c.spec(), back, c.text());
    assertEquals(c.hash(), Canonical.hash(back));
    assertEquals(c.spec().toNormalizedString(), back.toNormalizedString());
  }

  @Test
  void everyMutationGivesValidCellsOnTheWholeZoo() {
    Set<Mutation> everProduced = EnumSet.noneOf(Mutation.class);
    for (String name : Zoo.names()) {
      CellSpec spec = Zoo.load(name);
      SearchSpace space = spaceFor(spec);
      Candidate seed = space.seed(name, spec);
      assertSound(space, seed);
      int kinds = 0;
      for (Mutation m : Mutation.values()) {
        Rng rng = Rng.seeded(m.ordinal());
        boolean produced = false;
        for (int k = 0; k < 8; k++) {
          Optional<Candidate> c = space.mutate(seed, m, rng);
          if (c.isPresent()) {
            assertSound(space, c.get());
            assertEquals(seed.hash(), c.get().parent());
            assertEquals(m.label(), c.get().mutation());
            produced = true;
          }
        }
        if (produced) {
          everProduced.add(m);
          kinds++;
        }
      }
      // every zoo cell has gates or activations, so most edits apply to it
      assertTrue(kinds >= 6, name + ": only " + kinds + " kinds of mutation gave a valid cell");
      long[] total = new long[5];
      space.stats().counts().values().forEach(v -> {
        for (int i = 0; i < 5; i++) {
          total[i] += v[i];
        }
      });
      assertEquals(total[0], total[1] + total[3] + total[4], name + ": every try is valid, invalid or not applicable");
    }
    assertEquals(EnumSet.allOf(Mutation.class), everProduced);
  }

  @Test
  void everyZooCellStartsASearchAndItsMutantsStayWithinTheLimits() {
    for (String name : Zoo.names()) {
      CellSpec spec = Zoo.load(name);
      SearchSpace space = spaceFor(spec);
      SearchSpace.Limits limits = space.limits();
      assertEquals(Math.max(12, spec.equations().size() + 4), limits.maxEquations(), name);
      Candidate c = space.seed(name, spec);
      Rng rng = Rng.seeded(5);
      // inserting gates grows the cell until the limit stops it
      for (int k = 0; k < 40; k++) {
        Optional<Candidate> next = space.mutate(c, Mutation.INSERT_GATE, rng);
        if (next.isPresent()) {
          c = next.get();
          assertTrue(c.spec().equations().size() <= limits.maxEquations(), name + ": " + c.text());
        }
      }
      assertEquals(limits.maxEquations(), c.spec().equations().size(), name + " grew to the limit");
      assertTrue(space.mutate(c, Mutation.INSERT_GATE, rng).isEmpty(), name + ": no gate beyond the limit");
    }
  }

  @Test
  void theLimitsFollowTheLargestStartingCell() {
    CellSpec ln = Zoo.load("ln-lstm");
    assertEquals(15, ln.equations().size());
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new SearchSpace(SearchSpace.Limits.of(3, 4), Grammar.defaults()).seed("ln-lstm", ln));
    assertEquals("cell ln-lstm cannot start the search: 15 equations, more than 12", e.getMessage());
    assertEquals(new SearchSpace.Limits(3, 4, 19, 64), SearchSpace.Limits.of(3, 4, List.of(Zoo.load("gru"), ln)));
    assertEquals(new SearchSpace.Limits(3, 4, 12, 64), SearchSpace.Limits.of(3, 4, List.of(Zoo.load("gru"))));
    CellSpec wide = CellSpec.parse("h' = tanh(W @ h + U @ x + " + "h * ".repeat(40) + "h)", "wide.cell");
    int nodes = Trees.size(wide.equations().get(0).expr());
    assertTrue(nodes > 64, "a formula larger than the default: " + nodes);
    assertEquals(new SearchSpace.Limits(3, 4, 12, nodes + 32), SearchSpace.Limits.of(3, 4, List.of(wide)));
  }

  @Test
  void mutationsAreSeeded() {
    SearchSpace space = spaceFor(Zoo.load("lstm"));
    Candidate lstm = space.seed("lstm", Zoo.load("lstm"));
    List<String> a = new ArrayList<>();
    List<String> b = new ArrayList<>();
    Rng ra = Rng.seeded(7);
    Rng rb = Rng.seeded(7);
    for (int k = 0; k < 30; k++) {
      a.add(space.mutate(lstm, ra).orElseThrow().text());
      b.add(space.mutate(lstm, rb).orElseThrow().text());
    }
    assertEquals(a, b);
  }

  @Test
  void aRemovedGateLeavesNoDeadFormula() {
    SearchSpace space = spaceFor(Zoo.load("gru"));
    Candidate gru = space.seed("gru", Zoo.load("gru"));
    Rng rng = Rng.seeded(3);
    boolean shrunk = false;
    for (int k = 0; k < 40; k++) {
      Optional<Candidate> c = space.mutate(gru, Mutation.REMOVE_GATE, rng);
      if (c.isPresent() && c.get().spec().intermediates().size() < 3) {
        shrunk = true;
        // every intermediate left is read by some formula
        for (String i : c.get().spec().intermediates()) {
          assertTrue(c.get().spec().equations().stream().anyMatch(e -> e.expr().toString().matches(".*\\b" + i + "\\b.*")),
              c.get().text());
        }
      }
    }
    assertTrue(shrunk, "removing the reset gate's product leaves r unused, and r is removed");
    assertTrue(space.stats().counts().get("remove-gate")[2] > 0, "the repair is counted");
  }

  @Test
  void randomCellsAreValidAndSeeded() {
    SearchSpace space = new SearchSpace(SearchSpace.Limits.of(2, 4), Grammar.defaults());
    Rng r1 = Rng.seeded(11);
    Rng r2 = Rng.seeded(11);
    Set<String> hashes = new java.util.HashSet<>();
    for (int k = 0; k < 50; k++) {
      Candidate c = space.random(r1).orElseThrow();
      assertSound(space, c);
      assertEquals(c.text(), space.random(r2).orElseThrow().text());
      assertTrue(c.spec().equations().size() <= 5, c.text());
      hashes.add(c.hash());
    }
    assertTrue(hashes.size() > 40, "50 draws give mostly different cells: " + hashes.size());
  }

  @Test
  void crossoverMovesAStateFormulaWithWhatItNeeds() {
    SearchSpace space = spaceFor(Zoo.load("gru"));
    Candidate gru = space.seed("gru", Zoo.load("gru"));
    Candidate mgu = space.seed("mgu", Zoo.load("mgu"));
    Candidate child = space.crossover(gru, mgu, Rng.seeded(1)).orElseThrow();
    assertSound(space, child);
    // the GRU's gates are no longer read and are removed; the MGU's two formulas came along, renamed
    assertEquals(2, child.spec().intermediates().size(), child.text());
    assertEquals(Canonical.hash(Zoo.load("mgu")), child.hash(), "the child computes exactly the MGU");
    assertTrue(space.crossover(space.seed("lstm", Zoo.load("lstm")),
        space.seed("lstm-peephole", Zoo.load("lstm-peephole")), Rng.seeded(1)).isEmpty(),
        "h, c and y, c share only c, whose formula in the peephole LSTM reads y");
  }
}
