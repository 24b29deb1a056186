package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md and docs/*.md compiles against the current API. A
 * block is the body of a method (statements; its own imports go on top), with the project's
 * packages and java.util/java.nio.file imported, so the docs need not repeat the same imports in
 * every snippet. The opening fence says what is done with it, and any other word after
 * {@code java} fails the test (so no block escapes by a typo):
 *
 * <ul>
 *   <li>{@code ```java}: compiled, not run (such snippets train for minutes or write files);
 *   <li>{@code ```java run}: compiled and run;
 *   <li>{@code ```java continued}: appended to the previous block of the same page (its
 *       variables in scope), compiled, and run when that block runs;
 *   <li>{@code ```java fragment}: an intentional fragment, neither compiled nor run.
 * </ul>
 */
class DocSnippetsTest {
  private static final List<String> IMPORTS = List.of(
      "dev.cellgraph.core.*", "dev.cellgraph.core.random.*", "dev.cellgraph.autodiff.*",
      "dev.cellgraph.cells.*", "dev.cellgraph.cells.lang.*", "dev.cellgraph.train.*",
      "dev.cellgraph.train.nn.*", "dev.cellgraph.train.tasks.*", "dev.cellgraph.core.io.*", "dev.cellgraph.render.*", "dev.cellgraph.render.cells.*",
      "java.util.*", "java.nio.file.*");

  @TempDir Path out;

  record Snippet(Path file, int line, List<String> imports, String body, boolean run) {
    String where() {
      return file.getFileName() + ":" + line;
    }
  }

  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("README.md"))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("no README.md above " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  static List<Snippet> snippets() throws IOException {
    Path root = root();
    List<Path> files = new ArrayList<>(List.of(root.resolve("README.md")));
    try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
      docs.filter(f -> f.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    List<Snippet> found = new ArrayList<>();
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f);
      Snippet previous = null;
      for (int i = 0; i < lines.size(); i++) {
        String fence = lines.get(i).strip();
        if (!fence.startsWith("```java")) {
          continue;
        }
        String mode = fence.substring("```java".length()).strip();
        if (!List.of("", "run", "continued", "fragment").contains(mode)) {
          throw new AssertionError(f.getFileName() + ":" + (i + 1) + ": unknown snippet mode '" + mode
              + "' (expected java, java run, java continued or java fragment)");
        }
        int start = i + 1;
        List<String> imports = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
          String l = lines.get(i);
          if (l.startsWith("import ")) {
            imports.add(l.substring("import ".length()).replace(";", "").strip());
          } else {
            body.append(l).append('\n');
          }
        }
        if (mode.equals("fragment")) {
          continue;
        }
        Snippet s = new Snippet(f, start, imports, body.toString(), mode.equals("run"));
        if (mode.equals("continued")) {
          if (previous == null) {
            throw new AssertionError(f.getFileName() + ":" + start + ": a continued snippet needs a snippet before it");
          }
          List<String> all = new ArrayList<>(previous.imports());
          all.addAll(imports);
          // the earlier block stays its own test; this one reports its own line
          s = new Snippet(f, start, all, previous.body() + body, previous.run());
        }
        found.add(s);
        previous = s;
      }
    }
    return found;
  }

  @Test
  void theImportsJavaApiMdListsAreTheOnesTheSnippetsAreCompiledWith() throws IOException {
    String page = Files.readString(root().resolve("docs/java-api.md"));
    int from = page.indexOf("```java fragment\nimport ");
    assertTrue(from >= 0, "docs/java-api.md lists no imports");
    String block = page.substring(from, page.indexOf("```\n", from + 3));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^import ([\\w.*]+);").matcher(block);
    List<String> listed = new ArrayList<>();
    while (m.find()) {
      listed.add(m.group(1));
    }
    assertEquals(new java.util.TreeSet<>(IMPORTS), new java.util.TreeSet<>(listed));
  }

  @TestFactory
  Stream<DynamicTest> everyJavaSnippetInTheDocsCompiles() throws IOException {
    List<Snippet> all = snippets();
    assertTrue(all.size() >= 6, "found only " + all.size() + " snippets");
    assertTrue(all.stream().anyMatch(Snippet::run), "no snippet is run");
    return all.stream().map(s -> DynamicTest.dynamicTest(s.where() + (s.run() ? " (run)" : ""), () -> compile(s)));
  }

  private void compile(Snippet s) throws IOException, ReflectiveOperationException {
    StringBuilder src = new StringBuilder();
    for (String i : IMPORTS) {
      src.append("import ").append(i).append(";\n");
    }
    for (String i : s.imports()) {
      src.append("import ").append(i).append(";\n");
    }
    String header = "class Snippet {\n  static void run() throws Exception {\n";
    src.append(header).append(s.body()).append("  }\n}\n");
    int offset = (int) src.substring(0, src.indexOf(header) + header.length()).lines().count();
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///Snippet.java"), JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return src;
      }
    };
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      Path classes = Files.createTempDirectory(out, "snippet");
      List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(),
          "-proc:none", "--release", "17");
      boolean ok = javac.getTask(new StringWriter(), files, diagnostics, options, null, List.of(unit)).call();
      StringBuilder errors = new StringBuilder();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.ERROR) {
          long docLine = s.line() + d.getLineNumber() - offset - 1 + s.imports().size();
          errors.append(s.file().getFileName()).append(':').append(docLine).append(": ")
              .append(d.getMessage(Locale.ROOT)).append('\n');
        }
      }
      assertEquals("", errors.toString(), "the snippet at " + s.where() + " does not compile");
      assertTrue(ok);
      if (s.run()) {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
            DocSnippetsTest.class.getClassLoader())) {
          Method run = loader.loadClass("Snippet").getDeclaredMethod("run");
          run.setAccessible(true);
          try {
            run.invoke(null);
          } catch (InvocationTargetException e) {
            throw new AssertionError("the snippet at " + s.where() + " throws " + e.getCause(), e.getCause());
          }
        }
      }
    }
  }
}
