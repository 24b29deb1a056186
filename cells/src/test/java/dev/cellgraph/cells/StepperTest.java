package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cellgraph.autodiff.CompileOptions;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** {@link Stepper}: one step at a time gives {@link Recurrent#run}'s numbers, and refuses what it cannot run. */
class StepperTest {
  private static final int IN = 3;
  private static final int HID = 5;
  private static final int STEPS = 6;

  static Stream<Arguments> cells() {
    List<Arguments> all = new ArrayList<>();
    for (String b : List.of("rnn", "rnn-relu", "lstm", "gru")) {
      all.add(Arguments.of(b, BuiltinCell.named(b, true), IN));
    }
    all.add(Arguments.of("lstm (proj_size 2)", BuiltinCell.projectedLstm(true, 2), IN));
    for (String z : Zoo.names()) {
      // MUT1 and MUT2 add the input to a hidden vector: their input size is the hidden size
      all.add(Arguments.of("zoo " + z, FormulaCell.of(z, Zoo.load(z)), z.startsWith("mut") ? HID : IN));
    }
    return all.stream();
  }

  /**
   * The built-ins' steps are the same kernels in the same order as the compiled scan's; a formula
   * cell's compiled scan adds the input's products and biases before the loop (a different order
   * of the same sums), so it matches the interpreted scan to the bit and the compiled one to rounding.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cells")
  void steppingTStepsGivesRunsOutputsAndFinalStatesInFloat64(String name, Cell cell, int in) {
    for (int layers = 1; layers <= 2; layers++) {
      for (int batch : new int[] {1, 2}) {
        Recurrent layer = Recurrent.of(cell, in, HID, layers, false);
        Map<String, Tensor> params = layer.initialize(Rng.seeded(3), DType.FLOAT64);
        Tensor x = Initializers.normal(Rng.seeded(4), DType.FLOAT64, Shape.of(STEPS, batch, in), 0, 1);
        Recurrent.Result interpreted = layer.run(params, x, Map.of(), null, CompileOptions.interpreted());
        Recurrent.Result compiled = layer.run(params, x, Map.of(), null);
        Stepper stepper = layer.stepper(params, batch);
        List<Tensor> outs = new ArrayList<>();
        for (int t = 0; t < STEPS; t++) {
          outs.add(stepper.step(x.select(0, t)));
        }
        String where = name + ", " + layers + " layer(s), batch " + batch;
        double tol = cell instanceof BuiltinCell ? 0 : 1e-13;
        Tensor out = Tensor.stack(0, outs);
        assertArrayEquals(interpreted.output().toDoubleArray(), out.toDoubleArray(), 0, where);
        assertArrayEquals(compiled.output().toDoubleArray(), out.toDoubleArray(), tol, where);
        for (String s : cell.stateNames()) {
          Tensor fin = stepper.state(s);
          assertEquals(compiled.finalStates().get(s).shape(), fin.shape(), where + ", state " + s);
          assertArrayEquals(interpreted.finalStates().get(s).toDoubleArray(), fin.toDoubleArray(), 0,
              where + ", state " + s);
          assertArrayEquals(compiled.finalStates().get(s).toDoubleArray(), fin.toDoubleArray(), tol,
              where + ", state " + s);
        }
        assertEquals(STEPS, stepper.steps());
      }
    }
  }

  @Test
  void givenStatesAndResetStartAsRunsInitialStatesDoInFloat32() {
    Recurrent layer = Recurrent.of(BuiltinCell.named("lstm", true), IN, HID, 2, false);
    Map<String, Tensor> params = layer.initialize(Rng.seeded(5), DType.FLOAT32);
    Tensor x = Initializers.normal(Rng.seeded(6), DType.FLOAT32, Shape.of(STEPS, 1, IN), 0, 1);
    Map<String, Tensor> init = new LinkedHashMap<>();
    init.put("h", Initializers.normal(Rng.seeded(7), DType.FLOAT32, layer.stateShape("h", 1), 0, 1));
    init.put("c", Initializers.normal(Rng.seeded(8), DType.FLOAT32, layer.stateShape("c", 1), 0, 1));
    Recurrent.Result fromInit = layer.run(params, x, init, null);
    Recurrent.Result fromZero = layer.run(params, x, Map.of(), null);
    Stepper stepper = layer.stepper(params);
    assertEquals(DType.FLOAT32, stepper.dtype());
    init.forEach(stepper::setState);
    assertArrayEquals(init.get("c").toDoubleArray(), stepper.state("c").toDoubleArray(), 0);
    List<Tensor> outs = new ArrayList<>();
    for (int t = 0; t < STEPS; t++) {
      outs.add(stepper.step(x.select(0, t)));
    }
    assertArrayEquals(fromInit.output().toDoubleArray(), Tensor.stack(0, outs).toDoubleArray(), 0);
    assertArrayEquals(fromInit.finalStates().get("c").toDoubleArray(), stepper.state("c").toDoubleArray(), 0);
    stepper.reset();
    assertEquals(0, stepper.steps());
    Tensor last = null;
    for (int t = 0; t < STEPS; t++) {
      last = stepper.step(x.select(0, t));
    }
    assertArrayEquals(fromZero.output().select(0, STEPS - 1).toDoubleArray(), last.toDoubleArray(), 0);
    assertArrayEquals(fromZero.finalStates().get("h").toDoubleArray(), stepper.state("h").toDoubleArray(), 0);
  }

  @Test
  void anOutputKeptByTheCallerIsNotOverwrittenByLaterSteps() {
    // the projected LSTM's output is a product, whose array comes from the stepper's workspace
    Recurrent layer = Recurrent.of(BuiltinCell.projectedLstm(true, 2), IN, HID);
    Map<String, Tensor> params = layer.initialize(Rng.seeded(9), DType.FLOAT64);
    Stepper stepper = layer.stepper(params);
    Tensor x = Initializers.normal(Rng.seeded(10), DType.FLOAT64, Shape.of(1, IN), 0, 1);
    Tensor first = stepper.step(x);
    double[] before = first.toDoubleArray();
    for (int t = 0; t < 4; t++) {
      stepper.step(x);
    }
    assertArrayEquals(before, first.toDoubleArray(), 0);
  }

  @Test
  void wrongInputsAndStatesAreRefusedNamingTheShapes() {
    Recurrent layer = Recurrent.of(BuiltinCell.named("lstm", true), IN, HID, 2, false);
    Map<String, Tensor> params = layer.initialize(Rng.seeded(1), DType.FLOAT64);
    Stepper stepper = layer.stepper(params);
    InvalidInputException e = assertThrows(InvalidInputException.class,
        () -> stepper.step(Tensor.zeros(DType.FLOAT64, 1, 4)));
    assertEquals("recurrent lstm stepper: input must be float64[1, 3] (batch, input size), got float64[1, 4]",
        e.getMessage());
    e = assertThrows(InvalidInputException.class, () -> stepper.step(Tensor.zeros(DType.FLOAT32, 1, 3)));
    assertEquals("recurrent lstm stepper: input must be float64[1, 3] (batch, input size), got float32[1, 3]",
        e.getMessage());
    e = assertThrows(InvalidInputException.class, () -> stepper.setState("c", Tensor.zeros(DType.FLOAT64, 1, 1, 5)));
    assertEquals("recurrent lstm stepper: state 'c' must be float64[2, 1, 5] (layers, batch, size), got"
        + " float64[1, 1, 5]", e.getMessage());
    e = assertThrows(InvalidInputException.class, () -> stepper.state("z"));
    assertEquals("recurrent lstm stepper: unknown state 'z', the cell's states are [h, c]", e.getMessage());

    Map<String, Tensor> missing = new LinkedHashMap<>(params);
    missing.remove("bias_hh_l1");
    e = assertThrows(InvalidInputException.class, () -> layer.stepper(missing));
    assertEquals("recurrent lstm stepper: parameter 'bias_hh_l1' is missing", e.getMessage());
    Map<String, Tensor> wrong = new LinkedHashMap<>(params);
    wrong.put("weight_hh_l0", Tensor.zeros(DType.FLOAT64, 20, 4));
    e = assertThrows(InvalidInputException.class, () -> layer.stepper(wrong));
    assertEquals("recurrent lstm stepper: parameter 'weight_hh_l0' is float64[20, 4], expected float64[20, 5]",
        e.getMessage());

    Recurrent both = Recurrent.of(BuiltinCell.named("gru", true), IN, HID, 1, true);
    e = assertThrows(InvalidInputException.class, () -> both.stepper(both.initialize(Rng.seeded(2), DType.FLOAT32)));
    assertEquals("recurrent gru stepper: a bidirectional layer cannot run one step at a time (its reverse direction"
        + " starts at the end of the sequence); run the whole sequence with Recurrent.run", e.getMessage());
    IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> layer.stepper(params, 0));
    assertEquals("batch (0) must be at least 1", b.getMessage());
  }
}
