package dev.cellgraph.cells;

import dev.cellgraph.autodiff.compile.Optimizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The PyTorch parity cases and the zoo's gradient checks once more with the scan compiler off
 * (the other test classes run them with it on, the default), so both ways stay correct.
 */
class UnoptimizedParityTest {
  @BeforeAll
  static void off() {
    Optimizer.setEnabled(false);
  }

  @AfterAll
  static void on() {
    Optimizer.setEnabled(true);
  }

  @Nested
  class BuiltinsStepByStep extends PyTorchParityTest {}

  @Nested
  class FormulaCellsStepByStep extends FormulaCellTest {}
}
