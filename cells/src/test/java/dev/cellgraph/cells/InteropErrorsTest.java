package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code cellgraph run} says about wrong weights and inputs: the tensor at fault, both shapes. */
class InteropErrorsTest {
  private static Map<String, Tensor> read(String kase, String file) throws Exception {
    Path dir = PyTorchParityTest.golden("pytorch").resolve(kase);
    return new LinkedHashMap<>(SafeTensors.read(dir.resolve(file + ".safetensors")));
  }

  private static String configureError(String cell, Map<String, Tensor> weights, Tensor input) {
    return assertThrows(InvalidInputException.class,
        () -> Interop.configure(cell, null, weights, input, Interop.Request.none())).getMessage();
  }

  @Test
  void aWrongShapedRecurrentWeightIsReportedAsItselfNotAsTheInputWeight() throws Exception {
    Map<String, Tensor> w = read("lstm", "weights");
    w.put("weight_hh_l0", Tensor.zeros(DType.FLOAT64, Shape.of(16, 5)));
    assertEquals("weight 'weight_hh_l0' is [16, 5], expected [16, 4] (Recurrent lstm (input 3, hidden 4, 1 layer))",
        configureError("lstm", w, read("lstm", "input").get("input")));
  }

  @Test
  void aWrongInputFeatureSizeBlamesTheInputNotTheWeights() throws Exception {
    Map<String, Tensor> w = read("lstm", "weights");
    Map<String, Tensor> in = read("lstm", "input");
    in.put("input", Tensor.zeros(DType.FLOAT64, Shape.of(5, 2, 7)));
    Interop.Configured conf = Interop.configure("lstm", null, w, in.get("input"), Interop.Request.none());
    assertEquals(3, conf.layer().inputSize());
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Interop.run(conf, w, in));
    assertEquals("input is [5, 2, 7]: 7 features, but the weights take 3 (weight_ih_l0 is [16, 3]); "
        + "expected [T, B, 3]", e.getMessage());
  }

  @Test
  void aFormulaCellsWrongInputFeatureSizeBlamesTheInputToo() throws Exception {
    Path dir = PyTorchParityTest.golden("cells").resolve("gru-ascii");
    Cell cell = FormulaCell.of("gru-ascii", dev.cellgraph.cells.lang.CellSpec.parse(
        java.nio.file.Files.readString(dir.resolve("cell.cell")), "cell.cell"));
    Map<String, Tensor> w = SafeTensors.read(dir.resolve("weights.safetensors"));
    Map<String, Tensor> in = new LinkedHashMap<>(SafeTensors.read(dir.resolve("input.safetensors")));
    in.put("input", Tensor.zeros(DType.FLOAT64, Shape.of(6, 2, 4)));
    Interop.Configured conf = Interop.configure(null, cell, w, in.get("input"), Interop.Request.none());
    assertEquals("Recurrent gru-ascii (input 3, hidden 5, 1 layer)", conf.layer().toString());
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Interop.run(conf, w, in));
    assertEquals("input is [6, 2, 4]: 4 features, but the weights take 3 (W_ir is [5, 3]); expected [T, B, 3]",
        e.getMessage());
  }

  @Test
  void mixedDtypesNameTheOddTensorOut() throws Exception {
    Map<String, Tensor> w = read("lstm", "weights");
    // the odd one first: it must not be taken as the norm
    Map<String, Tensor> first = new LinkedHashMap<>();
    first.put("weight_ih_l0", w.remove("weight_ih_l0").to(DType.FLOAT32));
    first.putAll(w);
    assertEquals("weights mix dtypes: 'weight_ih_l0' is float32, while the other 3 are float64; all must have one "
        + "dtype", configureError("lstm", first, null));
    Map<String, Tensor> half = new LinkedHashMap<>(first);
    half.put("bias_ih_l0", half.get("bias_ih_l0").to(DType.FLOAT32));
    assertEquals("weights mix dtypes: 'weight_ih_l0', 'bias_ih_l0' are float32, 'weight_hh_l0', 'bias_hh_l0' are "
        + "float64; all must have one dtype", configureError("lstm", half, null));
  }

  @Test
  void theWeightsOfAnotherBuiltinCellAreNamed() throws Exception {
    Map<String, Tensor> w = read("gru", "weights");
    assertEquals("weight 'weight_hh_l0' is [12, 4], expected [12, 3] (Recurrent lstm (input 3, hidden 3, 1 layer)); "
        + "these are gru weights (--cell gru)", configureError("lstm", w, read("gru", "input").get("input")));
  }

  @Test
  void aProjectedLstmIsReadFromWeightHrAndItsShapesAreNamed() throws Exception {
    Map<String, Tensor> w = read("lstm-proj-2layer", "weights");
    Map<String, Tensor> in = read("lstm-proj-2layer", "input");
    Interop.Configured conf = Interop.configure("lstm", null, w, in.get("input"), Interop.Request.none());
    assertEquals("Recurrent lstm (input 4, hidden 5, proj_size 2, 2 layers)", conf.layer().toString());
    assertEquals(Shape.of(2, 3, 2), conf.layer().stateShape("h", 3));
    assertEquals(Shape.of(2, 3, 5), conf.layer().stateShape("c", 3));
    // weight_hh of an LSTM without the projection's columns
    Map<String, Tensor> unprojected = new LinkedHashMap<>(w);
    unprojected.put("weight_hh_l1", Tensor.zeros(DType.FLOAT64, Shape.of(20, 5)));
    assertEquals("weight 'weight_hh_l1' is [20, 5], expected [20, 2] (Recurrent lstm (input 4, hidden 5, proj_size 2, "
        + "2 layers))", configureError("lstm", unprojected, in.get("input")));
    Map<String, Tensor> noProjection = new LinkedHashMap<>(w);
    noProjection.remove("weight_hr_l1");
    assertEquals("weight 'weight_hr_l1' [2, 5] is missing (Recurrent lstm (input 4, hidden 5, proj_size 2, 2 layers))",
        configureError("lstm", noProjection, in.get("input")));
    Map<String, Tensor> square = new LinkedHashMap<>(w);
    square.put("weight_hr_l0", Tensor.zeros(DType.FLOAT64, Shape.of(5, 5)));
    assertEquals("weight 'weight_hr_l0' (an LSTM's projection) must be [P, H] with proj_size P smaller than the "
        + "hidden size H, got [5, 5]", configureError("lstm", square, in.get("input")));
    assertEquals("weight 'weight_hr_l0' is the projection of an LSTM with proj_size, which a gru does not have",
        configureError("gru", w, in.get("input")));
    in.put("h0", Tensor.zeros(DType.FLOAT64, Shape.of(2, 3, 5)));
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> Interop.run(conf, w, in));
    assertEquals("initial state 'h0' is [2, 3, 5], expected [2, 3, 2] (the input [5, 3, 4] read as time-major [T, B, I])", e.getMessage());
  }

  @Test
  void theProjectionIsRefusedWhereItCannotBe() {
    assertEquals("proj_size (0) must be at least 1",
        assertThrows(IllegalArgumentException.class, () -> BuiltinCell.projectedLstm(true, 0)).getMessage());
    Recurrent layer = Recurrent.of(BuiltinCell.projectedLstm(true, 4), 3, 4);
    assertEquals("proj_size (4) must be smaller than the hidden size (4)",
        assertThrows(IllegalArgumentException.class, layer::parameterShapes).getMessage());
  }
}
