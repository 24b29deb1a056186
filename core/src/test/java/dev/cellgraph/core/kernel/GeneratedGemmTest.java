package dev.cellgraph.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FloatGemm.java and DoubleGemm.java are generated: the checked-in files must equal what
 * {@code java tools/codegen/GenGemm.java} writes, so a hand edit (which the next regeneration
 * would silently undo) fails the build.
 */
class GeneratedGemmTest {

  @Test
  void checkedInGemmSourcesEqualTheGeneratorsOutput(@TempDir Path out) throws IOException, InterruptedException {
    Path root = Path.of("").toAbsolutePath();
    while (!Files.isRegularFile(root.resolve("tools/codegen/GenGemm.java"))) {
      root = root.getParent();
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "tools/codegen/GenGemm.java", "--out", out.toString())
        .directory(root.toFile()).redirectErrorStream(true).start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    assertEquals(0, p.exitValue(), log);
    for (String name : new String[] {"FloatGemm.java", "DoubleGemm.java"}) {
      String generated = Files.readString(out.resolve(name));
      String checkedIn = Files.readString(root.resolve("core/src/main/java/dev/cellgraph/core/kernel").resolve(name));
      assertEquals(generated, checkedIn,
          name + " differs from the generator's output: edit tools/codegen/Gemm.java.template or GenGemm.java, "
              + "then run java tools/codegen/GenGemm.java");
    }
  }
}
