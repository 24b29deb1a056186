package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.core.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code nn.LSTM(proj_size=P)}: PyTorch's names and shapes, and the gradient in float64. */
class ProjectedLstmTest {
  @Test
  void parametersStatesAndOutputHaveTorchsNamesAndShapes() {
    int in = 3;
    int hid = 5;
    int p = 2;
    Recurrent layer = Recurrent.of(BuiltinCell.projectedLstm(true, p), in, hid, 2, true);
    Map<String, Shape> want = new LinkedHashMap<>();
    for (int l = 0; l < 2; l++) {
      for (String rev : new String[] {"", "_reverse"}) {
        want.put("weight_ih_l" + l + rev, Shape.of(4 * hid, l == 0 ? in : 2 * p));
        want.put("weight_hh_l" + l + rev, Shape.of(4 * hid, p));
        want.put("bias_ih_l" + l + rev, Shape.of(4 * hid));
        want.put("bias_hh_l" + l + rev, Shape.of(4 * hid));
        want.put("weight_hr_l" + l + rev, Shape.of(p, hid));
      }
    }
    // the order of nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2).named_parameters()
    assertEquals(want.toString(), layer.parameterShapes().toString());
    assertEquals(Shape.of(4, 7, p), layer.stateShape("h", 7));
    assertEquals(Shape.of(4, 7, hid), layer.stateShape("c", 7));
    assertEquals(2 * p, layer.outputSize());
    assertEquals("BuiltinCell lstm (proj_size 2)", layer.cell().toString());
  }

  @Test
  void theProjectedLstmsGradientMatchesFiniteDifferencesInFloat64() {
    for (boolean bias : new boolean[] {true, false}) {
      GradCheck.Report r = CellCheck.gradCheck(BuiltinCell.projectedLstm(bias, 2), 3, 4, 4, 2, 17);
      assertTrue(r.passed(), (bias ? "with" : "without") + " bias: " + r);
    }
  }
}
