package dev.cellgraph.train.nn;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;

/**
 * A linear layer {@code y = x Wᵀ + b} with PyTorch's {@code nn.Linear} layout ({@code W [out, in]},
 * {@code b [out]}) and default initialization (both uniform in ±1/sqrt(in)). {@code x} may have
 * any leading dimensions: {@code [..., in]} gives {@code [..., out]}.
 *
 * <p>Immutable and thread-safe.
 */
public final class Dense {
  private final int in;
  private final int out;
  private final boolean bias;

  private Dense(int in, int out, boolean bias) {
    Checks.positive("input size", in);
    Checks.positive("output size", out);
    this.in = in;
    this.out = out;
    this.bias = bias;
  }

  /**
   * A layer {@code [in] -> [out]} with a bias.
   *
   * @param in the input size (positive)
   * @param out the output size (positive)
   * @return the layer
   */
  public static Dense of(int in, int out) {
    return new Dense(in, out, true);
  }

  /**
   * A layer {@code [in] -> [out]}, with or without a bias.
   *
   * @param in the input size (positive)
   * @param out the output size (positive)
   * @param bias whether the layer adds a bias
   * @return the layer
   */
  public static Dense of(int in, int out, boolean bias) {
    return new Dense(in, out, bias);
  }

  /**
   * The input size.
   *
   * @return the input size
   */
  public int inputSize() {
    return in;
  }

  /**
   * The output size.
   *
   * @return the output size
   */
  public int outputSize() {
    return out;
  }

  /**
   * Whether the layer adds a bias.
   *
   * @return true if the layer adds a bias
   */
  public boolean hasBias() {
    return bias;
  }

  /**
   * The weight's shape {@code [out, in]}, as PyTorch's {@code nn.Linear}.
   *
   * @return the weight's shape {@code [out, in]}
   */
  public Shape weightShape() {
    return Shape.of(out, in);
  }

  /**
   * The bias's shape {@code [out]}.
   *
   * @return the bias's shape {@code [out]}
   */
  public Shape biasShape() {
    return Shape.of(out);
  }

  /**
   * A weight drawn uniformly from {@code [-1/√in, 1/√in]}, as PyTorch does.
   *
   * @param rng the generator the weight is drawn from
   * @param dtype the weight's dtype
   * @return a fresh weight of shape {@code [out, in]}
   */
  public Tensor initializeWeight(Rng rng, DType dtype) {
    double k = 1.0 / Math.sqrt(in);
    return Initializers.uniform(rng, dtype, weightShape(), -k, k);
  }

  /**
   * A bias drawn uniformly from {@code [-1/√in, 1/√in]}, as PyTorch does.
   *
   * @param rng the generator the bias is drawn from
   * @param dtype the bias's dtype
   * @return a fresh bias of shape {@code [out]}
   */
  public Tensor initializeBias(Rng rng, DType dtype) {
    double k = 1.0 / Math.sqrt(in);
    return Initializers.uniform(rng, dtype, biasShape(), -k, k);
  }

  /**
   * {@code x Wᵀ + b}; {@code b} is null for a layer without bias.
   *
   * @param x the input, {@code [..., in]}
   * @param weight the weight, {@code [out, in]}
   * @param b the bias, {@code [out]}, or null for a layer without bias
   * @return the output node, {@code [..., out]}
   */
  public Node apply(Node x, Node weight, Node b) {
    if (x.shape().rank() < 1 || x.shape().dim(-1) != in) {
      throw new IllegalArgumentException("dense: input must be [..., " + in + "], got " + x.shape());
    }
    if (!weight.shape().equals(weightShape())) {
      throw new IllegalArgumentException("dense: weight is " + weight.shape() + ", expected " + weightShape());
    }
    Node y = x.matmul(weight, false, true);
    if (bias) {
      if (b == null || !b.shape().equals(biasShape())) {
        throw new IllegalArgumentException("dense: bias is " + (b == null ? "missing" : b.shape().toString())
            + ", expected " + biasShape());
      }
      y = y.add(b);
    }
    return y;
  }
}
