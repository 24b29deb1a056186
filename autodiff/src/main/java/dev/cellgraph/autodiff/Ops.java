package dev.cellgraph.autodiff;

import static dev.cellgraph.autodiff.Gradients.NONE;

import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.kernel.BinaryOp;
import dev.cellgraph.core.kernel.UnaryOp;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The table of arithmetic ops: elementwise functions of one or two inputs and of a constant, the
 * power, the matrix product, the reductions and log-softmax. Each op is in one place with its
 * name, type rule, forward computation and backward rule (a vector-Jacobian product written with
 * graph ops). It reads like PyTorch's {@code derivatives.yaml}: {@code g} is the cotangent of the
 * result, {@code x}, {@code a}, {@code b} the inputs and {@code y} the result.
 *
 * <p>The other families of ops are tables of the same form beside this one: {@link LayoutOps}
 * (shape and layout), {@link IndexOps} (integer indexing) and {@link GraphOps} (a graph's leaves,
 * constants and output projections). The checks and helpers they share are here.
 *
 * <p>An input without a gradient says so with {@link Gradients#NONE}; an op without a backward
 * rule throws, naming the op, when a gradient through it is asked for.
 *
 * <p>Thread-safe: its ops are immutable values (see {@link Op}) and it holds no other state.
 */
public final class Ops {
  private Ops() {}

  // ------------------------------------------------------------------ elementwise, one input

  /** A backward rule of an elementwise function: from g, x and y to the gradient of x. */
  @FunctionalInterface
  public interface UnaryRule {
    /**
     * The gradient of x, from the output's gradient {@code g}, the input {@code x} and the output {@code y}.
     *
     * @param g the gradient of the loss with respect to the output
     * @param x the op's input
     * @param y the op's output
     * @return the gradient of the loss with respect to {@code x}
     */
    Node apply(Node g, Node x, Node y);
  }

  /** {@code -x}. */
  public static final Op NEG        = unary("neg",        "−",        UnaryOp.NEG,        (g, x, y) -> g.neg());
  /** {@code e^x}. */
  public static final Op EXP        = unary("exp",        "exp",      UnaryOp.EXP,        (g, x, y) -> g.mul(y));
  /** The natural logarithm. */
  public static final Op LOG        = unary("log",        "log",      UnaryOp.LOG,        (g, x, y) -> g.div(x));
  /** The hyperbolic tangent. */
  public static final Op TANH       = unary("tanh",       "tanh",     UnaryOp.TANH,       (g, x, y) -> g.mul(y.square().oneMinus()));
  /** The logistic function {@code 1 / (1 + e^-x)}. */
  public static final Op SIGMOID    = unary("sigmoid",    "σ",        UnaryOp.SIGMOID,    (g, x, y) -> g.mul(y.mul(y.oneMinus())));
  /** {@code max(x, 0)}. */
  public static final Op RELU       = unary("relu",       "relu",     UnaryOp.RELU,       (g, x, y) -> g.mul(step(x)));
  /** {@code log(1 + e^x)}. */
  public static final Op SOFTPLUS   = unary("softplus",   "softplus", UnaryOp.SOFTPLUS,   (g, x, y) -> g.mul(x.sigmoid()));
  /** {@code x / (1 + |x|)}. */
  public static final Op SOFTSIGN   = unary("softsign",   "softsign", UnaryOp.SOFTSIGN,   (g, x, y) -> g.div(x.abs().add(1.0).square()));
  /** {@code |x|}. */
  public static final Op ABS        = unary("abs",        "|·|",      UnaryOp.ABS,        (g, x, y) -> g.mul(sign(x)));
  /** {@code x * x}. */
  public static final Op SQUARE     = unary("square",     "x²",       UnaryOp.SQUARE,     (g, x, y) -> g.mul(x).mul(2.0));
  /** The square root. */
  public static final Op SQRT       = unary("sqrt",       "√",        UnaryOp.SQRT,       (g, x, y) -> g.div(y).mul(0.5));
  /** {@code 1 / x}. */
  public static final Op RECIPROCAL = unary("reciprocal", "1/x",      UnaryOp.RECIPROCAL, (g, x, y) -> g.mul(y.square()).neg());
  /** The error function. */
  public static final Op ERF        = unary("erf",        "erf",      UnaryOp.ERF,        (g, x, y) -> g.mul(x.square().neg().exp()).mul(2 / Math.sqrt(Math.PI)));
  /** 1 where x > 0: the derivative of relu, itself with derivative zero almost everywhere. */
  public static final Op STEP       = unary("step",       "step",     UnaryOp.STEP,       (g, x, y) -> NONE);
  /** The sign of x: the derivative of abs, itself with derivative zero almost everywhere. */
  public static final Op SIGN       = unary("sign",       "sign",     UnaryOp.SIGN,       (g, x, y) -> NONE);

  static Node step(Node x) {
    return x.graph().apply(STEP, List.of(x));
  }

  /** 1 where x > c, else 0; exact, since x - c is zero only when x equals c. */
  static Node above(Node x, double c) {
    return step(c == 0 ? x : x.add(-c));
  }

  /** 1 where x < c, else 0. */
  static Node below(Node x, double c) {
    return step(x.rsub(c));
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

    /**
     * The elementwise function this op applies.
     *
     * @return the unary kernel applied to every element
     */
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
    /**
     * The gradients of a and b, before summing to their shapes, from {@code g}, the inputs and the output {@code y}.
     *
     * @param g the gradient of the loss with respect to the output
     * @param a the left input
     * @param b the right input
     * @param y the op's output
     * @return the unreduced gradients of {@code a} and {@code b}, in that order
     */
    List<Node> apply(Node g, Node a, Node b, Node y);
  }

  /** {@code a + b}, broadcasting. */
  public static final Op ADD = binary("add", "+", BinaryOp.ADD, (g, a, b, y) -> grads(g, g));
  /** {@code a - b}, broadcasting. */
  public static final Op SUB = binary("sub", "−", BinaryOp.SUB, (g, a, b, y) -> grads(g, g.neg()));
  /** {@code a * b} elementwise, broadcasting. */
  public static final Op MUL = binary("mul", "⊙", BinaryOp.MUL, (g, a, b, y) -> grads(g.mul(b), g.mul(a)));
  /** {@code a / b} elementwise, broadcasting. */
  public static final Op DIV = binary("div", "÷", BinaryOp.DIV, (g, a, b, y) -> grads(g.div(b), g.mul(y).div(b).neg()));
  /** As torch.maximum: the larger operand takes the gradient, and a tie gives each half. */
  public static final Op MAXIMUM = binary("maximum", "max", BinaryOp.MAX, (g, a, b, y) -> tie(g, sign(a.sub(b))));
  /** As torch.minimum: the smaller operand takes the gradient, and a tie gives each half. */
  public static final Op MINIMUM = binary("minimum", "min", BinaryOp.MIN, (g, a, b, y) -> tie(g, sign(b.sub(a))));

  /** Gradients of max(a, b) from s = sign(a - b): (1 + s)/2 to a and (1 - s)/2 to b. */
  private static List<Node> tie(Node g, Node s) {
    return grads(g.mul(s.add(1.0)).mul(0.5), g.mul(s.rsub(1.0)).mul(0.5));
  }

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

    /**
     * The elementwise kernel.
     *
     * @return the binary kernel applied to every pair of elements
     */
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
    /**
     * {@code x + c}.
     *
     * @param c the constant added to every element
     */
    public AddScalar(double c) { super("add_scalar", "+ " + fmt(c), BinaryOp.ADD, c, false); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0)); }
  }

  /** x * c. */
  public static final class MulScalar extends ScalarOp {
    /**
     * {@code x * c}.
     *
     * @param c the constant every element is multiplied by
     */
    public MulScalar(double c) { super("mul_scalar", "× " + fmt(c), BinaryOp.MUL, c, false); }
    @Override public boolean isLinear() { return true; }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0).mul(constant())); }
  }

  /** c - x. */
  public static final class RsubScalar extends ScalarOp {
    /**
     * {@code c - x}.
     *
     * @param c the constant every element is subtracted from
     */
    public RsubScalar(double c) { super("rsub_scalar", fmt(c) + " −", BinaryOp.SUB, c, true); }
    @Override public List<Node> backward(Node node, List<Node> g) { return grads(g.get(0).neg()); }
  }

  /** max(x, c), as torch.clamp(x, min=c): the gradient passes where x >= c, the tie included. */
  public static final class MaxScalar extends ScalarOp {
    /**
     * {@code max(x, c)}.
     *
     * @param c the lower bound
     */
    public MaxScalar(double c) { super("max_scalar", "max " + fmt(c), BinaryOp.MAX, c, false); }
    @Override public boolean isFreeToRecompute() { return false; }
    @Override public List<Node> backward(Node node, List<Node> g) {
      return grads(g.get(0).mul(below(node.input(0), constant()).oneMinus()));
    }
  }

  /** {@code min(x, c)}, as {@code torch.clamp(x, max=c)}: the gradient passes where {@code x <= c}, the tie included. */
  public static final class MinScalar extends ScalarOp {
    /**
     * {@code min(x, c)}.
     *
     * @param c the upper bound
     */
    public MinScalar(double c) { super("min_scalar", "min " + fmt(c), BinaryOp.MIN, c, false); }
    @Override public boolean isFreeToRecompute() { return false; }
    @Override public List<Node> backward(Node node, List<Node> g) {
      return grads(g.get(0).mul(above(node.input(0), constant()).oneMinus()));
    }
  }

  /** x ^ p. */
  public static final class PowScalar extends Op {
    @Override public OpKind kind() { return OpKind.POW; }

    private final double p;

    /**
     * {@code x ^ p}.
     *
     * @param p the exponent
     */
    public PowScalar(double p) { this.p = p; }

    /**
     * The exponent.
     *
     * @return the constant exponent {@code p}
     */
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

    /**
     * The constant operand.
     *
     * @return the constant {@code c}
     */
    public double constant() { return c; }

    /**
     * The elementwise kernel, applied with the constant as one operand.
     *
     * @return the binary kernel combining each element with the constant
     */
    public BinaryOp kernel() { return kernel; }

    /**
     * Whether the constant is the left operand ({@code c op x}).
     *
     * @return true if the op computes {@code c op x}, false for {@code x op c}
     */
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

    /**
     * Whether the left operand is transposed.
     *
     * @return true if the last two axes of the left operand are swapped first
     */
    public boolean transA() { return transA; }
    /**
     * Whether the right operand is transposed.
     *
     * @return true if the last two axes of the right operand are swapped first
     */
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

    /**
     * The sum over {@code axis}, which is removed unless {@code keepDims}.
     *
     * @param axis the axis to sum over, non-negative
     * @param keepDims whether to keep the summed axis with size 1
     */
    public SumAxis(int axis, boolean keepDims) {
      this.axis = axis;
      this.keepDims = keepDims;
    }

    /**
     * The summed axis.
     *
     * @return the index of the summed axis
     */
    public int axis() { return axis; }
    /**
     * Whether the summed axis is kept with size 1.
     *
     * @return true if the summed axis is kept with size 1
     */
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

    /**
     * Sums a broadcast value back to {@code target} (the adjoint of broadcasting).
     *
     * @param target the shape to sum down to
     */
    public SumTo(Shape target) { this.target = target; }

    /**
     * The shape summed to.
     *
     * @return the shape the input is summed down to
     */
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
