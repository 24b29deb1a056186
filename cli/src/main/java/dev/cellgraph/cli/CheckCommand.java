package dev.cellgraph.cli;

import dev.cellgraph.autodiff.GradCheck;
import dev.cellgraph.cells.CellCheck;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Equation;
import dev.cellgraph.cells.lang.Parameter;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/** {@code cellgraph check}: what a cell's formulas define, and optionally a gradient check. */
final class CheckCommand implements Command {
  @Override
  public String name() {
    return "check";
  }

  @Override
  public String summary() {
    return "read a cell (zoo name or .cell file), print what it defines, optionally gradient-check it";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph check CELL [--input-size I] [--hidden-size H] " + CellRef.SIZE_USAGE + " " + CellRef.SET_USAGE + "\n"
            + "                      [--strict] [--gradcheck]",
        "",
        "Prints the notation it read, the input, states and output, every parameter with its",
        "canonical name, shape and count for I and H (default 128 and 128), and the equations in",
        "normalized form, then why each parameter was read as a matrix or a vector, and any warning",
        "(a reading that is likely but not certain), and the product convention it read (W x or x W).",
        "--size P=64 gives a named size a cell's declarations use (state r : [P]; several: P=64,Q=8).",
        "--set beta=2.5 gives a constant of the cell (\\beta = 1; its name as in the cell, or as beta,",
        "\\beta or β); 'constants' lists each with its value and where the value comes from.",
        "Parameters of a function the cell defines are named per application (alpha_1, or as named",
        "there), and 'why' says which application made each. --strict requires every parameter to be declared",
        "with 'param' (as a 'strict' line in the file does). --gradcheck runs a float64 finite-difference check of a random instance",
        "over 3 steps and prints the worst error.",
        "Exit status: 0 valid (and the check passed), 1 the gradient check failed, 2 an invalid cell",
        "or bad usage (the located message on stderr).");
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) {
    Args a = Args.parse(argv, Set.of("input-size", "hidden-size", CellRef.SIZE, CellRef.SET), Set.of("gradcheck", "strict"));
    String arg = a.positionals(1, "one CELL (a zoo name or a .cell file)").get(0);
    int in = a.intValue("input-size", 128, 1, 1 << 16);
    int hid = a.intValue("hidden-size", 128, 1, 1 << 16);
    CellRef ref = CellRef.resolve(arg, a);
    CellSpec spec = ref.spec();
    if (a.flag("strict")) {
      spec.requireDeclaredParameters();
    }
    spec.shapes(in, hid); // the sizes must fit the cell (e.g. I = H for some cells)
    out.println("cell:      " + ref.name() + " (" + ref.origin() + ")");
    out.println("notation:  " + spec.notation().name().toLowerCase(Locale.ROOT));
    out.println("input:     " + String.join(", ", spec.inputs()) + " [" + in + "]");
    out.println("states:    " + String.join(", ", spec.states()));
    out.println("output:    " + spec.output());
    out.println("products:  " + spec.convention());
    if (!spec.sizeRequirements().isEmpty()) {
      out.println("requires:  " + String.join(", ", spec.sizeRequirements()));
    }
    if (!spec.constants().isEmpty()) {
      out.println("constants:");
      int cw = spec.constants().keySet().stream().mapToInt(String::length).max().orElse(0);
      int vw = spec.constants().values().stream().mapToInt(v -> CellRef.number(v).length()).max().orElse(0);
      spec.constants().forEach((name, v) -> out.println(String.format(Locale.ROOT, "  %-" + cw + "s = %-" + vw + "s  %s",
          name, CellRef.number(v), whereFrom(spec, name))));
    }
    out.println("parameters (I = " + in + ", H = " + hid + "):");
    // each column as wide as its widest entry (at least the widths of a plain cell), so that a
    // 'diagonal' or a large shape does not push its row out of line
    int w = 4;
    int rw = 6;
    int dw = 14;
    int sw = 12;
    for (Parameter p : spec.parameters()) {
      w = Math.max(w, p.name().length());
      rw = Math.max(rw, p.role().name().length());
      dw = Math.max(dw, p.dims().toString().length());
      sw = Math.max(sw, Arrays.toString(p.shape(in, hid)).length());
    }
    for (Parameter p : spec.parameters()) {
      out.println(String.format(Locale.ROOT, "  %-" + w + "s  %-" + rw + "s  %-" + dw + "s = %-" + sw + "s %,d",
          p.name(), p.role().name().toLowerCase(Locale.ROOT), p.dims().toString(),
          Arrays.toString(p.shape(in, hid)), p.count(in, hid)));
    }
    out.println(String.format(Locale.ROOT, "  total %,d parameters", spec.parameterCount(in, hid)));
    out.println("equations:");
    for (Equation e : spec.equations()) {
      out.println("  " + e);
    }
    out.println("why:");
    for (Parameter p : spec.parameters()) {
      out.println("  " + p.name() + ": " + spec.why(p.name())); // so that a misreading shows at a glance
    }
    for (String warning : spec.warnings()) {
      err.println("cellgraph check: " + warning);
    }
    if (!a.flag("gradcheck")) {
      return 0;
    }
    FormulaCell cell = ref.formulaCell();
    GradCheck.Report rep = CellCheck.gradCheck(cell, in, hid, 3, 2, 1);
    out.println(String.format(Locale.ROOT, "gradient check (float64, 3 steps, batch 2): %s, worst error %.3e at %s %s",
        rep.passed() ? "passed" : "FAILED", rep.worstError(), rep.worstInput(), rep.worstPlace()));
    return rep.passed() ? 0 : 1;
  }

  /**
   * Where a constant's value comes from, for the reader to find it: the line of the cell file
   * ({@code defined at janet.cell:5:1}), {@code --set}, or the default and how to change it.
   */
  private static String whereFrom(CellSpec spec, String name) {
    String why = spec.whyConstant(name);
    if (why.startsWith("defined at ")) {
      return "defined at " + spec.sourceName() + ":" + why.substring("defined at ".length());
    }
    return why.startsWith("set from outside the cell") ? "given by --set" : why;
  }
}
