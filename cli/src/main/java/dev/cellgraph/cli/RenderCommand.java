package dev.cellgraph.cli;

import dev.cellgraph.render.Diagram;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.render.cells.CellDiagram;
import dev.cellgraph.render.cells.Unrolled;
import java.io.PrintStream;
import java.util.Set;

/** {@code cellgraph render}: a cell's figure, its backward graph, or an unrolled sequence. */
final class RenderCommand implements Command {
  static final int DEFAULT_INPUT = 10;
  static final int DEFAULT_HIDDEN = 20;

  @Override
  public String name() {
    return "render";
  }

  @Override
  public String summary() {
    return "draw a cell from its formulas, its backward graph, or T steps unrolled (SVG, PNG or DOT)";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph render CELL [--view cell|backward|unrolled] [--steps T] [--expand DEPTH]",
        CellRef.OPTIONS_USAGE,
        "                        [--input-size I] [--hidden-size H] [--format svg|png|dot] -o FILE",
        "",
        "CELL is a zoo name (cellgraph check lists what a cell defines) or a .cell file.",
        "  --view cell      the cell's figure from its formulas (default): input and previous states",
        "                   at the left, new states at the right, a state's carry line straight",
        "  --view backward  the gradient graph reverse mode builds for one step (dashed, red), under",
        "                   the forward one; with --steps, for T unrolled steps and L = sum of the",
        "                   last output",
        "  --view unrolled  T steps (--steps, default 4) left to right, each step one box, or with",
        "                   --expand 1 a cluster showing its body",
        "Shapes on the edges are for one example with input size I and hidden size H (default "
            + DEFAULT_INPUT + " and " + DEFAULT_HIDDEN + ").",
        "-o FILE (or --output FILE): the format comes from --format or the extension of FILE (.svg,",
        ".png, .dot or .gv); -o - writes to standard output (give --format). A symlink is written",
        "through, a pipe or device in place; a regular file is replaced whole or not at all, keeping",
        "its permissions.",
        "Exit status: 0 written, 2 bad usage or an invalid cell (the message on stderr).");
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv,
        Set.of("view", "steps", "expand", "input-size", "hidden-size", "format", "o", "output", CellRef.SIZE, CellRef.SET), Set.of());
    String arg = a.positionals(1, "one CELL (a zoo name or a .cell file)").get(0);
    String view = a.choice("view", "cell", "cell", "backward", "unrolled");
    Integer stepsOrNull = a.intOrNull("steps", 1, 64);
    int expand = a.intValue("expand", 0, 0, 3);
    int in = a.intValue("input-size", DEFAULT_INPUT, 1, 4096);
    int hid = a.intValue("hidden-size", DEFAULT_HIDDEN, 1, 4096);
    DiagramOutput output = DiagramOutput.of(a);
    if (view.equals("cell") && stepsOrNull != null) {
      throw new UsageException("--steps applies to --view unrolled or backward, not to --view cell");
    }
    if (!view.equals("unrolled") && a.has("expand")) {
      throw new UsageException("--expand applies to --view unrolled (a cell's figure is already its body)");
    }
    CellRef ref = CellRef.resolve(arg, a);
    ref.spec().shapes(in, hid); // the sizes must fit the cell (e.g. I = H for some cells)
    FormulaCell cell = ref.formulaCell();
    Diagram d;
    String what;
    if (view.equals("cell")) {
      d = CellDiagram.of(cell).showShapes(in, hid).diagram();
      what = "the figure of " + ref.name();
    } else if (view.equals("backward") && stepsOrNull == null) {
      d = CellDiagram.of(cell).showShapes(in, hid).backward();
      what = "the backward graph of one step of " + ref.name();
    } else {
      int steps = stepsOrNull != null ? stepsOrNull : 4;
      Unrolled u = Unrolled.of(cell, steps, in, hid);
      if (view.equals("backward")) {
        d = u.backward(0).showShapes(true);
        what = "the backward graph of " + steps + " steps of " + ref.name();
      } else {
        d = u.diagram(expand).showShapes(true);
        what = steps + " steps of " + ref.name() + (expand > 0 ? ", expanded" : "");
      }
    }
    output.write(d, out);
    output.messages(out, err).println("wrote " + output.name() + ": " + what + " (I = " + in + ", H = " + hid + ")"
        + (output.format().equals("dot") ? "" : ", drawn by " + Diagram.engine()));
    return 0;
  }
}
