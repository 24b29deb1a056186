package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scan compiler never fails where the interpreter succeeds, and gives the interpreter's
 * numbers: random formula cells (several states, inputs, parameters, every function and operator
 * of the language, matrix products, concatenations) run forward and backward with the compiler on
 * and off give the same outputs, final states and gradients to 1e-12 in float64, as
 * {@link OptimizedScanTest} establishes for the zoo.
 */
@Tag("fuzz")
class ScanDifferentialTest {
  /**
   * Random cells: each try parses, builds and runs a cell twice (about 10 ms), so the count is
   * fixed at 300 tries to keep the class at a few seconds. The long run (-Pfuzz, which sets
   * {@code jqwik.tries.default} to 100,000) runs one cell per 1,000 of that count in each try:
   * 30,000 cells.
   */
  @Property(seed = "20261201", tries = 300)
  void compiledAndInterpretedScansAgreeOnRandomCells(@ForAll long seed) {
    Random r = new Random(seed);
    int cells = Math.max(1, Integer.getInteger("jqwik.tries.default", 1000) / 1000);
    for (int k = 0; k < cells; k++) {
      String text = new CellGenerator(r).cell();
      int hidden = 1 + r.nextInt(4);
      int input = text.contains("# needs I = H") ? hidden : 1 + r.nextInt(4);
      int batch = 1 + r.nextInt(3);
      int steps = 1 + r.nextInt(5);
      assertAgree(text, input, hidden, batch, steps, seed + k);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "state h\nh' = h + x\n",                    // an accumulator of x whose gradient is its own carry
      "h' = c + h\nc' = b\n",                     // a carry whose gradient the loop must compute
      "h' = c * h\nc' = m * (h * (z @ c))\n",     // groups that a merge would join into a cycle
      "h' = tanh(W @ [h, x, h, x] + b)\n"})
  void cellsFromTheReliabilityIssueRunCompiled(String text) {
    assertAgree(text, 4, 4, 2, 3, 1);
    assertAgree(text, 4, 4, 2, 1, 2);
  }

  @Test
  void fusionDoesNotJoinTwoGroupsThatAThirdGroupLiesBetween() {
    // found by the property: a merge that the node graph allows closes a cycle through a group
    assertAgree("h' = ((V0 @ x) - ((W1 @ x) + (W2 @ x))) * ((relu(W3 @ x)) - (U4 @ [x, x, x]))\n"
        + "c' = -((W5 @ x) + (x))\n", 1, 1, 3, 2, -2207739);
  }

  @Test
  void aZeroSizeBatchRunsCompiled() {
    assertAgree("h' = tanh(W @ x + U @ h + b)\n", 3, 2, 0, 3, 1);
  }

  @Test
  void aZeroSizeStateRunsCompiled() {
    assertAgree("h' = tanh(W @ x + U @ h + b)\n", 2, 0, 2, 3, 1);
  }

  @Test
  void aConcatenationOfFiveThousandPartsCompiles() {
    StringBuilder parts = new StringBuilder("x");
    for (int i = 1; i < 5000; i++) {
      parts.append(", x");
    }
    String text = "h' = tanh(W @ [" + parts + "] + U @ h)\n";
    // on a small stack, so that a recursion as deep as the parts would overflow it
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(null, () -> {
      try {
        assertAgree(text, 2, 2, 1, 2, 1);
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, "small stack", 1 << 20);
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    if (failure[0] != null) {
      throw new AssertionError(failure[0]);
    }
  }

  private static void assertAgree(String text, int input, int hidden, int batch, int steps, long seed) {
    CellSpec spec;
    Recurrent layer;
    Recurrent.Result off;
    try {
      spec = CellSpec.parse(text, "random.cell");
      layer = Recurrent.of(FormulaCell.of("random", spec), input, hidden);
      off = run(layer, false, seed, batch, steps);
    } catch (IllegalArgumentException e) {
      return; // a cell the interpreter does not run (sizes it does not accept) is not compared
    }
    String what = text + "(I = " + input + ", H = " + hidden + ", batch " + batch + ", " + steps + " steps)";
    long declines = Scan.declineCount();
    Recurrent.Result on = run(layer, true, seed, batch, steps);
    // a declined scan runs interpreted: the same numbers, but the compiler failed
    assertEquals(declines, Scan.declineCount(), () -> what + " runs interpreted but not compiled: "
        + Scan.lastDecline());
    close(what + " output", on.output(), off.output());
    assertEquals(off.finalStates().keySet(), on.finalStates().keySet());
    for (String s : off.finalStates().keySet()) {
      close(what + " final " + s, on.finalStates().get(s), off.finalStates().get(s));
    }
    assertEquals(off.gradients().keySet(), on.gradients().keySet());
    for (String g : off.gradients().keySet()) {
      close(what + " gradient of " + g, on.gradients().get(g), off.gradients().get(g));
    }
  }

  private static Recurrent.Result run(Recurrent layer, boolean optimize, long seed, int batch, int steps) {
    Rng rng = Rng.seeded(seed);
    DType dtype = DType.FLOAT64;
    Map<String, Tensor> params = layer.initialize(rng, dtype);
    Tensor x = Initializers.normal(rng, dtype, Shape.of(steps, batch, layer.inputSize()), 0, 1);
    Map<String, Tensor> states = new LinkedHashMap<>();
    for (String s : layer.cell().stateNames()) {
      states.put(s, Initializers.normal(rng, dtype, layer.stateShape(s, batch), 0, 0.5));
    }
    Tensor gradOut = Initializers.normal(rng, dtype, Shape.of(steps, batch, layer.outputSize()), 0, 1);
    return layer.run(params, x, states, gradOut, optimize ? CompileOptions.all() : CompileOptions.interpreted());
  }

  private static void close(String what, Tensor a, Tensor b) {
    assertTrue(a.allClose(b, 1e-12, 1e-12), what + ": max difference " + a.maxAbsDiff(b));
  }

  /**
   * Random cells in primed notation: one to three states of size H, intermediates, and
   * expressions of size H over the states, the input (through a matrix, or directly when the
   * cell says it needs I = H), vector parameters, numbers, every function, the four operators,
   * negation, matrix products of any expression and concatenations. Functions that are not
   * defined everywhere get arguments in their domain, so no value is NaN.
   */
  static final class CellGenerator {
    private static final String[] SAFE = {"tanh", "sigmoid", "relu", "softsign", "abs", "softplus"};
    private final Random r;
    private final List<String> names = new ArrayList<>();
    private int params;
    private boolean inputDirect;

    CellGenerator(Random r) {
      this.r = r;
    }

    String cell() {
      int states = 1 + r.nextInt(3);
      String[] st = {"h", "c", "s"};
      List<String> lines = new ArrayList<>();
      for (int i = 0; i < states; i++) {
        names.add(st[i]);
      }
      int inter = r.nextInt(3);
      for (int i = 0; i < inter; i++) {
        String a = "a" + i;
        lines.add(a + " = " + expr(3));
        names.add(a);
      }
      for (int i = 0; i < states; i++) {
        lines.add(st[i] + "' = " + expr(3));
      }
      StringBuilder sb = new StringBuilder();
      if (inputDirect) {
        sb.append("# needs I = H\n");
      }
      sb.append("input x\nstate ");
      for (int i = 0; i < states; i++) {
        sb.append(i > 0 ? ", " : "").append(st[i]);
      }
      sb.append('\n');
      for (String l : lines) {
        sb.append(l).append('\n');
      }
      return sb.toString();
    }

    private String param(String prefix) {
      return prefix + params++;
    }

    private String leaf() {
      switch (r.nextInt(7)) {
        case 0:
          return param("b");
        case 1:
          return String.valueOf(1 + r.nextInt(3)) + (r.nextBoolean() ? "" : ".5");
        case 2:
          return param("W") + " @ x";
        case 3:
          if (r.nextInt(3) == 0) {
            inputDirect = true;
            return "x";
          }
          return param("V") + " @ x";
        default:
          return names.get(r.nextInt(names.size()));
      }
    }

    /** An expression that is not a number alone: what a product's right operand or a part must be. */
    private String vector(int depth) {
      String e = expr(depth);
      return e.matches("[-() 0-9.]*") ? names.get(r.nextInt(names.size())) : e;
    }

    private String expr(int depth) {
      if (depth == 0 || r.nextInt(4) == 0) {
        return leaf();
      }
      switch (r.nextInt(12)) {
        case 0:
        case 1:
          return SAFE[r.nextInt(SAFE.length)] + "(" + expr(depth - 1) + ")";
        case 2:
          return "exp(tanh(" + expr(depth - 1) + "))";
        case 3: {
          String e = expr(depth - 1);
          return "log(1 + (" + e + ") * (" + e + "))";
        }
        case 4:
          return "(" + expr(depth - 1) + ") / (2 + sigmoid(" + expr(depth - 1) + "))";
        case 5:
          return "-(" + expr(depth - 1) + ")";
        case 6:
          return param("U") + " @ (" + vector(depth - 1) + ")";
        case 7: {
          int parts = 2 + r.nextInt(3);
          StringBuilder sb = new StringBuilder(param("U")).append(" @ [");
          for (int i = 0; i < parts; i++) {
            sb.append(i > 0 ? ", " : "").append(r.nextBoolean() ? "x" : vector(depth - 1));
          }
          return sb.append("]").toString();
        }
        case 8:
          return "(" + expr(depth - 1) + ") - (" + expr(depth - 1) + ")";
        case 9:
          return "(" + expr(depth - 1) + ") * (" + expr(depth - 1) + ")";
        default:
          return "(" + expr(depth - 1) + ") + (" + expr(depth - 1) + ")";
      }
    }
  }
}
