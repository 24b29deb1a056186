package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A fault of cellgraph itself is reported as one line and exit 3, the trace kept for the report. */
class InternalErrorTest {

  @Test
  void anInternalErrorIsOneLineWithTheTraceInAFile() throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(buf, true, StandardCharsets.UTF_8);
    int status = Main.internalError("run", new IllegalStateException("loop carry 2 was never written"), false, err);
    assertEquals(3, status);
    String msg = buf.toString(StandardCharsets.UTF_8);
    String prefix = "cellgraph run: internal error (IllegalStateException: loop carry 2 was never written); this is a"
        + " bug in cellgraph, please report it with the trace in ";
    assertTrue(msg.startsWith(prefix), msg);
    assertFalse(msg.contains("\tat "), "no stack trace on the terminal: " + msg);
    Path file = Path.of(msg.substring(prefix.length()).trim());
    String trace = Files.readString(file);
    assertTrue(trace.startsWith("cellgraph run\njava.lang.IllegalStateException: loop carry 2 was never written"),
        trace);
    assertTrue(trace.contains("\tat dev.cellgraph.cli.InternalErrorTest"), trace);
    Files.delete(file);
  }

  @Test
  void debugPrintsTheTrace() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(buf, true, StandardCharsets.UTF_8);
    assertEquals(3, Main.internalError("train", new ArithmeticException("/ by zero"), true, err));
    String msg = buf.toString(StandardCharsets.UTF_8);
    assertTrue(msg.startsWith("cellgraph train: internal error (ArithmeticException: / by zero); this is a bug in"
        + " cellgraph, please report it with this trace:\njava.lang.ArithmeticException: / by zero\n"), msg);
    assertTrue(msg.contains("\tat dev.cellgraph.cli.InternalErrorTest"), msg);
  }

  @Test
  void debugIsAcceptedAnywhereOnTheLine() {
    CommandLineTest.Run r = CommandLineTest.run("check", "--debug", "lstm");
    assertEquals(0, r.status(), r.err());
    r = CommandLineTest.run("--debug", "check", "lstm");
    assertEquals(0, r.status(), r.err());
  }
}
