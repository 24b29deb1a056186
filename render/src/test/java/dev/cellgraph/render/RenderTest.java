package dev.cellgraph.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.autodiff.Graph;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SVG and PNG files really produced by the engine this machine has (the bundled JavaScript
 * Graphviz when there is no system {@code dot}). Two small graphs only: the engine's start-up
 * dominates, and the timings printed show it.
 */
class RenderTest {
  private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

  @TempDir
  Path dir;

  @Test
  void svgAndPngFilesAreWrittenWholeWithGreekSubscriptsAndOdot() throws IOException {
    Graph g = Graphs.gate();
    Diagram d = Diagram.of(g).backward(Graphs.gateBackward(g)).showShapes(true);
    long t0 = System.nanoTime();
    String engine = Diagram.engine();
    long t1 = System.nanoTime();
    Path svg = dir.resolve("gate.svg");
    d.toSvg(svg);
    long t2 = System.nanoTime();
    Path png = Files.createDirectories(dir.resolve("out")).resolve("gate.png");
    d.toPng(png);
    long t3 = System.nanoTime();
    System.out.printf("render: engine %s, start %.0f ms, svg %.0f ms, png %.0f ms%n",
        engine, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);

    String text = Files.readString(svg, StandardCharsets.UTF_8);
    assertTrue(text.contains("<svg"), text.substring(0, Math.min(200, text.length())));
    assertTrue(text.contains(">σ<") && text.contains(">⊙<"), "σ and ⊙ reach the SVG");
    assertTrue(text.contains(">f<") && text.contains("dy=\""), "f_t is set with a shifted subscript");
    assertTrue(!text.contains("baseline-shift"), "subscripts use dy, which every viewer honours");

    byte[] bytes = Files.readAllBytes(png);
    assertArrayEquals(PNG_MAGIC, Arrays.copyOf(bytes, 8));
    BufferedImage img = ImageIO.read(png.toFile());
    assertTrue(img.getWidth() > 300 && img.getHeight() > 100, img.getWidth() + "x" + img.getHeight());
    assertEquals(List.of("gate.png"), list(png.getParent()), "no temporary file is left behind");
    assertEquals(List.of("gate.svg", "out"), list(dir));
  }

  @Test
  void anExpandedScanRendersToPng() throws IOException {
    Path png = dir.resolve("scan.png");
    long t0 = System.nanoTime();
    Diagram.of(Graphs.scanLoss()).expand(1).showShapes(true).toPng(png, 1.0);
    System.out.printf("render: expanded scan png %.0f ms%n", (System.nanoTime() - t0) / 1e6);
    BufferedImage img = ImageIO.read(png.toFile());
    assertTrue(img.getWidth() > 200, "width " + img.getWidth());
  }

  @Test
  void portableSvgMovesSubscriptsWithDyAndKeepsEdgeSpaces() {
    String in = "<text text-anchor=\"start\" x=\"1\" y=\"-2\" baseline-shift=\"sub\" font-size=\"8.00\">t</text>"
        + "<text x=\"5\" y=\"-2\" font-size=\"12.00\"> = tanh</text>";
    assertEquals("<text text-anchor=\"start\" x=\"1\" y=\"-2\" dy=\"3.60\" font-size=\"8.00\">t</text>"
        + "<text x=\"5\" y=\"-2\" font-size=\"12.00\">\u00a0= tanh</text>", Renderer.portable(in));
  }

  private static List<String> list(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }
}
