package dev.cellgraph.render.cells;

import dev.cellgraph.autodiff.Node;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.Unrolling;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.render.Diagram;
import dev.cellgraph.render.DiagramStyle;
import dev.cellgraph.render.Labels;
import dev.cellgraph.train.GradientFlow;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Where gradients vanish, drawn from a {@link GradientFlow} measured at initialization: one row
 * per cell, every edge between steps coloured by the norm of the gradient it carries back, on one
 * shared logarithmic scale: a vanilla RNN's colour fades with distance from the loss, an LSTM's
 * holds along its cell state. The measurement's setting is {@link GradientFlow}'s.
 *
 * <p>Immutable and thread-safe.
 */
public final class GradientFlowDiagram {
  private final GradientFlow flow;
  private final Diagram diagram;

  private GradientFlowDiagram(GradientFlow flow, Diagram diagram) {
    this.flow = flow;
    this.diagram = diagram;
  }

  /**
   * Measures each of {@code cells} (by display name) over {@code steps} steps of one input
   * sequence, every value named in its cell's notation, and draws it.
   *
   * @param cells the cells to measure, keyed by display name, in drawing order
   * @param steps the number of time steps
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @param seed the seed of the weights and the inputs
   * @return the drawing of the measurement
   */
  public static GradientFlowDiagram measure(Map<String, Cell> cells, int steps, int inputSize, int hiddenSize,
      long seed) {
    return measure(cells, steps, inputSize, hiddenSize, seed, 0);
  }

  /**
   * As {@link #measure(Map, int, int, int, long)}, with {@code gateBias} added to the carry gates'
   * biases.
   *
   * @param cells the cells to measure, keyed by display name, in drawing order
   * @param steps the number of time steps
   * @param inputSize the input size I
   * @param hiddenSize the hidden size H
   * @param seed the seed of the weights and the inputs
   * @param gateBias the amount added to the carry gates' biases
   * @return the drawing of the measurement
   */
  public static GradientFlowDiagram measure(Map<String, Cell> cells, int steps, int inputSize, int hiddenSize,
      long seed, double gateBias) {
    return of(GradientFlow.atInitialization(cells, steps, inputSize, hiddenSize, seed, gateBias, Unrolled::names));
  }

  /**
   * The drawing of a measurement, under the names its graph gives the values.
   *
   * @param flow the measured gradient norms and the graphs they were measured on
   * @return the drawing of the measurement, one row per cell
   */
  public static GradientFlowDiagram of(GradientFlow flow) {
    Objects.requireNonNull(flow, "flow");
    DiagramStyle.Builder style = DiagramStyle.builder().rankSeparation(0.12);
    int steps = flow.steps();
    for (int index = 0; index < flow.rows().size(); index++) {
      Unrolling u = flow.unrollings().get(index);
      Node loss = flow.losses().get(index);
      List<Node> rowNodes = new ArrayList<>(u.initialStates());
      for (int t = 0; t < steps; t++) {
        rowNodes.add(u.calls().get(t));
        rowNodes.addAll(u.states().get(t));
        style.small(u.calls().get(t)); // the row's title names the cell: each step is a small box
      }
      rowNodes.add(u.outputs().get(steps - 1));
      rowNodes.add(loss);
      rowNodes.add(loss.input(0));
      for (Node p : u.parameters()) {
        style.hide(p);
      }
      for (Node x : u.inputs()) {
        style.hide(x);
      }
      style.group(flow.rows().get(index).name(), rowNodes);
      List<Node> line = new ArrayList<>();
      line.add(u.initialStates().get(0));
      for (int t = 0; t < steps; t++) {
        line.add(u.calls().get(t));
        line.add(u.states().get(t).get(0));
      }
      style.spine(line);
    }
    double lo = Double.POSITIVE_INFINITY;
    double hi = 0;
    for (Tensor t : flow.gradients().values()) {
      double n = t.norm();
      if (n > 0) {
        lo = Math.min(lo, n);
        hi = Math.max(hi, n);
      }
    }
    // whole decades, so the legend reads 1e-6 ... 1
    lo = Math.pow(10, Math.floor(Math.log10(lo)));
    hi = Math.pow(10, Math.ceil(Math.log10(hi)));
    if (hi <= lo) {
      hi = lo * 10;
    }
    Diagram d = Diagram.of(flow.losses()).compact(true).numbers(false).annotate(Map.of(), flow.gradients())
        .gradientScale(lo, hi).style(style.build());
    return new GradientFlowDiagram(flow, d);
  }

  /**
   * The measurement drawn.
   *
   * @return the measurement this drawing shows
   */
  public GradientFlow flow() {
    return flow;
  }

  /**
   * Every cell's row in one drawing, on one colour scale.
   *
   * @return the diagram of every cell's row
   */
  public Diagram diagram() {
    return diagram;
  }

  /**
   * A table of the norms, one line per cell and state, for a report or a terminal.
   *
   * @return the table text, one line per cell and state
   */
  public String table() {
    int steps = flow.steps();
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "‖∂L/∂state_t‖ for t = 1..%d, L = Σ y_%d; I = %d, H = %d, seed %d,"
        + " PyTorch's default initialization, gate bias %s%n", steps, steps, flow.inputSize(), flow.hiddenSize(),
        flow.seed(), Labels.number(flow.gateBias())));
    for (GradientFlow.Row r : flow.rows()) {
      if (!r.shiftedBiases().isEmpty()) {
        sb.append(String.format(Locale.ROOT, "%-8s gate bias added to %s%n", r.name(),
            String.join(", ", r.shiftedBiases())));
      }
      for (int k = 0; k < r.states().size(); k++) {
        sb.append(String.format(Locale.ROOT, "%-8s %-3s", r.name(), r.states().get(k)));
        for (int t = 1; t <= steps; t++) {
          sb.append(String.format(Locale.ROOT, " %8.2e", r.norm(k, t)));
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}
