package dev.cellgraph.autodiff;

import dev.cellgraph.core.Tensor;
import java.util.List;

/**
 * A hand-written implementation of a {@link Function}, in the manner of JAX's
 * {@code custom_vjp}: a forward computation and its own backward rule. The framework uses it
 * instead of the function's body; a test must show that its results and gradients equal the ones
 * derived from the body ({@link GradCheck#compareFused}).
 *
 * <p>A fused rule is first order: differentiating its backward rule again is an error.
 *
 * <p>Implementations must be thread-safe (a stateless rule is): a {@link Plan} may be run from
 * several threads at once, and so may call one rule concurrently.
 */
public interface FusedRule {
  /**
   * The function's outputs from its inputs.
   *
   * @param inputs the function's input values, one per parameter
   * @return the function's output values, one per result
   */
  List<Tensor> forward(List<Tensor> inputs);

  /**
   * One gradient per input (each shaped like that input) from the inputs, the outputs forward
   * computed, and one cotangent per output.
   *
   * @param inputs the function's input values, as passed to {@link #forward}
   * @param outputs the outputs {@link #forward} computed from {@code inputs}
   * @param cotangents the gradient of the loss with respect to each output, one per output
   * @return the gradient with respect to each input, each shaped like its input
   */
  List<Tensor> backward(List<Tensor> inputs, List<Tensor> outputs, List<Tensor> cotangents);
}
