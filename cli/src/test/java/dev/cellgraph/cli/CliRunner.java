package dev.cellgraph.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs the program in-process and captures its exit status and output. */
record CliRunner(int status, String out, String err) {
  /** Where a test's {@code train} without --out or --checkpoint writes, instead of the module's own directory. */
  private static final Path SCRATCH;

  static {
    try {
      SCRATCH = Files.createTempDirectory("cellgraph-cli-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static CliRunner run(String... argv) {
    List<String> args = new ArrayList<>(Arrays.asList(argv));
    if (!args.isEmpty() && args.get(0).equals("train") && args.stream().noneMatch(
        a -> a.startsWith("--out") || a.startsWith("--checkpoint") || a.startsWith("--config") || a.equals("--help"))) {
      args.add("--out");
      args.add(SCRATCH.resolve("train").toString());
    }
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int status = Main.run(args.toArray(String[]::new), new PrintStream(o, true, StandardCharsets.UTF_8),
        new PrintStream(e, true, StandardCharsets.UTF_8));
    return new CliRunner(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }
}
