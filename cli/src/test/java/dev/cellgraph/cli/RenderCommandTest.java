package dev.cellgraph.cli;

import static dev.cellgraph.cli.CommandLineTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.cli.CommandLineTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cellgraph render} and {@code cellgraph gradflow} as a user runs them: files, messages, exit codes. */
class RenderCommandTest {
  @TempDir
  Path dir;

  @Test
  void rendersACellFigureAsDotFromTheZoo() throws Exception {
    Path out = dir.resolve("lstm.dot");
    Run r = run("render", "lstm", "-o", out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("wrote " + out + ": the figure of lstm (I = 10, H = 20)"), r.out());
    String dot = Files.readString(out);
    assertTrue(dot.startsWith("digraph \"lstm\" {") && dot.contains("group=\"spine0\""));
    assertEquals("", r.err());
  }

  @Test
  void rendersSvgFromACellFileWithSizesAndAnUnrolledPngWithFormat() throws Exception {
    Path cell = dir.resolve("mine.cell");
    Files.writeString(cell, "f_t = σ(W_f [h_{t-1}, x_t] + b_f)\nh_t = f_t ⊙ h_{t-1} + (1 - f_t) ⊙ tanh(U x_t)\n");
    Path svg = Files.createDirectories(dir.resolve("sub")).resolve("mine.svg");
    Run r = run("render", cell.toString(), "--input-size", "3", "--hidden-size", "5", "-o", svg.toString());
    assertEquals(0, r.status(), r.err());
    String text = Files.readString(svg);
    assertTrue(text.contains("<svg") && text.contains(">σ<"), text.substring(0, 100));
    Path png = dir.resolve("seq.out");
    r = run("render", "gru", "--view", "unrolled", "--steps", "3", "--format", "png", "--output", png.toString());
    assertEquals(0, r.status(), r.err());
    byte[] b = Files.readAllBytes(png);
    assertEquals((byte) 0x89, b[0]);
    assertEquals('P', b[1]);
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(java.util.List.of("mine.cell", "seq.out", "sub"),
          s.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file is left behind");
    }
  }

  @Test
  void backwardAndExpandedViews() throws Exception {
    Path a = dir.resolve("a.dot");
    assertEquals(0, run("render", "rnn", "--view", "backward", "-o", a.toString()).status());
    assertTrue(Files.readString(a).contains("#dc2626"));
    Path b = dir.resolve("b.gv");
    Run r = run("render", "rnn", "--view", "backward", "--steps", "3", "-o", b.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("the backward graph of 3 steps of rnn"), r.out());
    assertTrue(Files.readString(b).contains("rnn.vjp"));
    Path c = dir.resolve("c.dot");
    assertEquals(0, run("render", "mgu", "--view", "unrolled", "--steps", "2", "--expand", "1", "-o", c.toString()).status());
    assertTrue(Files.readString(c).contains("subgraph \"cluster_c"));
  }

  @Test
  void badArgumentsGiveAMessageAndExitTwo() throws Exception {
    String o = dir.resolve("x.png").toString();
    expectUsage("render: an output file is required: -o FILE (.svg, .png or .dot)", "render", "lstm");
    expectUsage("render: cannot tell the format of 'x.jpg' from its extension; name it .svg, .png or .dot, or give"
        + " --format svg|png|dot", "render", "lstm", "-o", "x.jpg");
    expectUsage("render: --format must be one of svg, png, dot, got 'pdf'", "render", "lstm", "--format", "pdf", "-o", o);
    expectUsage("render: --view must be one of cell, backward, unrolled, got 'forward'", "render", "lstm", "--view",
        "forward", "-o", o);
    expectUsage("render: --steps must be between 1 and 64, got 0", "render", "lstm", "--view", "unrolled", "--steps",
        "0", "-o", o);
    expectUsage("render: --steps applies to --view unrolled or backward, not to --view cell", "render", "lstm",
        "--steps", "3", "-o", o);
    expectUsage("render: --expand applies to --view unrolled (a cell's figure is already its body)", "render", "lstm",
        "--expand", "1", "-o", o);
    expectUsage("render: --hidden-size must be a whole number, got 'big'", "render", "lstm", "--hidden-size", "big",
        "-o", o);
    expectUsage("render: unknown option '--step'; did you mean --steps?", "render", "lstm", "--step", "3", "-o", o);
    expectUsage("render: expected one CELL (a zoo name or a .cell file), got nothing", "render", "-o", o);
    Run r = run("render", "lstmm", "-o", o);
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("cellgraph render: unknown cell 'lstmm'; did you mean 'lstm'?"), r.err());
    r = run("render", "mut1", "--input-size", "3", "--hidden-size", "5", "-o", o);
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("cellgraph render: mut1.cell:"), r.err());
    assertTrue(r.err().contains("shape mismatch") && !r.err().contains("\tat "), r.err());
    Path bad = dir.resolve("bad.cell");
    Files.writeString(bad, "h_t = sigmod(W h_{t-1})\n");
    r = run("render", bad.toString(), "-o", o);
    assertEquals(2, r.status());
    assertTrue(r.err().contains("unknown function 'sigmod', did you mean 'sigmoid'?"), r.err());
    assertFalse(Files.exists(dir.resolve("x.png")), "nothing written on a mistake");
  }

  @Test
  void dashWritesTheDiagramToStandardOutputAndTheMessageToStderr() {
    Run r = run("render", "rnn", "--view", "unrolled", "--steps", "2", "--format", "dot", "-o", "-");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("digraph"), r.out());
    assertTrue(r.err().startsWith("wrote standard output: 2 steps of rnn"), r.err());
    assertFalse(Files.exists(Path.of("-")), "no file named '-'");
    r = run("gradflow", "--cells", "rnn", "--steps", "3", "--hidden-size", "4", "--format", "svg", "-o", "-");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("<svg") && !r.out().contains("‖∂L/∂state_t‖"), r.out());
    assertTrue(r.err().contains("‖∂L/∂state_t‖"), r.err());
    expectUsage("render: -o - writes to standard output: give its format with --format svg|png|dot",
        "render", "rnn", "-o", "-");
  }

  @Test
  void outputPathsAreWrittenThroughNeverReplaced() throws Exception {
    Path real = Files.createDirectories(dir.resolve("dotfiles")).resolve("rnn.dot");
    Files.writeString(real, "old");
    Files.setPosixFilePermissions(real, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    Path link = Files.createSymbolicLink(dir.resolve("rnn.dot"), real);
    assertEquals(0, run("render", "rnn", "-o", link.toString()).status());
    assertTrue(Files.isSymbolicLink(link));
    assertTrue(Files.readString(real).startsWith("digraph"));
    assertEquals("rw-r-----", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(real)));
    Run r = run("render", "rnn", "--format", "dot", "-o", "/dev/null");
    assertEquals(0, r.status(), r.err());
    assertFalse(Files.isRegularFile(Path.of("/dev/null")));
  }

  @Test
  void outputPathsThatCannotBeWrittenAreNamedAndNothingIsCreated() throws Exception {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "mine");
    Run r = run("render", "rnn", "-o", file.resolve("x.svg").toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph render: cannot write '" + file.resolve("x.svg") + "': '" + file
        + "' is not a directory\n", r.err());
    r = run("render", "rnn", "-o", dir.resolve("no/such/x.svg").toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph render: cannot write '" + dir.resolve("no/such/x.svg") + "': directory '"
        + dir.resolve("no/such") + "' does not exist\n", r.err());
    Path figs = Files.createDirectories(dir.resolve("figs"));
    r = run("render", "rnn", "--format", "svg", "-o", figs.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph render: cannot write '" + figs + "': is a directory\n", r.err());
    expectUsage("render: '" + dir.resolve("new") + "/' ends with '/', so it names a directory; give a file name",
        "render", "rnn", "--format", "svg", "-o", dir.resolve("new") + "/");
    try (java.util.stream.Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(figs, file), s.sorted().toList());
    }
  }

  @Test
  void gradflowPrintsTheNormsAndDrawsOneRowPerCell() throws Exception {
    Path out = dir.resolve("flow.dot");
    Run r = run("gradflow", "--cells", "rnn,lstm", "--steps", "6", "--hidden-size", "8", "--gate-bias", "1",
        "-o", out.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().startsWith("‖∂L/∂state_t‖ for t = 1..6, L = Σ y_6; I = 10, H = 8, seed 1,"
        + " PyTorch's default initialization, gate bias 1\n"), r.out());
    assertTrue(r.out().contains("lstm     gate bias added to b_if\n"), r.out());
    assertTrue(r.out().contains("\nlstm     c  "), r.out());
    String dot = Files.readString(out);
    assertTrue(dot.contains("cluster_group0") && dot.contains("cluster_group1") && dot.contains("‖gradient‖ (log scale)"));
  }

  @Test
  void gradflowBadArguments() {
    String o = dir.resolve("f.svg").toString();
    expectUsage("gradflow: option --cells is required", "gradflow", "-o", o);
    expectUsage("gradflow: --cells names 'rnn' twice", "gradflow", "--cells", "rnn,rnn", "-o", o);
    expectUsage("gradflow: --cells has an empty name in 'rnn,,gru'; write e.g. --cells rnn,lstm,gru", "gradflow",
        "--cells", "rnn,,gru", "-o", o);
    expectUsage("gradflow: --steps must be between 2 and 100, got 1", "gradflow", "--cells", "rnn", "--steps", "1",
        "-o", o);
    expectUsage("gradflow: --gate-bias must be a number, got 'one'", "gradflow", "--cells", "rnn", "--gate-bias",
        "one", "-o", o);
    expectUsage("gradflow: unexpected argument 'lstm'", "gradflow", "lstm", "--cells", "rnn", "-o", o);
    Run r = run("gradflow", "--cells", "rnn,gruu", "-o", o);
    assertEquals(2, r.status());
    assertTrue(r.err().startsWith("cellgraph gradflow: unknown cell 'gruu'; did you mean 'gru'?"), r.err());
  }

  private static void expectUsage(String message, String... args) {
    Run r = run(args);
    assertEquals(2, r.status(), r.out() + r.err());
    assertEquals("cellgraph " + message + "\n", r.err());
  }
}
