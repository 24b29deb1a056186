package dev.cellgraph.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A finite-difference gradient check of every registered op, in float64. */
class OpGradientTest {
  private static final DType F64 = DType.FLOAT64;

  /** An op exercised by a small expression: input shapes, and the expression over the inputs. */
  record Case(String op, int[][] shapes, BiFunction<Graph, List<Node>, Node> body, boolean positive) {
    @Override
    public String toString() {
      return op;
    }
  }

  static Case c(String op, int[][] shapes, BiFunction<Graph, List<Node>, Node> body) {
    return new Case(op, shapes, body, false);
  }

  static Case pos(String op, int[][] shapes, BiFunction<Graph, List<Node>, Node> body) {
    return new Case(op, shapes, body, true);
  }

  static int[][] s(int[]... shapes) {
    return shapes;
  }

  static int[] d(int... dims) {
    return dims;
  }

  static List<Case> cases() {
    List<Case> cs = new ArrayList<>();
    cs.add(c("neg", s(d(2, 3)), (g, x) -> x.get(0).neg()));
    cs.add(c("exp", s(d(2, 3)), (g, x) -> x.get(0).exp()));
    cs.add(pos("log", s(d(2, 3)), (g, x) -> x.get(0).log()));
    cs.add(c("tanh", s(d(2, 3)), (g, x) -> x.get(0).tanh()));
    cs.add(c("sigmoid", s(d(2, 3)), (g, x) -> x.get(0).sigmoid()));
    cs.add(c("relu", s(d(2, 3)), (g, x) -> x.get(0).relu()));
    cs.add(c("softplus", s(d(2, 3)), (g, x) -> x.get(0).softplus()));
    cs.add(c("softsign", s(d(2, 3)), (g, x) -> x.get(0).softsign()));
    cs.add(c("abs", s(d(2, 3)), (g, x) -> x.get(0).abs()));
    cs.add(c("square", s(d(2, 3)), (g, x) -> x.get(0).square()));
    cs.add(pos("sqrt", s(d(2, 3)), (g, x) -> x.get(0).sqrt()));
    cs.add(pos("reciprocal", s(d(2, 3)), (g, x) -> x.get(0).reciprocal()));
    cs.add(c("erf", s(d(2, 3)), (g, x) -> x.get(0).erf()));
    cs.add(c("maximum", s(d(2, 3), d(3)), (g, x) -> x.get(0).maximum(x.get(1)).square()));
    cs.add(c("minimum", s(d(2, 1), d(2, 3)), (g, x) -> x.get(0).minimum(x.get(1)).square()));
    cs.add(c("max_scalar", s(d(2, 3)), (g, x) -> x.get(0).max(0.1).square()));
    cs.add(c("min_scalar", s(d(2, 3)), (g, x) -> x.get(0).min(-0.1).square()));
    cs.add(c("step", s(d(2, 3)), (g, x) -> x.get(0).mul(Ops.step(x.get(0)))));
    cs.add(c("sign", s(d(2, 3)), (g, x) -> x.get(0).mul(Ops.sign(x.get(0)))));
    cs.add(c("add", s(d(2, 3), d(3)), (g, x) -> x.get(0).add(x.get(1))));
    cs.add(c("sub", s(d(2, 1), d(2, 3)), (g, x) -> x.get(0).sub(x.get(1))));
    cs.add(c("mul", s(d(2, 3), d(2, 3)), (g, x) -> x.get(0).mul(x.get(1))));
    cs.add(pos("div", s(d(2, 3), d(1, 3)), (g, x) -> x.get(0).div(x.get(1))));
    cs.add(c("add_scalar", s(d(2, 3)), (g, x) -> x.get(0).add(2.5).square()));
    cs.add(c("mul_scalar", s(d(2, 3)), (g, x) -> x.get(0).mul(-1.5)));
    cs.add(c("rsub_scalar", s(d(2, 3)), (g, x) -> x.get(0).oneMinus().square()));
    cs.add(pos("pow_scalar", s(d(2, 3)), (g, x) -> x.get(0).pow(2.5)));
    cs.add(c("matmul", s(d(2, 3), d(3, 4)), (g, x) -> x.get(0).matmul(x.get(1))));
    cs.add(c("matmul", s(d(3, 2), d(3, 4)), (g, x) -> x.get(0).matmul(x.get(1), true, false)));
    cs.add(c("matmul", s(d(2, 3), d(4, 3)), (g, x) -> x.get(0).matmul(x.get(1), false, true)));
    cs.add(c("matmul", s(d(3, 2), d(4, 3)), (g, x) -> x.get(0).matmul(x.get(1), true, true)));
    cs.add(c("matmul", s(d(2, 2, 3), d(2, 3, 4)), (g, x) -> x.get(0).matmul(x.get(1))));
    cs.add(c("matmul", s(d(2, 2, 3), d(3, 4)), (g, x) -> x.get(0).matmul(x.get(1))));
    cs.add(c("matmul", s(d(2, 2, 3), d(4, 3)), (g, x) -> x.get(0).matmul(x.get(1), false, true)));
    cs.add(c("transpose", s(d(2, 3)), (g, x) -> x.get(0).t().square()));
    cs.add(c("permute", s(d(2, 3, 4)), (g, x) -> x.get(0).permute(2, 0, 1).square()));
    cs.add(c("reshape", s(d(2, 3)), (g, x) -> x.get(0).reshape(3, 2).square()));
    cs.add(c("slice", s(d(3, 4)), (g, x) -> x.get(0).slice(1, 1, 3).square()));
    cs.add(c("pad", s(d(2, 3)), (g, x) -> g.apply(new LayoutOps.Pad(1, 2, 1), List.of(x.get(0))).square()));
    cs.add(c("concat", s(d(2, 3), d(2, 2)), (g, x) -> Node.concat(1, x.get(0), x.get(1)).square()));
    cs.add(c("cast", s(d(2, 3)), (g, x) -> x.get(0).cast(DType.FLOAT32).cast(F64).square()));
    cs.add(c("sum", s(d(2, 3)), (g, x) -> x.get(0).square().sum()));
    cs.add(c("sum_axis", s(d(2, 3)), (g, x) -> x.get(0).sum(0, false).square()));
    cs.add(c("sum_axis", s(d(2, 3)), (g, x) -> x.get(0).sum(1, true).square()));
    cs.add(c("sum_to", s(d(2, 3)), (g, x) -> x.get(0).sumTo(Shape.of(1, 3)).square()));
    cs.add(c("broadcast_to", s(d(3)), (g, x) -> x.get(0).broadcastTo(Shape.of(2, 3)).square()));
    cs.add(c("log_softmax", s(d(2, 4)), (g, x) -> x.get(0).logSoftmax()));
    cs.add(c("identity", s(d(2, 3)), (g, x) -> x.get(0).named("y").square()));
    cs.add(c("gather", s(d(4, 3)), (g, x) -> x.get(0).gather(g.constant(Tensor.ofLongs(new long[] {2, 0, 2}, 3))).square()));
    cs.add(c("scatter_add", s(d(3, 2)), (g, x) -> g.apply(new IndexOps.ScatterAdd(4),
        List.of(x.get(0), g.constant(Tensor.ofLongs(new long[] {1, 3, 1}, 3)))).square()));
    cs.add(c("one_hot", s(d(2, 3)), (g, x) -> x.get(0).mul(g.apply(new IndexOps.OneHot(3, F64),
        List.of(g.constant(Tensor.ofLongs(new long[] {2, 0}, 2)))))));
    cs.add(c("constant", s(d(2, 3)), (g, x) -> x.get(0).mul(g.constant(Tensor.full(F64, 3.0, 2, 3)))));
    cs.add(c("fill", s(d(2, 3)), (g, x) -> x.get(0).mul(g.fill(2.0, TensorType.of(F64, 2, 3)))));
    return cs;
  }

  static Stream<Arguments> caseArgs() {
    return cases().stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseArgs")
  void gradientMatchesFiniteDifferences(Case tc) {
    Graph g = new Graph(tc.op());
    SplittableRandom r = new SplittableRandom(tc.op().hashCode());
    List<Node> inputs = new ArrayList<>();
    Map<Node, Tensor> values = new HashMap<>();
    for (int i = 0; i < tc.shapes().length; i++) {
      Node x = g.input("x" + i, F64, tc.shapes()[i]);
      inputs.add(x);
      double[] v = new double[x.shape().size()];
      for (int k = 0; k < v.length; k++) {
        // away from the kinks of relu, abs and step at zero
        double m = r.nextDouble(0.2, 1.5);
        v[k] = tc.positive() || r.nextBoolean() ? m : -m;
      }
      values.put(x, Tensor.of(F64, v, x.shape()));
    }
    Node y = tc.body().apply(g, inputs);
    GradCheck check = GradCheck.withDefaults();
    if (tc.op().equals("cast")) {
      // the value passes through float32, so differences below float32 resolution are noise
      check = check.eps(1e-3).tolerance(1e-3);
    }
    GradCheck.Report rep = check.check(y, inputs, values);
    assertTrue(rep.passed(), rep.toString());
  }

  @Test
  void everyRegisteredOpHasAGradientCase() throws Exception {
    TreeSet<String> covered = new TreeSet<>();
    for (Case tc : cases()) {
      covered.add(tc.op());
    }
    TreeSet<String> registered = new TreeSet<>();
    // every table of ops, one per family
    for (Class<?> table : List.of(Ops.class, LayoutOps.class, IndexOps.class, GraphOps.class)) {
      for (Field f : table.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) && Op.class.isAssignableFrom(f.getType())) {
          registered.add(((Op) f.get(null)).name());
        }
      }
      for (Class<?> c : table.getDeclaredClasses()) {
        if (Op.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())) {
          registered.add(c.getSimpleName());
        }
      }
    }
    // nested classes are named in CamelCase; map them to op names through one instance each
    Map<String, String> classToOp = Map.ofEntries(
        Map.entry("Unary", "neg"), Map.entry("Binary", "add"), Map.entry("AddScalar", "add_scalar"),
        Map.entry("MulScalar", "mul_scalar"), Map.entry("MaxScalar", "max_scalar"), Map.entry("MinScalar", "min_scalar"), Map.entry("RsubScalar", "rsub_scalar"),
        Map.entry("PowScalar", "pow_scalar"), Map.entry("MatMul", "matmul"), Map.entry("Permute", "permute"),
        Map.entry("Reshape", "reshape"), Map.entry("Slice", "slice"), Map.entry("Pad", "pad"),
        Map.entry("Concat", "concat"), Map.entry("Cast", "cast"), Map.entry("SumAxis", "sum_axis"),
        Map.entry("SumTo", "sum_to"), Map.entry("BroadcastTo", "broadcast_to"),
        Map.entry("ScatterAdd", "scatter_add"), Map.entry("OneHot", "one_hot"),
        Map.entry("Leaf", "input"), Map.entry("Constant", "constant"), Map.entry("Fill", "fill"),
        Map.entry("GetOutput", "output"));
    TreeSet<String> missing = new TreeSet<>();
    for (String r : registered) {
      String op = classToOp.getOrDefault(r, r);
      if (!covered.contains(op) && !op.equals("input") && !op.equals("output")) {
        missing.add(op);
      }
    }
    assertEquals(new TreeSet<String>(), missing, "ops without a gradient-check case");
  }

  /** The subgradients at the kinks are PyTorch's: clamp passes the tie, maximum splits it. */
  @Test
  void maxAndMinTakePyTorchsSubgradientsAtTies() {
    Graph g = new Graph("ties");
    Node x = g.input("x", F64, 3);
    Node c = g.input("c", F64, 3);
    Tensor xv = Tensor.of(F64, new double[] {0.5, 1.0, 2.0}, Shape.of(3));
    Tensor cv = Tensor.of(F64, new double[] {1.0, 1.0, 1.0}, Shape.of(3));
    Node clampMin = x.max(1.0).sum();
    Node clampMax = x.min(1.0).sum();
    Node maximum = x.maximum(c).sum();
    List<Node> gs = Gradients.of(clampMin, List.of(x)).list();
    List<Node> gm = Gradients.of(clampMax, List.of(x)).list();
    List<Node> gx = Gradients.of(maximum, List.of(x, c)).list();
    Plan plan = Plan.compile(List.of(gs.get(0), gm.get(0), gx.get(0), gx.get(1)), List.of(x, c));
    List<Tensor> out = plan.run(List.of(xv, cv));
    assertArrayEquals(new double[] {0, 1, 1}, out.get(0).toDoubleArray());
    assertArrayEquals(new double[] {1, 1, 0}, out.get(1).toDoubleArray());
    assertArrayEquals(new double[] {0, 0.5, 1}, out.get(2).toDoubleArray());
    assertArrayEquals(new double[] {1, 0.5, 0}, out.get(3).toDoubleArray());
  }
}
