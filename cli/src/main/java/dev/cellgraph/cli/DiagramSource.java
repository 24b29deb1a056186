package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.cells.FormulaCell;
import dev.cellgraph.cells.lang.Zoo;
import dev.cellgraph.render.cells.CellDiagram;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** Where the demo report gets its cell diagrams: {@link #installed()} draws them with {@link CellDiagram}. */
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
    return (cell, inputSize, hiddenSize, dir) -> {
      // the built-in rnn, lstm and gru are drawn from their zoo formulas, which compute the same
      FormulaCell formula = cell instanceof FormulaCell f ? f
          : Zoo.contains(cell.name()) ? FormulaCell.of(cell.name(), Zoo.load(cell.name())) : null;
      if (formula == null) {
        return Optional.empty();
      }
      Path file = dir.resolve(cell.name() + ".svg");
      CellDiagram.of(formula).showShapes(inputSize, hiddenSize).toSvg(file);
      return Optional.of(file);
    };
  }
}
