package dev.cellgraph.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every public type of every module says in its Javadoc whether it is thread-safe, and every
 * package has a package-info.java (issues #20 and #18). Reads the source tree from {@code ..}.
 */
class ApiDocsTest {
  private static final Path ROOT = Path.of("..");

  /** Files the check leaves out (a directory ending in '/' covers its files): none now. */
  private static final List<String> PENDING = List.of();

  private static final Pattern PUBLIC_TYPE = Pattern.compile(
      "^public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*"
          + "(?:class|record|enum|interface|@interface)\\s+(\\w+)",
      Pattern.MULTILINE);

  /** What may stand between a class Javadoc and its declaration: annotations. */
  private static final Pattern ANNOTATIONS = Pattern.compile("(?:\\s*@[\\w.]+(?:\\([^)]*\\))?)*\\s*");

  @Test
  void everyPublicTypeStatesItsThreadSafety() throws IOException {
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (Path file : sources()) {
      String name = relative(file);
      if (pending(name) || file.getFileName().toString().equals("package-info.java")) {
        continue;
      }
      String src = Files.readString(file);
      Matcher type = PUBLIC_TYPE.matcher(src);
      if (!type.find()) {
        continue;
      }
      checked++;
      String javadoc = classJavadoc(src, type.start());
      if (javadoc == null) {
        missing.add(name + ": " + type.group(1) + " has no class Javadoc");
      } else if (!javadoc.toLowerCase(Locale.ROOT).contains("thread")) {
        missing.add(name + ": " + type.group(1) + "'s Javadoc does not state its thread-safety");
      }
    }
    assertTrue(checked > 50, "found only " + checked + " public types under " + ROOT.toAbsolutePath());
    assertTrue(missing.isEmpty(), String.join("\n", missing));
  }

  @Test
  void everyPackageHasAPackageInfo() throws IOException {
    TreeSet<String> without = new TreeSet<>();
    for (Path file : sources()) {
      Path dir = file.getParent();
      String name = relative(dir) + "/";
      if (!pending(name) && !Files.exists(dir.resolve("package-info.java"))) {
        without.add(name);
      }
    }
    assertTrue(without.isEmpty(), "packages without a package-info.java:\n" + String.join("\n", without));
  }

  /** The class Javadoc before the declaration at {@code declaration}, or null if there is none. */
  static String classJavadoc(String src, int declaration) {
    String head = src.substring(0, declaration);
    int start = head.lastIndexOf("/**");
    int end = start < 0 ? -1 : head.indexOf("*/", start);
    if (end < 0 || !ANNOTATIONS.matcher(head.substring(end + 2)).matches()) {
      return null;
    }
    return head.substring(start, end + 2);
  }

  /** The Java sources of every module's src/main (a module is a directory of the root). */
  private static List<Path> sources() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path main : modules.map(m -> m.resolve("src/main/java")).filter(Files::isDirectory).toList()) {
        try (Stream<Path> walk = Files.walk(main)) {
          walk.filter(p -> p.toString().endsWith(".java")).sorted().forEach(files::add);
        }
      }
    }
    return files;
  }

  private static String relative(Path p) {
    return ROOT.relativize(p).toString().replace('\\', '/');
  }

  private static boolean pending(String name) {
    return PENDING.stream().anyMatch(p -> p.endsWith("/") ? name.startsWith(p) : name.equals(p));
  }
}
