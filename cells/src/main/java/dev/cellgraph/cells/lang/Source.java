package dev.cellgraph.cells.lang;

import java.util.Arrays;

/** A cell's text with its name, able to turn offsets into lines, columns and located errors. */
final class Source {
  final String name;
  final String text;
  private final int[] lineStarts;
  /**
   * {@code pairsBefore[k]}: surrogate pairs whose second half is before offset k, or null when the
   * text has none; columns are then found in constant time, not by counting along a long line.
   */
  private final int[] pairsBefore;

  Source(String name, String text) {
    this.name = name;
    this.text = text;
    int n = 1;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        n++;
      }
    }
    lineStarts = new int[n];
    int k = 1;
    boolean pairs = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n') {
        lineStarts[k++] = i + 1;
      }
      pairs |= Character.isSurrogate(c);
    }
    if (pairs) {
      pairsBefore = new int[text.length() + 1];
      for (int i = 0; i < text.length(); i++) {
        boolean second = i > 0 && Character.isLowSurrogate(text.charAt(i)) && Character.isHighSurrogate(text.charAt(i - 1));
        pairsBefore[i + 1] = pairsBefore[i] + (second ? 1 : 0);
      }
    } else {
      pairsBefore = null;
    }
  }

  int lineOf(int offset) {
    int i = Arrays.binarySearch(lineStarts, offset);
    return (i >= 0 ? i : -i - 2) + 1;
  }

  int columnOf(int offset) {
    int start = lineStarts[lineOf(offset) - 1];
    int end = Math.min(offset, text.length());
    if (pairsBefore == null || end <= start + 1) {
      return end - start + 1;
    }
    return end - start - (pairsBefore[end] - pairsBefore[start + 1]) + 1;
  }

  String lineText(int line) {
    int start = lineStarts[line - 1];
    int end = line < lineStarts.length ? lineStarts[line] - 1 : text.length();
    if (end > start && text.charAt(end - 1) == '\r') {
      end--;
    }
    return text.substring(start, end);
  }

  Span span(int start, int end) {
    return new Span(start, end, lineOf(start), columnOf(start));
  }

  String slice(Span s) {
    return text.substring(s.start(), s.end());
  }

  CellFormulaException error(int offset, String detail) {
    int line = lineOf(offset);
    return new CellFormulaException(name, line, columnOf(offset), lineText(line), detail);
  }

  CellFormulaException error(Span at, String detail) {
    return error(at.start(), detail);
  }

  static CellFormulaException unlocated(String name, String detail) {
    return new CellFormulaException(name, 0, 0, null, detail);
  }
}
