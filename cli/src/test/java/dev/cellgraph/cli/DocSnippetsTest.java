package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.net.URI;
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
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md and docs/*.md compiles against the current API. A
 * block is the body of a method (statements; its own imports go on top), with the project's
 * packages and java.util/java.nio.file imported, so the docs need not repeat the same imports in
 * every snippet. Compiled, not run: the snippets train for minutes and write files.
 */
class DocSnippetsTest {
  private static final List<String> IMPORTS = List.of(
      "dev.cellgraph.core.*", "dev.cellgraph.core.random.*", "dev.cellgraph.autodiff.*",
      "dev.cellgraph.cells.*", "dev.cellgraph.cells.lang.*", "dev.cellgraph.train.*",
      "dev.cellgraph.train.tasks.*", "dev.cellgraph.render.*", "dev.cellgraph.render.cells.*",
      "java.util.*", "java.nio.file.*");

  @TempDir Path out;

  record Snippet(Path file, int line, List<String> imports, String body) {
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
      for (int i = 0; i < lines.size(); i++) {
        if (!lines.get(i).strip().equals("```java")) {
          continue;
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
        found.add(new Snippet(f, start, imports, body.toString()));
      }
    }
    return found;
  }

  @TestFactory
  Stream<DynamicTest> everyJavaSnippetInTheDocsCompiles() throws IOException {
    List<Snippet> all = snippets();
    assertTrue(all.size() >= 6, "found only " + all.size() + " snippets");
    return all.stream().map(s -> DynamicTest.dynamicTest(s.where(), () -> compile(s)));
  }

  private void compile(Snippet s) throws IOException {
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
      List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(),
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
    }
  }
}
