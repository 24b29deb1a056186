package dev.cellgraph.train.nn;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;

/**
 * Token ids to vectors: row {@code id} of a table {@code [vocab, dim]}, as PyTorch's
 * {@code nn.Embedding} (initialized standard normal). Its gradient is a scatter-add of the
 * output's gradient into the rows that were read.
 *
 * <p>Immutable and thread-safe.
 */
public final class Embedding {
  private final int vocab;
  private final int dim;

  private Embedding(int vocab, int dim) {
    Checks.positive("vocabulary size", vocab);
    Checks.positive("embedding size", dim);
    this.vocab = vocab;
    this.dim = dim;
  }

  /**
   * A table of {@code vocab} rows of size {@code dim}.
   *
   * @param vocab the number of tokens (positive)
   * @param dim the size of a token's vector (positive)
   * @return the embedding
   */
  public static Embedding of(int vocab, int dim) {
    return new Embedding(vocab, dim);
  }

  /**
   * The number of tokens.
   *
   * @return the vocabulary size
   */
  public int vocab() {
    return vocab;
  }

  /**
   * The size of a token's vector.
   *
   * @return the size of a token's vector
   */
  public int dim() {
    return dim;
  }

  /**
   * The table's shape {@code [vocab, dim]}.
   *
   * @return the table's shape {@code [vocab, dim]}
   */
  public Shape tableShape() {
    return Shape.of(vocab, dim);
  }

  /**
   * A fresh table, standard normal like PyTorch's default.
   *
   * @param rng the generator the table is drawn from
   * @param dtype the table's dtype
   * @return a fresh table of shape {@code [vocab, dim]}
   */
  public Tensor initialize(Rng rng, DType dtype) {
    return Initializers.normal(rng, dtype, tableShape(), 0.0, 1.0);
  }

  /**
   * The vectors of {@code ids} (any shape, integer): {@code ids.shape + [dim]}.
   *
   * @param table the table, {@code [vocab, dim]}
   * @param ids the token ids, an integer node of any shape
   * @return the node of the ids' vectors, {@code ids.shape + [dim]}
   */
  public Node apply(Node table, Node ids) {
    if (!table.shape().equals(tableShape())) {
      throw new IllegalArgumentException("embedding: the table is " + table.shape() + ", expected " + tableShape());
    }
    return table.gather(ids);
  }
}
