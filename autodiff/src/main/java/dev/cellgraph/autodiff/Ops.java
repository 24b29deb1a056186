package dev.cellgraph.autodiff;

import static dev.cellgraph.autodiff.Gradients.NONE;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.kernel.UnaryOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The table of ops: each op in one place with its name, type rule, forward computation and
 * backward rule (a vector-Jacobian product written with graph ops). It reads like PyTorch's
 * {@code derivatives.yaml}: {@code g} is the cotangent of the result, {@code x}, {@code a},
 * {@code b} the inputs and {@code y} the result.
 *
 * <p>An input without a gradient says so with {@link Gradients#NONE}; an op without a backward
 * rule throws, naming the op, when a gradient through it is asked for.
 */
public final class Ops {
  private Ops() {}

  // ------------------------------------------------------------------ elementwise, one input

  /** A backward rule of an elementwise function: from g, x and y to the gradient of x. */
  @FunctionalInterface
  public interface UnaryRule {
    Node apply(Node g, Node x, Node y);
  }

  public static final Op NEG        = unary("neg",        "−",        UnaryOp.NEG,        (g, x, y) -> g.neg());
  public static final Op EXP        = unary("exp",        "exp",      UnaryOp.EXP,        (g, x, y) -> g.mul(y));
  public static final Op LOG        = unary("log",        "log",      UnaryOp.LOG,        (g, x, y) -> g.div(x));
  public static final Op TANH       = unary("tanh",       "tanh",     UnaryOp.TANH,       (g, x, y) -> g.mul(y.square().oneMinus()));
  public static final Op SIGMOID    = unary("sigmoid",    "σ",        UnaryOp.SIGMOID,    (g, x, y) -> g.mul(y.mul(y.oneMinus())));
  public static final Op RELU       = unary("relu",       "relu",     UnaryOp.RELU,       (g, x, y) -> g.mul(step(x)));
  public static final Op SOFTPLUS   = unary("softplus",   "softplus", UnaryOp.SOFTPLUS,   (g, x, y) -> g.mul(x.sigmoid()));
  public static final Op SOFTSIGN   = unary("softsign",   "softsign", UnaryOp.SOFTSIGN,   (g, x, y) -> g.div(x.abs().add(1.0).square()));
  public static final Op ABS        = unary("abs",        "|·|",      UnaryOp.ABS,        (g, x, y) -> g.mul(sign(x)));
  public static final Op SQUARE     = unary("square",     "x²",       UnaryOp.SQUARE,     (g, x, y) -> g.mul(x).mul(2.0));
  public static final Op SQRT       = unary("sqrt",       "√",        UnaryOp.SQRT,       (g, x, y) -> g.div(y).mul(0.5));
  public static final Op RECIPROCAL = unary("reciprocal", "1/x",      UnaryOp.RECIPROCAL, (g, x, y) -> g.mul(y.square()).neg());
  /** 1 where x > 0: the derivative of relu, itself with derivative zero almost everywhere. */
  public static final Op STEP       = unary("step",       "step",     UnaryOp.STEP,       (g, x, y) -> NONE);
  /** The sign of x: the derivative of abs, itself with derivative zero almost everywhere. */
  public static final Op SIGN       = unary("sign",       "sign",     UnaryOp.SIGN,       (g, x, y) -> NONE);

  static Node step(Node x) {
    return x.graph().apply(STEP, List.of(x));
  }

  static Node sign(Node x) {
    return x.graph().apply(SIGN, List.of(x));
  }

  static Op unary(String name, String symbol, UnaryOp kernel, UnaryRule rule) {
    return new Unary(name, symbol, kernel, rule);
  }

  /** An elementwise function of one input. */
  public static final class Unary extends Op {
    private final String name;
    private final String symbol;
    private final UnaryOp kernel;
    private final UnaryRule rule;

    Unary(String name, String symbol, UnaryOp kernel, UnaryRule rule) {
      this.name = name;
      this.symbol = symbol;
      this.kernel = kernel;
      this.rule = rule;
    }

    @Override public String name() { return name; }
    @Override public OpKind kind() { return OpKind.UNARY; }
    @Override public String symbol() { return symbol; }
    // a negation is as cheap to redo as to read back, and linear; the other kernels are neither
    @Override public boolean isFreeToRecompute() { return kernel == UnaryOp.NEG; }
    @Override public boolean isLinear() { return kernel == UnaryOp.NEG; }

    /** The elementwise function this op applies. */
    public UnaryOp kernel() { return kernel; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      requireFloating(name, in.get(0));
      return List.of(in.get(0));
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      return List.of(in.get(0).map(kernel));
    }

    @Override public List<Node> backward(Node node, List<Node> g) {
      return Arrays.asList(rule.apply(g.get(0), node.input(0), node));
    }
  }

  // ------------------------------------------------------------------ elementwise, two inputs

  /** A backward rule of a broadcasting binary op: gradients before summing to input shapes. */
  @FunctionalInterface
  public interface BinaryRule {
    List<Node> apply(Node g, Node a, Node b, Node y);
  }

  public static final Op ADD = binary("add", "+", BinaryOp.ADD, (g, a, b, y) -> grads(g, g));
  public static final Op SUB = binary("sub", "−", BinaryOp.SUB, (g, a, b, y) -> grads(g, g.neg()));
  public static final Op MUL = binary("mul", "⊙", BinaryOp.MUL, (g, a, b, y) -> grads(g.mul(b), g.mul(a)));
  public static final Op DIV = binary("div", "÷", BinaryOp.DIV, (g, a, b, y) -> grads(g.div(b), g.mul(y).div(b).neg()));

  static Op binary(String name, String symbol, BinaryOp kernel, BinaryRule rule) {
    return new Binary(name, symbol, kernel, rule);
  }

  static List<Node> grads(Node... g) {
    return Arrays.asList(g);
  }

  /** An elementwise function of two inputs, broadcasting under NumPy's rules. */
  public static final class Binary extends Op {
    private final String name;
    private final String symbol;
    private final BinaryOp kernel;
    private final BinaryRule rule;

    Binary(String name, String symbol, BinaryOp kernel, BinaryRule rule) {
      this.name = name;
      this.symbol = symbol;
      this.kernel = kernel;
      this.rule = rule;
    }

    @Override public String name() { return name; }
    @Override public OpKind kind() { return OpKind.BINARY; }
    @Override public String symbol() { return symbol; }

    public BinaryOp kernel() { return kernel; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 2);
      TensorType a = in.get(0);
      TensorType b = in.get(1);
      requireFloating(name, a);
      requireSameDtype(name, a, b);
      Shape s = Shape.broadcast(a.shape(), b.shape());
      if (s == null) {
        throw new IllegalArgumentException(
            name + ": shapes " + a.shape() + " and " + b.shape() + " do not broadcast");
      }
      return List.of(new TensorType(a.dtype(), s));
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      return List.of(in.get(0).zip(kernel, in.get(1)));
    }

    @Override public List<Node> backward(Node node, List<Node> g) {
      Node a = node.input(0);
      Node b = node.input(1);
      List<Node> r = rule.apply(g.get(0), a, b, node);
      return Arrays.asList(unbroadcast(r.get(0), a), unbroadcast(r.get(1), b));
    }
  }

  static Node unbroadcast(Node grad, Node like) {
    return grad == NONE ? NONE : grad.sumTo(like.shape());
  }

  // ------------------------------------------------------------------ scalar operands

  /** x + c. */
  public static final class AddScalar extends ScalarOp {
    public AddScalar(double c) { super("add_scalar", "+ " + fmt(c), BinaryOp.ADD, c, false); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0)); }
  }

  /** x * c. */
  public static final class MulScalar extends ScalarOp {
    public MulScalar(double c) { super("mul_scalar", "× " + fmt(c), BinaryOp.MUL, c, false); }
    @Override public boolean isLinear() { return true; }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0).mul(constant())); }
  }

  /** c - x. */
  public static final class RsubScalar extends ScalarOp {
    public RsubScalar(double c) { super("rsub_scalar", fmt(c) + " −", BinaryOp.SUB, c, true); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0).neg()); }
  }

  /** x ^ p. */
  public static final class PowScalar extends Op {
    @Override public OpKind kind() { return OpKind.POW; }

    private final double p;

    public PowScalar(double p) { this.p = p; }

    /** The exponent. */
    public double exponent() { return p; }

    @Override public String name() { return "pow_scalar"; }
    @Override public String label() { return "^ " + fmt(p); }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      requireFloating(name(), in.get(0));
      return List.of(in.get(0));
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      Tensor x = in.get(0);
      double[] v = x.toDoubleArray();
      for (int i = 0; i < v.length; i++) {
        v[i] = Math.pow(v[i], p);
      }
      return List.of(Tensor.of(x.dtype(), v, x.shape()));
    }

    @Override public List<Node> backward(Node node, List<Node> g) {
      Node x = node.input(0);
      return grads(g.get(0).mul(x.pow(p - 1)).mul(p));
    }

    @Override public boolean equals(Object o) { return o instanceof PowScalar && ((PowScalar) o).p == p; }
    @Override public int hashCode() { return Double.hashCode(p); }
  }

  /** An elementwise op between a tensor and a constant. */
  public abstract static class ScalarOp extends Op {
    @Override public OpKind kind() { return OpKind.SCALAR; }
    // x + c, c − x, x · c cost what reading them back costs
    @Override public boolean isFreeToRecompute() { return true; }

    private final String name;
    private final String label;
    private final BinaryOp kernel;
    private final double c;
    private final boolean scalarLeft;

    ScalarOp(String name, String label, BinaryOp kernel, double c, boolean scalarLeft) {
      this.name = name;
      this.label = label;
      this.kernel = kernel;
      this.c = c;
      this.scalarLeft = scalarLeft;
    }

    @Override public String name() { return name; }
    @Override public String label() { return label; }

    /** The constant operand. */
    public double constant() { return c; }

    public BinaryOp kernel() { return kernel; }

    /** Whether the constant is the left operand ({@code c op x}). */
    public boolean scalarLeft() { return scalarLeft; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      requireFloating(name, in.get(0));
      return List.of(in.get(0));
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      return List.of(scalarLeft ? in.get(0).zipLeft(kernel, c) : in.get(0).zip(kernel, c));
    }

    @Override public boolean equals(Object o) {
      return o != null && o.getClass() == getClass() && ((ScalarOp) o).c == c;
    }

    @Override public int hashCode() { return getClass().hashCode() * 31 + Double.hashCode(c); }
  }

  static String fmt(double c) {
    if (c == Math.rint(c) && Math.abs(c) < 1e15) {
      return Long.toString((long) c);
    }
    return String.format(Locale.ROOT, "%.4g", c);
  }

  // ------------------------------------------------------------------ matrix product

  private static final Op[] MATMULS = {
      new MatMul(false, false), new MatMul(false, true), new MatMul(true, false), new MatMul(true, true)};

  static Op matmul(boolean transA, boolean transB) {
    return MATMULS[(transA ? 2 : 0) + (transB ? 1 : 0)];
  }

  /**
   * op(a) op(b), op transposing the last two axes when asked. Shapes as in
   * {@link Tensor#matmul(Tensor, boolean, boolean)}: 2-D, batched with equal batch dimensions, or
   * a batch of matrices times one shared matrix.
   */
  public static final class MatMul extends Op {
    @Override public OpKind kind() { return OpKind.MATMUL; }

    private final boolean transA;
    private final boolean transB;

    MatMul(boolean transA, boolean transB) {
      this.transA = transA;
      this.transB = transB;
    }

    public boolean transA() { return transA; }
    public boolean transB() { return transB; }

    @Override public String name() { return "matmul"; }
    @Override public String symbol() { return (transA ? "ᵀ" : "") + "·" + (transB ? "ᵀ" : ""); }

    @Override public String label() {
      return transA || transB ? "matmul" + (transA ? " Aᵀ" : "") + (transB ? " Bᵀ" : "") : "matmul";
    }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 2);
      requireFloating(name(), in.get(0));
      requireSameDtype(name(), in.get(0), in.get(1));
      if (transA && in.get(0).shape().rank() > 2 && in.get(1).shape().rank() == 2) {
        throw new IllegalArgumentException(
            "matmul (a transposed): a batch " + in.get(0).shape() + " times a shared matrix "
                + in.get(1).shape() + " needs an untransposed a");
      }
      return List.of(new TensorType(in.get(0).dtype(),
          Tensor.matmulShape(in.get(0).shape(), in.get(1).shape(), transA, transB)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      return List.of(in.get(0).matmul(in.get(1), transA, transB));
    }

    @Override public List<Node> backward(Node node, List<Node> cot) {
      Node g = cot.get(0);
      Node a = node.input(0);
      Node b = node.input(1);
      if (b.rank() == 2 && a.rank() > 2) {
        // a batch times a shared b: fold the batch into rows, then it is the 2-D rule
        int k = a.shape().dim(-1);
        int n = g.shape().dim(-1);
        Node a2 = a.reshape(-1, k);
        Node g2 = g.reshape(-1, n);
        Node da = g.matmul(b, false, !transB);
        Node db = transB ? g2.matmul(a2, true, false) : a2.matmul(g2, true, false);
        return grads(da, db);
      }
      Node da;
      Node db;
      if (!transA && !transB) {        // C = A B
        da = g.matmul(b, false, true);
        db = a.matmul(g, true, false);
      } else if (!transA) {            // C = A Bᵀ
        da = g.matmul(b, false, false);
        db = g.matmul(a, true, false);
      } else if (!transB) {            // C = Aᵀ B
        da = b.matmul(g, false, true);
        db = a.matmul(g, false, false);
      } else {                         // C = Aᵀ Bᵀ
        da = b.matmul(g, true, true);
        db = g.matmul(a, true, true);
      }
      return grads(da, db);
    }
  }

  // ------------------------------------------------------------------ shape ops

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

    public Permute(int[] perm) { this.perm = perm.clone(); }

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

    public Reshape(Shape shape) { this.shape = shape; }

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

    public Slice(int axis, int start, int end) {
      this.axis = axis;
      this.start = start;
      this.end = end;
    }

    public int axis() { return axis; }
    public int start() { return start; }
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

    public Pad(int axis, int before, int after) {
      if (before < 0 || after < 0) {
        throw new IllegalArgumentException("pad amounts (" + before + ", " + after + ") must not be negative");
      }
      this.axis = axis;
      this.before = before;
      this.after = after;
    }

    public int axis() { return axis; }
    public int before() { return before; }
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

    public Concat(int axis) { this.axis = axis; }

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

  // ------------------------------------------------------------------ reductions, broadcasting

  /** The sum of all elements. */
  public static final Op SUM_ALL = new Op() {
    @Override public OpKind kind() { return OpKind.SUM_ALL; }

    @Override public String name() { return "sum"; }
    @Override public String label() { return "Σ"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      requireFloating("sum", in.get(0));
      return List.of(new TensorType(in.get(0).dtype(), Shape.scalar()));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).sum()); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0).broadcastTo(node.input(0).shape())); }
  };

  /** The sum over one axis. */
  public static final class SumAxis extends Op {
    @Override public OpKind kind() { return OpKind.SUM_AXIS; }

    private final int axis;
    private final boolean keepDims;

    public SumAxis(int axis, boolean keepDims) {
      this.axis = axis;
      this.keepDims = keepDims;
    }

    public int axis() { return axis; }
    public boolean keepDims() { return keepDims; }

    @Override public String name() { return "sum_axis"; }
    @Override public String label() { return "Σ axis " + axis; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      requireFloating("sum", in.get(0));
      Shape s = in.get(0).shape();
      int a = s.normalizeAxis(axis);
      return List.of(new TensorType(in.get(0).dtype(), keepDims ? s.with(a, 1) : s.without(a)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).sum(axis, keepDims)); }

    @Override public List<Node> backward(Node node, List<Node> g) {
      Shape xs = node.input(0).shape();
      return grads(g.get(0).reshape(xs.with(axis, 1)).broadcastTo(xs));
    }
  }

  /** Sums down to a target shape: the adjoint of broadcasting. */
  public static final class SumTo extends Op {
    @Override public OpKind kind() { return OpKind.SUM_TO; }

    private final Shape target;

    public SumTo(Shape target) { this.target = target; }

    public Shape target() { return target; }

    @Override public String name() { return "sum_to"; }
    @Override public String label() { return "Σ→" + target; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      Shape s = in.get(0).shape();
      Shape b = Shape.broadcast(target, s);
      if (b == null || !b.equals(s)) {
        throw new IllegalArgumentException("sum_to: cannot sum " + s + " down to " + target);
      }
      return List.of(new TensorType(in.get(0).dtype(), target));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).sumTo(target)); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0).broadcastTo(node.input(0).shape())); }
  }

  /** Broadcasts to a target shape. */
  public static final class BroadcastTo extends Op {
    @Override public OpKind kind() { return OpKind.BROADCAST_TO; }

    private final Shape target;

    public BroadcastTo(Shape target) { this.target = target; }

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

  /** log(softmax(x)) over the last axis: x - max - log Σ exp(x - max). */
  public static final Op LOG_SOFTMAX = new Op() {
    @Override public OpKind kind() { return OpKind.LOG_SOFTMAX; }
    @Override public String symbol() { return "log softmax"; }

    @Override public String name() { return "log_softmax"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      requireFloating("log_softmax", in.get(0));
      if (in.get(0).shape().rank() < 1) {
        throw new IllegalArgumentException("log_softmax needs rank at least 1, got " + in.get(0).shape());
      }
      return List.of(in.get(0));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(in.get(0).logSoftmax()); }

    @Override public List<Node> backward(Node node, List<Node> cot) {
      Node g = cot.get(0);
      return grads(g.sub(node.exp().mul(g.sum(-1, true))));
    }
  };

  // ------------------------------------------------------------------ indexing

  /** Rows of a table gathered by integer ids (an embedding lookup). */
  public static final Op GATHER = new Op() {
    @Override public OpKind kind() { return OpKind.INDEXING; }

    @Override public String name() { return "gather"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 2);
      TensorType table = in.get(0);
      TensorType ids = in.get(1);
      if (table.shape().rank() != 2) {
        throw new IllegalArgumentException("gather needs a table of rank 2, got " + table.shape());
      }
      if (ids.dtype().isFloating()) {
        throw new IllegalArgumentException("gather needs integer ids, got " + ids);
      }
      int[] d = Arrays.copyOf(ids.shape().toArray(), ids.shape().rank() + 1);
      d[d.length - 1] = table.shape().dim(1);
      return List.of(new TensorType(table.dtype(), Shape.of(d)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(Tensor.gather(in.get(0), in.get(1))); }

    @Override public List<Node> backward(Node node, List<Node> g) {
      Node table = node.input(0);
      Node ids = node.input(1);
      Node dt = g.get(0).graph().apply(new ScatterAdd(table.shape().dim(0)), List.of(g.get(0), ids));
      return grads(dt, NONE);   // ids: integer, not differentiable
    }
  };

  /** Rows added into a table of {@code rows} rows at integer ids: the adjoint of {@link #GATHER}. */
  public static final class ScatterAdd extends Op {
    @Override public OpKind kind() { return OpKind.INDEXING; }

    private final int rows;

    public ScatterAdd(int rows) { this.rows = rows; }

    @Override public String name() { return "scatter_add"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 2);
      TensorType v = in.get(0);
      TensorType ids = in.get(1);
      if (ids.dtype().isFloating()) {
        throw new IllegalArgumentException("scatter_add needs integer ids, got " + ids);
      }
      Shape vs = v.shape();
      if (vs.rank() != ids.shape().rank() + 1) {
        throw new IllegalArgumentException("scatter_add: values " + vs + " do not match ids " + ids.shape());
      }
      return List.of(new TensorType(v.dtype(), Shape.of(rows, vs.dim(-1))));
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      Tensor v = in.get(0);
      Tensor ids = in.get(1);
      int d = v.shape().dim(-1);
      double[] out = new double[rows * d];
      double[] src = v.toDoubleArray();
      for (int i = 0, n = ids.size(); i < n; i++) {
        int id = (int) ids.getLong(i);
        for (int j = 0; j < d; j++) {
          out[id * d + j] += src[i * d + j];
        }
      }
      return List.of(Tensor.of(v.dtype(), out, Shape.of(rows, d)));
    }

    @Override public List<Node> backward(Node node, List<Node> g) {
      return grads(g.get(0).gather(node.input(1)), NONE);
    }
  }

  /** One-hot rows of integer ids: {@code ids.shape + [depth]}; constant with respect to everything. */
  public static final class OneHot extends Op {
    @Override public OpKind kind() { return OpKind.INDEXING; }

    private final int depth;
    private final DType dtype;

    public OneHot(int depth, DType dtype) {
      this.depth = depth;
      this.dtype = dtype;
    }

    @Override public String name() { return "one_hot"; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 1);
      if (in.get(0).dtype().isFloating()) {
        throw new IllegalArgumentException("one_hot needs integer ids, got " + in.get(0));
      }
      int[] d = Arrays.copyOf(in.get(0).shape().toArray(), in.get(0).shape().rank() + 1);
      d[d.length - 1] = depth;
      return List.of(new TensorType(dtype, Shape.of(d)));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(Tensor.oneHot(in.get(0), depth, dtype)); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(NONE); }
  }

  // ------------------------------------------------------------------ leaves and projections

  /** A value fed at run time: an input or a parameter. */
  public static final class Leaf extends Op {
    @Override public OpKind kind() { return OpKind.LEAF; }

    /** What a fed value is. */
    public enum Role { INPUT, PARAMETER }

    private final Role role;
    private final TensorType type;

    Leaf(Role role, TensorType type) {
      this.role = role;
      this.type = type;
    }

    /** Whether the value is an input or a parameter. */
    public Role role() { return role; }

    @Override public String name() { return role == Role.INPUT ? "input" : "parameter"; }
    @Override public List<TensorType> inferTypes(List<TensorType> in) { checkArity(in, 0); return List.of(type); }

    @Override public List<Tensor> compute(List<Tensor> in) {
      throw new IllegalStateException("a " + name() + " is fed, not computed");
    }

    @Override public List<Node> backward(Node node, List<Node> g) { return List.of(); }
    @Override public boolean isPure() { return false; }
  }

  /** A constant tensor held by the graph. */
  public static final class Constant extends Op {
    @Override public OpKind kind() { return OpKind.CONSTANT; }

    private final Tensor value;

    Constant(Tensor value) { this.value = value; }

    public Tensor value() { return value; }

    @Override public String name() { return "constant"; }

    @Override public String label() {
      return value.size() == 1 ? fmt(value.getFlat(0)) : "constant " + value.shape();
    }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      checkArity(in, 0);
      return List.of(new TensorType(value.dtype(), value.shape()));
    }

    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(value); }
    @Override public List<Node> backward(Node node, List<Node> g) { return List.of(); }
  }

  /** A tensor filled with one value. */
  public static final class Fill extends Op {
    @Override public OpKind kind() { return OpKind.CONSTANT; }

    private final double value;
    private final TensorType type;

    Fill(double value, TensorType type) {
      this.value = value;
      this.type = type;
    }

    public double value() { return value; }

    @Override public String name() { return "fill"; }
    @Override public String label() { return value == 0 ? "0" : fmt(value); }
    @Override public List<TensorType> inferTypes(List<TensorType> in) { checkArity(in, 0); return List.of(type); }
    @Override public List<Tensor> compute(List<Tensor> in) { return List.of(Tensor.full(type.dtype(), value, type.shape())); }
    @Override public List<Node> backward(Node node, List<Node> g) { return List.of(); }
  }

  /** Output i of a multi-output node. Its gradient is handled by {@link Gradients} directly. */
  public static final class GetOutput extends Op {
    @Override public OpKind kind() { return OpKind.GET_OUTPUT; }

    private final int index;

    GetOutput(int index) { this.index = index; }

    public int index() { return index; }

    @Override public String name() { return "output"; }
    @Override public String label() { return "#" + index; }

    @Override public List<TensorType> inferTypes(List<TensorType> in) {
      throw new IllegalStateException("GetOutput is typed by its multi-output input");
    }

    @Override public List<Tensor> compute(List<Tensor> in) {
      throw new IllegalStateException("GetOutput is evaluated by the plan");
    }

    @Override public List<Node> backward(Node node, List<Node> g) {
      throw new IllegalStateException("GetOutput is differentiated by Gradients");
    }
  }

  // ------------------------------------------------------------------ checks

  static void requireFloating(String op, TensorType t) {
    if (!t.dtype().isFloating()) {
      throw new IllegalArgumentException(op + " is not defined for " + t + " (integer) values");
    }
  }

  static void requireSameDtype(String op, TensorType a, TensorType b) {
    if (a.dtype() != b.dtype()) {
      throw new IllegalArgumentException(op + " of " + a + " and " + b + ": dtypes differ");
    }
  }
}
