package dev.cellgraph.cli;

import dev.cellgraph.core.InvalidInputException;
import com.google.gson.JsonObject;
import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.tasks.CharLmTask;
import dev.cellgraph.train.nn.SequenceModel;
import dev.cellgraph.train.Checkpoint;
import dev.cellgraph.train.Sampler;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;

/** {@code cellgraph sample}: text from a character model's checkpoint. */
final class SampleCommand implements Command {
  @Override
  public String name() {
    return "sample";
  }

  @Override
  public String summary() {
    return "generate text from a character model trained with 'train --task charlm' or charlm-lines";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph sample --checkpoint DIR [--length N] [--temperature T] [--prime TEXT] [--seed S]",
        "                        [--cell CELL]",
        "",
        "Feeds TEXT (default: a newline) to the model saved in DIR, then draws N characters (500),",
        "each from the softmax of the logits divided by T (0.8; 0 takes the most likely). The cell",
        "is rebuilt from the formulas the checkpoint recorded, so its .cell file is not needed;",
        "--cell names one instead (for a checkpoint written before checkpoints kept the formulas).",
        "A model trained on charlm-lines writes lines: each starts from a zero state (as in training)",
        "with TEXT (default: \"The \"; no newline in it) and ends where the model draws the end of",
        "the line, until N characters are drawn.");
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("checkpoint", "length", "temperature", "prime", "seed", "cell"), Set.of());
    a.noPositionals();
    Path dir = Paths.get(a.require("checkpoint"));
    int length = a.intValue("length", 500, 0, 10_000_000);
    double temperature = a.doubleValue("temperature", 0.8, 0, 100);
    long seed = a.longValue("seed", 1);
    if (!Files.isDirectory(dir) || !Checkpoint.exists(dir)) {
      throw new UsageException("there is no checkpoint in " + dir);
    }
    Checkpoint.Contents c = Checkpoint.load(dir);
    JsonObject meta = c.meta();
    String taskName = meta.get("task").getAsString();
    boolean lines = "charlm-lines".equals(taskName);
    if (!lines && !"charlm".equals(taskName)) {
      throw new UsageException(dir + " holds a model of the " + taskName
          + " task; sampling needs one trained with --task charlm or --task charlm-lines");
    }
    String vocabulary = meta.getAsJsonObject("task_settings").get("vocabulary").getAsString();
    String saved = meta.get("cell").getAsString();
    JsonObject recipe = meta.has("recipe") && meta.get("recipe").isJsonObject() ? meta.getAsJsonObject("recipe") : null;
    if (recipe != null) {
      RunRecipe.check(recipe, "the checkpoint in " + dir);
    }
    Cell cell = (a.has("cell") || recipe == null ? CellRef.resolve(a.get("cell", saved))
        : RunRecipe.cell(recipe, "the checkpoint in " + dir, java.util.Map.of(), java.util.Map.of())).cell();
    if (!cell.name().equals(saved)) {
      throw new UsageException("--cell " + a.get("cell") + ": this checkpoint holds a " + saved + ", not a "
          + cell.name() + " (" + dir + " was trained with --cell " + saved + ")");
    }
    int vocab = vocabulary.codePointCount(0, vocabulary.length());
    int layers = meta.has("layers") ? meta.get("layers").getAsInt() : 1;
    SequenceModel model = CharLmTask.model(cell, vocab, meta.get("hidden_size").getAsInt(), 0)
        .withRecurrent(layers, false);
    for (java.util.Map.Entry<String, dev.cellgraph.core.Shape> p : model.parameterShapes().entrySet()) {
      dev.cellgraph.core.Tensor t = c.parameters().get(p.getKey());
      if (t == null) {
        throw new UsageException(dir + ": the checkpoint has no parameter '" + p.getKey() + "' for cell " + cell.name());
      }
      if (!t.shape().equals(p.getValue())) {
        throw new UsageException(dir + ": the checkpoint's parameter '" + p.getKey() + "' is " + t.shape()
            + ", cell " + cell.name() + " needs " + p.getValue() + " (the formulas differ from those it was trained with)");
      }
    }
    Sampler sampler = new Sampler(model, c.parameters());
    if (lines) {
      out.print(lines(sampler, vocabulary, a.get("prime", LINE_PRIME), length, temperature, Rng.seeded(seed)));
      out.flush();
      return 0;
    }
    String prime = a.get("prime", "\n");
    int[] primeIds;
    try {
      primeIds = encode(vocabulary, prime.isEmpty() ? "\n" : prime);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--prime: " + e.getMessage());
    }
    int[] ids = sampler.generate(primeIds, length, temperature, Rng.seeded(seed));
    StringBuilder sb = new StringBuilder(prime.equals("\n") ? "" : prime);
    int[] cps = vocabulary.codePoints().toArray();
    for (int id : ids) {
      sb.appendCodePoint(cps[id]);
    }
    out.println(sb);
    return 0;
  }

  /** The default start of every line of a charlm-lines model. */
  static final String LINE_PRIME = "The ";

  /**
   * Lines of a charlm-lines model: each from a zero state, fed {@code prime}, then drawn until the
   * model draws the end of the line; {@code count} characters drawn in all, the last line cut there.
   */
  static String lines(Sampler sampler, String vocabulary, String prime, int count, double temperature, Rng rng) {
    if (prime.isEmpty() || prime.indexOf('\n') >= 0) {
      throw new UsageException("--prime: a line model starts every line with TEXT, which must be a non-empty "
          + "start of a line (no newline)");
    }
    int[] primeIds;
    try {
      primeIds = encode(vocabulary, prime);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--prime: " + e.getMessage());
    }
    int[] cps = vocabulary.codePoints().toArray();
    StringBuilder sb = new StringBuilder();
    int drawn = 0;
    while (drawn < count) {
      sampler.reset();
      sb.append(prime);
      double[] logp = null;
      for (int id : primeIds) {
        logp = sampler.feed(id);
      }
      while (true) {
        int id = Sampler.draw(logp, temperature, rng);
        drawn++;
        sb.appendCodePoint(cps[id]);
        if (cps[id] == '\n' || drawn >= count) {
          break;
        }
        logp = sampler.feed(id);
      }
    }
    if (sb.length() == 0 || sb.charAt(sb.length() - 1) != '\n') {
      sb.append('\n');
    }
    return sb.toString();
  }

  static int[] encode(String vocabulary, String text) {
    int[] cps = vocabulary.codePoints().toArray();
    return text.codePoints().map(ch -> {
      for (int i = 0; i < cps.length; i++) {
        if (cps[i] == ch) {
          return i;
        }
      }
      throw new InvalidInputException("character '" + new String(Character.toChars(ch))
          + "' is not in the model's vocabulary");
    }).toArray();
  }
}
