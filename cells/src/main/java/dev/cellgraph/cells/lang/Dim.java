package dev.cellgraph.cells.lang;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One dimension of a shape, as a function of the input size I and hidden size H:
 * {@code i·I + h·H + c}, plus whole multiples of named sizes ({@code P}), each of which has the
 * value it was given when the cell was read. Shape inference works on these forms, so a
 * parameter's shape is known for every size at once ({@code W_f} in {@code W_f · [h_{t-1}, x_t]}
 * is {@code [H, H+I]}) and {@link #eval} gives the numbers for one pair of sizes.
 *
 * <p>Immutable and thread-safe.
 *
 * @param named the multiple of each named size, by name (none for most cells)
 * @param values the value of each named size this form uses
 */
public record Dim(long i, long h, long c, ImmutableSortedMap<String, Long> named,
    ImmutableSortedMap<String, Long> values) {
  /** The input size. */
  public static final Dim I = new Dim(1, 0, 0);
  /** The hidden size. */
  public static final Dim H = new Dim(0, 1, 0);
  /** The largest number a size may hold (of I, of H or alone), so that sizes print and parse back. */
  static final long MAX_COEFFICIENT = 1_000_000_000L;

  /**
   * Checks that every named size has its value and that no named multiple is 0.
   *
   * @param i the multiple of the input size I
   * @param h the multiple of the hidden size H
   * @param c the constant term
   * @param named the multiple of each named size, by name, none 0
   * @param values the value of each named size, at least for those of {@code named}
   */
  public Dim {
    requireNonNull(named, "named");
    requireNonNull(values, "values");
    checkArgument(values.keySet().containsAll(named.keySet()), "every named size of %s needs its value", named);
    named.values().forEach(k -> checkArgument(k != 0, "a named size's multiple must not be 0"));
    TreeMap<String, Long> used = new TreeMap<>(values);
    used.keySet().retainAll(named.keySet());
    values = ImmutableSortedMap.copyOf(used); // only the sizes this form uses
  }

  /**
   * {@code i·I + h·H + c}, without named sizes.
   *
   * @param i the multiple of the input size I
   * @param h the multiple of the hidden size H
   * @param c the constant term
   */
  public Dim(long i, long h, long c) {
    this(i, h, c, ImmutableSortedMap.of(), ImmutableSortedMap.of());
  }

  /**
   * A fixed size.
   *
   * @param size the number of elements
   * @return the dimension {@code size}, the same for every I and H
   */
  public static Dim of(long size) {
    return new Dim(0, 0, size);
  }

  /**
   * The named size {@code name} ({@code P}) with the value it has in this cell.
   *
   * @param name the size's name, e.g. {@code P}
   * @param value its value in this cell (positive)
   * @return the dimension {@code 1·name}
   */
  public static Dim named(String name, long value) {
    checkArgument(value > 0, "size %s (%s) must be positive", name, value);
    return new Dim(0, 0, 0, ImmutableSortedMap.of(name, 1L), ImmutableSortedMap.of(name, value));
  }

  /**
   * The sum of two dimensions.
   *
   * @param o the dimension to add
   * @return {@code this + o}
   */
  public Dim plus(Dim o) {
    return combine(o, 1);
  }

  /**
   * The difference of two dimensions.
   *
   * @param o the dimension to subtract
   * @return {@code this - o}
   */
  public Dim minus(Dim o) {
    return combine(o, -1);
  }

  private Dim combine(Dim o, long sign) {
    if (named.isEmpty() && o.named.isEmpty()) {
      return new Dim(i + sign * o.i, h + sign * o.h, c + sign * o.c);
    }
    TreeMap<String, Long> n = new TreeMap<>(named);
    TreeMap<String, Long> v = new TreeMap<>(values);
    o.named.forEach((name, k) -> {
      Long before = v.put(name, o.values.get(name));
      checkArgument(before == null || before.equals(o.values.get(name)), "size %s has two values", name);
      n.merge(name, sign * k, Long::sum);
    });
    n.values().removeIf(k -> k == 0);
    return new Dim(i + sign * o.i, h + sign * o.h, c + sign * o.c, ImmutableSortedMap.copyOf(n), ImmutableSortedMap.copyOf(v));
  }

  Dim times(long k) {
    TreeMap<String, Long> n = new TreeMap<>();
    named.forEach((name, m) -> n.put(name, m * k));
    n.values().removeIf(m -> m == 0);
    return new Dim(i * k, h * k, c * k, ImmutableSortedMap.copyOf(n), values);
  }

  /** This form divided by {@code k}, or null when a multiple is not divisible. */
  Dim dividedBy(long k) {
    if (i % k != 0 || h % k != 0 || c % k != 0 || named.values().stream().anyMatch(m -> m % k != 0)) {
      return null;
    }
    TreeMap<String, Long> n = new TreeMap<>();
    named.forEach((name, m) -> n.put(name, m / k));
    return new Dim(i / k, h / k, c / k, ImmutableSortedMap.copyOf(n), values);
  }

  /** The part that does not grow with I or H: c and the named sizes at their values. */
  private long constant() {
    long k = c;
    for (Map.Entry<String, Long> e : named.entrySet()) {
      k += e.getValue() * values.get(e.getKey());
    }
    return k;
  }

  /**
   * This dimension for input size {@code inputSize} and hidden size {@code hiddenSize}.
   *
   * @param inputSize the input size I (positive)
   * @param hiddenSize the hidden size H (positive)
   * @return the number of elements
   */
  public long eval(int inputSize, int hiddenSize) {
    checkArgument(inputSize > 0, "input size (%s) must be positive", inputSize);
    checkArgument(hiddenSize > 0, "hidden size (%s) must be positive", hiddenSize);
    return i * inputSize + h * hiddenSize + constant();
  }

  /** Whether every number of this form is at most {@link #MAX_COEFFICIENT} in size. */
  boolean fits() {
    return Math.abs(i) <= MAX_COEFFICIENT && Math.abs(h) <= MAX_COEFFICIENT && Math.abs(c) <= MAX_COEFFICIENT
        && named.values().stream().allMatch(k -> Math.abs(k) <= MAX_COEFFICIENT);
  }

  /** Whether this size is positive for some I, H >= 1 (it grows with one of them, or is positive at 1, 1). */
  boolean canBePositive() {
    return i > 0 || h > 0 || i + h + constant() > 0;
  }

  /** Whether {@code this == other} fails for every positive I and H (not just for some). */
  boolean neverEquals(Dim other) {
    Dim d = minus(other);
    // smallest and largest value of d over I, H >= 1 decide whether 0 is reachable
    if (d.i >= 0 && d.h >= 0) {
      return d.i + d.h + d.constant() > 0;
    }
    if (d.i <= 0 && d.h <= 0) {
      return d.i + d.h + d.constant() < 0;
    }
    return false;
  }

  /** {@code H}, {@code I}, {@code H+I}, {@code 2H}, {@code H-I}, {@code 3}, ... (parsable in declarations). */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    term(s, h, "H");
    term(s, i, "I");
    named.forEach((name, k) -> term(s, k, name));
    if (c != 0 || s.length() == 0) {
      if (s.length() > 0) {
        s.append(c < 0 ? "-" : "+");
        s.append(Math.abs(c));
      } else {
        s.append(c);
      }
    }
    return s.toString();
  }

  private static void term(StringBuilder s, long k, String name) {
    if (k == 0) {
      return;
    }
    if (s.length() > 0) {
      s.append(k < 0 ? "-" : "+");
    } else if (k < 0) {
      s.append('-');
    }
    long a = Math.abs(k);
    if (a != 1) {
      s.append(a);
    }
    s.append(name);
  }
}
