package dev.cellgraph.cells.lang;

import com.google.common.collect.ImmutableSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds, before the text is split into tokens, the names it defines as functions: a definition
 * {@code LN(z; \alpha, \beta) = ...} or an activation {@code \phi = \tanh} ({@code where g = h =
 * \tanh}, {@code activation \phi = tanh}). The lexer needs them first, because {@code LN(} and
 * {@code g(} are otherwise refused as unknown functions or read as letters that multiply.
 */
final class UserFunctions {
  /** A function's name as written: {@code \mathrm{LN}}, {@code \phi}, {@code φ}, {@code LN}, {@code g}. */
  private static final String NAME = "(?:\\\\(?:mathrm|operatorname|text|textrm|mathit|mathsf|mathtt)\\s*\\{\\s*"
      + "[A-Za-z][A-Za-z0-9]*\\s*\\}|\\\\[A-Za-z]+|[A-Za-z][A-Za-z0-9]*|[\\u0370-\\u03ff])";
  private static final Pattern DEFINITION = Pattern.compile(
      "\\s*(?:(?:where|activation)\\s+)?(" + NAME + ")\\s*(?:\\\\left\\s*)?\\([^()=]*(?:\\\\right\\s*)?\\)\\s*=.*");
  private static final Pattern ALONE = Pattern.compile("\\s*(" + NAME + ")\\s*[,.]?\\s*");
  private static final Pattern LEAD = Pattern.compile("\\s*(?:where|activation)\\s+");
  private static final Pattern DECORATION = Pattern.compile("\\$|&|\\\\begin\\{[^}]*\\}|\\\\end\\{[^}]*\\}|\\\\[,;!:]|\\\\q?quad");
  private static final Pattern COMMENT = Pattern.compile("(?<!\\\\)[#%][^\n]*");

  private UserFunctions() {}

  /** The canonical names of the functions the text defines, as the lexer of that notation spells them. */
  static ImmutableSet<String> names(String text) {
    ImmutableSet.Builder<String> out = ImmutableSet.builder();
    String code = COMMENT.matcher(text).replaceAll("");
    for (String statement : code.split("\n|\\\\\\\\")) {
      String st = DECORATION.matcher(statement).replaceAll(" ");
      if (st.length() > 4096) {
        continue; // a definition's head is short: a long line is no definition, and is not worth a regex
      }
      Matcher def = DEFINITION.matcher(st);
      if (def.matches()) {
        String name = canonical(def.group(1));
        if (name != null) {
          out.add(name);
        }
        continue;
      }
      for (String part : LEAD.matcher(st).replaceFirst("").split(",")) {
        aliases(part, out);
      }
    }
    return out.build();
  }

  /** {@code g = h = \tanh}: every name of the chain but the last, when the last is a function of {@link Fn}. */
  private static void aliases(String chain, ImmutableSet.Builder<String> out) {
    String[] parts = chain.split("=", -1);
    if (parts.length < 2) {
      return;
    }
    String[] names = new String[parts.length];
    for (int k = 0; k < parts.length; k++) {
      Matcher m = ALONE.matcher(parts[k]);
      if (!m.matches()) {
        return;
      }
      names[k] = canonical(m.group(1));
      if (names[k] == null) {
        return;
      }
    }
    if (Fn.bySpelling(names[parts.length - 1]) == null) {
      return;
    }
    for (int k = 0; k < parts.length - 1; k++) {
      if (Fn.bySpelling(names[k]) == null) {
        out.add(names[k]);
      }
    }
  }

  /** The canonical name of a function's name as written, or null if it cannot be one. */
  private static String canonical(String written) {
    if (written.startsWith("\\")) {
      int brace = written.indexOf('{');
      if (brace >= 0) {
        return written.substring(brace + 1, written.length() - 1).strip();
      }
      String cmd = written.substring(1);
      return Fn.bySpelling(cmd) != null || Lexer.isGreekCommand(cmd) ? cmd : null;
    }
    if (written.equals("σ")) {
      return written;
    }
    if (written.length() == 1 && Letters.isGreek(written.charAt(0))) {
      return Letters.GREEK_LETTERS.get(written);
    }
    return written.length() == 1 && !Letters.isAsciiLetter(written.charAt(0)) ? null : written;
  }
}
