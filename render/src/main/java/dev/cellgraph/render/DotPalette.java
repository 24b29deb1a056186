package dev.cellgraph.render;

/** The colours and the font of DOT diagrams, shared by the writer and the node labels. */
final class DotPalette {
  private DotPalette() {}

  static final String FONT = "Helvetica";

  // forward / backward palettes
  static final String INK = "#374151";
  static final String INPUT_FILL = "#dbeafe";
  static final String INPUT_LINE = "#2563eb";
  static final String PARAM_FILL = "#e5e7eb";
  static final String PARAM_LINE = "#6b7280";
  static final String COMPOSITE_FILL = "#fef3c7";
  static final String COMPOSITE_LINE = "#b45309";
  static final String CLUSTER_FILL = "#fffbeb";
  static final String BACK = "#dc2626";
  static final String BACK_TEXT = "#991b1b";
  static final String BACK_FILL = "#fef2f2";
  static final String NOTE = "#6b7280";
  static final String TIE = "#f4a3a3";
}
