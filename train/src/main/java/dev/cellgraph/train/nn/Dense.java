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

  public static Dense of(int in, int out) {
    return new Dense(in, out, true);
  }

  public static Dense of(int in, int out, boolean bias) {
    return new Dense(in, out, bias);
  }

  public int inputSize() {
    return in;
  }

  public int outputSize() {
    return out;
  }

  public boolean hasBias() {
    return bias;
  }

  public Shape weightShape() {
    return Shape.of(out, in);
  }

  public Shape biasShape() {
    return Shape.of(out);
  }

  public Tensor initializeWeight(Rng rng, DType dtype) {
    double k = 1.0 / Math.sqrt(in);
    return Initializers.uniform(rng, dtype, weightShape(), -k, k);
  }

  public Tensor initializeBias(Rng rng, DType dtype) {
    double k = 1.0 / Math.sqrt(in);
    return Initializers.uniform(rng, dtype, biasShape(), -k, k);
  }

  /** {@code x Wᵀ + b}; {@code b} is null for a layer without bias. */
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
