package dev.cellgraph.cells.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.Plan;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.statistics.Statistics;

/**
 * The formula language's guarantees, over generated texts: parsing ends, quickly, in a spec or
 * in the language's own located {@link CellFormulaException}, never another exception; the
 * normalized form of every spec parses back to an equal spec with the same normalized form;
 * shapes for given sizes are a {@link ShapeInfo} or a located error; and a spec whose shapes are
 * proved builds as a {@link FormulaCell} and runs a step.
 */
@Tag("fuzz")
class CellLanguagePropertyTest {
  /** Per case: generous for a loaded two-core machine, far below what the quadratic lexer took. */
  private static final long MAX_NANOS_PER_CASE = 2_000_000_000L;
  private static final int[][] SIZES = {{1, 1}, {3, 4}, {4, 4}, {2, 7}};

  @Property(seed = "20150315")
  void randomUnicodeGivesASpecOrALocatedError(@ForAll("unicode") String text) {
    check(text, "random");
  }

  @Property(seed = "1997")
  void randomBytesGiveASpecOrALocatedError(@ForAll("bytes") byte[] bytes) {
    check(new String(bytes, StandardCharsets.UTF_8), "bytes");
  }

  @Property(seed = "2014")
  void grammarGeneratedCellsParseAndReadBack(@ForAll("grammar") String text) {
    boolean parsed = check(text, "grammar");
    Statistics.label("grammar").collect(parsed ? "parsed" : "refused");
    Statistics.label("grammar").coverage(c -> c.check("parsed").percentage(p -> p > 60));
  }

  @Property(seed = "7")
  void mutatedZooCellsGiveASpecOrALocatedError(@ForAll("zoo") String text) {
    check(text, "zoo");
  }

  @Property(seed = "1409")
  void latexFragmentsGiveASpecOrALocatedError(@ForAll("latex") String text) {
    check(text, "latex");
  }

  @Property(seed = "1016")
  void statementCellsGiveASpecOrALocatedError(@ForAll("statementCells") String text) {
    boolean parsed = check(text, "statements");
    Statistics.label("statements").collect(parsed ? "parsed" : "refused");
    Statistics.label("statements").coverage(c -> c.check("parsed").percentage(p -> p > 20));
  }

  @Property(seed = "31")
  void declaredSizesGiveShapesOrALocatedError(@ForAll("sized") String text) {
    check(text, "sized");
  }

  // building and running a step costs about a millisecond: 200 cells keep this near a second
  @Property(seed = "42", tries = 200)
  void cellsWhoseShapesAreProvedBuildAndRunAStep(@ForAll("grammar") String text) {
    CellSpec spec;
    try {
      spec = CellSpec.parse(text, "fuzz.cell");
    } catch (CellFormulaException e) {
      return;
    }
    if (spec.inputs().size() != 1) {
      return;
    }
    for (int[] s : SIZES) {
      try {
        spec.shapes(s[0], s[1]);
      } catch (CellFormulaException e) {
        continue; // a located refusal, checked in check()
      }
      Function step = FormulaCell.of("fuzz", spec).step(DType.FLOAT64, 2, s[0], s[1]);
      Rng rng = Rng.seeded(1);
      Map<Node, Tensor> feeds = new HashMap<>();
      for (Node p : step.params()) {
        feeds.put(p, Initializers.normal(rng, DType.FLOAT64, p.shape(), 0, 0.5));
      }
      List<Tensor> out = Plan.evaluate(step.results(), feeds);
      assertEquals(spec.states().size() + 1, out.size());
      for (int k = 0; k < spec.states().size(); k++) {
        int size = spec.shapes(s[0], s[1]).ofVariable(spec.states().get(k));
        assertEquals(List.of(2, size), Arrays.stream(out.get(k).shape().toArray()).boxed().toList(), text);
      }
    }
  }

  /** Parses, prints, parses again; returns whether the text was a cell. */
  static boolean check(String text, String kind) {
    long start = System.nanoTime();
    boolean parsed;
    try {
      CellSpec spec = CellSpec.parse(text, "fuzz.cell");
      String normalized = spec.toNormalizedString();
      CellSpec again;
      try {
        again = CellSpec.parse(normalized, "normalized.cell");
      } catch (CellFormulaException e) {
        throw new AssertionError("the normalized form does not parse: " + e.getMessage() + "\nof:\n" + text
            + "\n---\n" + normalized, e);
      }
      assertEquals(spec, again, () -> "the normalized form reads back as another cell:\n" + text + "\n---\n" + normalized);
      assertEquals(normalized, again.toNormalizedString(), () -> "the normalized form changes:\n" + text);
      for (int[] s : SIZES) {
        try {
          ShapeInfo info = spec.shapes(s[0], s[1]);
          for (String v : spec.states()) {
            assertTrue(info.ofVariable(v) > 0);
          }
        } catch (CellFormulaException e) {
          assertLocated(e, spec, text);
        }
      }
      parsed = true;
    } catch (CellFormulaException e) {
      assertEquals("fuzz.cell", e.sourceName());
      assertTrue(e.getMessage().startsWith("fuzz.cell"), e.getMessage());
      if (e.line() > 0) {
        assertEquals(new Source("fuzz.cell", text.startsWith("\uFEFF") ? " " + text.substring(1) : text)
            .lineText(e.line()), e.sourceLine(), "the error's line");
      } else {
        assertTrue(e.detail().startsWith("cell text too large") || e.detail().startsWith("cell too large"),
            () -> "an error without a place: " + e.getMessage() + "\nfor:\n" + text);
      }
      parsed = false;
    }
    long took = System.nanoTime() - start;
    assertTrue(took < MAX_NANOS_PER_CASE, () -> kind + " case took " + took / 1_000_000 + " ms:\n" + text);
    return parsed;
  }

  private static void assertLocated(CellFormulaException e, CellSpec spec, String text) {
    assertEquals("fuzz.cell", e.sourceName());
    assertTrue(e.line() > 0, () -> "a size error without a place: " + e.getMessage() + "\nfor:\n" + text);
  }

  @Provide
  Arbitrary<String> unicode() {
    return Arbitraries.strings().all().ofMaxLength(60);
  }

  @Provide
  Arbitrary<byte[]> bytes() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(80);
  }

  @Provide
  Arbitrary<String> grammar() {
    return CellTexts.grammarCells();
  }

  @Provide
  Arbitrary<String> zoo() {
    return CellTexts.zooMutations();
  }

  @Provide
  Arbitrary<String> latex() {
    return CellTexts.latexFragments();
  }

  @Provide
  Arbitrary<String> statementCells() {
    return CellTexts.statementCells();
  }

  @Provide
  Arbitrary<String> sized() {
    return CellTexts.sizedCells();
  }
}
