package dev.cellgraph.examples;

import dev.cellgraph.autodiff.render.Diagram;
import dev.cellgraph.examples.cli.Args;
import dev.cellgraph.examples.cli.UsageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/** The output file of a drawing command: {@code -o FILE}, its format from {@code --format} or the extension. */
record DiagramOutput(Path file, String format) {

  static DiagramOutput of(Args a) {
    String o = a.has("o") ? a.get("o") : a.get("output");
    if (a.has("o") && a.has("output")) {
      throw new UsageException("give the output file once, with -o or --output");
    }
    if (o == null || o.isBlank()) {
      throw new UsageException("an output file is required: -o FILE (.svg, .png or .dot)");
    }
    String format = a.choice("format", null, "svg", "png", "dot");
    if (format == null) {
      String lower = o.toLowerCase(Locale.ROOT);
      int dot = lower.lastIndexOf('.');
      String ext = dot >= 0 ? lower.substring(dot + 1) : "";
      switch (ext) {
        case "svg": format = "svg"; break;
        case "png": format = "png"; break;
        case "dot": case "gv": format = "dot"; break;
        default:
          throw new UsageException("cannot tell the format of '" + o + "' from its extension;"
              + " name it .svg, .png or .dot, or give --format svg|png|dot");
      }
    }
    return new DiagramOutput(Path.of(o), format);
  }

  /** Writes the diagram; the file appears whole or not at all. */
  void write(Diagram d) throws IOException {
    switch (format) {
      case "svg": d.toSvg(file); break;
      case "png": d.toPng(file); break;
      default: d.toDot(file); break;
    }
  }
}
