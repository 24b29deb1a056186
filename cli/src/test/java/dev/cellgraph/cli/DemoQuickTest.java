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
        "**lstm**", "| 2-gram counts (Kneser-Ney) | - | - | - |", "| 6-gram counts (Kneser-Ney) | - | - | - |",
        "The best cell on the held-out text is ", "![character model validation curves](charlm-loss.png)",
        "## Sequential Fashion-MNIST", "| validation accuracy | test accuracy |",
        "![sequential Fashion-MNIST loss curves](seqmnist-loss.png)"}) {
      assertTrue(report.contains(s), "the report lacks '" + s + "':\n" + report);
    }
    for (String f : new String[] {"adding-loss", "gradient-flow", "charlm-loss", "seqmnist-loss"}) {
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
    assertTrue(r.err().contains("--data " + tmp.resolve("nothing") + " is not a directory"), r.err());
  }
}
