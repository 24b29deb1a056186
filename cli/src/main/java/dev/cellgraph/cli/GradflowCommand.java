package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.render.Diagram;
import dev.cellgraph.render.cells.GradientFlowDiagram;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** {@code cellgraph gradflow}: how far back the gradient of a last-step loss reaches, per cell. */
final class GradflowCommand implements Command {
  @Override
  public String name() {
    return "gradflow";
  }

  @Override
  public String summary() {
    return "draw where gradients vanish: cells unrolled on one input, edges coloured by ‖∂L/∂h_t‖";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph gradflow --cells rnn,lstm,gru [--steps T] [--input-size I] [--hidden-size H]",
        CellRef.OPTIONS_USAGE,
        "                          [--seed S] [--gate-bias B] [--format svg|png|dot] -o FILE",
        "",
        "Unrolls each cell (zoo names or .cell files, comma-separated) over the same T steps",
        "(default 20) of standard-normal input, with the loss L = sum of the last step's output,",
        "and draws one row per cell: every edge between steps coloured by the norm of the",
        "gradient it carries back, on one logarithmic scale. Prints the norms ‖∂L/∂state_t‖.",
        "Weights and biases: PyTorch's default for recurrent layers, uniform ±1/√H, from seed S",
        "(default 1); I and H default to 10 and 32; float64, one example, zero initial states.",
        "--gate-bias B adds B to the bias of each gate on a state's carry line (the LSTM's forget",
        "gate, the GRU's update gate z); default 0, PyTorch's own initialization. B = 1 is the",
        "forget-gate bias of Gers et al. (2000) and Jozefowicz et al. (2015), Keras' default.",
        "-o FILE (or --output FILE); -o - writes the drawing to standard output (give --format) and",
        "the table to stderr.",
        "Exit status: 0 written, 2 bad usage or an invalid cell (the message on stderr).");
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("cells", CellRef.SIZE, CellRef.SET, "steps", "input-size", "hidden-size", "seed", "gate-bias",
        "format", "o", "output"), Set.of());
    a.noPositionals();
    String list = a.require("cells");
    int steps = a.intValue("steps", 20, 2, 100);
    int in = a.intValue("input-size", 10, 1, 1024);
    int hid = a.intValue("hidden-size", 32, 1, 1024);
    long seed = a.longValue("seed", 1);
    double bias = a.doubleValue("gate-bias", 0, -20, 20);
    DiagramOutput output = DiagramOutput.of(a);
    Map<String, Cell> cells = new LinkedHashMap<>();
    for (String part : list.split(",", -1)) {
      String name = part.trim();
      if (name.isEmpty()) {
        throw new UsageException("--cells has an empty name in '" + list + "'; write e.g. --cells rnn,lstm,gru");
      }
      CellRef ref = CellRef.resolve(name, a);
      if (cells.containsKey(ref.name())) {
        throw new UsageException("--cells names '" + ref.name() + "' twice");
      }
      ref.spec().shapes(in, hid); // the sizes must fit the cell
      cells.put(ref.name(), ref.formulaCell());
    }
    GradientFlowDiagram flow = GradientFlowDiagram.measure(cells, steps, in, hid, seed, bias);
    output.write(flow.diagram(), out);
    PrintStream info = output.messages(out, err);
    info.print(flow.table());
    info.println("wrote " + output.name() + (output.format().equals("dot") ? "" : ", drawn by " + Diagram.engine()));
    return 0;
  }
}
