package dev.cellgraph.cells.lang;

import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;

/**
 * A trained parameter of a cell: its canonical name ({@code W_hr}, {@code W^r}, {@code b_C}),
 * its role, and its shape as a function of the input size I and hidden size H.
 *
 * <p>A matrix is {@code [rows, cols]}, as PyTorch stores it: {@code W x} needs W to be
 * {@code [size of the result, size of x]}. A vector (bias, peephole) is {@code [n]}; a declared
 * scalar ({@code param \alpha : []}) is {@code []}, one number; a declared diagonal matrix
 * ({@code param W_ci : diag[H]}) is stored as its diagonal, a vector {@code [n]}.
 *
 * <p>Immutable and thread-safe.
 */
public record Parameter(String name, Role role, ImmutableList<Dim> dims) {

  /** How a parameter is used. */
  public enum Role {
    /** The left operand of a matrix product ({@code W x}, {@code W · x}, {@code W @ x}). */
    MATRIX,
    /** Anything else: added, multiplied elementwise (biases, peepholes). */
    VECTOR,
    /** Declared {@code []}: one learned number for every unit and example ({@code \alpha W h}). */
    SCALAR,
    /** Declared {@code diag[n]}: a diagonal matrix, stored as its diagonal; {@code W x} is {@code w ⊙ x}. */
    DIAGONAL
  }

  /**
   * Rejects null components.
   *
   * @param name the canonical name, e.g. {@code W_f}
   * @param role how the parameter is used
   * @param dims the shape's dimensions as functions of I and H
   */
  public Parameter {
    requireNonNull(name, "name");
    requireNonNull(role, "role");
    requireNonNull(dims, "dims");
  }

  /**
   * The shape for input size I and hidden size H: {@code [rows, cols]} or {@code [n]}.
   *
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @return the shape, one number per dimension
   */
  public int[] shape(int inputSize, int hiddenSize) {
    int[] shape = new int[dims.size()];
    for (int k = 0; k < shape.length; k++) {
      shape[k] = Math.toIntExact(dims.get(k).eval(inputSize, hiddenSize));
    }
    return shape;
  }

  /**
   * How many numbers this parameter holds for input size I and hidden size H.
   *
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @return the number of scalars, the product of the shape
   */
  public long count(int inputSize, int hiddenSize) {
    long n = 1;
    for (Dim d : dims) {
      n *= d.eval(inputSize, hiddenSize);
    }
    return n;
  }

  /** {@code W_f : [H, H+I]}, the form of a {@code param} declaration. */
  @Override
  public String toString() {
    return name + " : " + dims;
  }
}
