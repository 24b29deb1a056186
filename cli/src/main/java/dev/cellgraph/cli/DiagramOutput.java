package dev.cellgraph.cli;

import dev.cellgraph.render.Diagram;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The output of a drawing command: {@code -o FILE}, its format from {@code --format} or the
 * extension; {@code -o -} is standard output (then {@code --format} is required).
 */
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
    if (o.equals("-")) {
      if (format == null) {
        throw new UsageException("-o - writes to standard output: give its format with --format svg|png|dot");
      }
      return new DiagramOutput(null, format);
    }
    Args.checkNamesAFile(o);
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

  /** Whether the diagram goes to standard output (so the command's messages go to stderr). */
  boolean toStdout() {
    return file == null;
  }

  /** Where the command's own messages go: stdout, unless the diagram does. */
  PrintStream messages(PrintStream out, PrintStream err) {
    return toStdout() ? err : out;
  }

  /** What a "wrote ..." message names. */
  String name() {
    return toStdout() ? "standard output" : file.toString();
  }

  /** Writes the diagram; a file appears whole or not at all (see {@code AtomicFiles}). */
  void write(Diagram d, PrintStream out) throws IOException {
    if (toStdout()) {
      byte[] bytes = switch (format) {
        case "svg" -> d.toSvg().getBytes(StandardCharsets.UTF_8);
        case "png" -> d.toPng(2.0);
        default -> d.toDot().getBytes(StandardCharsets.UTF_8);
      };
      out.write(bytes);
      out.flush();
      return;
    }
    switch (format) {
      case "svg": d.toSvg(file); break;
      case "png": d.toPng(file); break;
      default: d.toDot(file); break;
    }
  }
}
