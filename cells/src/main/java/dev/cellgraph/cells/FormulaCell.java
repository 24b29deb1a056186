package dev.cellgraph.cells;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Equation;
import dev.cellgraph.cells.lang.Expr;
import dev.cellgraph.cells.lang.Parameter;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.ShapeCache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A cell defined by its gate formulas: a {@link CellSpec} made into a composite op. The step
 * function evaluates the equations in order with graph ops, so its gradient is derived from the
 * formulas automatically. Nodes carry the user's own names ({@code f_t}, {@code C̃_t}) and
 * parameters their canonical names ({@code W_f}).
 *
 * <p>In a batch, every vector of the formulas becomes a row per example: {@code W x} is computed
 * as {@code x Wᵀ} on {@code [B, n]} values, with W stored {@code [rows, cols]} as PyTorch does.
 *
 * <p>Thread-safe: immutable apart from its concurrent cache of step functions.
 */
public final class FormulaCell implements Cell {
  private final String name;
  private final CellSpec spec;
  private final boolean stackProducts;
  private final Map<String, Function> steps = ShapeCache.newMap();

  private FormulaCell(String name, CellSpec spec, boolean stackProducts) {
    this.name = Objects.requireNonNull(name, "name");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.stackProducts = stackProducts;
    if (spec.inputs().size() != 1) {
      throw new IllegalArgumentException("cell " + name + " has inputs " + spec.inputs()
          + "; a recurrent layer feeds exactly one input per step");
    }
  }

  /**
   * A cell computed by the formulas of {@code spec}, the matrix products of one variable stacked into one GEMM.
   *
   * @param name the cell's name, e.g. the file name of its formulas
   * @param spec the formulas the cell computes
   * @return the cell, its products stacked
   * @throws IllegalArgumentException if the spec does not have exactly one input
   */
  public static FormulaCell of(String name, CellSpec spec) {
    return new FormulaCell(name, spec, true);
  }

  /**
   * The same cell with every matrix product evaluated on its own, exactly as the formulas write
   * it, instead of the products of one variable stacked into one GEMM: slower, the same numbers
   * to float rounding, and what diagrams draw.
   *
   * @return a cell computing each product on its own, or this cell if it already does
   */
  public FormulaCell asWritten() {
    return stackProducts ? new FormulaCell(name, spec, false) : this;
  }

  /**
   * The formulas this cell computes.
   *
   * @return the cell's spec
   */
  public CellSpec spec() {
    return spec;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> stateNames() {
    return spec.states();
  }

  @Override
  public int stateSize(String state, int inputSize, int hiddenSize) {
    return spec.shapes(inputSize, hiddenSize).ofVariable(state);
  }

  @Override
  public int outputSize(int inputSize, int hiddenSize) {
    return spec.shapes(inputSize, hiddenSize).ofVariable(spec.output());
  }

  @Override
  public LinkedHashMap<String, Shape> parameterShapes(int inputSize, int hiddenSize) {
    spec.shapes(inputSize, hiddenSize); // checks the sizes fit the cell
    LinkedHashMap<String, Shape> m = new LinkedHashMap<>();
    for (Parameter p : spec.parameters()) {
      m.put(p.name(), Shape.of(p.shape(inputSize, hiddenSize)));
    }
    return m;
  }

  @Override
  public Function step(DType dtype, int batch, int inputSize, int hiddenSize) {
    String key = dtype + "/" + batch + "/" + inputSize + "/" + hiddenSize;
    return steps.computeIfAbsent(key, k -> new Builder(dtype, batch, inputSize, hiddenSize).build());
  }

  /** The products that share one GEMM: those of one vector variable, with the matrices in one orientation. */
  private record GroupKey(Expr.Var vector, boolean transposed) {}

  /** Evaluates the equations of one step as graph ops. */
  private final class Builder {
    private final DType dtype;
    private final int batch;
    private final int inputSize;
    private final int hiddenSize;
    private final Graph g;
    private final Map<String, Node> previous = new LinkedHashMap<>();
    private final Map<String, Node> current = new HashMap<>();
    private final Map<String, Node> params = new LinkedHashMap<>();
    /** Matrices multiplying the same vector variable anywhere in the formulas, by variable and orientation. */
    private final Map<GroupKey, List<String>> productGroups = new HashMap<>();
    private final Map<GroupKey, Node> groupProducts = new HashMap<>();

    Builder(DType dtype, int batch, int inputSize, int hiddenSize) {
      this.dtype = dtype;
      this.batch = batch;
      this.inputSize = inputSize;
      this.hiddenSize = hiddenSize;
      this.g = new Graph(name);
    }

    Function build() {
      List<Node> formals = new ArrayList<>();
      for (String s : spec.states()) {
        Node n = g.input(s, dtype, batch, stateSize(s, inputSize, hiddenSize));
        previous.put(s, n);
        formals.add(n);
      }
      String in = spec.inputs().get(0);
      Node x = g.input(in, dtype, batch, inputSize);
      current.put(in, x);
      formals.add(x);
      for (Map.Entry<String, Shape> e : parameterShapes(inputSize, hiddenSize).entrySet()) {
        Node p = g.parameter(e.getKey(), dtype, e.getValue().toArray());
        params.put(e.getKey(), p);
        formals.add(p);
      }
      if (stackProducts) {
        groupProducts();
      }
      for (Equation eq : spec.equations()) {
        int size = spec.shapes(inputSize, hiddenSize).ofVariable(eq.target());
        Node v = asRow(eval(eq.expr()), size);
        current.put(eq.target(), v.named(eq.spelling()));
      }
      List<Node> results = new ArrayList<>();
      for (String s : spec.states()) {
        results.add(current.get(s));
      }
      results.add(current.get(spec.output()));
      return Function.of(name, formals, results);
    }

    /**
     * Finds the matrices that multiply one variable ({@code W_i x}, {@code W_f x}, ... or
     * {@code U_r h}, {@code U_z h}): their products are computed as one GEMM against the
     * matrices stacked, then sliced, as PyTorch's packed weights are; the gradient then also
     * flows back through one product.
     */
    private void groupProducts() {
      Map<GroupKey, List<String>> found = new LinkedHashMap<>();
      List<Expr> work = new ArrayList<>(); // a stack: the formulas in order, each left to right
      for (int i = spec.equations().size() - 1; i >= 0; i--) {
        work.add(spec.equations().get(i).expr());
      }
      while (!work.isEmpty()) {
        Expr e = work.remove(work.size() - 1);
        if (e instanceof Expr.MatMul m && m.vector() instanceof Expr.Var v) {
          List<String> ms = found.computeIfAbsent(new GroupKey(v, m.transposed()), k -> new ArrayList<>());
          if (!ms.contains(m.matrix().name())) {
            ms.add(m.matrix().name());
          }
        }
        List<Expr> ch = e.children();
        for (int i = ch.size() - 1; i >= 0; i--) {
          work.add(ch.get(i));
        }
      }
      for (Map.Entry<GroupKey, List<String>> e : found.entrySet()) {
        if (e.getValue().size() > 1) {
          productGroups.put(e.getKey(), e.getValue());
        }
      }
    }

    /**
     * W v as a slice of the product of v with every matrix of its group, or on its own; the
     * transposes of the row convention ({@code x W}, W stored [in, out]) are grouped side by side.
     */
    private Node product(Expr.MatMul m) {
      GroupKey key = m.vector() instanceof Expr.Var v ? new GroupKey(v, m.transposed()) : null;
      List<String> group = key == null ? null : productGroups.get(key);
      if (group == null) {
        // W v for each example's row v: v Wᵀ; a v made of parameters alone (W b) is one row for all
        Node v = eval(m.vector());
        if (v.rank() < 2) {
          v = v.broadcastTo(Shape.of(batch, spec.shapes(inputSize, hiddenSize).of(m.vector())[0]));
        }
        return v.matmul(params.get(m.matrix().name()), false, !m.transposed()); // W^T v for a row v: v W
      }
      int axis = m.transposed() ? 1 : 0; // the axis of W that is the product's output
      Node all = groupProducts.get(key);
      if (all == null) {
        List<Node> ws = new ArrayList<>();
        for (String w : group) {
          ws.add(params.get(w));
        }
        all = eval(m.vector()).matmul(Node.concat(axis, ws), false, !m.transposed());
        groupProducts.put(key, all);
      }
      int start = 0;
      for (String w : group) {
        int rows = params.get(w).shape().dim(axis);
        if (w.equals(m.matrix().name())) {
          return all.slice(1, start, start + rows);
        }
        start += rows;
      }
      throw new IllegalStateException("cell " + name + ": " + m.matrix().name() + " is not in its product group");
    }

    /** A value as a [B, n] row per example (a lone parameter or number is broadcast). */
    private Node asRow(Node v, int size) {
      Shape want = Shape.of(batch, size);
      return v.shape().equals(want) ? v : v.broadcastTo(want);
    }

    private Node eval(Expr e) {
      if (e instanceof Expr.Var v) {
        Node n = v.time() == Expr.Time.PREVIOUS ? previous.get(v.name()) : current.get(v.name());
        if (n == null) {
          throw new IllegalStateException("cell " + name + ": '" + v.name() + "' has no value yet");
        }
        return n;
      }
      if (e instanceof Expr.Param p) {
        return params.get(p.name());
      }
      if (e instanceof Expr.Num num) {
        return g.scalar(num.value(), dtype);
      }
      if (e instanceof Expr.Const c) {
        return g.scalar(spec.constantValue(c.name(), inputSize, hiddenSize), dtype);
      }
      if (e instanceof Expr.Apply a) {
        return apply(a);
      }
      if (e instanceof Expr.Pow w) {
        return power(eval(w.base()), w.exponent());
      }
      if (e instanceof Expr.Binary b) {
        return binary(b);
      }
      if (e instanceof Expr.MatMul m) {
        return product(m);
      }
      if (e instanceof Expr.Concat c) {
        List<Node> parts = new ArrayList<>();
        for (Expr part : c.parts()) {
          Node n = eval(part);
          parts.add(n.rank() == 2 ? n : n.broadcastTo(Shape.of(batch, n.rank() == 0 ? 1 : n.shape().dim(-1))));
        }
        return Node.concat(1, parts);
      }
      if (e instanceof Expr.Neg n) {
        return eval(n.operand()).neg();
      }
      if (e instanceof Expr.Part t) {
        int n = spec.shapes(inputSize, hiddenSize).of(t)[0];
        Node whole = eval(t.whole());
        whole = whole.rank() == 2 ? whole : whole.broadcastTo(Shape.of(batch, n * t.count()));
        return whole.slice(1, t.index() * n, (t.index() + 1) * n);
      }
      throw new IllegalStateException("unknown expression " + e);
    }

    /** A function: its vector (the first that is not a constant, max and min being symmetric) and its constants. */
    private Node apply(Expr.Apply a) {
      Node x = null;
      Node y = null;
      List<Double> constants = new ArrayList<>();
      for (Expr arg : a.args()) {
        Double c = constant(arg);
        if (c == null && x == null) {
          x = eval(arg);
        } else if (c == null) {
          y = eval(arg);
        } else {
          constants.add(c);
        }
      }
      return a.fn().apply(x, y, constants);
    }

    /** x^p with the op PyTorch's derivative of that power matches: x², √x, 1/x, or the general power. */
    private Node power(Node x, double p) {
      if (p == 1) {
        return x;
      } else if (p == 2) {
        return x.square();
      } else if (p == 0.5) {
        return x.sqrt();
      } else if (p == -1) {
        return x.reciprocal();
      }
      return x.pow(p);
    }

    /** The value of a constant expression (numbers, constants, sizes and arithmetic of them), else null. */
    private Double constant(Expr e) {
      if (e instanceof Expr.Num n) {
        return n.value();
      } else if (e instanceof Expr.Const c) {
        return spec.constantValue(c.name(), inputSize, hiddenSize);
      } else if (e instanceof Expr.Neg n) {
        Double v = constant(n.operand());
        return v == null ? null : -v;
      } else if (e instanceof Expr.Pow w) {
        Double v = constant(w.base());
        return v == null ? null : Math.pow(v, w.exponent());
      } else if (e instanceof Expr.Binary b) {
        Double l = constant(b.left());
        Double r = l == null ? null : constant(b.right());
        if (r == null) {
          return null;
        }
        return switch (b.op()) {
          case ADD -> l + r;
          case SUB -> l - r;
          case MUL -> l * r;
          case DIV -> l / r;
        };
      }
      return null;
    }

    /** Elementwise arithmetic; a constant on one side becomes a scalar op. */
    private Node binary(Expr.Binary b) {
      Double lc = constant(b.left());
      Double rc = constant(b.right());
      if (lc != null && rc != null) {
        return g.scalar(constant(b), dtype);
      }
      if (rc != null) {
        Node l = eval(b.left());
        double c = rc;
        switch (b.op()) {
          case ADD: return l.add(c);
          case SUB: return l.add(-c);
          case MUL: return l.mul(c);
          case DIV: return l.mul(1.0 / c);
          default: break;
        }
      }
      if (lc != null) {
        Node r = eval(b.right());
        double c = lc;
        switch (b.op()) {
          case ADD: return r.add(c);
          case SUB: return r.rsub(c);
          case MUL: return r.mul(c);
          case DIV: return r.reciprocal().mul(c);
          default: break;
        }
      }
      Node l = eval(b.left());
      Node r = eval(b.right());
      switch (b.op()) {
        case ADD: return l.add(r);
        case SUB: return l.sub(r);
        case MUL: return l.mul(r);
        case DIV: return l.div(r);
        default: throw new IllegalStateException("unknown operator " + b.op());
      }
    }
  }

  @Override
  public String toString() {
    return "FormulaCell " + name;
  }
}
