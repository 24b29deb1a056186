package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job's smoke run: {@code cellgraph demo --quick} produces the whole report (about a minute). */
class DemoQuickTest {
  @Test
  void quickDemoWritesTheReportTablesPlotsAndSamples(@TempDir Path tmp) throws Exception {
    CliRunner r = CliRunner.run("demo", "--quick", "--out", tmp.toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("report: " + tmp.resolve("report.md").toAbsolutePath()), r.out());
    String report = Files.readString(tmp.resolve("report.md"));
    for (String s : new String[] {"## The adding problem", "## Gradient flow", "## Character-level language model",
        "| rnn |", "| lstm |", "| gru |", "validation bits/char", "![gradient flow](gradient-flow.png)",
        "**lstm**"}) {
      assertTrue(report.contains(s), "the report lacks '" + s + "':\n" + report);
    }
    for (String f : new String[] {"adding-loss", "gradient-flow", "charlm-loss"}) {
      assertTrue(Files.size(tmp.resolve(f + ".png")) > 1000, f + ".png");
      assertTrue(Files.readString(tmp.resolve(f + ".svg")).contains("<svg"), f + ".svg");
    }
  }
}
