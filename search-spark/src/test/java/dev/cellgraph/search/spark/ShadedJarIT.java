package dev.cellgraph.search.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded cellgraph-search.jar as spark-submit gets it; runs after the package phase (the
 * failsafe plugin runs it in integration-test), when the jar exists.
 */
class ShadedJarIT {
  private static final Path JAR = Path.of("target/cellgraph-search.jar");

  @Test
  void theJarHoldsCellgraphWithItsLibrariesRenamedAndNoSpark() throws IOException {
    try (JarFile jar = new JarFile(JAR.toFile())) {
      assertEquals("dev.cellgraph.cli.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      List<String> names = jar.stream().map(e -> e.getName()).toList();
      assertTrue(names.contains("dev/cellgraph/shaded/com/google/common/collect/ImmutableList.class"));
      assertTrue(names.contains("dev/cellgraph/search/spark/SparkBackend.class"));
      for (String absent : List.of("com/google/common/", "com/google/gson/", "org/apache/commons/math3/",
          "org/apache/spark/", "scala/", "org/slf4j/")) {
        assertFalse(names.stream().anyMatch(n -> n.startsWith(absent)), absent);
      }
      assertEquals("dev.cellgraph.search.spark.SparkBackendProvider", service(jar, "dev.cellgraph.search.BackendProvider"));
      assertEquals("dev.cellgraph.autodiff.compile.ScanCompiler", service(jar, "dev.cellgraph.autodiff.ScanExecutor"));
    }
  }

  private static String service(JarFile jar, String type) throws IOException {
    try (var in = jar.getInputStream(jar.getEntry("META-INF/services/" + type))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#")).findFirst().orElseThrow();
    }
  }

  @Test
  void runWithoutSparkTheSearchSaysHowToRunIt(@TempDir Path tmp) throws Exception {
    List<String> version = run(tmp, "--version");
    assertEquals("0", version.get(0), version.toString());
    assertTrue(version.get(1).startsWith("cellgraph 0.1.0-SNAPSHOT"), version.toString());
    List<String> search = run(tmp, "search", "--task", "adding", "--master", "local[2]", "--out",
        tmp.resolve("s").toString());
    assertEquals("2", search.get(0), search.toString());
    assertTrue(search.contains("cellgraph search: --master local[2]: " + SparkBackendProvider.NO_SPARK), search.toString());
  }

  /** The exit status, then the lines of standard output and error, of java -jar on the shaded jar. */
  private static List<String> run(Path tmp, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "--add-modules=jdk.incubator.vector", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path output = tmp.resolve("output.txt");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    List<String> result = new ArrayList<>(List.of(String.valueOf(p.waitFor())));
    Files.readAllLines(output).stream().filter(l -> !l.startsWith("WARNING: Using incubator")).forEach(result::add);
    return result;
  }
}
