package dev.cellgraph.cells;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.autodiff.TensorType;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.random.Initializers;
import dev.cellgraph.core.random.Rng;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient checks of whole cells: a random instance scanned over a few steps, in float64.
 *
 * <p>Thread-safe: its static methods share no mutable state.
 */
public final class CellCheck {
  private CellCheck() {}

  /**
   * Checks the gradient of {@code Σ tanh(output) + Σ final_state²} through {@code steps} steps of
   * {@code cell} with respect to the input, every initial state and every parameter, against
   * central finite differences. Parameters are drawn with twice PyTorch's default range so
   * that gates are not all near one value; everything comes from {@code seed}.
   *
   * @param cell the cell to check
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @param steps how many time steps the cell is scanned over
   * @param batch the batch size B
   * @param seed the seed of the input, the initial states and the parameters
   * @return the report comparing the gradients with the finite differences
   */
  public static GradCheck.Report gradCheck(Cell cell, int inputSize, int hiddenSize, int steps, int batch, long seed) {
    return gradCheck(Recurrent.of(cell, inputSize, hiddenSize), steps, batch, null, seed);
  }

  /**
   * As {@link #gradCheck(Cell, int, int, int, int, long)}, through a whole layer (stacked,
   * bidirectional), over sequences of the given {@code lengths} (one per example of the batch, a
   * masked carry; null: all {@code steps}).
   *
   * @param layer the layer to check
   * @param steps how many time steps the layer is scanned over
   * @param batch the batch size B
   * @param lengths the sequence length of each example of the batch, or null for all {@code steps}
   * @param seed the seed of the input, the initial states and the parameters
   * @return the report comparing the gradients with the finite differences
   */
  public static GradCheck.Report gradCheck(Recurrent layer, int steps, int batch, int[] lengths, long seed) {
    if (lengths != null && lengths.length != batch) {
      throw new IllegalArgumentException(lengths.length + " lengths for a batch of " + batch);
    }
    Rng rng = Rng.seeded(seed);
    DType f64 = DType.FLOAT64;
    Graph g = new Graph("gradcheck " + layer.cell().name());
    Map<Node, Tensor> values = new HashMap<>();
    List<Node> wrt = new ArrayList<>();
    Node x = g.input("input", f64, steps, batch, layer.inputSize());
    values.put(x, Initializers.normal(rng, f64, x.shape(), 0, 1));
    wrt.add(x);
    Node mask = null;
    if (lengths != null) {
      mask = g.input("mask", f64, steps, batch);
      values.put(mask, Recurrent.lengthMask(lengths, steps, f64));
    }
    Map<String, Node> init = new LinkedHashMap<>();
    for (String s : layer.cell().stateNames()) {
      Node n = g.input(s + "0", new TensorType(f64, layer.stateShape(s, batch)));
      values.put(n, Initializers.normal(rng, f64, n.shape(), 0, 0.5));
      init.put(s, n);
      wrt.add(n);
    }
    Map<String, Node> params = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : layer.initialize(rng, f64).entrySet()) {
      Node p = g.parameter(e.getKey(), f64, e.getValue().shape().toArray());
      values.put(p, e.getValue().mul(2.0));
      params.put(e.getKey(), p);
      wrt.add(p);
    }
    Recurrent.Output out = layer.build(g, x, mask, init, params);
    Node loss = out.output().tanh().sum();
    for (Node fin : out.finalStates().values()) {
      loss = loss.add(fin.square().sum());
    }
    return GradCheck.withDefaults().seed(seed).check(loss, wrt, values);
  }
}
