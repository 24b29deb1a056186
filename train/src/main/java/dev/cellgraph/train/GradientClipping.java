package dev.cellgraph.train;

import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Clipping by global norm (Pascanu et al. 2013): all gradients scaled together when too large.
 *
 * <p>Thread-safe: its static methods share no mutable state.
 */
public final class GradientClipping {
  private GradientClipping() {}

  /**
   * The Euclidean norm of all elements of all tensors, summed in a fixed order.
   *
   * @param grads the gradient tensors, float32 or float64
   * @return the square root of the sum of squares of all their elements
   */
  public static double globalNorm(Collection<Tensor> grads) {
    double s = 0;
    for (Tensor g : grads) {
      if (g.dtype() == dev.cellgraph.core.DType.FLOAT32) {
        for (float v : TensorAccess.floats(g)) {
          s += (double) v * v;
        }
      } else {
        for (double v : TensorAccess.doubles(g)) {
          s += v * v;
        }
      }
    }
    return Math.sqrt(s);
  }

  /**
   * The gradients scaled by {@code maxNorm / (norm + 1e-6)} when their global norm exceeds
   * {@code maxNorm} (as {@code torch.nn.utils.clip_grad_norm_}), else unchanged.
   *
   * @param grads the gradients by parameter name
   * @param norm their global norm, as computed by {@link #globalNorm}
   * @param maxNorm the largest global norm allowed (positive)
   * @return {@code grads} itself when {@code norm <= maxNorm}, else a new map of the scaled gradients
   */
  public static Map<String, Tensor> clip(Map<String, Tensor> grads, double norm, double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("the maximum norm (" + maxNorm + ") must be positive");
    }
    if (norm <= maxNorm) {
      return grads;
    }
    double scale = maxNorm / (norm + 1e-6);
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : grads.entrySet()) {
      out.put(e.getKey(), e.getValue().mul(scale));
    }
    return out;
  }
}
