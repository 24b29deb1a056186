package dev.cellgraph.train.nn;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;

/**
 * Inverted dropout: in training, each element is kept with probability {@code 1 - p} and scaled by
 * {@code 1 / (1 - p)}; in evaluation it is the identity.
 *
 * <p>The mask is not drawn inside the graph: it is a fed value made by {@link #mask} from the
 * trainer's seeded {@link Rng}, so a compiled plan stays a pure function of its inputs and a run
 * is reproducible (and resumable) bit for bit.
 *
 * <p>Immutable and thread-safe.
 */
public final class Dropout {
  private final double p;

  private Dropout(double p) {
    if (!(p >= 0 && p < 1)) {
      throw new IllegalArgumentException("dropout probability (" + p + ") must be in [0, 1)");
    }
    this.p = p;
  }

  /**
   * Dropout that zeroes each element with probability {@code p} during training.
   *
   * @param p the probability that an element is zeroed, in [0, 1)
   * @return the dropout layer
   */
  public static Dropout of(double p) {
    return new Dropout(p);
  }

  /**
   * The probability that an element is zeroed.
   *
   * @return the probability p that an element is zeroed
   */
  public double probability() {
    return p;
  }

  /**
   * Whether the layer does anything in training.
   *
   * @return true if p is above 0
   */
  public boolean active() {
    return p > 0;
  }

  /**
   * A mask of {@code 0} and {@code 1/(1-p)} values, each kept with probability {@code 1 - p}.
   *
   * @param rng the generator the mask is drawn from
   * @param dtype the mask's dtype
   * @param shape the mask's shape, that of the values it multiplies
   * @return a fresh mask
   */
  public Tensor mask(Rng rng, DType dtype, Shape shape) {
    return Initializers.dropoutMask(rng, dtype, shape, p);
  }

  /**
   * {@code x ⊙ mask} in training, {@code x} otherwise ({@code mask} may then be null).
   *
   * @param x the values
   * @param mask the mask made by {@link #mask}, of the shape of {@code x}; may be null when not training
   * @param training whether the graph is for training
   * @return the node of the masked values in training, else {@code x} itself
   */
  public Node apply(Node x, Node mask, boolean training) {
    if (!training || !active()) {
      return x;
    }
    if (mask == null || !mask.shape().equals(x.shape())) {
      throw new IllegalArgumentException("dropout: the mask is " + (mask == null ? "missing" : mask.shape().toString())
          + ", expected " + x.shape());
    }
    return x.mul(mask);
  }
}
