package dev.cellgraph.train.nn;

import dev.cellgraph.autodiff.IndexOps;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.core.Shape;
import java.util.List;

/**
 * Loss functions as graph nodes: each returns a scalar whose gradient reverse mode derives.
 *
 * <p>Thread-safe: its static methods share no mutable state.
 */
public final class Losses {
  private Losses() {}

  /**
   * The mean over all elements of {@code (prediction - target)²}.
   *
   * @param prediction the predicted values
   * @param target the target values, of the prediction's shape
   * @return the scalar loss node
   */
  public static Node meanSquaredError(Node prediction, Node target) {
    if (!prediction.shape().equals(target.shape())) {
      throw new IllegalArgumentException("mean squared error: prediction " + prediction.shape()
          + " and target " + target.shape() + " differ");
    }
    return prediction.sub(target).square().mean();
  }

  /**
   * The mean of {@code (prediction - target)²} over the positions where {@code mask} is non-zero:
   * {@code prediction} and {@code target} are {@code [..., O]}, {@code mask} is {@code [...]}
   * (padding 0), and the sum is divided by {@code Σ mask · O}, so padded positions do not count.
   *
   * @param prediction the predicted values, {@code [..., O]}
   * @param target the target values, of the prediction's shape
   * @param mask the weight of each position, {@code [...]} in the prediction's dtype (0 for padding)
   * @return the scalar loss node
   */
  public static Node meanSquaredError(Node prediction, Node target, Node mask) {
    Shape ps = prediction.shape();
    if (!ps.equals(target.shape())) {
      throw new IllegalArgumentException("mean squared error: prediction " + ps + " and target " + target.shape()
          + " differ");
    }
    if (!mask.shape().equals(ps.without(ps.rank() - 1)) || mask.dtype() != prediction.dtype()) {
      throw new IllegalArgumentException("mean squared error: the mask is " + mask.type() + ", expected "
          + prediction.dtype().lowerName() + ps.without(ps.rank() - 1));
    }
    int width = ps.dim(-1);
    int[] dims = java.util.Arrays.copyOf(mask.shape().toArray(), mask.shape().rank() + 1);
    dims[dims.length - 1] = 1;
    Node column = mask.reshape(Shape.of(dims));
    return prediction.sub(target).square().mul(column).sum().div(mask.sum().mul(width));
  }

  /**
   * Softmax cross-entropy of {@code logits [..., C]} against integer {@code targets [...]}, averaged
   * over the positions: {@code -mean(log softmax(logits)[target])}. Stable for any logits:
   * log-softmax subtracts the row maximum before the log-sum-exp.
   *
   * @param logits the unnormalized scores, {@code [..., C]}
   * @param targets the integer class ids, {@code [...]}
   * @return the scalar loss node
   */
  public static Node crossEntropy(Node logits, Node targets) {
    return negativeLogLikelihood(logits, targets).mean();
  }

  /**
   * Cross-entropy averaged over the positions where {@code mask [...]} is non-zero (padding has
   * mask 0): {@code Σ mask ⊙ nll / Σ mask}. A mask of weights other than 0 and 1 weights the
   * positions. The mask must not be all zero.
   *
   * @param logits the unnormalized scores, {@code [..., C]}
   * @param targets the integer class ids, {@code [...]}
   * @param mask the weight of each position, {@code [...]} in the logits' dtype (0 for padding)
   * @return the scalar loss node
   */
  public static Node crossEntropy(Node logits, Node targets, Node mask) {
    Node nll = negativeLogLikelihood(logits, targets);
    if (!mask.shape().equals(nll.shape()) || mask.dtype() != logits.dtype()) {
      throw new IllegalArgumentException("cross-entropy: the mask is " + mask.type() + ", expected "
          + logits.dtype().lowerName() + nll.shape());
    }
    return nll.mul(mask).sum().div(mask.sum());
  }

  /**
   * {@code -log softmax(logits)[target]} at every position: {@code targets.shape}.
   *
   * @param logits the unnormalized scores, {@code [..., C]}
   * @param targets the integer class ids, {@code [...]}
   * @return the node of each position's negative log-likelihood, of the targets' shape
   */
  public static Node negativeLogLikelihood(Node logits, Node targets) {
    int rank = logits.shape().rank();
    if (rank < 1 || targets.shape().rank() != rank - 1) {
      throw new IllegalArgumentException("cross-entropy: logits " + logits.shape() + " need targets of shape "
          + (rank < 1 ? "[...]" : logits.shape().without(rank - 1).toString()) + ", got " + targets.shape());
    }
    for (int i = 0; i < rank - 1; i++) {
      if (logits.shape().dim(i) != targets.shape().dim(i)) {
        throw new IllegalArgumentException("cross-entropy: logits " + logits.shape() + " need targets of shape "
            + logits.shape().without(rank - 1) + ", got " + targets.shape());
      }
    }
    if (targets.dtype().isFloating()) {
      throw new IllegalArgumentException("cross-entropy: targets must be integer class ids, got " + targets.type());
    }
    int classes = logits.shape().dim(-1);
    Node oneHot = logits.graph().apply(new IndexOps.OneHot(classes, logits.dtype()), List.of(targets));
    return logits.logSoftmax().mul(oneHot).sum(-1, false).neg();
  }
}
