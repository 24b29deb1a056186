package dev.cellgraph.cells.lang;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Objects;

/**
 * The right-hand side of a cell equation: an immutable tree of the node types below.
 *
 * <ul>
 *   <li>{@link Var}: a variable (the input, a state, or a value defined by another equation),
 *       read at this step or, for states, at the previous step;
 *   <li>{@link Param}: a trained parameter used as a vector (a bias, a peephole);
 *   <li>{@link Num}: a number, broadcast to whatever it is combined with;
 *   <li>{@link Const}: a named constant: a hyperparameter ({@code \beta = 1}, {@code epsilon}) or
 *       a size ({@code H}, {@code I}), one number for all examples;
 *   <li>{@link Apply}: a function of {@link Fn}, elementwise or a reduction over the hidden axis;
 *   <li>{@link Pow}: a value to a constant power ({@code (a - \mu)^2}, {@code x^{1/2}});
 *   <li>{@link Binary}: an elementwise {@code +}, {@code -}, {@code *} or {@code /};
 *   <li>{@link MatMul}: a matrix parameter, or its transpose, times a vector ({@code W x}, {@code W^T x});
 *   <li>{@link Concat}: vectors stacked into one ({@code [h_{t-1}, x_t]});
 *   <li>{@link Neg}: minus a vector;
 *   <li>{@link Part}: one of several equal parts of a vector ({@code f_t} of {@code (f_t; i_t; o_t; g_t) = ...}).
 * </ul>
 *
 * Every node knows the {@link Span} of source text it came from ({@link Span#NONE} when
 * built in Java). Equality is structural and ignores spans, so a parsed cell equals the
 * same cell built with {@link CellSpec#builder()}. Shapes of nodes, for given sizes, come
 * from {@link CellSpec#shapes(int, int)}. {@code toString()} prints the normalized notation.
 * Trees are at most {@link CellSpec#MAX_DEPTH} deep, so recursive walks are safe.
 *
 * <p>Immutable and thread-safe: every node is a record of immutable parts.
 */
public sealed interface Expr
    permits Expr.Var, Expr.Param, Expr.Num, Expr.Const, Expr.Apply, Expr.Pow, Expr.Binary, Expr.MatMul,
        Expr.Concat, Expr.Neg, Expr.Part {

  /**
   * Where this expression is in the source text.
   *
   * @return the node's span, {@link Span#NONE} when built in Java
   */
  Span span();

  /**
   * The direct children of this node, left to right.
   *
   * @return the children, empty for a leaf
   */
  List<Expr> children();

  /** Which step a variable is read at. */
  enum Time {
    /** The value computed at this step (the input, or an equation's result). */
    CURRENT,
    /** A state's value from the previous step ({@code h_{t-1}}, or bare {@code h} in primed notation). */
    PREVIOUS
  }

  /** The elementwise binary operators. */
  enum BinaryOp {
    /** Elementwise {@code +}. */
    ADD("+"),
    /** Elementwise {@code -}. */
    SUB("-"),
    /** Elementwise {@code *}. */
    MUL("*"),
    /** Elementwise {@code /}. */
    DIV("/");

    private final String symbol;

    BinaryOp(String symbol) {
      this.symbol = symbol;
    }

    /**
     * The operator as the normalized notation writes it.
     *
     * @return the symbol: {@code +}, {@code -}, {@code *} or {@code /}
     */
    public String symbol() {
      return symbol;
    }
  }

  /** A variable by canonical name, at this step or the previous one. */
  record Var(String name, Time time, Span span) implements Expr {
    /**
     * Rejects null components.
     *
     * @param name the variable's canonical name
     * @param time the step it is read at
     * @param span where it is in the source
     */
    public Var {
      requireNonNull(name, "name");
      requireNonNull(time, "time");
      requireNonNull(span, "span");
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Var v && v.name.equals(name) && v.time == time;
    }

    @Override
    public int hashCode() {
      return Objects.hash(name, time);
    }

    @Override
    public String toString() {
      return Printer.plain(this);
    }
  }

  /** A parameter by canonical name; as a matrix it only appears as {@link MatMul#matrix()}. */
  record Param(String name, Span span) implements Expr {
    /**
     * Rejects null components.
     *
     * @param name the parameter's canonical name
     * @param span where it is in the source
     */
    public Param {
      requireNonNull(name, "name");
      requireNonNull(span, "span");
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Param p && p.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A finite, non-negative number (a minus sign is a {@link Neg}). */
  record Num(double value, Span span) implements Expr {
    /**
     * Rejects a negative or non-finite value.
     *
     * @param value the number, finite and not negative
     * @param span where it is in the source
     */
    public Num {
      checkArgument(Double.isFinite(value) && value >= 0 && !isNegativeZero(value),
          "number (%s) must be finite and not negative", value);
      requireNonNull(span, "span");
    }

    private static boolean isNegativeZero(double v) {
      return Double.doubleToRawLongBits(v) == Long.MIN_VALUE;
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Num n && Double.compare(n.value, value) == 0;
    }

    @Override
    public int hashCode() {
      return Double.hashCode(value);
    }

    @Override
    public String toString() {
      return Printer.number(value);
    }
  }

  /**
   * A named constant, by canonical name: {@code H} and {@code I} are the sizes, any other name a
   * constant of the cell ({@link CellSpec#constants()}); a number for all examples.
   */
  record Const(String name, Span span) implements Expr {
    /**
     * Rejects null components.
     *
     * @param name the constant's canonical name, or {@code H} or {@code I}
     * @param span where it is in the source
     */
    public Const {
      requireNonNull(name, "name");
      requireNonNull(span, "span");
    }

    @Override
    public List<Expr> children() {
      return List.of();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Const c && c.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode() * 31 + 11;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** A function applied to its arguments: the vector first, then constants (or a second vector for max, min). */
  record Apply(Fn fn, ImmutableList<Expr> args, Span span) implements Expr {
    /**
     * Checks the argument count against the function's.
     *
     * @param fn the function
     * @param args its arguments, the vector first
     * @param span where it is in the source
     */
    public Apply {
      requireNonNull(fn, "fn");
      requireNonNull(args, "args");
      checkArgument(args.size() >= fn.minArgs() && args.size() <= fn.maxArgs(),
          "%s takes %s to %s arguments, not %s", fn, fn.minArgs(), fn.maxArgs(), args.size());
      requireNonNull(span, "span");
    }

    /**
     * A function of one argument.
     *
     * @param fn the function
     * @param arg its only argument, the vector
     * @param span where it is in the source
     */
    public Apply(Fn fn, Expr arg, Span span) {
      this(fn, ImmutableList.of(arg), span);
    }

    /**
     * The first argument, the vector the function applies to.
     *
     * @return the first argument
     */
    public Expr arg() {
      return args.get(0);
    }

    @Override
    public List<Expr> children() {
      return args;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Apply a && a.fn == fn && a.args.equals(args);
    }

    @Override
    public int hashCode() {
      return Objects.hash(fn, args);
    }

    @Override
    public String toString() {
      return Printer.plain(this);
    }
  }

  /** A value to a constant, finite power: {@code x^2}, {@code x^{1/2}}, {@code x^{-1}}. */
  record Pow(Expr base, double exponent, Span span) implements Expr {
    /**
     * Rejects a non-finite exponent.
     *
     * @param base the value raised to the power
     * @param exponent the power, finite
     * @param span where it is in the source
     */
    public Pow {
      requireNonNull(base, "base");
      checkArgument(Double.isFinite(exponent), "exponent (%s) must be finite", exponent);
      requireNonNull(span, "span");
    }

    @Override
    public List<Expr> children() {
      return List.of(base);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Pow p && p.base.equals(base) && Double.compare(p.exponent, exponent) == 0;
    }

    @Override
    public int hashCode() {
      return base.hashCode() * 31 + Double.hashCode(exponent);
    }

    @Override
    public String toString() {
      return Printer.plain(this);
    }
  }

  /** An elementwise operation; a {@link Num} operand is broadcast. */
  record Binary(BinaryOp op, Expr left, Expr right, Span span) implements Expr {
    /**
     * Rejects null components.
     *
     * @param op the operator
     * @param left the left operand
     * @param right the right operand
     * @param span where it is in the source
     */
    public Binary {
      requireNonNull(op, "op");
      requireNonNull(left, "left");
      requireNonNull(right, "right");
      requireNonNull(span, "span");
    }

    @Override
    public List<Expr> children() {
      return List.of(left, right);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Binary b && b.op == op && b.left.equals(left) && b.right.equals(right);
    }

    @Override
    public int hashCode() {
      return Objects.hash(op, left, right);
    }

    @Override
    public String toString() {
      return Printer.plain(this);
    }
  }

  /**
   * A matrix parameter times a vector: {@code [rows, cols] x [cols] -> [rows]}; when
   * {@code transposed} ({@code W^T x}), its transpose: {@code [rows, cols]^T x [rows] -> [cols]}.
   */
  record MatMul(Param matrix, Expr vector, Span span, boolean transposed) implements Expr {
    /**
     * Rejects null components.
     *
     * @param matrix the matrix parameter
     * @param vector the vector it multiplies
     * @param span where it is in the source
     * @param transposed whether the matrix's transpose multiplies the vector
     */
    public MatMul {
      requireNonNull(matrix, "matrix");
      requireNonNull(vector, "vector");
      requireNonNull(span, "span");
    }

    /**
     * The product of the matrix itself, not its transpose.
     *
     * @param matrix the matrix parameter
     * @param vector the vector it multiplies
     * @param span where it is in the source
     */
    public MatMul(Param matrix, Expr vector, Span span) {
      this(matrix, vector, span, false);
    }

    @Override
    public List<Expr> children() {
      return List.of(matrix, vector);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof MatMul m && m.matrix.equals(matrix) && m.vector.equals(vector) && m.transposed == transposed;
    }

    @Override
    public int hashCode() {
      return Objects.hash(matrix, vector) * 31 + (transposed ? 8 : 7);
    }

    @Override
    public String toString() {
      return Printer.plain(this);
    }
  }

  /** Vectors stacked end to end, first part first. */
  record Concat(ImmutableList<Expr> parts, Span span) implements Expr {
    /**
     * Rejects an empty list of parts.
     *
     * @param parts the vectors, first part first (at least one)
     * @param span where it is in the source
     */
    public Concat {
      requireNonNull(parts, "parts");
      checkArgument(parts.size() >= 1, "a concatenation needs at least one part");
      requireNonNull(span, "span");
    }

    @Override
    public List<Expr> children() {
      return parts;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Concat c && c.parts.equals(parts);
    }

    @Override
    public int hashCode() {
      return parts.hashCode() * 31 + 3;
    }

    @Override
    public String toString() {
      return Printer.plain(this);
    }
  }

  /** Minus a value. */
  record Neg(Expr operand, Span span) implements Expr {
    /**
     * Rejects null components.
     *
     * @param operand the value negated
     * @param span where it is in the source
     */
    public Neg {
      requireNonNull(operand, "operand");
      requireNonNull(span, "span");
    }

    @Override
    public List<Expr> children() {
      return List.of(operand);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Neg n && n.operand.equals(operand);
    }

    @Override
    public int hashCode() {
      return operand.hashCode() * 31 + 5;
    }

    @Override
    public String toString() {
      return Printer.plain(this);
    }
  }

  /**
   * Part {@code index} (from 0) of {@code count} equal parts of {@code whole}: of a vector of
   * size {@code count·n}, elements {@code index·n} to {@code (index+1)·n - 1}. A tuple target
   * {@code (f; i; o; g) = e} is a value for {@code e} and one part of it per name.
   */
  record Part(Expr whole, int index, int count, Span span) implements Expr {
    /**
     * Checks that {@code 0 <= index < count} and {@code count >= 2}.
     *
     * @param whole the vector split into parts
     * @param index which part, from 0
     * @param count how many equal parts (at least 2)
     * @param span where it is in the source
     */
    public Part {
      requireNonNull(whole, "whole");
      checkArgument(count >= 2, "a vector is split into two parts or more, not %s", count);
      checkArgument(index >= 0 && index < count, "part %s of %s does not exist", index, count);
      requireNonNull(span, "span");
    }

    @Override
    public List<Expr> children() {
      return List.of(whole);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Part p && p.whole.equals(whole) && p.index == index && p.count == count;
    }

    @Override
    public int hashCode() {
      return Objects.hash(whole, index, count);
    }

    @Override
    public String toString() {
      return Printer.plain(this);
    }
  }

  // Factories for building cells in Java (see CellSpec.builder()).

  /**
   * The current value of a variable: the input, an intermediate, or a state's new value.
   *
   * @param name the variable's canonical name
   * @return the variable read at this step
   */
  static Var var(String name) {
    return new Var(name, Time.CURRENT, Span.NONE);
  }

  /**
   * A state's value at the previous step.
   *
   * @param name the state's canonical name
   * @return the state read at the previous step
   */
  static Var prev(String name) {
    return new Var(name, Time.PREVIOUS, Span.NONE);
  }

  /**
   * A vector parameter (bias, peephole).
   *
   * @param name the parameter's canonical name
   * @return the parameter node
   */
  static Param param(String name) {
    return new Param(name, Span.NONE);
  }

  /**
   * A number without a source position.
   *
   * @param value the number, finite and not negative
   * @return the number node
   */
  static Num num(double value) {
    return new Num(value, Span.NONE);
  }

  /**
   * A one-argument application without a source position.
   *
   * @param fn the function
   * @param arg its argument, the vector
   * @return the application node
   */
  static Apply apply(Fn fn, Expr arg) {
    return new Apply(fn, arg, Span.NONE);
  }

  /**
   * An application without a source position.
   *
   * @param fn the function
   * @param args its arguments, the vector first
   * @return the application node
   */
  static Apply apply(Fn fn, ImmutableList<Expr> args) {
    return new Apply(fn, args, Span.NONE);
  }

  /**
   * A named constant or size ({@code H}, {@code I}).
   *
   * @param name the constant's canonical name, or {@code H} or {@code I}
   * @return the constant node
   */
  static Const constant(String name) {
    return new Const(name, Span.NONE);
  }

  /**
   * A power without a source position.
   *
   * @param base the value raised to the power
   * @param exponent the power, finite
   * @return the power node
   */
  static Pow pow(Expr base, double exponent) {
    return new Pow(base, exponent, Span.NONE);
  }

  /**
   * {@code a + b + c + ...}, grouped from the left as the parser does.
   *
   * @param first the first term
   * @param more the other terms, in order
   * @return the sum, or {@code first} alone without other terms
   */
  static Expr add(Expr first, Expr... more) {
    Expr e = first;
    for (Expr m : more) {
      e = new Binary(BinaryOp.ADD, e, m, Span.NONE);
    }
    return e;
  }

  /**
   * {@code a - b} without a source position.
   *
   * @param a the left operand
   * @param b the right operand
   * @return the difference node
   */
  static Binary sub(Expr a, Expr b) {
    return new Binary(BinaryOp.SUB, a, b, Span.NONE);
  }

  /**
   * Elementwise product.
   *
   * @param a the left operand
   * @param b the right operand
   * @return the product node
   */
  static Binary mul(Expr a, Expr b) {
    return new Binary(BinaryOp.MUL, a, b, Span.NONE);
  }

  /**
   * {@code a / b} without a source position.
   *
   * @param a the dividend
   * @param b the divisor
   * @return the quotient node
   */
  static Binary div(Expr a, Expr b) {
    return new Binary(BinaryOp.DIV, a, b, Span.NONE);
  }

  /**
   * The matrix parameter {@code matrix} times {@code vector}.
   *
   * @param matrix the matrix parameter's canonical name
   * @param vector the vector it multiplies
   * @return the product node
   */
  static MatMul matmul(String matrix, Expr vector) {
    return new MatMul(param(matrix), vector, Span.NONE);
  }

  /**
   * The transpose of the matrix parameter {@code matrix} times {@code vector}.
   *
   * @param matrix the matrix parameter's canonical name
   * @param vector the vector its transpose multiplies
   * @return the product node
   */
  static MatMul matmulTransposed(String matrix, Expr vector) {
    return new MatMul(param(matrix), vector, Span.NONE, true);
  }

  /**
   * A concatenation without a source position.
   *
   * @param parts the vectors, first part first
   * @return the concatenation node
   */
  static Concat concat(Expr... parts) {
    return new Concat(ImmutableList.copyOf(parts), Span.NONE);
  }

  /**
   * {@code -operand} without a source position.
   *
   * @param operand the value negated
   * @return the negation node
   */
  static Neg neg(Expr operand) {
    return new Neg(operand, Span.NONE);
  }

  /**
   * Part {@code index} of {@code count} equal parts of {@code whole}.
   *
   * @param whole the vector split into parts
   * @param index which part, from 0
   * @param count how many equal parts (at least 2)
   * @return the part node
   */
  static Part part(Expr whole, int index, int count) {
    return new Part(whole, index, count, Span.NONE);
  }
}
