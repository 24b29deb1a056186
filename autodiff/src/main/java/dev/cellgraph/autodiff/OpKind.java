package dev.cellgraph.autodiff;

/**
 * What an op is to the passes that rewrite, fuse, lift, split and draw graphs. Every op declares
 * its kind where it is defined ({@link Op#kind()}), as JAX registers its rules per primitive, and
 * each pass decides with one exhaustive {@code switch} over this enum: adding a kind is a compile
 * error in every pass that has not said what to do with it.
 *
 * <p>The properties that follow from the kind alone are methods here, so that the passes agree
 * on them; a pass that treats a kind differently says why at its switch.
 *
 * <p>Immutable and thread-safe.
 */
public enum OpKind {
  /** An elementwise kernel of one input ({@link Ops.Unary}: tanh, σ, exp, ...). */
  UNARY,
  /** An elementwise op between a tensor and a constant ({@link Ops.ScalarOp}: x + c, c − x, x · c). */
  SCALAR,
  /** x to a constant power ({@link Ops.PowScalar}). */
  POW,
  /** Passes its input through, under a name for diagrams ({@link LayoutOps#IDENTITY}). */
  IDENTITY,
  /** Converts to another dtype ({@link LayoutOps.Cast}). */
  CAST,
  /** An elementwise op of two inputs broadcasting under NumPy's rules ({@link Ops.Binary}). */
  BINARY,
  /** A matrix product, batched or not, with optional transposes ({@link Ops.MatMul}). */
  MATMUL,
  /** Swaps the last two axes ({@link LayoutOps#TRANSPOSE}). */
  TRANSPOSE,
  /** Reorders axes ({@link LayoutOps.Permute}). */
  PERMUTE,
  /** Same elements, another shape ({@link LayoutOps.Reshape}). */
  RESHAPE,
  /** A range along one axis ({@link LayoutOps.Slice}). */
  SLICE,
  /** Zeros before and after along one axis ({@link LayoutOps.Pad}). */
  PAD,
  /** Joins its inputs along one axis ({@link LayoutOps.Concat}). */
  CONCAT,
  /** Repeats its input to a larger shape ({@link LayoutOps.BroadcastTo}). */
  BROADCAST_TO,
  /** The sum of all elements ({@link Ops#SUM_ALL}). */
  SUM_ALL,
  /** The sum along one axis ({@link Ops.SumAxis}). */
  SUM_AXIS,
  /** Sums a broadcast result back to an input's shape ({@link Ops.SumTo}). */
  SUM_TO,
  /** A function of each row along the last axis ({@link Ops#LOG_SOFTMAX}). */
  LOG_SOFTMAX,
  /** Reads or writes by integer index ({@link IndexOps#GATHER}, {@link IndexOps.ScatterAdd}, {@link IndexOps.OneHot}). */
  INDEXING,
  /** An input or a parameter of a graph ({@link GraphOps.Leaf}). */
  LEAF,
  /** A value fixed when the graph is built ({@link GraphOps.Constant}, {@link GraphOps.Fill}). */
  CONSTANT,
  /** Reads one output of a multi-output node ({@link GraphOps.GetOutput}). */
  GET_OUTPUT,
  /** A call of a composite function, one box with a body ({@link CallOp}). */
  CALL,
  /** A loop over time whose body is a function ({@link Scan.ScanOp}). */
  SCAN,
  /** A compiled kernel that stands for a group of ops (the compiler's own fused ops). */
  FUSED,
  /** Anything else: the passes leave it as it is. */
  OPAQUE;

  /**
   * Whether each output element is a function of the inputs' elements at the same position.
   *
   * @return true for elementwise kinds (unary, scalar, pow, identity, cast, binary)
   */
  public boolean isElementwise() {
    return switch (this) {
      case UNARY, SCALAR, POW, IDENTITY, CAST, BINARY -> true;
      case MATMUL, TRANSPOSE, PERMUTE, RESHAPE, SLICE, PAD, CONCAT, BROADCAST_TO, SUM_ALL, SUM_AXIS, SUM_TO,
          LOG_SOFTMAX, INDEXING, LEAF, CONSTANT, GET_OUTPUT, CALL, SCAN, FUSED, OPAQUE -> false;
    };
  }

  /**
   * Whether the op only moves elements (no arithmetic), so recomputing it costs a copy at most.
   *
   * @return true for pure data-movement kinds (identity, transpose, permute, reshape, slice,
   *     broadcast)
   */
  public boolean isDataMovement() {
    return switch (this) {
      case IDENTITY, TRANSPOSE, PERMUTE, RESHAPE, SLICE, BROADCAST_TO -> true;
      case UNARY, SCALAR, POW, CAST, BINARY, MATMUL, PAD, CONCAT, SUM_ALL, SUM_AXIS, SUM_TO, LOG_SOFTMAX,
          INDEXING, LEAF, CONSTANT, GET_OUTPUT, CALL, SCAN, FUSED, OPAQUE -> false;
    };
  }

  /**
   * Whether the op has a body that diagrams can expand (a composite function or a loop).
   *
   * @return true for {@code CALL} and {@code SCAN}
   */
  public boolean isComposite() {
    return this == CALL || this == SCAN;
  }
}
