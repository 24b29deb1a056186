package dev.cellgraph.render.cells;

import dev.cellgraph.cells.lang.CellSpec;
import dev.cellgraph.cells.lang.Equation;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a cell's own notation writes values it has no equation spelling for: a state's previous
 * value ({@code C_{t-1}} where the user wrote {@code C_t}, bare {@code h} where they wrote
 * {@code h'}), the input ({@code x_t}), and a value at step k of an unrolled sequence
 * ({@code h_3}).
 */
final class Spelling {
  /** A time index at the end of a spelling: _t, _{t}, _{t+1}, ^t, ^{t}, ^{t+1}, ^{(t)}. */
  private static final Pattern TIME = Pattern.compile("([_^])(t|\\{t\\}|\\{t\\+1\\}|\\{\\(t\\)\\})$");

  private final CellSpec spec;
  private final boolean primed;
  private final String script;   // "_" or "^": how the notation attaches time indices
  private final boolean plusOne; // this step is t+1

  private Spelling(CellSpec spec) {
    this.spec = spec;
    boolean p = false;
    String s = "_";
    boolean one = false;
    boolean found = false;
    for (Equation e : spec.equations()) {
      String w = e.spelling();
      if (w.endsWith("'") || w.endsWith("′")) {
        p = true;
      }
      Matcher m = TIME.matcher(w);
      if (!found && m.find()) {
        found = true;
        s = m.group(1);
        one = m.group(2).contains("+1");
      }
    }
    this.primed = p;
    this.script = s;
    this.plusOne = one;
  }

  static Spelling of(CellSpec spec) {
    return new Spelling(spec);
  }

  /** The user's spelling of a variable defined by an equation, else its canonical name. */
  String current(String variable) {
    for (Equation e : spec.equations()) {
      if (e.target().equals(variable)) {
        return e.spelling();
      }
    }
    return variable;
  }

  /** A state's value from the previous step, in the user's notation. */
  String previous(String state) {
    String w = current(state);
    if (primed) {
      return w.replaceAll("['′]+$", "");
    }
    Matcher m = TIME.matcher(w);
    if (m.find()) {
      String base = w.substring(0, m.start());
      return base + m.group(1) + (m.group(2).contains("+1") ? "t" : "{t-1}");
    }
    return state + script + "{t-1}";
  }

  /** The input at this step: {@code x_t} in paper notation, {@code x} in primed notation. */
  String input(String input) {
    if (primed) {
      return input;
    }
    return input + script + (plusOne ? "{t+1}" : "t");
  }

  /** A variable at step {@code k} of an unrolled sequence: {@code h_3}, {@code c_{12}}, {@code h^2}. */
  String atStep(String variable, int k) {
    String i = Integer.toString(k);
    return variable + script + (i.length() == 1 ? i : "{" + i + "}");
  }
}
