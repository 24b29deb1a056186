package dev.cellgraph.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.GraphicsEnvironment;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.TextLayout;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Paints the SVG that Graphviz writes (groups, polygons, polylines, ellipses, Bézier paths, text)
 * with Java2D. Text goes through {@link TextLayout}, which places combining accents ({@code C̃}) and
 * falls back to other fonts for missing glyphs. The JavaScript Graphviz only estimates font widths,
 * so the runs of a label line are re-set with the real ones (see {@link #paintTexts}).
 */
final class SvgPainter {
  private SvgPainter() {}

  // Families metrically close to Helvetica first (Graphviz estimated the layout with its widths).
  private static final List<String> SANS = List.of(
      "Helvetica", "Arial", "Liberation Sans", "Nimbus Sans", "DejaVu Sans Condensed", "DejaVu Sans");
  private static final List<String> SERIF = List.of(
      "Times New Roman", "Liberation Serif", "Nimbus Roman", "DejaVu Serif Condensed", "DejaVu Serif");
  private static final List<String> MONO = List.of("Courier New", "Liberation Mono", "DejaVu Sans Mono");
  private static volatile Set<String> installed;

  private static final Map<String, Color> NAMED = Map.of(
      "black", Color.BLACK, "white", Color.WHITE, "red", Color.RED, "blue", Color.BLUE,
      "green", new Color(0, 128, 0), "grey", Color.GRAY, "gray", Color.GRAY,
      "lightgrey", Color.LIGHT_GRAY, "lightgray", Color.LIGHT_GRAY);

  static byte[] png(String svg, double scale) {
    Document doc = parse(svg);
    Element root = doc.getDocumentElement();
    double[] box = viewBox(root);
    int w = Math.max(1, (int) Math.ceil(box[2] * scale));
    int h = Math.max(1, (int) Math.ceil(box[3] * scale));
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, w, h);
      g.scale(scale, scale);
      g.translate(-box[0], -box[1]);
      paintChildren(g, root);
    } finally {
      g.dispose();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static Document parse(String svg) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setNamespaceAware(false);
      f.setValidating(false);
      f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setExpandEntityReferences(false);
      DocumentBuilder b = f.newDocumentBuilder();
      return b.parse(new InputSource(new StringReader(svg)));
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalStateException("Graphviz wrote SVG that does not parse: " + e.getMessage(), e);
    }
  }

  private static double[] viewBox(Element svg) {
    String vb = svg.getAttribute("viewBox");
    if (!vb.isEmpty()) {
      double[] v = numbers(vb);
      if (v.length == 4) {
        return v;
      }
    }
    return new double[] {0, 0, length(svg.getAttribute("width")), length(svg.getAttribute("height"))};
  }

  private static double length(String s) {
    String t = s.replaceAll("[a-z%]+$", "");
    return t.isEmpty() ? 100 : Double.parseDouble(t);
  }

  private static void paintChildren(Graphics2D g, Element parent) {
    NodeList kids = parent.getChildNodes();
    List<Element> texts = new ArrayList<>();
    double centre = labelCentre(parent);
    for (int i = 0; i < kids.getLength(); i++) {
      if (kids.item(i) instanceof Element) {
        Element e = (Element) kids.item(i);
        if (e.getTagName().equals("text")) {
          texts.add(e);
        } else {
          paintTexts(g, texts, centre);
          texts.clear();
          paint(g, e);
        }
      }
    }
    paintTexts(g, texts, centre);
  }

  /**
   * The x a node's label lines are centred on: the middle of its one outline. NaN for anything
   * else (a table label draws several outlines, and its lines are centred in their cells).
   */
  private static double labelCentre(Element group) {
    if (!group.getAttribute("class").equals("node")) {
      return Double.NaN;
    }
    Shape outline = null;
    NodeList kids = group.getChildNodes();
    for (int i = 0; i < kids.getLength(); i++) {
      if (kids.item(i) instanceof Element) {
        Element e = (Element) kids.item(i);
        Shape s = null;
        switch (e.getTagName()) {
          case "polygon": s = polygon(e.getAttribute("points"), true); break;
          case "ellipse": s = new Ellipse2D.Double(num(e, "cx") - num(e, "rx"), num(e, "cy") - num(e, "ry"),
              2 * num(e, "rx"), 2 * num(e, "ry")); break;
          case "path": s = path(e.getAttribute("d")); break;
          case "polyline": return Double.NaN;
          default: break;
        }
        if (s != null) {
          if (outline != null) {
            return Double.NaN;
          }
          outline = s;
        }
      }
    }
    return outline == null ? Double.NaN : outline.getBounds2D().getCenterX();
  }

  private static void paint(Graphics2D g, Element e) {
    switch (e.getTagName()) {
      case "g":
      case "a": {
        AffineTransform saved = g.getTransform();
        transform(g, e.getAttribute("transform"));
        paintChildren(g, e);
        g.setTransform(saved);
        break;
      }
      case "polygon":
        draw(g, e, polygon(e.getAttribute("points"), true));
        break;
      case "polyline":
        draw(g, e, polygon(e.getAttribute("points"), false));
        break;
      case "ellipse": {
        double cx = num(e, "cx");
        double cy = num(e, "cy");
        double rx = num(e, "rx");
        double ry = num(e, "ry");
        draw(g, e, new Ellipse2D.Double(cx - rx, cy - ry, 2 * rx, 2 * ry));
        break;
      }
      case "path":
        draw(g, e, path(e.getAttribute("d")));
        break;
      default:
        break; // title, desc, image: nothing to paint
    }
  }

  private static void transform(Graphics2D g, String t) {
    int i = 0;
    while (true) {
      int open = t.indexOf('(', i);
      if (open < 0) {
        return;
      }
      int close = t.indexOf(')', open);
      String fn = t.substring(i, open).trim();
      double[] a = numbers(t.substring(open + 1, close));
      switch (fn) {
        case "scale":
          g.scale(a[0], a.length > 1 ? a[1] : a[0]);
          break;
        case "translate":
          g.translate(a[0], a.length > 1 ? a[1] : 0);
          break;
        case "rotate":
          g.rotate(Math.toRadians(a[0]));
          break;
        default:
          break;
      }
      i = close + 1;
    }
  }

  private static void draw(Graphics2D g, Element e, Shape s) {
    Color fill = color(e.getAttribute("fill"), opacity(e, "fill-opacity"));
    if (fill != null) {
      g.setColor(fill);
      g.fill(s);
    }
    Color stroke = color(e.getAttribute("stroke"), opacity(e, "stroke-opacity"));
    if (stroke != null) {
      float width = e.hasAttribute("stroke-width") ? (float) num(e, "stroke-width") : 1f;
      float[] dash = null;
      String da = e.getAttribute("stroke-dasharray");
      if (!da.isEmpty() && !da.equals("none")) {
        double[] d = numbers(da);
        dash = new float[d.length];
        for (int i = 0; i < d.length; i++) {
          dash[i] = (float) d[i];
        }
      }
      g.setColor(stroke);
      g.setStroke(new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f));
      g.draw(s);
    }
  }

  private static double opacity(Element e, String attr) {
    return e.hasAttribute(attr) ? num(e, attr) : 1;
  }

  /** A colour, or null for none (an absent fill is black in SVG; Graphviz always writes it). */
  static Color color(String s, double opacity) {
    if (s.isEmpty() || s.equals("none") || s.equals("transparent")) {
      return null;
    }
    Color c;
    if (s.startsWith("#") && (s.length() == 7 || s.length() == 9)) {
      int rgb = Integer.parseInt(s.substring(1, 7), 16);
      int a = s.length() == 9 ? Integer.parseInt(s.substring(7, 9), 16) : 255;
      c = new Color((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255, a);
    } else {
      c = NAMED.getOrDefault(s.toLowerCase(Locale.ROOT), Color.BLACK);
    }
    if (opacity < 1) {
      c = new Color(c.getRed(), c.getGreen(), c.getBlue(), (int) Math.round(c.getAlpha() * opacity));
    }
    return c;
  }

  private static Path2D polygon(String points, boolean closed) {
    double[] v = numbers(points);
    Path2D.Double p = new Path2D.Double();
    for (int i = 0; i + 1 < v.length; i += 2) {
      if (i == 0) {
        p.moveTo(v[0], v[1]);
      } else {
        p.lineTo(v[i], v[i + 1]);
      }
    }
    if (closed) {
      p.closePath();
    }
    return p;
  }

  /** The path commands Graphviz writes: M, L, C, Z (and their relative forms). */
  private static Path2D path(String d) {
    Path2D.Double p = new Path2D.Double();
    List<String> tokens = new ArrayList<>();
    StringBuilder num = new StringBuilder();
    for (int i = 0; i < d.length(); i++) {
      char c = d.charAt(i);
      boolean numberChar = Character.isDigit(c) || c == '.' || c == 'e'
          || (c == '-' && (num.length() == 0 || num.charAt(num.length() - 1) == 'e'));
      if (numberChar) {
        num.append(c);
        continue;
      }
      if (num.length() > 0) {
        tokens.add(num.toString());
        num.setLength(0);
      }
      if (c == '-') {
        num.append(c);
      } else if (Character.isLetter(c)) {
        tokens.add(String.valueOf(c));
      }
    }
    if (num.length() > 0) {
      tokens.add(num.toString());
    }
    char cmd = 'M';
    double x = 0;
    double y = 0;
    int i = 0;
    while (i < tokens.size()) {
      String t = tokens.get(i);
      if (Character.isLetter(t.charAt(0))) {
        cmd = t.charAt(0);
        i++;
        if (cmd == 'Z' || cmd == 'z') {
          p.closePath();
        }
        continue;
      }
      boolean rel = Character.isLowerCase(cmd);
      double ox = rel ? x : 0;
      double oy = rel ? y : 0;
      switch (Character.toUpperCase(cmd)) {
        case 'M':
          x = ox + Double.parseDouble(tokens.get(i));
          y = oy + Double.parseDouble(tokens.get(i + 1));
          p.moveTo(x, y);
          cmd = rel ? 'l' : 'L';
          i += 2;
          break;
        case 'L':
          x = ox + Double.parseDouble(tokens.get(i));
          y = oy + Double.parseDouble(tokens.get(i + 1));
          p.lineTo(x, y);
          i += 2;
          break;
        case 'C': {
          double[] c = new double[6];
          for (int k = 0; k < 6; k++) {
            c[k] = (k % 2 == 0 ? ox : oy) + Double.parseDouble(tokens.get(i + k));
          }
          p.curveTo(c[0], c[1], c[2], c[3], c[4], c[5]);
          x = c[4];
          y = c[5];
          i += 6;
          break;
        }
        default:
          i++; // a command Graphviz does not write: skip its numbers
      }
    }
    return p;
  }

  /** One text element, measured. */
  private static final class Run {
    final TextLayout layout;
    final Color fill;
    final double x;
    final double y;     // the line's baseline
    final double dy;    // a subscript's or superscript's shift from it
    final String anchor;

    Run(TextLayout layout, Color fill, double x, double y, double dy, String anchor) {
      this.layout = layout;
      this.fill = fill;
      this.x = x;
      this.y = y;
      this.dy = dy;
      this.anchor = anchor;
    }

    double advance() {
      return layout.getAdvance();
    }
  }

  /**
   * Paints consecutive text elements of one group. Graphviz writes each run of an HTML label line
   * (text, subscript, text) as its own element at an x from estimated font widths; the runs of a
   * line are set side by side with the real widths instead, centred where Graphviz centred them.
   */
  private static void paintTexts(Graphics2D g, List<Element> texts, double centre) {
    List<Run> runs = new ArrayList<>();
    for (Element e : texts) {
      String text = e.getTextContent();
      Color fill = color(e.getAttribute("fill").isEmpty() ? "black" : e.getAttribute("fill"), 1);
      if (text.isEmpty() || fill == null) {
        continue;
      }
      double size = e.hasAttribute("font-size") ? num(e, "font-size") : 14;
      Font font = font(e.getAttribute("font-family"), e.getAttribute("font-weight"), e.getAttribute("font-style"),
          (float) size, text);
      runs.add(new Run(new TextLayout(text, font, g.getFontRenderContext()), fill, num(e, "x"), num(e, "y"),
          num(e, "dy"), e.getAttribute("text-anchor")));
    }
    int i = 0;
    while (i < runs.size()) {
      int j = i + 1;
      while (j < runs.size() && sameLine(runs.get(j - 1), runs.get(j))) {
        j++;
      }
      paintLine(g, runs.subList(i, j), centre);
      i = j;
    }
  }

  private static boolean sameLine(Run a, Run b) {
    boolean start = !a.anchor.equals("middle") && !a.anchor.equals("end")
        && !b.anchor.equals("middle") && !b.anchor.equals("end");
    // runs of one line are joined by a subscript or superscript; side by side cells are not
    return start && (a.dy != 0 || b.dy != 0) && b.x > a.x && Math.abs(b.y - a.y) < 0.01;
  }

  private static void paintLine(Graphics2D g, List<Run> line, double centre) {
    Run first = line.get(0);
    double x;
    double total = 0;
    for (Run r : line) {
      total += r.advance();
    }
    if (!Double.isNaN(centre) && !first.anchor.equals("end")) {
      x = centre - total / 2;
    } else if (line.size() == 1) {
      double w = first.advance();
      x = first.anchor.equals("middle") ? first.x - w / 2 : first.anchor.equals("end") ? first.x - w : first.x;
    } else {
      // Graphviz's extent of the line: the gaps between runs, and the last run scaled alike
      double estimated = 0;
      double actual = 0;
      for (int k = 0; k + 1 < line.size(); k++) {
        estimated += line.get(k + 1).x - line.get(k).x;
        actual += line.get(k).advance();
      }
      double last = line.get(line.size() - 1).advance();
      double extent = estimated + last * (actual > 0 ? estimated / actual : 1);
      x = first.x + extent / 2 - total / 2;
    }
    for (Run r : line) {
      g.setColor(r.fill);
      r.layout.draw(g, (float) x, (float) (r.y + r.dy));
      x += r.advance();
    }
  }

  private static Font font(String families, String weight, String style, float size, String text) {
    int s = (weight.equals("bold") ? Font.BOLD : 0) | (style.equals("italic") ? Font.ITALIC : 0);
    String family = family(families);
    Font f = new Font(family, s, 1).deriveFont(size);
    if (f.canDisplayUpTo(text) != -1) {
      // the logical font falls back glyph by glyph to every installed font
      f = new Font(Font.SANS_SERIF, s, 1).deriveFont(size);
    }
    return f;
  }

  private static String family(String families) {
    String first = families.split(",")[0].trim().toLowerCase(Locale.ROOT);
    List<String> prefs = first.startsWith("times") || first.equals("serif") ? SERIF
        : first.startsWith("courier") || first.equals("monospace") ? MONO : SANS;
    Set<String> have = installedFamilies();
    for (String f : families.split(",")) {
      if (have.contains(f.trim().toLowerCase(Locale.ROOT))) {
        return f.trim();
      }
    }
    for (String p : prefs) {
      if (have.contains(p.toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    return prefs == SERIF ? Font.SERIF : prefs == MONO ? Font.MONOSPACED : Font.SANS_SERIF;
  }

  private static Set<String> installedFamilies() {
    Set<String> s = installed;
    if (s == null) {
      s = new HashSet<>();
      for (String f : GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames(Locale.ROOT)) {
        s.add(f.toLowerCase(Locale.ROOT));
      }
      installed = s;
    }
    return s;
  }

  private static double num(Element e, String attr) {
    String v = e.getAttribute(attr);
    return v.isEmpty() ? 0 : Double.parseDouble(v);
  }

  private static double[] numbers(String s) {
    String[] parts = s.trim().split("[\\s,]+");
    double[] r = new double[parts.length];
    int n = 0;
    for (String p : parts) {
      if (!p.isEmpty()) {
        r[n++] = Double.parseDouble(p);
      }
    }
    return Arrays.copyOf(r, n);
  }
}
