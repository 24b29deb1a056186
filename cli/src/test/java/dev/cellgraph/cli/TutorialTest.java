package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/tutorial.md, run end to end: its cell file is written as the tutorial shows it, and every
 * {@code ./cellgraph} command of its code blocks runs, in order, in one fresh directory, as a
 * separate program (the launcher's java command, on this build's class path). Tagged e2e: CI runs it
 * in its first pass only (.ci/run), since it exercises the commands, not the compiler or kernels.
 */
@Tag("e2e")
class TutorialTest {
  @TempDir Path dir;

  /** The tutorial's lines, and where its cell file and commands are. */
  record Tutorial(String cellFile, List<List<String>> commands) {}

  static Tutorial read() throws IOException {
    List<String> lines = Files.readAllLines(DocSnippetsTest.root().resolve("docs/tutorial.md"));
    String cell = null;
    List<List<String>> commands = new ArrayList<>();
    boolean wantCell = false;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i);
      if (l.contains("(`my.cell`)")) {
        wantCell = true;
      }
      if (!l.equals("```")) {
        continue;
      }
      StringBuilder block = new StringBuilder();
      for (i++; i < lines.size() && !lines.get(i).equals("```"); i++) {
        block.append(lines.get(i)).append('\n');
      }
      if (wantCell && cell == null) {
        cell = block.toString();
        continue;
      }
      for (String c : block.toString().split("\n")) {
        if (c.startsWith("./cellgraph ")) {
          commands.add(words(c.substring("./cellgraph ".length())));
        }
      }
    }
    if (cell == null) {
      throw new AssertionError("docs/tutorial.md no longer shows my.cell");
    }
    return new Tutorial(cell, commands);
  }

  /** A command line split as the shell splits it: spaces, and double quotes around a word. */
  static List<String> words(String line) {
    List<String> w = new ArrayList<>();
    StringBuilder cur = null;
    boolean quoted = false;
    for (char c : line.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
        cur = cur == null ? new StringBuilder() : cur;
      } else if (c == ' ' && !quoted) {
        if (cur != null) {
          w.add(cur.toString());
          cur = null;
        }
      } else {
        cur = (cur == null ? new StringBuilder() : cur).append(c);
      }
    }
    if (cur != null) {
      w.add(cur.toString());
    }
    return w;
  }

  @Test
  void everyCommandOfTheTutorialRunsInOrder() throws Exception {
    Tutorial t = read();
    assertTrue(t.commands().size() >= 7, "commands: " + t.commands());
    Files.writeString(dir.resolve("my.cell"), t.cellFile());
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    for (List<String> args : t.commands()) {
      List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Xss16m",
          "-cp", System.getProperty("java.class.path"), "dev.cellgraph.cli.Main"));
      cmd.addAll(args);
      Path log = dir.resolve("last-command.log");
      Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      assertTrue(p.waitFor(10, TimeUnit.MINUTES), "timed out: " + args);
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertEquals(0, p.exitValue(), "./cellgraph " + String.join(" ", args) + "\n" + out);
    }
    for (String made : List.of("my.svg", "runs/my/checkpoint.safetensors", "runs/my/metrics.csv",
        "runs/charlm/checkpoint.safetensors", "runs/compare/adding-compare.md", "runs/compare/adding-loss.png")) {
      assertTrue(Files.exists(dir.resolve(made.replace('/', File.separatorChar))), made + " was not written");
    }
    assertTrue(Files.readString(dir.resolve("runs/compare/adding-compare.md")).contains("| my"),
        "the tutorial's cell is in the comparison");
  }
}
