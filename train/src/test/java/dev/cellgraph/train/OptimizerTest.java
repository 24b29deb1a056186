package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cellgraph.core.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Optimizer updates against values worked out by hand from PyTorch's update rules. */
class OptimizerTest {
  private static Map<String, Tensor> params(double v) {
    Map<String, Tensor> p = new LinkedHashMap<>();
    p.put("w", Tensor.of(new double[] {v}, 1));
    return p;
  }

  private static Map<String, Tensor> grad(double g) {
    return Map.of("w", Tensor.of(new double[] {g}, 1));
  }

  @Test
  void sgdWithMomentumAccumulatesVelocity() {
    Optimizer o = Optimizer.sgd(0.9);
    Map<String, Tensor> p = params(1.0);
    o.step(p, grad(1.0), 0.1);   // b = 1, w = 0.9
    o.step(p, grad(1.0), 0.1);   // b = 1.9, w = 0.71
    assertEquals(0.71, p.get("w").item(), 1e-12);
  }

  @Test
  void adamFirstStepMovesByTheLearningRate() {
    Optimizer o = Optimizer.adam();
    Map<String, Tensor> p = params(1.0);
    o.step(p, grad(-3.0), 0.01);
    assertEquals(1.01, p.get("w").item(), 1e-9);
  }

  @Test
  void adamWDecaysWeightsApartFromTheGradient() {
    Optimizer o = Optimizer.adamW(0.9, 0.999, 1e-8, 0.1);
    Map<String, Tensor> p = params(2.0);
    o.step(p, grad(0.0), 0.5);   // decay: 2 - 0.5*0.1*2 = 1.9; zero gradient moves nothing
    assertEquals(1.9, p.get("w").item(), 1e-12);
  }

  @Test
  void rmspropNormalizesByTheRunningSquare() {
    Optimizer o = Optimizer.rmsprop(0.99, 1e-8);
    Map<String, Tensor> p = params(0.0);
    o.step(p, grad(2.0), 0.1);   // v = 0.01*4 = 0.04, step = 0.1*2/0.2 = 1
    assertEquals(-1.0, p.get("w").item(), 1e-6);
  }

  @Test
  void stateRoundTripsExactly() {
    Optimizer a = Optimizer.adam();
    Map<String, Tensor> pa = params(1.0);
    a.step(pa, grad(0.3), 0.01);
    Optimizer b = Optimizer.adam();
    b.restore(a.state());
    Map<String, Tensor> pb = new LinkedHashMap<>(pa);
    a.step(pa, grad(-0.7), 0.01);
    b.step(pb, grad(-0.7), 0.01);
    assertEquals(pa, pb);
    assertEquals(2, b.steps());
  }

  @Test
  void unknownOptimizerNamesTheChoices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.named("adagrad"));
    assertEquals("unknown optimizer 'adagrad': expected sgd, adam, adamw or rmsprop", e.getMessage());
  }
}
