package dev.cellgraph.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Shape;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.internal.TensorAccess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection: a child JVM saves checkpoints in a loop and is killed with SIGKILL at random
 * moments; after every kill, what loads must be one complete checkpoint the child wrote, and the
 * temporary files of the killed write must never be loaded and must be gone after the next save.
 */
class CheckpointKillTest {
  private static final int KILLS = 40;
  private static final int VALUES = 50_000; // 400 KB of float64, so a kill often lands mid-write

  @TempDir Path dir;

  @Test
  void aCheckpointWriteKilledAtAnyMomentLeavesTheOldOrTheNewCheckpoint() throws Exception {
    Random r = new Random(20);
    long lastStep = -1;
    int withTemporaries = 0;
    int loaded = 0;
    for (int kill = 0; kill < KILLS; kill++) {
      Process child = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
          "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
          CheckpointKillTest.class.getName(), dir.toString())
          .redirectErrorStream(true).start();
      BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine(); // "saving" once the child is past start-up and its first load
      assertEquals("saving", line, "the child failed: " + line);
      Thread.sleep(r.nextInt(120));
      child.destroyForcibly();
      assertTrue(child.waitFor(10, TimeUnit.SECONDS));

      if (!temporaries().isEmpty()) {
        withTemporaries++;
      }
      if (Checkpoint.exists(dir)) {
        long step = checkComplete(Checkpoint.load(dir));
        assertTrue(step >= lastStep, "step " + step + " after " + lastStep);
        lastStep = step;
        loaded++;
        // written second, so complete but possibly behind (or absent) after a kill between the writes
        if (Files.exists(dir.resolve(Checkpoint.JSON))) {
          String json = Files.readString(dir.resolve(Checkpoint.JSON));
          long jsonStep = JsonParser.parseString(json).getAsJsonObject().get("step").getAsLong();
          assertTrue(jsonStep <= step, "checkpoint.json at step " + jsonStep + ", tensors at " + step);
        }
      }
    }
    // the next save removes what the killed writers left
    Checkpoint.save(dir, contents(lastStep + 1));
    assertEquals(List.of(), temporaries());
    assertEquals(lastStep + 1, checkComplete(Checkpoint.load(dir)));
    System.out.printf("checkpoint kill test: %d kills, %d with a write in progress, %d loads, last step %d%n",
        KILLS, withTemporaries, loaded, lastStep);
    assertTrue(withTemporaries > 0, "no kill landed during a write: the test proves nothing");
  }

  private List<Path> temporaries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
    }
  }

  /** Checks that every part of {@code c} belongs to the one step it claims; returns the step. */
  private static long checkComplete(Checkpoint.Contents c) {
    long step = c.step();
    Checkpoint.Contents expected = contents(step);
    assertEquals(expected.parameters(), c.parameters(), "parameters of step " + step);
    assertEquals(expected.optimizer(), c.optimizer(), "optimizer state of step " + step);
    assertEquals(List.of(step, ~step, step * 31, -step), List.of(c.rngState()[0], c.rngState()[1],
        c.rngState()[2], c.rngState()[3]));
    assertEquals(expected.history().loss(), c.history().loss());
    assertEquals(expected.meta().get("checksum"), c.meta().get("checksum"));
    return step;
  }

  /** The checkpoint of a step: every value derives from the step, so a mix of two is detected. */
  static Checkpoint.Contents contents(long step) {
    double[] w = new double[VALUES];
    for (int i = 0; i < VALUES; i++) {
      w[i] = step * 1e-3 + i;
    }
    JsonObject meta = new JsonObject();
    meta.addProperty("format", Checkpoint.FORMAT);
    meta.addProperty("step", step);
    meta.addProperty("checksum", java.util.Arrays.hashCode(w));
    History h = new History();
    for (int i = 0; i < step % 50; i++) {
      h.addStep(step + i, 1, 0.1, 0);
    }
    return new Checkpoint.Contents(meta, Map.of("w", TensorAccess.wrap(w, Shape.of(VALUES))),
        Map.of("m/w", Tensor.of(DType.FLOAT64, new double[] {step}, Shape.of(1))), Map.of(),
        new long[] {step, ~step, step * 31, -step}, h);
  }

  /** The child: resumes from the directory's checkpoint and saves the following steps forever. */
  public static void main(String[] args) throws IOException {
    Path dir = Paths.get(args[0]);
    long step = Checkpoint.exists(dir) ? Checkpoint.load(dir).step() : 0;
    System.out.println("saving");
    System.out.flush();
    while (true) {
      Checkpoint.save(dir, contents(++step));
    }
  }
}
