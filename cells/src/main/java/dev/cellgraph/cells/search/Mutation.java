package dev.cellgraph.cells.search;

import dev.cellgraph.cells.lang.Expr;
import dev.cellgraph.cells.lang.Expr.BinaryOp;
import dev.cellgraph.cells.lang.Fn;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * The edits of a cell's formulas, in the spirit of Jozefowicz, Zaremba and Sutskever (2015). Each
 * picks its site at random among the places it applies to and returns the edited draft, or null
 * when the cell has no such place; whether the result type-checks is decided by
 * {@link SearchSpace}, which repairs or discards it. Immutable and thread-safe (the draft and the
 * {@link Rng} are the caller's).
 */
public enum Mutation {
  /** An activation becomes another one ({@code σ} to {@code tanh}, {@code relu}, ...). */
  REPLACE_ACTIVATION {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      Site s = Site.pick(d, e -> e instanceof Expr.Apply, rng);
      if (s == null) {
        return null;
      }
      Expr.Apply a = (Expr.Apply) s.node();
      List<Fn> others = new ArrayList<>(ACTIVATIONS);
      others.remove(a.fn());
      return s.replace(d, new Expr.Apply(others.get(rng.nextInt(others.size())), a.arg(), a.span()));
    }
  },
  /** A {@code +}, {@code -} or {@code ⊙} becomes one of the other two. */
  REPLACE_OPERATOR {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      Site s = Site.pick(d, e -> e instanceof Expr.Binary b && b.op() != BinaryOp.DIV, rng);
      if (s == null) {
        return null;
      }
      Expr.Binary b = (Expr.Binary) s.node();
      List<BinaryOp> others = new ArrayList<>(List.of(BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL));
      others.remove(b.op());
      return s.replace(d, new Expr.Binary(others.get(rng.nextInt(2)), b.left(), b.right(), b.span()));
    }
  },
  /** A value {@code e} becomes {@code g ⊙ e} with a new gate {@code g = σ(W x + U s + b)}. */
  INSERT_GATE {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      Site s = Site.pick(d, Mutation::isValue, rng);
      if (s == null) {
        return null;
      }
      String state = randomState(d, rng);
      String g = d.fresh("g");
      Expr gate = Fn.SIGMOID.of(Expr.add(Expr.matmul(d.fresh("W_"), Expr.var(d.input())),
          Expr.matmul(d.fresh("U_"), Expr.prev(state)), Expr.param(d.fresh("b_"))));
      CellDraft out = s.replace(d, Expr.mul(Expr.var(g), s.node()));
      out.equations.add(s.equation(), java.util.Map.entry(g, gate));
      return out;
    }
  },
  /** A gate's product {@code g ⊙ e} (or {@code (1 - g) ⊙ e}) becomes {@code e}; a gate left unused is removed. */
  REMOVE_GATE {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      Site s = Site.pick(d, e -> e instanceof Expr.Binary b && b.op() == BinaryOp.MUL
          && (isGate(d, b.left()) || isGate(d, b.right())), rng);
      if (s == null) {
        return null;
      }
      Expr.Binary b = (Expr.Binary) s.node();
      return s.replace(d, isGate(d, b.left()) ? b.right() : b.left());
    }
  },
  /** A state's new value {@code e} becomes {@code e + s_{t-1}}: a residual path. */
  ADD_RESIDUAL {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      List<Integer> targets = new ArrayList<>();
      for (int k = 0; k < d.equations.size(); k++) {
        if (d.states.containsKey(d.equations.get(k).getKey())) {
          targets.add(k);
        }
      }
      int k = targets.get(rng.nextInt(targets.size()));
      CellDraft out = d.copy();
      out.set(k, Expr.add(d.equations.get(k).getValue(), Expr.prev(randomState(d, rng))));
      return out;
    }
  },
  /** A gate {@code σ(a)} becomes {@code σ(a + p ⊙ s_{t-1})}: a peephole from a state. */
  ADD_PEEPHOLE {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      Site s = Site.pick(d, e -> e instanceof Expr.Apply a && a.fn() == Fn.SIGMOID, rng);
      if (s == null) {
        return null;
      }
      Expr.Apply a = (Expr.Apply) s.node();
      Expr peep = Expr.mul(Expr.param(d.fresh("p_")), Expr.prev(randomState(d, rng)));
      return s.replace(d, new Expr.Apply(a.fn(), Expr.add(a.arg(), peep), a.span()));
    }
  },
  /** A value {@code e} becomes {@code f(e)} for an activation f. */
  WRAP_ACTIVATION {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      Site s = Site.pick(d, Mutation::isValue, rng);
      if (s == null) {
        return null;
      }
      return s.replace(d, ACTIVATIONS.get(rng.nextInt(ACTIVATIONS.size())).of(s.node()));
    }
  },
  /** A matrix product {@code W v} takes another input: the cell's input or a state's previous value. */
  SWAP_INPUTS {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      Site s = Site.pick(d, e -> e instanceof Expr.MatMul, rng);
      if (s == null) {
        return null;
      }
      Expr.MatMul m = (Expr.MatMul) s.node();
      List<Expr> sources = new ArrayList<>();
      sources.add(Expr.var(d.input()));
      for (String st : d.states.keySet()) {
        sources.add(Expr.prev(st));
      }
      sources.remove(m.vector());
      return s.replace(d, new Expr.MatMul(m.matrix(), sources.get(rng.nextInt(sources.size())), m.span(),
          m.transposed()));
    }
  },
  /** A bias added to a value ({@code a + b}) is dropped. */
  DROP_BIAS {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      Site s = Site.pick(d, e -> e instanceof Expr.Binary b && (b.op() == BinaryOp.ADD
          && (b.left() instanceof Expr.Param || b.right() instanceof Expr.Param)
          || b.op() == BinaryOp.SUB && b.right() instanceof Expr.Param), rng);
      if (s == null) {
        return null;
      }
      Expr.Binary b = (Expr.Binary) s.node();
      return s.replace(d, b.right() instanceof Expr.Param ? b.left() : b.right());
    }
  },
  /** An activation's argument {@code a} becomes {@code a + b} with a new bias b. */
  ADD_BIAS {
    @Override
    CellDraft apply(CellDraft d, Rng rng) {
      Site s = Site.pick(d, e -> e instanceof Expr.Apply, rng);
      if (s == null) {
        return null;
      }
      Expr.Apply a = (Expr.Apply) s.node();
      return s.replace(d, new Expr.Apply(a.fn(), Expr.add(a.arg(), Expr.param(d.fresh("b_"))), a.span()));
    }
  };

  /** The activations the edits choose from: bounded or slowly growing, as in the cells searched by Jozefowicz et al. */
  public static final List<Fn> ACTIVATIONS = List.of(Fn.SIGMOID, Fn.TANH, Fn.RELU, Fn.SOFTSIGN, Fn.SILU);

  /** The edited cell, or null when this cell has no place for this edit. */
  abstract CellDraft apply(CellDraft d, Rng rng);

  /**
   * The name reports and result rows use: {@code replace-activation}, {@code insert-gate}, ...
   *
   * @return the label, the name in lower case with hyphens
   */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The mutation of this label.
   *
   * @param label a mutation's label, e.g. {@code insert-gate}
   * @return the mutation
   */
  public static Mutation ofLabel(String label) {
    return valueOf(label.toUpperCase(Locale.ROOT).replace('-', '_'));
  }

  private static boolean isValue(Expr e) {
    return !(e instanceof Expr.Num || e instanceof Expr.Param);
  }

  private static String randomState(CellDraft d, Rng rng) {
    List<String> st = new ArrayList<>(d.states.keySet());
    return st.get(rng.nextInt(st.size()));
  }

  /** A gate: an intermediate computed as a sigmoid, or one minus it. */
  private static boolean isGate(CellDraft d, Expr e) {
    if (e instanceof Expr.Binary b && b.op() == BinaryOp.SUB && b.left() instanceof Expr.Num) {
      return isGate(d, b.right());
    }
    if (e instanceof Expr.Var v && v.time() == Expr.Time.CURRENT && !d.states.containsKey(v.name())) {
      int k = d.indexOf(v.name());
      return k >= 0 && d.equations.get(k).getValue() instanceof Expr.Apply a && a.fn() == Fn.SIGMOID;
    }
    return false;
  }

  /** One node of one equation. */
  record Site(int equation, int[] path, Expr node) {
    static Site pick(CellDraft d, Predicate<Expr> keep, Rng rng) {
      List<Site> all = new ArrayList<>();
      for (int k = 0; k < d.equations.size(); k++) {
        Expr root = d.equations.get(k).getValue();
        for (int[] p : Trees.paths(root, keep)) {
          all.add(new Site(k, p, Trees.get(root, p)));
        }
      }
      return all.isEmpty() ? null : all.get(rng.nextInt(all.size()));
    }

    CellDraft replace(CellDraft d, Expr replacement) {
      CellDraft out = d.copy();
      out.set(equation, Trees.replace(d.equations.get(equation).getValue(), path, replacement));
      return out;
    }
  }
}
