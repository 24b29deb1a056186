package dev.cellgraph.autodiff;

import static dev.cellgraph.autodiff.Gradients.NONE;
import static dev.cellgraph.autodiff.Ops.grads;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The shape and layout ops: identity, transpose, permute, reshape, slice, pad, concat and
 * broadcast, which move elements without arithmetic, and cast, the same values in another dtype.
 * Each op is in one place with its name, type rule, forward computation and backward rule, as in
 * {@link Ops}; every backward rule but broadcast's (a {@link Ops.SumTo}) is an op of this family.
 *
 * <p>Thread-safe: its ops are immutable values (see {@link Op}) and it holds no other state.
 */
public final class LayoutOps {
  private LayoutOps() {}

  /** Passes its input through; carries a name for diagrams. */
  public static final Op IDENTITY = new Op() {
    @Override public OpKind kind() { return OpKind.IDENTITY; }
    @Override public String symbol() { return "="; }

    @Override public String name() { return "identity"; }
    @Override public List<TensorType> inferTypes(List<TensorType> in) { checkArity(in, 1); return List.of(in.get(0)); }
    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0)); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0)); }
  };

  /** Swaps the last two axes. */
  public static final Op TRANSPOSE = new Op() {
    @Override public OpKind kind() { return OpKind.TRANSPOSE; }

    @Override public String name() { return "transpose"; }
    @Override public String label() { return "ᵀ"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      Shape s = in.get(0).shape();
      if (s.rank() < 2) {
        throw new IllegalArgumentException("transpose needs rank at least 2, got " + s);
      }
      int[] d = s.toArray();
      d[d.length - 1] = s.dim(-2);
      d[d.length - 2] = s.dim(-1);
      return List.of(new TensorType(in.get(0).dtype(), Shape.of(d)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).transpose()); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0).t()); }
  };

  /** Reorders axes: axis i of the result is axis perm[i] of the input. */
  public static final class Permute extends Op {
    @Override public OpKind kind() { return OpKind.PERMUTE; }

    private final int[] perm;

    /**
     * Reorders the axes: axis i of the result is axis {@code perm[i]} of the input (copied).
     *
     * @param perm a permutation of the input's axes
     */
    public Permute(int[] perm) { this.perm = perm.clone(); }

    /**
     * The permutation (a copy).
     *
     * @return a copy of the permutation
     */
    public int[] perm() { return perm.clone(); }

    @Override public String name() { return "permute"; }
    @Override public String label() { return "permute" + Arrays.toString(perm); }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      Shape s = in.get(0).shape();
      if (perm.length != s.rank()) {
        throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " needs " + s.rank() + " axes for shape " + s);
      }
      int[] d = new int[perm.length];
      boolean[] seen = new boolean[perm.length];
      for (int i = 0; i < perm.length; i++) {
        if (perm[i] < 0 || perm[i] >= perm.length || seen[perm[i]]) {
          throw new IllegalArgumentException("permute " + Arrays.toString(perm) + " is not a permutation of " + perm.length + " axes");
        }
        seen[perm[i]] = true;
        d[i] = s.dim(perm[i]);
      }
      return List.of(new TensorType(in.get(0).dtype(), Shape.of(d)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).permute(perm)); }

    @Override public List<Node> backward(Node node, List<Node> g) {
      int[] inv = new int[perm.length];
      for (int i = 0; i < perm.length; i++) {
        inv[perm[i]] = i;
      }
      return grads(g.get(0).permute(inv));
    }
  }

  /** The same elements in another shape. */
  public static final class Reshape extends Op {
    @Override public OpKind kind() { return OpKind.RESHAPE; }

    private final Shape shape;

    /**
     * Reshapes to {@code shape}, which has the input's element count.
     *
     * @param shape the shape of the result
     */
    public Reshape(Shape shape) { this.shape = shape; }

    /**
     * The shape of the result.
     *
     * @return the shape of the result
     */
    public Shape target() { return shape; }

    @Override public String name() { return "reshape"; }
    @Override public String label() { return "reshape " + shape; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      Shape s = in.get(0).shape();
      if (s.size() != shape.size()) {
        throw new IllegalArgumentException("reshape: cannot reshape " + s + " (" + s.size()
            + " elements) to " + shape + " (" + shape.size() + " elements)");
      }
      return List.of(new TensorType(in.get(0).dtype(), shape));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).reshape(shape)); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0).reshape(node.input(0).shape())); }
  }

  /** Elements [start, end) along an axis. Its gradient pads with zeros. */
  public static final class Slice extends Op {
    @Override public OpKind kind() { return OpKind.SLICE; }

    private final int axis;
    private final int start;
    private final int end;

    /**
     * Elements {@code [start, end)} along {@code axis}.
     *
     * @param axis the axis to slice
     * @param start the first index kept
     * @param end one past the last index kept
     */
    public Slice(int axis, int start, int end) {
      this.axis = axis;
      this.start = start;
      this.end = end;
    }

    /**
     * The sliced axis.
     *
     * @return the index of the sliced axis
     */
    public int axis() { return axis; }
    /**
     * The first index kept.
     *
     * @return the first index kept
     */
    public int start() { return start; }
    /**
     * One past the last index kept.
     *
     * @return the index one past the last index kept
     */
    public int end() { return end; }

    @Override public String name() { return "slice"; }
    @Override public String label() { return "slice[" + axis + ": " + start + ".." + end + "]"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      Shape s = in.get(0).shape();
      int a = s.normalizeAxis(axis);
      if (start < 0 || end > s.dim(a) || start > end) {
        throw new IllegalArgumentException(
            "slice [" + start + ", " + end + ") is out of range for axis " + axis + " of shape " + s);
      }
      return List.of(new TensorType(in.get(0).dtype(), s.with(a, end - start)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).slice(axis, start, end)); }

    @Override public List<Node> backward(Node node, List<Node> g) {
      int len = node.input(0).shape().dim(axis);
      return grads(g.get(0).graph().apply(new Pad(axis, start, len - end), List.of(g.get(0))));
    }
  }

  /** Zeros added before and after along an axis: the adjoint of {@link Slice}. */
  public static final class Pad extends Op {
    @Override public OpKind kind() { return OpKind.PAD; }

    private final int axis;
    private final int before;
    private final int after;

    /**
     * Pads {@code axis} with {@code before} zeros in front and {@code after} zeros behind.
     *
     * @param axis the axis to pad
     * @param before the number of zeros in front, not negative
     * @param after the number of zeros behind, not negative
     */
    public Pad(int axis, int before, int after) {
      if (before < 0 || after < 0) {
        throw new IllegalArgumentException("pad amounts (" + before + ", " + after + ") must not be negative");
      }
      this.axis = axis;
      this.before = before;
      this.after = after;
    }

    /**
     * The padded axis.
     *
     * @return the index of the padded axis
     */
    public int axis() { return axis; }
    /**
     * Zeros in front.
     *
     * @return the number of zeros in front
     */
    public int before() { return before; }
    /**
     * Zeros behind.
     *
     * @return the number of zeros behind
     */
    public int after() { return after; }

    @Override public String name() { return "pad"; }
    @Override public String label() { return "pad[" + axis + ": " + before + ", " + after + "]"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      Shape s = in.get(0).shape();
      int a = s.normalizeAxis(axis);
      return List.of(new TensorType(in.get(0).dtype(), s.with(a, s.dim(a) + before + after)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      Tensor x = in.get(0);
      List<Tensor> parts = new ArrayList<>(3);
      if (before > 0) {
        parts.add(Tensor.zeros(x.dtype(), x.shape().with(axis, before)));
      }
      parts.add(x);
      if (after > 0) {
        parts.add(Tensor.zeros(x.dtype(), x.shape().with(axis, after)));
      }
      return List.of(parts.size() == 1 ? x : Tensor.concat(axis, parts));
    }

    @Override public List<Node> backward(Node node, List<Node> g) {
      int len = node.input(0).shape().dim(axis);
      return grads(g.get(0).slice(axis, before, before + len));
    }
  }

  /** Joins its inputs along an axis. */
  public static final class Concat extends Op {
    @Override public OpKind kind() { return OpKind.CONCAT; }

    private final int axis;

    /**
     * Joins the inputs along {@code axis}.
     *
     * @param axis the axis to join the inputs along
     */
    public Concat(int axis) { this.axis = axis; }

    /**
     * The axis joined along.
     *
     * @return the index of the joined axis
     */
    public int axis() { return axis; }

    @Override public String name() { return "concat"; }
    @Override public String label() { return "concat"; }
    @Override public String symbol() { return "[ , ]"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      if (in.isEmpty()) {
        throw new IllegalArgumentException("concat needs at least one input");
      }
      TensorType first = in.get(0);
      Shape s0 = first.shape();
      int a = s0.normalizeAxis(axis);
      int total = 0;
      for (TensorType t : in) {
        boolean ok = t.dtype() == first.dtype() && t.shape().rank() == s0.rank();
        for (int i = 0; ok && i < s0.rank(); i++) {
          ok = i == a || t.shape().dim(i) == s0.dim(i);
        }
        if (!ok) {
          throw new IllegalArgumentException("concat along axis " + axis + ": " + in + " do not match");
        }
        total += t.shape().dim(a);
      }
      return List.of(new TensorType(first.dtype(), s0.with(a, total)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(Tensor.concat(axis, in)); }

    @Override public List<Node> backward(Node node, List<Node> g) {
      List<Node> r = new ArrayList<>();
      int pos = 0;
      for (Node x : node.inputs()) {
        int len = x.shape().dim(axis);
        r.add(g.get(0).slice(axis, pos, pos + len));
        pos += len;
      }
      return r;
    }
  }

  /** Converts to another dtype. */
  public static final class Cast extends Op {
    @Override public OpKind kind() { return OpKind.CAST; }

    private final DType to;

    /**
     * Converts to {@code to}.
     *
     * @param to the dtype to convert to
     */
    public Cast(DType to) { this.to = to; }

    @Override public String name() { return "cast"; }
    @Override public String label() { return "cast " + to.lowerName(); }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      return List.of(new TensorType(to, in.get(0).shape()));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).to(to)); }

    @Override public List<Node> backward(Node node, List<Node> g) {
      Node x = node.input(0);
      return grads(x.dtype().isFloating() ? g.get(0).cast(x.dtype()) : NONE);
    }
  }

  /** Broadcasts to a target shape. */
  public static final class BroadcastTo extends Op {
    @Override public OpKind kind() { return OpKind.BROADCAST_TO; }

    private final Shape target;

    /**
     * Broadcasts to {@code target}.
     *
     * @param target the shape to broadcast to
     */
    public BroadcastTo(Shape target) { this.target = target; }

    /**
     * The shape broadcast to.
     *
     * @return the shape the input is broadcast to
     */
    public Shape target() { return target; }

    @Override public String name() { return "broadcast_to"; }
    @Override public String label() { return "broadcast " + target; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      Shape s = in.get(0).shape();
      Shape b = Shape.broadcast(s, target);
      if (b == null || !b.equals(target)) {
        throw new IllegalArgumentException("broadcast_to: cannot broadcast " + s + " to " + target);
      }
      return List.of(new TensorType(in.get(0).dtype(), target));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).broadcastTo(target)); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0).sumTo(node.input(0).shape())); }
  }
}
