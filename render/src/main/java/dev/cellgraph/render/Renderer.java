package dev.cellgraph.render;

import dev.cellgraph.core.Setting;
import dev.cellgraph.core.io.AtomicFiles;
import guru.nidi.graphviz.engine.Format;
import guru.nidi.graphviz.engine.Graphviz;
import guru.nidi.graphviz.engine.GraphvizCmdLineEngine;
import guru.nidi.graphviz.engine.GraphvizException;
import guru.nidi.graphviz.engine.GraphvizJdkEngine;
import guru.nidi.graphviz.engine.GraphvizV8Engine;
import guru.nidi.graphviz.engine.Rasterizer;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * DOT to SVG and PNG through graphviz-java, with the engine chosen once:
 *
 * <ul>
 *   <li>a system Graphviz {@code dot} on the PATH, when there is one: real font metrics, and PNG
 *       drawn by Graphviz itself (cairo);
 *   <li>otherwise Graphviz compiled to JavaScript (viz.js) on the V8 engine that graphviz-java
 *       bundles (J2V8): about a second to start, tens of milliseconds per small graph. PNG is then
 *       painted by {@link SvgPainter}, because graphviz-java's rasterizers lose subscripts and
 *       combining accents ({@code C̃});
 *   <li>failing that, the JDK script engine (GraalJS, when the application puts
 *       {@code org.graalvm.js:js} on the class path): works on any platform, but runs interpreted
 *       on a stock JDK, about 40 s to start and half a second per graph.
 * </ul>
 *
 * <p>The system property {@code cellgraph.graphviz} = {@code dot} or {@code js} forces a choice.
 * graphviz-java keeps one engine per JVM, so all rendering goes through one lock.
 */
final class Renderer {
  private static final Object LOCK = new Object();
  private static String engine; // guarded by LOCK

  private Renderer() {}

  static String engineName() {
    synchronized (LOCK) {
      init();
      return engine;
    }
  }

  private static boolean systemDot() {
    return engineName().startsWith("dot");
  }

  /** The SVG of a DOT text, with subscripts and edge spaces made portable (see {@link #portable}). */
  static String svg(String dot) {
    synchronized (LOCK) {
      init();
      try {
        return portable(Graphviz.fromString(dot).render(Format.SVG).toString());
      } catch (GraphvizException e) {
        throw new IllegalStateException("Graphviz (" + engine + ") could not render the diagram: " + e.getMessage(), e);
      }
    }
  }

  /** PNG bytes, {@code scale} pixels per point. */
  static byte[] png(String dot, double scale) {
    if (systemDot()) {
      String withDpi = dot.replaceFirst("\\{\n", "{\n  graph [dpi=" + String.format(Locale.ROOT, "%.0f", 72 * scale) + "];\n");
      synchronized (LOCK) {
        try {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          Graphviz.fromString(withDpi).rasterize(Rasterizer.builtIn("png")).toOutputStream(out);
          return out.toByteArray();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (GraphvizException e) {
          throw new IllegalStateException("Graphviz (" + engine + ") could not render the diagram: " + e.getMessage(), e);
        }
      }
    }
    return SvgPainter.png(svg(dot), scale);
  }

  private static void init() {
    if (engine != null) {
      return;
    }
    String want = Setting.GRAPHVIZ.choice("auto", "auto", "dot", "js");
    if (!want.equals("js") && onPath("dot")) {
      Graphviz.useEngine(new GraphvizCmdLineEngine());
      if (works()) {
        engine = "dot (system Graphviz)";
        return;
      }
    }
    if (want.equals("dot")) {
      throw new IllegalStateException("cellgraph.graphviz=dot but no working 'dot' is on the PATH");
    }
    Path dir = null;
    try {
      dir = Files.createTempDirectory("cellgraph-j2v8");
      QuietV8.preload(dir);
      Graphviz.useEngine(new GraphvizV8Engine(dir.toString()));
      if (works()) {
        engine = "viz.js on V8 (J2V8, bundled)";
        return;
      }
    } catch (IOException | LinkageError e) {
      // no usable temporary directory or no J2V8 for this platform: try the next engine
    } finally {
      deleteExtractedLibrary(dir);
    }
    Graphviz.useEngine(new GraphvizJdkEngine());
    if (works()) {
      engine = "viz.js on the JDK script engine";
      return;
    }
    throw new IllegalStateException("no Graphviz engine works here: install Graphviz ('dot' on the PATH),"
        + " or run where graphviz-java's bundled J2V8 loads (Linux, macOS or Windows on x86-64),"
        + " or put org.graalvm.js:js and org.graalvm.js:js-scriptengine on the class path");
  }

  private static boolean works() {
    try {
      return Graphviz.fromString("digraph { a -> b }").render(Format.SVG).toString().contains("<svg");
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** V8 has mapped the library by now; Linux lets it go, elsewhere it goes at exit. */
  private static void deleteExtractedLibrary(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (!f.toFile().delete()) {
          f.toFile().deleteOnExit();
        }
      }
    } catch (IOException e) {
      // nothing to clean
    }
    File d = dir.toFile();
    if (!d.delete()) {
      d.deleteOnExit();
    }
  }

  private static boolean onPath(String exe) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String p : path.split(File.pathSeparator)) {
      if (!p.isEmpty() && Files.isExecutable(Path.of(p, exe))) {
        return true;
      }
    }
    return false;
  }

  private static final Pattern TEXT = Pattern.compile("<text ([^>]*)>([^<]*)</text>");
  private static final Pattern SHIFT = Pattern.compile(" baseline-shift=\"(sub|super)\"");
  private static final Pattern SIZE = Pattern.compile("font-size=\"([0-9.]+)\"");

  /**
   * Graphviz writes a subscript as {@code baseline-shift="sub"}, which some viewers ignore, and a
   * label's leading or trailing space as plain spaces, which SVG drops. Both are rewritten in
   * terms every viewer honours: a {@code dy} shift of the baseline and no-break spaces.
   */
  static String portable(String svg) {
    Matcher m = TEXT.matcher(svg);
    StringBuilder sb = new StringBuilder(svg.length() + 256);
    while (m.find()) {
      String attrs = m.group(1);
      String body = m.group(2);
      Matcher shift = SHIFT.matcher(attrs);
      Matcher size = SIZE.matcher(attrs);
      if (shift.find() && size.find()) {
        double fs = Double.parseDouble(size.group(1));
        double dy = shift.group(1).equals("sub") ? 0.45 * fs : -0.75 * fs;
        attrs = shift.replaceFirst(Matcher.quoteReplacement(" dy=\"" + String.format(Locale.ROOT, "%.2f", dy) + "\""));
      }
      body = leadingTrailingSpaces(body);
      m.appendReplacement(sb, Matcher.quoteReplacement("<text " + attrs + ">" + body + "</text>"));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String leadingTrailingSpaces(String s) {
    int a = 0;
    while (a < s.length() && s.charAt(a) == ' ') {
      a++;
    }
    if (a == s.length()) {
      return s;
    }
    int b = s.length();
    while (b > a && s.charAt(b - 1) == ' ') {
      b--;
    }
    return "\u00a0".repeat(a) + s.substring(a, b) + "\u00a0".repeat(s.length() - b);
  }

  /**
   * Writes through {@link AtomicFiles}: a regular file is replaced whole, a symlink written
   * through, a pipe or device written in place; a missing directory is an error, not created.
   */
  static void writeAtomically(Path file, byte[] content) throws IOException {
    AtomicFiles.write(file, content);
  }

}
