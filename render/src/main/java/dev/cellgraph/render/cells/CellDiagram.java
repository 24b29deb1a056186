package dev.cellgraph.render.cells;

import dev.cellgraph.autodiff.Function;
import dev.cellgraph.autodiff.Gradients;
import dev.cellgraph.autodiff.Graph;
import dev.cellgraph.autodiff.Node;
import dev.cellgraph.render.Diagram;
import dev.cellgraph.render.DiagramStyle;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.Unrolling;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.core.DType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The figure of one cell, drawn from its formulas alone (no data): the input and the states from
 * the previous step at the left, the new states leaving at the right, parameters grey, each gate
 * and intermediate under the user's own name ({@code f_t}, {@code C̃_t}, {@code r}), ops as small
 * nodes, and a state that reaches its new value without a matrix product (an LSTM's cell state, a
 * GRU's interpolation) drawn as one straight line through the figure.
 *
 * <pre>{@code
 * CellDiagram.of(Zoo.load("lstm")).showShapes(10, 20).toSvg(Path.of("lstm.svg"));
 * }</pre>
 *
 * <p>It draws what runs, as the formulas write it: the body of {@link FormulaCell#asWritten()}'s
 * step function (one product per matrix) for a batch of one,
 * {@linkplain Diagram#compact compact} (a product {@code x Wᵀ} of the batch shown as {@code W ·},
 * sums as one {@code +}) with shapes per example. Immutable and thread-safe: each drawing builds a
 * fresh step function of its own.
 */
public final class CellDiagram {
  private static final DType DTYPE = DType.FLOAT64;

  private final String name;
  private final CellSpec spec;
  private final int inputSize;
  private final int hiddenSize;
  private final boolean shapes;

  private CellDiagram(String name, CellSpec spec, int inputSize, int hiddenSize, boolean shapes) {
    this.name = name;
    this.spec = spec;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.shapes = shapes;
  }

  /**
   * The figure of a cell's formulas, named after their source.
   *
   * @param spec the parsed cell, whose source name (without directory and {@code .cell}) names the
   *     figure
   * @return the figure of the cell, without shapes
   */
  public static CellDiagram of(CellSpec spec) {
    Objects.requireNonNull(spec, "spec");
    String n = spec.sourceName();
    int slash = Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\'));
    n = n.substring(slash + 1);
    if (n.endsWith(".cell")) {
      n = n.substring(0, n.length() - 5);
    }
    return of(FormulaCell.of(n.isEmpty() ? "cell" : n, spec));
  }

  /**
   * The figure of a formula cell, drawn for some input and hidden sizes the cell accepts.
   *
   * @param cell the formula cell to draw
   * @return the figure of the cell, named after it, without shapes
   */
  public static CellDiagram of(FormulaCell cell) {
    Objects.requireNonNull(cell, "cell");
    int[] sizes = someSizes(cell.spec());
    return new CellDiagram(cell.name(), cell.spec(), sizes[0], sizes[1], false);
  }

  /** Small sizes the cell accepts (I = H = 4 unless a requirement rules that out), for a figure without shapes. */
  private static int[] someSizes(CellSpec spec) {
    for (int[] s : new int[][] {{4, 4}, {3, 4}, {4, 8}, {8, 4}, {2, 4}, {4, 2}}) {
      try {
        spec.shapes(s[0], s[1]);
        return s;
      } catch (IllegalArgumentException e) {
        // a size requirement (I = H, ...) this pair breaks: try the next
      }
    }
    return new int[] {4, 4};
  }

  /**
   * Writes each value's shape (per example) on its edges and each weight's inside its node, for I
   * and H.
   *
   * @param inputSize the input size I, positive
   * @param hiddenSize the hidden size H, positive
   * @return a copy of this figure that shows shapes for those sizes
   */
  public CellDiagram showShapes(int inputSize, int hiddenSize) {
    if (inputSize < 1 || hiddenSize < 1) {
      throw new IllegalArgumentException("sizes I (" + inputSize + ") and H (" + hiddenSize + ") must be positive");
    }
    spec.shapes(inputSize, hiddenSize); // the cell must take these sizes (some need I = H)
    return new CellDiagram(name, spec, inputSize, hiddenSize, true);
  }

  /**
   * The cell's name, as the figure's title.
   *
   * @return the name the figure is titled with
   */
  public String name() {
    return name;
  }

  /**
   * The forward figure.
   *
   * @return the diagram of one step of the cell
   */
  public Diagram diagram() {
    Function step = freshStep();
    return Diagram.of(step).compact(true).perExample(true).showShapes(shapes).style(style(step).build());
  }

  /**
   * The step's backward graph under its forward one: the vector-Jacobian product reverse mode
   * builds for cotangents of the new states and output ({@code ∂h'}), with respect to the input,
   * the previous states and every parameter; dashed and red, each gradient tied to its value.
   *
   * @return the diagram of the step with its backward graph
   */
  public Diagram backward() {
    Function step = freshStep();
    Graph g = step.body();
    List<Node> outs = new ArrayList<>();
    List<Node> cots = new ArrayList<>();
    for (Node r : step.results()) {
      if (!outs.contains(r)) {
        outs.add(r);
        cots.add(g.input("∂" + (r.name() != null ? r.name() : "y"), r.type()));
      }
    }
    Gradients grads = Gradients.vjp(outs, cots, step.params());
    return Diagram.of(step).backward(grads).compact(true).perExample(true).showShapes(shapes)
        .style(style(step).build());
  }

  /**
   * The figure as Graphviz DOT text (stable node ids, so the text is the same on every run).
   *
   * @return the DOT source of the forward figure
   */
  public String toDot() {
    return diagram().toDot();
  }

  /**
   * Writes the figure as DOT text to {@code file}.
   *
   * @param file the file to write the DOT text to
   * @throws IOException if the file cannot be written
   */
  public void toDot(Path file) throws IOException {
    diagram().toDot(file);
  }

  /**
   * Renders the figure as SVG to {@code file}.
   *
   * @param file the file to write the SVG to
   * @throws IOException if the file cannot be written
   */
  public void toSvg(Path file) throws IOException {
    diagram().toSvg(file);
  }

  /**
   * Renders the figure as PNG to {@code file}.
   *
   * @param file the file to write the PNG to
   * @throws IOException if the file cannot be written
   */
  public void toPng(Path file) throws IOException {
    diagram().toPng(file);
  }

  /** A step function of its own, so that drawing never adds nodes to a step a layer runs. */
  private Function freshStep() {
    return FormulaCell.of(name, spec).asWritten().step(DTYPE, 1, inputSize, hiddenSize);
  }

  /** Input and previous states at the left, results at the right, carry lines straight, names typeset. */
  DiagramStyle.Builder style(Function step) {
    DiagramStyle.Builder b = DiagramStyle.builder();
    Spelling sp = Spelling.of(spec);
    List<String> states = spec.states();
    List<Node> formals = step.params();
    for (int k = 0; k < states.size(); k++) {
      b.stateIn(formals.get(k)).name(formals.get(k), sp.previous(states.get(k)));
    }
    Node x = formals.get(states.size());
    b.stateIn(x).name(x, sp.input(spec.inputs().get(0)));
    List<Node> results = step.results();
    for (Node r : results) {
      b.stateOut(r);
    }
    for (int k = 0; k < states.size(); k++) {
      List<Node> line = Unrolling.carryLine(step, formals.get(k), results.get(k));
      if (line.size() >= 2) {
        b.spine(line);
      }
    }
    return b;
  }
}
