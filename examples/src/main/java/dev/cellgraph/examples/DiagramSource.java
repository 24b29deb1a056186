package dev.cellgraph.examples;

import dev.cellgraph.cells.Cell;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the demo report gets its cell diagrams. Rendering (the {@code Diagram} API) plugs in at
 * {@link #installed()}; until then the report says that diagrams are not available in this build.
 */
interface DiagramSource {
  /**
   * Draws {@code cell} for input size I and hidden size H into {@code dir} (SVG or PNG), returning
   * the file, or empty when this source cannot draw it.
   */
  Optional<Path> cellDiagram(Cell cell, int inputSize, int hiddenSize, Path dir) throws IOException;

  /** No rendering available. */
  DiagramSource NONE = (cell, i, h, dir) -> Optional.empty();

  /** The source the demo uses: the one place to wire the renderer in. */
  static DiagramSource installed() {
    return NONE;
  }
}
