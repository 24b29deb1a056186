package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.train.Checkpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real child JVM running {@code cellgraph train} is sent SIGTERM: it saves a checkpoint, exits 143, and resumes. */
class StopOnSignalTest {
  @Test
  void sigtermStopsAtAStepBoundarySavesTheCheckpointAndExits143(@TempDir Path tmp) throws Exception {
    Path ck = tmp.resolve("run");
    Process child = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "train", "--cell", "gru", "--task", "copy", "--hidden-size", "6", "--length", "2", "--batch", "4",
        "--steps", "1000000", "--validate-every", "0", "--checkpoint", ck.toString()).redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = out.readLine();
    } while (line != null && !line.startsWith("training gru"));
    assertTrue(line != null, "the child ended before training");
    Thread.sleep(1000); // past compilation, into the steps
    assertTrue(child.toHandle().destroy()); // SIGTERM; Process.destroy would also close the pipe we read
    StringBuilder rest = new StringBuilder();
    while ((line = out.readLine()) != null) {
      rest.append(line).append('\n');
    }
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    assertEquals(143, child.exitValue(), rest.toString());
    Matcher m = Pattern.compile("stopped by a signal at step (\\d+) of 1000000; checkpoint "
        + Pattern.quote(ck.resolve(Checkpoint.TENSORS).toString()) + "; continue with: cellgraph train --resume "
        + "--checkpoint " + Pattern.quote(ck.toString())).matcher(rest);
    assertTrue(m.find(), rest.toString());
    long step = Long.parseLong(m.group(1));
    assertTrue(step > 0, rest.toString());
    assertEquals(step, Checkpoint.load(ck).step());

    // the checkpoint recorded the cell and the options: the directory alone continues the run
    CliRunner resumed = CliRunner.run("train", "--resume", "--checkpoint", ck.toString(), "--steps",
        Long.toString(step + 3));
    assertEquals(0, resumed.status(), resumed.err());
    assertTrue(resumed.out().contains("gru: resuming at step " + step + " of " + (step + 3)), resumed.out());
    assertEquals(step + 3, Checkpoint.load(ck).step());
  }
}
