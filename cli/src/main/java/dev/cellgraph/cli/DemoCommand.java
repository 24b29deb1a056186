package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.random.Rng;
import dev.cellgraph.train.tasks.AddingTask;
import dev.cellgraph.train.tasks.CharLmTask;
import dev.cellgraph.train.tasks.NGramModel;
import dev.cellgraph.train.tasks.SeqMnistTask;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.train.Batch;
import dev.cellgraph.train.GradientFlow;
import dev.cellgraph.train.LearningRate;
import dev.cellgraph.train.Sampler;
import dev.cellgraph.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code cellgraph demo}: the main job on embedded defaults. Trains rnn, lstm, gru and a formula
 * variant on the adding problem, on character models of the two bundled texts and on sequential
 * Fashion-MNIST, measures gradient flow, and
 * writes a Markdown report with the tables, plots, samples and (when rendering is available)
 * cell diagrams.
 */
final class DemoCommand implements Command {
  /** The cells of the demo: PyTorch's three and a formula-defined variant from the zoo. */
  static final List<String> CELLS = List.of("rnn", "lstm", "gru");
  /** The formula-defined variant the demo trains beside the built-ins: the minimal gated unit of the zoo. */
  static final List<String> FORMULA_VARIANTS = List.of("mgu");

  /** The budgets of a full and a quick run. */
  record Budget(int addingLength, int addingSteps, int addingHidden, int charSteps, int charHidden, int charLength,
      int charBatch, double charDropout, double tableDropout, double charLearningRate, int sampleLength,
      int mnistSteps, int mnistHidden, int mnistBatch, int seeds) {}

  static final Budget FULL = new Budget(50, 1200, 32, 2000, 64, 64, 32, 0.0, 0.25, 1e-2, 400, 600, 64, 64, 3);
  /** The highest n-gram order the character models are compared with (the most {@code NGramModel} counts). */
  static final int MAX_NGRAM_ORDER = 8;
  static final Budget QUICK = new Budget(20, 120, 16, 40, 32, 32, 16, 0.0, 0.25, 1e-2, 120, 20, 16, 32, 2);


  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "the main job: train rnn, lstm, gru and a variant on two tasks and write a report";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph demo [--out DIR] [--quick] [--cells CELL,CELL,...] [--jobs N] [--data DIR]",
        "",
        "Trains rnn, lstm, gru and the formula variant " + FORMULA_VARIANTS + " on the adding",
        "problem (T = " + FULL.addingLength() + "), on character models of two bundled texts beside n-gram",
        "count baselines (the Jargon File excerpt, English prose, and a table of Unicode's character",
        "data, whose structure reaches further back than an n-gram's window) and, when the data set is",
        "installed, on sequential Fashion-MNIST (rows, T = 28; from",
        SeqMnistTask.DEBIAN_DIR + ", apt-get install dataset-fashion-mnist, or --data DIR with the",
        "four IDX files of an MNIST or Fashion-MNIST download; without it the report says how to get it),",
        "plots the loss curves and the gradient flow (|d loss / d h_t| against distance), samples",
        "text, and writes DIR/report.md (DIR defaults to cellgraph-demo, or cellgraph-demo-quick",
        "with --quick, so that a smoke run never overwrites a full run's report).",
        "The adding problem and Fashion-MNIST train every cell on seeds 1 to " + FULL.seeds() + " (--quick: 1 to "
            + QUICK.seeds() + ") and",
        "report the median, the range and the seeds that solved the task. Measured: 4 min 26 s on",
        "two idle cores; --quick is a smoke run of under a minute with small sizes.",
        "--cells replaces the cell list; --jobs N trains N cells at a time (default 2).");
  }

  /** Where the report goes without --out: a smoke run never overwrites a full run's report. */
  static String defaultOut(boolean quick) {
    return quick ? "cellgraph-demo-quick" : "cellgraph-demo";
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv, Set.of("out", "cells", "jobs", "data"), Set.of("quick"));
    a.noPositionals();
    boolean quick = a.flag("quick");
    Budget b = quick ? QUICK : FULL;
    int jobs = a.intValue("jobs", 2, 1, 64);
    List<String> names = new ArrayList<>();
    if (a.has("cells")) {
      CompareCommand.cells(a.get("cells"), java.util.Map.of(), java.util.Map.of()); // validates the list before anything runs
      for (String n : a.get("cells").split(",")) {
        names.add(n.trim());
      }
    } else {
      names.addAll(CELLS);
      names.addAll(FORMULA_VARIANTS);
    }
    // the data set is read first, so that a bad --data fails before minutes of training
    SeqMnistTask.DataSet mnist = null;
    String missing = null;
    try {
      mnist = SeqMnistTask.DataSet.load(SeqMnistTask.locate(a.get("data", null), SeqMnistTask.DEBIAN_DIR,
          "the demo's Fashion-MNIST section"));
    } catch (IOException | InvalidInputException e) {
      if (a.has("data")) {
        // the user named the data: a bad directory is their mistake to hear about, not a section to skip
        throw new InvalidInputException(e.getMessage(), e);
      }
      missing = e.getMessage();
    }
    Path dir = CompareCommand.outDir(a.get("out", defaultOut(quick)));
    long start = System.nanoTime();
    StringBuilder report = new StringBuilder();
    report.append("# cellgraph demo").append(quick ? " (quick)" : "").append("\n\n");
    report.append("Produced by `cellgraph demo").append(quick ? " --quick" : "").append("`: every cell below is trained from ")
        .append("the same seeds with the same budget (the adding problem and Fashion-MNIST on seeds 1 to ").append(b.seeds())
        .append(", the character model on seed 1). Times are wall-clock on this machine, ")
        .append(jobs == 1 ? "one run" : jobs + " runs").append(" (a cell on a seed) trained at a time.\n\n");

    // ---------------------------------------------------------------- adding problem
    if (Verbosity.normal()) {
      out.println("demo: adding problem, T = " + b.addingLength() + ", cells " + names);
    }
    long t0 = System.nanoTime();
    List<Long> seeds = new ArrayList<>();
    for (long seed = 1; seed <= b.seeds(); seed++) {
      seeds.add(seed);
    }
    java.util.function.LongFunction<Trainer.Config> addingConfig = seed -> Trainer.Config.builder()
        .steps(b.addingSteps()).seed(seed).hiddenSize(b.addingHidden())
        .learningRate(LearningRate.warmupCosine(1e-2, 50, 0.1)).clipNorm(1.0).validateEvery(100).forgetBias(1.0)
        .build();
    List<Experiments.Run> addingSeeds = SeedRuns.train(cells(names), seeds,
        seed -> new AddingTask(b.addingLength(), 32, 1024), addingConfig, jobs, null, out);
    AddingTask addingTask = new AddingTask(b.addingLength(), 32, 1024);
    Map<String, SeedStats> addingStats = SeedRuns.validation(addingSeeds, addingTask);
    List<Path> addingPlot = SeedRuns.plot(dir.resolve("adding-loss"),
        "Adding problem, T = " + b.addingLength() + ": training loss, " + seeds.size() + " seeds", addingSeeds,
        addingTask, AddingTask.BASELINE_MSE, "predict 1 (MSE 1/6)", true);
    // the gradient flow is drawn for the first seed's models
    List<Experiments.Run> adding = addingSeeds.stream().filter(r -> r.seed() == seeds.get(0)).toList();
    double addingSeconds = (System.nanoTime() - t0) / 1e9;
    report.append("## The adding problem\n\n")
        .append(String.format(Locale.ROOT, "Sequences of T = %d (number, marker) pairs; the target is the sum of the two "
            + "marked numbers, one in each half. Predicting 1 always scores MSE 1/6 = 0.167; a cell that "
            + "beats it carries information across the sequence. Hidden size %d, batch 32, %d steps of Adam "
            + "(peak learning rate 0.01, warm-up and cosine decay, gradient clipping at norm 1; the LSTM's "
            + "forget-gate bias starts at 1), each cell on %d seeds (initialization and data). %.0f s.%n%n",
            b.addingLength(), b.addingHidden(), b.addingSteps(), seeds.size(), addingSeconds))
        .append(SeedRuns.summaryTable(addingSeeds, addingTask, addingStats, null)).append("\n")
        .append("Validation MSE per seed (bold: solved):\n\n")
        .append(SeedRuns.perSeedTable(addingStats, false)).append("\n")
        .append(SeedRuns.interpretation(addingSeeds, addingTask, addingStats, AddingTask.BASELINE_MSE,
            "always predicting 1", b.addingSteps())).append("\n\n")
        .append("![adding problem loss curves](").append(addingPlot.get(0).getFileName()).append(")\n\n");

    // ---------------------------------------------------------------- gradient flow
    t0 = System.nanoTime();
    Map<String, Plots.Line> flow = Plots.map();
    Batch flowBatch = addingTask.make(Rng.seeded(99), 32);
    StringBuilder flowTable = new StringBuilder("| cell | at distance 0 | at distance " + (b.addingLength() / 2)
        + " | at distance " + (b.addingLength() - 1) + " |\n|---|---:|---:|---:|\n");
    for (Experiments.Run r : adding) {
      if (!r.ok()) {
        continue;
      }
      double[] norms = GradientFlow.norms(r.trainer().model(), r.trainer().parameters(), r.trainer().task(), flowBatch);
      double[] x = new double[norms.length];
      for (int i = 0; i < x.length; i++) {
        x[i] = i;
      }
      flow.put(r.cellName(), Plots.Line.of(x, norms));
      flowTable.append(String.format(Locale.ROOT, "| %s | %.3g | %.3g | %.3g |%n", r.cellName(), norms[0],
          norms[norms.length / 2], norms[norms.length - 1]));
    }
    List<Path> flowPlot = Plots.lines(dir.resolve("gradient-flow"),
        "Gradient flow after training on the adding problem", "distance from the loss (steps)",
        "mean |d loss / d h_t|", flow, true);
    report.append("## Gradient flow\n\n")
        .append("The norm of d loss / d h_t for the trained adding-problem models, averaged over a batch of 32, ")
        .append("against the distance T - 1 - t from the step the loss reads. A vanishing gradient decays ")
        .append("exponentially with distance, which is what keeps the vanilla RNN from learning the task.\n\n")
        .append(flowTable).append("\n")
        .append("![gradient flow](").append(flowPlot.get(0).getFileName()).append(")\n\n");
    double flowSeconds = (System.nanoTime() - t0) / 1e9;

    // ---------------------------------------------------------------- character models
    CharSection prose = charSection(report, dir, b, names, jobs, out, CharLmTask.Corpus.JARGON,
        "Character-level language model", "Character model: validation bits/char", "charlm-loss", "The ",
        b.charDropout(), false,
        "Next-character prediction on the Jargon File 4.4.7 (public domain, %,d characters, %d distinct); the "
            + "last tenth is held out.");
    CharSection table = charSection(report, dir, b, names, jobs, out, CharLmTask.Corpus.UNICODE,
        "Where a window of characters is not enough: the Unicode table",
        "Character model of the Unicode table: validation bits/char", "charlm-unicode-loss",
        "1EFE;LATIN CAPITAL LETTER Y WITH LOOP;Lu;0;L;;;;;N;;;;1EFF;\n"
            + "1EFF;LATIN SMALL LETTER Y WITH LOOP;Ll;0;L;;;;;N;;;1EFE;;1EFE\n1F00;",
        b.tableDropout(), true,
        "The same model and training, with dropout, on a text whose structure reaches further back than a "
            + "few characters: the lines of U+0000 to U+1FFF of UnicodeData.txt (Unicode 15.0.0, %,d characters, "
            + "%d distinct), the last tenth (U+1DDB to U+1FFE: combining marks, Latin Extended Additional and "
            + "Greek Extended) held out. A line is a record of 15 fields separated by ';', such as "
            + "`0041;LATIN CAPITAL LETTER A;Lu;0;L;;;;;N;;;;0061;`: which field a character belongs to depends on "
            + "how many ';' came before it on its line, and a code point is usually the previous line's plus one, "
            + "some 40 characters back. A count model conditions on the last few characters only; a recurrent "
            + "state can carry the line's position and the previous code point.");
    double charSeconds = prose.seconds() + table.seconds();

    // ---------------------------------------------------------------- sequential Fashion-MNIST
    t0 = System.nanoTime();
    report.append("## Sequential Fashion-MNIST\n\n");
    String mnistPlotName = null;
    if (mnist == null) {
      if (Verbosity.normal()) {
        out.println("demo: sequential Fashion-MNIST skipped: " + missing);
      }
      report.append(mnistSkipped(missing));
    } else {
      if (Verbosity.normal()) {
        out.println("demo: sequential Fashion-MNIST (" + mnist.source() + "), cells " + names);
      }
      SeqMnistTask.DataSet data = mnist;
      java.util.function.LongFunction<Trainer.Config> mnistConfig = seed -> Trainer.Config.builder()
          .steps(b.mnistSteps()).seed(seed).hiddenSize(b.mnistHidden())
          .learningRate(LearningRate.warmupCosine(5e-3, 20, 0.1)).clipNorm(1.0).forgetBias(1.0)
          .validateEvery(Math.max(b.mnistSteps() / 4, 1)).build();
      List<Experiments.Run> images = SeedRuns.train(cells(names), seeds,
          seed -> new SeqMnistTask(data, SeqMnistTask.Mode.ROWS, false, seed, b.mnistBatch()), mnistConfig, jobs,
          null, out);
      SeqMnistTask mnistTask = new SeqMnistTask(data, SeqMnistTask.Mode.ROWS, false, 1, b.mnistBatch());
      Map<String, SeedStats> mnistValidation = SeedRuns.validation(images, mnistTask);
      Map<String, SeedStats> mnistAccuracy = SeedRuns.testAccuracy(images);
      List<Path> mnistPlot = SeedRuns.plot(dir.resolve("seqmnist-loss"),
          "Sequential Fashion-MNIST (rows, T = 28): training cross-entropy, " + seeds.size() + " seeds", images,
          mnistTask, Math.log(10), "chance (ln 10)", false);
      mnistPlotName = mnistPlot.get(0).getFileName().toString();
      double mnistSeconds = (System.nanoTime() - t0) / 1e9;
      report.append(String.format(Locale.ROOT, "Fashion-MNIST (%s: %,d training images, a twelfth held out for "
              + "validation, and %,d test images; Xiao et al. 2017), each image read one row of 28 pixels per step "
              + "(T = 28); the class is predicted from the last step's state. Hidden size %d, batch %d, %d steps "
              + "of Adam (peak 0.005, warm-up and cosine decay, clipping at norm 1): %.1f epochs, each cell on %d "
              + "seeds (initialization, data order and the validation split). Chance is 10%%. %.0f s.%n%n",
              data.source(), mnistTask.trainingImages() + mnistTask.validationImages(), mnistTask.testImages(),
              b.mnistHidden(), b.mnistBatch(), b.mnistSteps(),
              (double) b.mnistSteps() * b.mnistBatch() / mnistTask.trainingImages(), seeds.size(), mnistSeconds))
          .append(SeedRuns.summaryTable(images, mnistTask, mnistValidation, mnistAccuracy)).append("\n")
          .append("Test accuracy per seed:\n\n").append(SeedRuns.perSeedTable(mnistAccuracy, true)).append("\n")
          .append(SeedRuns.order(mnistValidation, mnistTask.metricName())).append("\n\n")
          .append("![sequential Fashion-MNIST loss curves](").append(mnistPlot.get(0).getFileName()).append(")\n\n")
          .append(String.format(Locale.ROOT, "For scale: the recurrent entries of the Fashion-MNIST benchmark "
              + "table (a GRU with an SVM output layer, trained for many epochs) reach 88.8-89.7%% test accuracy; "
              + "%.1f epochs stop short of them.%n%n",
              (double) b.mnistSteps() * b.mnistBatch() / mnistTask.trainingImages()));
    }
    double mnistTotal = (System.nanoTime() - t0) / 1e9;

    // ---------------------------------------------------------------- diagrams
    report.append("## The cells\n\n");
    DiagramSource diagrams = DiagramSource.installed();
    boolean any = false;
    for (String n : names) {
      Optional<Path> d = diagrams.cellDiagram(CellRef.resolve(n).cell(), 2, b.addingHidden(), dir);
      if (d.isPresent()) {
        any = true;
        report.append("**").append(n).append("**\n\n![").append(n).append(" cell](")
            .append(dir.toAbsolutePath().relativize(d.get().toAbsolutePath()))
            .append(")\n\n");
      }
    }
    if (!any) {
      report.append("No cell diagram could be drawn for these cells.\n\n");
    }
    double total = (System.nanoTime() - start) / 1e9;
    report.append(String.format(Locale.ROOT, "---%nTotal %.0f s (adding %.0f s, gradient flow %.0f s, character "
        + "models %.0f s, sequential Fashion-MNIST %.0f s).%n", total, addingSeconds, flowSeconds, charSeconds,
        mnistTotal));
    Path md = dir.resolve("report.md");
    Experiments.write(md, report.toString());
    out.println(String.format(Locale.ROOT, "demo: done in %.0f s", total));
    out.println("report: " + md.toAbsolutePath());
    out.println("plots:  " + addingPlot.get(0).toAbsolutePath() + ", " + flowPlot.get(0).getFileName() + ", "
        + prose.plot().getFileName() + ", " + table.plot().getFileName()
        + (mnistPlotName != null ? ", " + mnistPlotName : "") + " (and .svg)");
    return 0;
  }

  /** What a character-model section leaves for the rest of the report: its time and its plot. */
  record CharSection(double seconds, Path plot) {}

  /**
   * One character-model section: trains every cell on {@code corpus} with the budget's character
   * settings and {@code dropout}, scores the n-gram baselines of the same split, and appends the section's table, plot,
   * computed interpretation and samples (each primed with {@code prime}) to {@code report}; the plot
   * {@code plotTitle} goes to DIR/{@code plotName}.png and .svg. With {@code fields} (a ';'-separated
   * table) the section also compares the best cell with the best n-gram field by field.
   * {@code intro} is a format of the text's length and vocabulary size.
   */
  private static CharSection charSection(StringBuilder report, Path dir, Budget b, List<String> names, int jobs,
      PrintStream out, CharLmTask.Corpus corpus, String heading, String plotTitle, String plotName, String prime,
      double dropout, boolean fields, String intro) throws Exception {
    if (Verbosity.normal()) {
      out.println("demo: character model on " + corpus.fileName() + ", cells " + names);
    }
    long t0 = System.nanoTime();
    String text = corpus.text();
    CharLmTask charTask = new CharLmTask(corpus.fileName(), text, null, b.charLength(), b.charBatch());
    Trainer.Config charConfig = Trainer.Config.builder().steps(b.charSteps()).seed(1).hiddenSize(b.charHidden())
        .dropout(dropout)
        .learningRate(LearningRate.warmupCosine(b.charLearningRate(), 20, 0.1)).clipNorm(1.0).forgetBias(1.0)
        .validateEvery(Math.max(b.charSteps() / 4, 1)).build();
    List<Experiments.Run> chars = Experiments.trainAll(cells(names),
        () -> new CharLmTask(corpus.fileName(), text, null, b.charLength(), b.charBatch()), charConfig, jobs, out);
    // the count-based baselines on the same split: a cell has learnt something only if it beats them
    SortedMap<Integer, Double> ngram = new TreeMap<>();
    for (int order = 2; order <= MAX_NGRAM_ORDER; order++) {
      ngram.put(order, charTask.ngramBitsPerCharacter(order));
    }
    int bestOrder = CharLmStory.bestOrder(ngram);
    List<Path> charPlot = Experiments.validationPlot(dir.resolve(plotName), plotTitle, chars, charTask,
        ngram.get(bestOrder), bestOrder + "-gram counts (best n-gram)");
    List<CharLmStory.Result> charResults = new ArrayList<>();
    for (Experiments.Run r : chars) {
      if (r.ok()) {
        charResults.add(new CharLmStory.Result(r.cellName(), charTask.metric(r.history().recentLoss(50)),
            charTask.metric(r.history().lastValidationLoss())));
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    report.append("## ").append(heading).append("\n\n")
        .append(String.format(Locale.ROOT, intro, text.length(), charTask.vocabularySize()))
        .append(String.format(Locale.ROOT, " Embedding 32, hidden size %d, %s, batch %d streams, truncated BPTT over "
            + "%d characters with the state carried across chunks, %d steps of Adam (peak %s). Bits per character "
            + "everywhere; the training figure is the mean of the last 50 steps%s, the validation "
            + "one the last validation on the held-out tenth. The n-gram rows are interpolated Kneser-Ney count "
            + "models of the training text, the baseline a cell has to beat. %.0f s.%n%n",
            b.charHidden(), dropout > 0
                ? String.format(Locale.ROOT, "dropout %.2f on the recurrent outputs", dropout) : "no dropout",
            b.charBatch(), b.charLength(), b.charSteps(), b.charLearningRate(),
            dropout > 0 ? " (with dropout on)" : "", seconds))
        .append(Experiments.table(chars, charTask)).append(CharLmStory.ngramRows(ngram)).append("\n")
        .append(charResults.isEmpty() ? "No cell trained to the end.\n\n"
            : CharLmStory.interpretation(charResults, ngram, dropout) + "\n\n")
        .append(fields && !charResults.isEmpty() ? fieldSection(text, charTask, chars, charResults, bestOrder) : "")
        .append("![").append(plotTitle).append("](").append(charPlot.get(0).getFileName())
        .append(")\n\n")
        .append("Samples (temperature 0.8, ").append(b.sampleLength()).append(" characters after ")
        .append(prime.contains("\n") ? "the held-out lines shown first" : "\"" + prime + "\"").append("):\n\n");
    for (Experiments.Run r : chars) {
      if (!r.ok()) {
        continue;
      }
      Sampler s = new Sampler(r.trainer().model(), r.trainer().parameters());
      int[] ids = s.generate(charTask.encode(prime), b.sampleLength(), 0.8, Rng.seeded(7));
      StringBuilder sb = new StringBuilder(prime);
      for (int id : ids) {
        sb.append(charTask.decode(id));
      }
      report.append("**").append(r.cellName()).append("**\n\n```text\n").append(sb.toString().stripTrailing())
          .append("\n```\n\n");
    }
    return new CharSection(seconds, charPlot.get(0));
  }

  /** The per-field comparison of the best cell (lowest validation) with the {@code order}-gram. */
  private static String fieldSection(String text, CharLmTask task, List<Experiments.Run> runs,
      List<CharLmStory.Result> results, int order) {
    String best = results.stream().min(java.util.Comparator.comparingDouble(CharLmStory.Result::validationBits))
        .orElseThrow().cell();
    Experiments.Run run = runs.stream().filter(r -> r.ok() && r.cellName().equals(best)).findFirst().orElseThrow();
    int[] ids = task.encode(text);
    NGramModel counts = new NGramModel(java.util.Arrays.copyOf(ids, CharLmTask.heldOutFrom(ids.length)),
        task.vocabularySize(), order);
    double[][] bits = CharLmStory.fieldBits(text, task.vocabulary(), counts,
        new Sampler(run.trainer().model(), run.trainer().parameters()));
    return CharLmStory.fieldTable(bits, best, order) + "\n";
  }

  /** The report's Fashion-MNIST section when the data set is not installed: why, and how to get it. */
  static String mnistSkipped(String why) {
    return "Skipped: " + why + ". With the data set installed, this section trains the cells on 28 x 28 "
        + "clothing images read one row per step (T = 28) and reports their test accuracy "
        + "(`cellgraph compare --task seqmnist` does the same with your own budget).\n\n";
  }

  private static List<Cell> cells(List<String> names) {
    List<Cell> cs = new ArrayList<>();
    for (String n : names) {
      cs.add(CellRef.resolve(n).cell());
    }
    return cs;
  }
}
