package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.train.tasks.SeqMnistTask;
import dev.cellgraph.train.tasks.SeqMnistTaskTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job's smoke run: {@code cellgraph demo --quick} produces the whole report (about a minute). */
class DemoQuickTest {
  @Test
  void quickDemoWritesTheReportTablesPlotsAndSamples(@TempDir Path tmp) throws Exception {
    Path data = SeqMnistTaskTest.writeDataSet(tmp.resolve("mnist"), 96, 40);
    CliRunner r = CliRunner.run("demo", "--quick", "--out", tmp.resolve("demo").toString(), "--data", data.toString());
    tmp = tmp.resolve("demo");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("report: " + tmp.resolve("report.md").toAbsolutePath()), r.out());
    String report = Files.readString(tmp.resolve("report.md"));
    for (String s : new String[] {"## The adding problem", "## Gradient flow", "## Character-level language model",
        "| rnn |", "| lstm |", "| gru |", "validation bits/char", "![gradient flow](gradient-flow.png)",
        "**lstm**", "## Sequential Fashion-MNIST", "| test accuracy, median | min-max |", "each cell on 2 seeds",
        "| validation MSE, median | min-max | solved (MSE < ", "Validation MSE per seed (bold: solved):",
        "Test accuracy per seed:",
        "| 2-gram counts (Kneser-Ney) | - | - | - |", "| 8-gram counts (Kneser-Ney) | - | - | - |",
        "The best cell on the held-out text is ", "![Character model: validation bits/char](charlm-loss.png)",
        "## Where a window of characters is not enough: the Unicode table", "(Unicode 15.0.0, 417,291 characters, 62 distinct)",
        "![Character model of the Unicode table: validation bits/char](charlm-unicode-loss.png)",
        "characters after the held-out lines shown first):", "\n1F00;",
        "| code point (field 1) | ", "Where the best cell, ",
        "![sequential Fashion-MNIST loss curves](seqmnist-loss.png)"}) {
      assertTrue(report.contains(s), "the report lacks '" + s + "':\n" + report);
    }
    // both character sections have their computed paragraph
    assertEquals(2, report.split("The best cell on the held-out text is ", -1).length - 1, report);
    for (String cell : new String[] {"rnn", "lstm", "gru", "mgu"}) {
      // the seed caveat is drawn from the measured runs: each cell's count of seeds that solved the adding task
      assertTrue(report.matches("(?s).*\\*\\*" + cell + "\\*\\* (solved the task with every seed \\(2 of 2"
          + "|solved it with none of the 2 seeds|depends on the seed: it solved the task with seed ).*"), report);
    }
    for (String f : new String[] {"adding-loss", "gradient-flow", "charlm-loss", "charlm-unicode-loss", "seqmnist-loss"}) {
      assertTrue(Files.size(tmp.resolve(f + ".png")) > 1000, f + ".png");
      assertTrue(Files.readString(tmp.resolve(f + ".svg")).contains("<svg"), f + ".svg");
    }
  }

  @Test
  void withoutTheDataSetTheReportSaysHowToGetIt() {
    String why = assertThrows(InvalidInputException.class,
        () -> SeqMnistTask.locate(null, Path.of("/nonexistent/fashion-mnist"))).getMessage();
    assertEquals("Skipped: the Fashion-MNIST data set is not installed (looked in /nonexistent/fashion-mnist); "
        + "install it with 'apt-get install dataset-fashion-mnist', or pass --data DIR with the four files of an "
        + "MNIST or Fashion-MNIST download (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, "
        + "t10k-labels-idx1-ubyte, gzipped or not). With the data set installed, this section trains the cells on "
        + "28 x 28 clothing images read one row per step (T = 28) and reports their test accuracy (`cellgraph "
        + "compare --task seqmnist` does the same with your own budget).\n\n", DemoCommand.mnistSkipped(why));
  }

  @Test
  void aDataDirectoryThatIsNotThereIsAnError(@TempDir Path tmp) {
    CliRunner r = CliRunner.run("demo", "--quick", "--out", tmp.resolve("demo").toString(), "--data",
        tmp.resolve("nothing").toString());
    assertEquals(2, r.status(), r.out());
    assertEquals("cellgraph demo: --data " + tmp.resolve("nothing") + " is not a directory; for the demo's "
        + "Fashion-MNIST section it is the directory of an MNIST or Fashion-MNIST download (train-images-idx3-ubyte, "
        + "train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, gzipped or not)\n", r.err());
  }
}
