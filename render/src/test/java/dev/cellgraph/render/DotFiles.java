package dev.cellgraph.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the DOT tests read from a diagram: golden files (rewritten with
 * {@code -Dcellgraph.golden.update=true} after an intended change), nodes and edges.
 */
public final class DotFiles {
  private static final Pattern NODE = Pattern.compile("^\\s*(\\w+) \\[(.*)\\];$", Pattern.MULTILINE);
  private static final Pattern EDGE = Pattern.compile("^\\s*([\\w:]+) -> ([\\w:]+)( \\[(.*)\\])?;$", Pattern.MULTILINE);

  private DotFiles() {}

  /** Compares {@code dot} with the golden file {@code render/name} (or rewrites it, see above). */
  public static void assertGolden(String name, String dot) throws IOException {
    if (Boolean.getBoolean("cellgraph.golden.update")) {
      Path p = Path.of("src/test/resources/render", name);
      Files.createDirectories(p.getParent());
      Files.writeString(p, dot, StandardCharsets.UTF_8);
      return;
    }
    try (InputStream in = DotFiles.class.getResourceAsStream("/render/" + name)) {
      assertTrue(in != null, "golden file render/" + name + " is missing; run with -Dcellgraph.golden.update=true");
      assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), dot, "DOT differs from render/" + name);
    }
  }

  /** Node id to attributes, in the order written, without the graph/node/edge defaults. */
  public static Map<String, String> nodes(String dot) {
    Map<String, String> r = new LinkedHashMap<>();
    Matcher m = NODE.matcher(dot);
    while (m.find()) {
      if (!List.of("graph", "node", "edge").contains(m.group(1))) {
        r.put(m.group(1), m.group(2));
      }
    }
    return r;
  }

  /** Edges: from, to, attributes; the invisible ones (layout spines) too when {@code invisible}. */
  public static List<String[]> edges(String dot, boolean invisible) {
    List<String[]> r = new ArrayList<>();
    Matcher m = EDGE.matcher(dot);
    while (m.find()) {
      String attrs = m.group(4) == null ? "" : m.group(4);
      if (invisible || !attrs.contains("style=invis")) {
        r.add(new String[] {m.group(1), m.group(2), attrs});
      }
    }
    return r;
  }

  /** How often {@code what} occurs in {@code s}. */
  public static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }
}
