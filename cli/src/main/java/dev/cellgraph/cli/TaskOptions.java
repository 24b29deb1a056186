package dev.cellgraph.cli;

import dev.cellgraph.cells.Cell;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.InvalidInputException;
import dev.cellgraph.train.tasks.AddingTask;
import dev.cellgraph.train.tasks.CharLmLinesTask;
import dev.cellgraph.train.tasks.CharLmTask;
import dev.cellgraph.train.tasks.CopyTask;
import dev.cellgraph.train.tasks.SeqMnistTask;
import dev.cellgraph.train.tasks.SequenceFileTask;
import dev.cellgraph.train.LearningRate;
import dev.cellgraph.train.LengthBuckets;
import dev.cellgraph.train.Task;
import dev.cellgraph.train.Trainer;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Set;

/** The task and training options shared by {@code train} and {@code compare}, with each task's defaults. */
final class TaskOptions {
  static final Set<String> VALUED = Set.of(CellRef.SIZE, CellRef.SET, "task", "data", "hidden-size", "steps", "seed", "length", "batch", "lr",
      "optimizer", "clip", "dropout", "validate-every", "dtype", "forget-bias", "on-nonfinite", "layers",
      "early-stop", "min-delta", "lr-schedule", "warmup", "lr-patience", "threads", "buckets", "corpus");
  /** The task options without a value. */
  static final Set<String> FLAGS = Set.of("pixels", "permute", "bidirectional");
  /** The flags only seqmnist reads. */
  private static final Set<String> SEQMNIST_FLAGS = Set.of("pixels", "permute");

  /** Per task: hidden size, steps, learning rate, sequence length, batch. */
  record Defaults(int hidden, int steps, double lr, int length, int batch) {}

  static Defaults defaults(String task) {
    switch (task) {
      case "adding": return new Defaults(32, 1200, 1e-2, 50, 32);
      case "copy": return new Defaults(32, 1000, 1e-2, 10, 32);
      case "charlm": return new Defaults(64, 1000, 1e-2, 64, 32);
      case "charlm-lines": return new Defaults(64, 1000, 1e-2, CharLmLinesTask.DEFAULT_MAX_LENGTH, 32);
      case "seqmnist": return new Defaults(128, 1000, 2e-3, 28, 64);
      case "file": return new Defaults(64, 1000, 1e-2, 0, 32);
      default: throw new UsageException("unknown task '" + task + "': expected adding, charlm, charlm-lines, copy, seqmnist or file");
    }
  }

  static final String USAGE = String.join("\n",
      "task options:",
      "  --task adding|charlm|charlm-lines|copy|seqmnist|file",
      "                              the experiment (required); charlm-lines: each line of the text a",
      "                              sequence of its own; file: your sequences",
      "  --data FILE                 charlm, charlm-lines: a UTF-8 text of at least a few thousand",
      "                              characters (default: the bundled Jargon File excerpt, 134 KB)",
      "  --corpus jargon|unicode     charlm, charlm-lines: a bundled text instead of --data: jargon, the",
      "                              Jargon File excerpt (prose, the default); unicode, UnicodeData.txt",
      "                              of U+0000-U+1FFF (a table whose structure spans whole lines, 417 KB)",
      "  --data DIR                  seqmnist: an MNIST or Fashion-MNIST download, the four IDX files",
      "                              gzipped or not (default: " + SeqMnistTask.DEBIAN_DIR + ", from",
      "                              'apt-get install dataset-fashion-mnist')",
      "  --data FILE                 file: a safetensors file of float32/float64 'inputs' [N, T, I] and",
      "                              'targets': int64 [N] or [N, T] (classes), or float [N, O] or [N, T, O]",
      "                              (values), optionally int64 'lengths' [N] (see docs/training.md)",
      "  --pixels                    seqmnist: one pixel per step (T = 784) instead of one row (T = 28)",
      "  --permute                   seqmnist: the pixels in a fixed random order drawn from --seed",
      "  --length T                  sequence length (adding 50; charlm 64, the BPTT window; copy: the delay 10;",
      "                              charlm-lines: the longest sequence, longer lines are cut (" + CharLmLinesTask.DEFAULT_MAX_LENGTH + "))",
      "  --buckets N                 charlm-lines, and file with lengths: training batches from N buckets of",
      "                              similar length, N >= 1; 1: one pool, batches of any lengths (8)",
      "  --batch B                   batch size (32; seqmnist 64)",
      "  --hidden-size H             hidden size (32; charlm, charlm-lines 64; seqmnist 128)",
      "  --steps N                   training steps (adding 1200, copy 1000, charlm 1000, seqmnist 1000)",
      "  --seed S                    seed of initialization, data, validation split and dropout (1)",
      "  --lr LR                     peak learning rate (0.01; seqmnist 0.002)",
      "  --lr-schedule cosine|constant|step|plateau",
      "                              after the warm-up: cosine (default) decays to a tenth of LR at the end;",
      "                              constant; step multiplies LR by 0.1 at 1/2 and at 3/4 of the steps;",
      "                              plateau halves LR after --lr-patience validations without improvement",
      "  --warmup N                  steps of linear warm-up from 0 to LR (a tenth of the steps, at most 50)",
      "  --lr-patience P             plateau: validations without improvement before LR is halved (2)",
      "  --early-stop P              stop after P validations in a row without an improvement of the best",
      "                              validation loss by more than --min-delta (off; needs --validate-every)",
      "  --min-delta D               the improvement early stopping and plateau count (0)",
      "  --layers L                  stacked recurrent layers (1)",
      "  --bidirectional             each layer also reads the sequence backwards (not for charlm and",
      "                              charlm-lines: it would read the characters it is to predict)",
      "  --threads N                 threads for the kernels (default: cellgraph.threads or the processors)",
      "  --optimizer adam|adamw|rmsprop|sgd  adam (default); sgd has momentum 0.9",
      "  --clip C                    clip gradients to global norm C, 0 to disable (1.0)",
      "  --dropout P                 dropout on the recurrent outputs (0)",
      "  --forget-bias F             added to the LSTM forget gate's initial bias (1, as Gers et al. 2000",
      "                              and Jozefowicz et al. 2015 advise; 0 keeps PyTorch's init)",
      "  --validate-every N          validation interval in steps (100)",
      "  --dtype float32|float64     (float32)",
      "  --on-nonfinite stop|skip    a step whose loss or gradient is NaN or infinite is never applied;",
      "                              stop (default) ends the run naming the step (exit status 1) and keeps",
      "                              the last checkpoint; skip drops the step and halves the learning rate",
      "                              (reported; " + Trainer.MAX_CONSECUTIVE_SKIPS + " such steps in a row still stop the run)",
      "",
      "The memory a run needs is estimated from these sizes before it starts; a run that cannot fit",
      "in the JVM's heap (-Xmx, set with CELLGRAPH_JAVA_OPTS) is refused with the figures.");

  /** The task, without a memory check (for runs whose sizes {@link #task(Args, List, int)} checked). */
  static Task task(Args a) {
    return task(a, List.of(), 1);
  }

  /**
   * The task, after checking that {@code jobs} runs at once of the largest of {@code cells} fit in
   * the JVM's heap (see {@link MemoryBudget}); a run that cannot is a usage error with the figures.
   */
  static Task task(Args a, List<Cell> cells, int jobs) {
    String name = a.require("task");
    Defaults d = defaults(name);
    int length = a.intValue("length", d.length(), 1, 100_000);
    int batch = a.intValue("batch", d.batch(), 1, 100_000);
    int hidden = hiddenSize(a, d);
    double dropout = dropout(a);
    DType dtype = dtype(a);
    long available = Runtime.getRuntime().maxMemory();
    if (a.has("buckets") && !name.equals("charlm-lines") && !name.equals("file")) {
      throw new UsageException("--buckets applies to --task charlm-lines and file (sequences of different "
          + "lengths); the " + name + " task's sequences all have the same length");
    }
    if (a.has("corpus") && !name.equals("charlm") && !name.equals("charlm-lines")) {
      throw new UsageException("--corpus applies to --task charlm and charlm-lines (a bundled text)");
    }
    if (!name.equals("seqmnist")) {
      for (String flag : SEQMNIST_FLAGS) {
        if (a.flag(flag)) {
          throw new UsageException("--" + flag + " applies to --task seqmnist");
        }
      }
    }
    switch (name) {
      case "adding":
        noData(a, name);
        if (length < 2) {
          throw new UsageException("--length must be at least 2 for the adding problem, got " + length);
        }
        for (Cell c : cells) {
          // input [T, B, 2] and target [B] in float32, for the training batch and 1024 validation sequences
          new MemoryBudget(AddingTask.modelOf(c, hidden, dropout), dtype, length, batch, Math.min(256, 1024),
              (batch + 1024L) * (length * 8L + 4)).check(available, Math.min(jobs, cells.size()));
        }
        return new AddingTask(length, batch, 1024);
      case "copy":
        noData(a, name);
        for (Cell c : cells) {
          long steps = 2 * 5 + (long) length;
          // input and target int64 and mask float32 [T, B], for the training batch and 2 x 256 validation ones
          new MemoryBudget(CopyTask.model(c, 8, hidden, dropout), dtype, steps, batch, 256,
              (batch + 512L) * steps * 20).check(available, Math.min(jobs, cells.size()));
        }
        return new CopyTask(5, 8, length, batch);
      case "seqmnist":
        return seqMnist(a, batch, hidden, dropout, dtype, cells, jobs, SeqMnistTask.DEBIAN_DIR);
      case "file": {
        if (a.has("length")) {
          throw new UsageException("--length does not apply to --task file: the sequences are as long as the "
              + "file's 'inputs' [N, T, I] say");
        }
        SequenceFileTask task = sequenceFile(a, batch, a.longValue("seed", 1));
        for (Cell c : cells) {
          // the data is already in memory; a batch's input and target in float32
          new MemoryBudget(task.model(c, hidden, dropout), dtype, task.steps(), batch, 256, 0)
              .check(available, Math.min(jobs, cells.size()));
        }
        return task;
      }
      case "charlm-lines": {
        CharLmLinesTask task = charLmLines(a, a.longValue("seed", 1));
        for (Cell c : cells) {
          // input and target int64 [T, B]; the validation batches of up to 256 lines, the text in memory
          new MemoryBudget(task.model(c, hidden, dropout), dtype, task.longest(), batch, 256,
              batch * (task.longest() * 16L)).check(available, Math.min(jobs, cells.size()));
        }
        return task;
      }
      default: {
        String[] named = text(a);
        String source = named[0];
        String text = named[1];
        CharLmTask task;
        try {
          task = new CharLmTask(source, text, null, length, batch);
        } catch (IllegalArgumentException e) {
          throw new UsageException(e.getMessage());
        }
        for (Cell c : cells) {
          // input and target int64 [T, B]; the validation data is bounded by the text, already in memory
          new MemoryBudget(task.model(c, hidden, dropout), dtype, length, batch, Math.min(16, batch),
              batch * (length * 16L)).check(available, Math.min(jobs, cells.size()));
        }
        return task;
      }
    }
  }

  /**
   * The task of one seed's runs of {@code compare --seeds}, from the options and the first seed's
   * task {@code first}: seqmnist and file tasks hold out a split drawn from the seed, and
   * charlm-lines draws its batches from it.
   */
  static Task forSeed(Args a, Task first, long seed) {
    if (first instanceof SeqMnistTask s) {
      return s.withSeed(seed);
    }
    if (first instanceof SequenceFileTask) {
      return sequenceFile(a, a.intValue("batch", defaults("file").batch(), 1, 100_000), seed);
    }
    if (first instanceof CharLmLinesTask lines) {
      return lines.withSeed(seed);
    }
    return task(a);
  }

  /** {@code --buckets} (default {@link LengthBuckets#DEFAULT}): at least 1. */
  static int buckets(Args a) {
    return a.intValue("buckets", LengthBuckets.DEFAULT, 1, 1_000_000);
  }

  /** The file task of {@code --data} with {@code seed}; {@code --buckets} for a file without lengths is refused. */
  static SequenceFileTask sequenceFile(Args a, int batch, long seed) {
    SequenceFileTask task = SequenceFileTask.load(Paths.get(a.require("data")), batch, seed, buckets(a));
    if (a.has("buckets") && !task.hasLengths()) {
      throw new UsageException("--buckets applies to a file with 'lengths'; " + a.get("data") + " has none, so "
          + "all its sequences have the same length");
    }
    return task;
  }

  /** The charlm-lines task of {@code --data} (default: the bundled text) with {@code seed}. */
  static CharLmLinesTask charLmLines(Args a, long seed) {
    String[] named = text(a);
    String source = named[0];
    String text = named[1];
    int length = a.intValue("length", CharLmLinesTask.DEFAULT_MAX_LENGTH, 1, 100_000);
    int batch = a.intValue("batch", defaults("charlm-lines").batch(), 1, 100_000);
    return new CharLmLinesTask(source, text, length, batch, seed, buckets(a));
  }

  /** The seqmnist task from {@code --data} or {@code defaultDir}, after the memory check. */
  static SeqMnistTask seqMnist(Args a, int batch, int hidden, double dropout, DType dtype, List<Cell> cells,
      int jobs, Path defaultDir) {
    if (a.has("length")) {
      throw new UsageException("--length does not apply to --task seqmnist: a sequence is an image's rows "
          + "(T = 28), or its pixels with --pixels (T = 784)");
    }
    Path dir = SeqMnistTask.locate(a.get("data", null), defaultDir);
    SeqMnistTask.DataSet data;
    try {
      data = SeqMnistTask.DataSet.load(dir);
    } catch (IOException e) {
      throw new InvalidInputException(e.getMessage(), e);
    }
    SeqMnistTask task = new SeqMnistTask(data, a.flag("pixels") ? SeqMnistTask.Mode.PIXELS : SeqMnistTask.Mode.ROWS,
        a.flag("permute"), a.longValue("seed", 1), batch);
    for (Cell c : cells) {
      // the images as bytes and the validation batches as floats, held for the whole run
      new MemoryBudget(task.model(c, hidden, dropout), dtype, task.steps(), batch, task.evaluationBatch(),
          task.dataBytes()).check(available(), Math.min(jobs, cells.size()));
    }
    return task;
  }

  private static long available() {
    return Runtime.getRuntime().maxMemory();
  }

  private static void noData(Args a, String task) {
    if (a.has("data")) {
      throw new UsageException("--data applies to --task charlm, charlm-lines, seqmnist and file; the " + task
          + " task generates its data");
    }
  }

  /** The largest --data file read: its characters become an int per character, plus the text. */
  static final long MAX_DATA_BYTES = 64L << 20;

  /** A UTF-8 text file; unreadable, too large or not UTF-8 is a usage error naming the file. */
  /**
   * The text of a character model and its name: {@code --data FILE}, {@code --corpus NAME} (a
   * bundled one), or the bundled Jargon File excerpt; both options at once is a usage error.
   */
  static String[] text(Args a) {
    if (a.has("data") && a.has("corpus")) {
      throw new UsageException("--data and --corpus both name the text; give one of them");
    }
    if (a.has("data")) {
      Path p = Paths.get(a.get("data"));
      return new String[] {p.getFileName().toString(), readText(p)};
    }
    CharLmTask.Corpus corpus;
    try {
      corpus = CharLmTask.Corpus.named(a.get("corpus", CharLmTask.Corpus.JARGON.label()));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--corpus: " + e.getMessage());
    }
    return new String[] {corpus.fileName(), corpus.text()};
  }

  static String readText(Path p) {
    if (!Files.isRegularFile(p)) {
      throw new UsageException("the data file " + p + " does not exist or is not a file");
    }
    try {
      // bounded before reading: a multi-gigabyte file would otherwise end in OutOfMemoryError
      long size = Files.size(p);
      if (size > MAX_DATA_BYTES) {
        throw new UsageException("the data file " + p + " has " + size + " bytes; the limit is "
            + MAX_DATA_BYTES + " (64 MiB)");
      }
      byte[] bytes = Files.readAllBytes(p);
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new UsageException("the data file " + p + " is not UTF-8 text");
    } catch (IOException e) {
      throw new UsageException("cannot read the data file " + p + ": " + e.getMessage());
    }
  }

  static Trainer.Builder config(Args a) {
    String task = a.require("task");
    Defaults d = defaults(task);
    int steps = a.intValue("steps", d.steps(), 1, 100_000_000);
    double lr = a.doubleValue("lr", d.lr(), 1e-8, 10);
    int warmup = a.intValue("warmup", Math.min(50, steps / 10), 0, steps);
    String schedule = a.choice("lr-schedule", "cosine", "cosine", "constant", "step", "plateau");
    LearningRate rate = switch (schedule) {
      case "constant", "plateau" -> LearningRate.warmupConstant(lr, warmup);
      case "step" -> LearningRate.warmupStep(lr, warmup, 0.1);
      default -> LearningRate.warmupCosine(lr, warmup, 0.1);
    };
    if (a.has("lr-patience") && !schedule.equals("plateau")) {
      throw new UsageException("--lr-patience applies to --lr-schedule plateau");
    }
    int validateEvery = a.intValue("validate-every", 100, 0, 100_000_000);
    int earlyStop = a.intValue("early-stop", 0, 0, 1_000_000);
    if (a.has("min-delta") && earlyStop == 0 && !schedule.equals("plateau")) {
      throw new UsageException("--min-delta applies to --early-stop and --lr-schedule plateau");
    }
    if ((earlyStop > 0 || schedule.equals("plateau")) && validateEvery == 0) {
      throw new UsageException((earlyStop > 0 ? "--early-stop" : "--lr-schedule plateau")
          + " counts validations, so it needs --validate-every N (N > 0), not 0");
    }
    boolean bidirectional = a.flag("bidirectional");
    if (bidirectional && (task.equals("charlm") || task.equals("charlm-lines"))) {
      throw new UsageException("--bidirectional does not fit --task " + task + ": the model predicts each character "
          + "from the ones before it, and the reverse direction would read the very characters it is to predict");
    }
    return Trainer.Config.builder()
        .steps(steps)
        .seed(a.longValue("seed", 1))
        .hiddenSize(hiddenSize(a, d))
        .recurrent(a.intValue("layers", 1, 1, 64), bidirectional)
        .earlyStop(earlyStop, a.doubleValue("min-delta", 0, 0, 1e9))
        .plateau(schedule.equals("plateau") ? a.intValue("lr-patience", 2, 1, 1_000_000) : 0)
        .learningRate(rate)
        .optimizer(a.choice("optimizer", "adam", "adam", "adamw", "rmsprop", "sgd"))
        .clipNorm(a.doubleValue("clip", 1.0, 0, 1e9))
        .dropout(dropout(a))
        .forgetBias(a.doubleValue("forget-bias", 1.0, -10, 10))
        .validateEvery(validateEvery)
        .dtype(dtype(a))
        .onNonFinite(a.choice("on-nonfinite", "stop", "stop", "skip").equals("skip")
            ? Trainer.OnNonFinite.SKIP : Trainer.OnNonFinite.STOP);
  }

  /** The kernels' thread count from {@code --threads}, or null for the default. */
  static Integer threads(Args a) {
    return a.intOrNull("threads", 1, 4096);
  }

  private static int hiddenSize(Args a, Defaults d) {
    return a.intValue("hidden-size", d.hidden(), 1, 65_536);
  }

  private static double dropout(Args a) {
    return a.doubleValue("dropout", 0, 0, 0.99);
  }

  private static DType dtype(Args a) {
    return DType.parse(a.choice("dtype", "float32", "float32", "float64"));
  }
}
