package dev.cellgraph.cells;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A recurrent cell: one time step as a composite {@link Function}, its states and its parameters.
 *
 * <p>The step function's formal inputs are {@code (states..., x, parameters...)}, in the orders
 * of {@link #stateNames()} and {@link #parameterShapes}; its results are
 * {@code (new states..., output)}. {@link Recurrent} scans it over a sequence.
 *
 * <p>Implementations must be thread-safe, as {@link FormulaCell} and {@link BuiltinCell} are: a
 * {@link Recurrent}, which is thread-safe, shares its cell among the threads that use it.
 */
public interface Cell {
  /**
   * The cell's name, e.g. {@code lstm} or the file name of a formula cell.
   *
   * @return the cell's name
   */
  String name();

  /**
   * The states carried from step to step, e.g. {@code [h, c]}.
   *
   * @return the state names, in the order of the step function's state inputs and results
   */
  List<String> stateNames();

  /**
   * The size of a state for input size I and hidden size H.
   *
   * @param state the name of one of the cell's states
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @return the state's size per example
   */
  int stateSize(String state, int inputSize, int hiddenSize);

  /**
   * The size of the per-step output for input size I and hidden size H.
   *
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @return the output's size per example
   */
  int outputSize(int inputSize, int hiddenSize);

  /**
   * The parameters, by name, with their shapes for input size I and hidden size H, in a fixed order.
   *
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @return the parameter shapes by name, in the order of the step function's parameter inputs
   */
  LinkedHashMap<String, Shape> parameterShapes(int inputSize, int hiddenSize);

  /**
   * The number of scalar parameters for input size I and hidden size H.
   *
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @return the total number of scalars in all the parameters
   */
  default long parameterCount(int inputSize, int hiddenSize) {
    long n = 0;
    for (Shape s : parameterShapes(inputSize, hiddenSize).values()) {
      n += s.size();
    }
    return n;
  }

  /**
   * Whether {@link Recurrent} names this cell's parameters the way PyTorch does
   * ({@code weight_ih_l0}, {@code weight_ih_l0_reverse}) rather than by their bare names for the
   * first layer's forward direction.
   *
   * @return true for PyTorch's parameter names, false for the bare ones (the default)
   */
  default boolean pytorchNaming() {
    return false;
  }

  /**
   * The step function for a batch of {@code batch} in the given dtype (cached by implementations).
   *
   * @param dtype the dtype of the inputs, states and parameters
   * @param batch the batch size B
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @return the cell's step, built for this dtype, batch and sizes
   */
  Function step(DType dtype, int batch, int inputSize, int hiddenSize);
}
