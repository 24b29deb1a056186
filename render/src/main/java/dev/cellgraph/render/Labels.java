package dev.cellgraph.render;

import dev.cellgraph.autodiff.Op;
import dev.cellgraph.core.Shape;
import java.util.Locale;

/**
 * What diagrams write inside nodes: the symbol of each op and user names typeset as Graphviz
 * HTML-like labels ({@code f_t} as f<sub>t</sub>). Every string that reaches a DOT file goes
 * through {@link #html} or {@link #quoted}, so a name can hold any character.
 *
 * <p>Thread-safe: its static methods share no mutable state.
 */
public final class Labels {
  private Labels() {}

  /** Subscripts and superscripts are set smaller, so the layout reserves their real width. */
  static final int SCRIPT_POINT_SIZE = 8;

  /**
   * The symbol drawn for an op (σ, tanh, ⊙, +, −, · for a matrix product, [ , ], ᵀ, Σ): its own.
   *
   * @param op the op to draw
   * @return the op's own {@code symbol()}
   */
  public static String symbol(Op op) {
    return op.symbol();
  }

  /** Whether an op's symbol is one short sign, drawn in a small circle rather than a box. */
  static boolean isSign(String symbol) {
    return symbol.codePointCount(0, symbol.length()) <= 2 || symbol.equals("[ , ]");
  }

  /**
   * A user's name typeset in math style when it is one: a short base with a subscript after
   * {@code _} and/or a superscript after {@code ^}, braces optional ({@code f_t}, {@code h_{t-1}},
   * {@code W_hr}, {@code W^r}, {@code C̃_t}); any other name ({@code weight_ih_l0}) is escaped
   * text. LaTeX in the name is typeset first ({@code \tilde{h}_t} is h̃ with subscript t). The
   * result is the inside of an HTML-like label.
   *
   * @param written the name as the user wrote it, possibly with LaTeX
   * @return the label markup for the name
   */
  public static String name(String written) {
    String name = Latex.toUnicode(written);
    if (name.length() > 2 && name.startsWith("(") && name.endsWith(")") && name.contains(";")) {
      StringBuilder parts = new StringBuilder("(");
      for (String part : name.substring(1, name.length() - 1).split(";", -1)) {
        parts.append(parts.length() > 1 ? "; " : "").append(name(part.strip())); // a tuple target: (f_t; i_t)
      }
      return parts.append(')').toString();
    }
    int us = indexOfScript(name);
    if (us > 0 && GREEK.containsKey(name.substring(0, us))) {
      name = GREEK.get(name.substring(0, us)) + name.substring(us); // alpha_1, a generated name, as α₁
    }
    us = indexOfScript(name);
    if (us <= 0 || baseLength(name.substring(0, us)) > 2) {
      return html(name);
    }
    StringBuilder sb = new StringBuilder(html(name.substring(0, us)));
    String rest = name.substring(us);
    while (!rest.isEmpty()) {
      char kind = rest.charAt(0);
      if (kind != '_' && kind != '^') {
        sb.append(html(rest));
        break;
      }
      String body;
      if (rest.length() > 1 && rest.charAt(1) == '{') {
        int close = rest.indexOf('}');
        if (close < 0) {
          return html(name);
        }
        body = rest.substring(2, close);
        rest = rest.substring(close + 1);
      } else {
        int end = 1;
        while (end < rest.length() && rest.charAt(end) != '_' && rest.charAt(end) != '^') {
          end++;
        }
        body = rest.substring(1, end);
        rest = rest.substring(end);
      }
      String tag = kind == '_' ? "sub" : "sup";
      sb.append('<').append(tag).append("><font point-size=\"").append(SCRIPT_POINT_SIZE).append("\">")
          .append(html(body.replace('-', '−'))).append("</font></").append(tag).append('>');
    }
    return sb.toString();
  }

  private static final java.util.Map<String, String> GREEK = greek();

  private static java.util.Map<String, String> greek() {
    String[] names = {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
        "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"};
    String lower = "αβγδεζηθικλμνξπρστυφχψω";
    java.util.Map<String, String> m = new java.util.HashMap<>();
    for (int k = 0; k < names.length; k++) {
      m.put(names[k], lower.substring(k, k + 1));
      String upper = Character.toUpperCase(names[k].charAt(0)) + names[k].substring(1);
      m.put(upper, String.valueOf(Character.toUpperCase(lower.charAt(k))));
    }
    m.put("varepsilon", "ε");
    m.put("varphi", "φ");
    return java.util.Map.copyOf(m);
  }

  private static int indexOfScript(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '_' || c == '^') {
        return i;
      }
    }
    return -1;
  }

  /** Letters in a name's base, not counting combining marks (C̃ is one letter) or primes. */
  private static int baseLength(String base) {
    int n = 0;
    for (int i = 0; i < base.length(); ) {
      int cp = base.codePointAt(i);
      int type = Character.getType(cp);
      if (type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK && cp != '\'' && cp != '′') {
        n++;
      }
      i += Character.charCount(cp);
    }
    return n;
  }

  /**
   * Text escaped for the inside of an HTML-like label.
   *
   * @param text the raw text
   * @return the text with {@code & < > "} as entities, newlines as {@code <br/>}, control
   *     characters as spaces
   */
  public static String html(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&': sb.append("&amp;"); break;
        case '<': sb.append("&lt;"); break;
        case '>': sb.append("&gt;"); break;
        case '"': sb.append("&quot;"); break;
        case '\n': sb.append("<br/>"); break;
        default:
          if (c < 0x20) {
            sb.append(' ');
          } else {
            sb.append(c);
          }
      }
    }
    return sb.toString();
  }

  /**
   * A DOT double-quoted string.
   *
   * @param text the raw text
   * @return the text in double quotes, with quotes and backslashes escaped
   */
  public static String quoted(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c == '\n') {
        sb.append("\\n");
      } else if (c < 0x20) {
        sb.append(' ');
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  /**
   * A shape the way edges show it: {@code 4×8}, {@code 8}, or {@code scalar}.
   *
   * @param s the shape to show
   * @return the dimensions joined by {@code ×}, or {@code scalar} for rank 0
   */
  public static String shape(Shape s) {
    if (s.rank() == 0) {
      return "scalar";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.rank(); i++) {
      if (i > 0) {
        sb.append('×');
      }
      sb.append(s.dim(i));
    }
    return sb.toString();
  }

  /**
   * A number with three significant digits, the same on every machine.
   *
   * @param v the number to format
   * @return the formatted number
   */
  public static String number(double v) {
    if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) {
      return v == 0 ? "0" : Double.toString(v);
    }
    double a = Math.abs(v);
    if (a >= 1e-3 && a < 1e4) {
      String s = String.format(Locale.ROOT, "%.3g", v);
      if (s.contains(".") && !s.contains("e")) {
        s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
      }
      return s;
    }
    return String.format(Locale.ROOT, "%.2e", v).replace("e-0", "e-").replace("e+0", "e");
  }
}
