package dev.cellgraph.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cellgraph.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a train run leaves behind and reads back: config.json, checkpoints that carry the cell, metrics files. */
class TrainRunTest {
  private static final String ELMAN = "h' = tanh(W x + U h + b)\n";

  private static String[] charlm(Path text, String... more) {
    List<String> a = new ArrayList<>(List.of("--task", "charlm", "--data", text.toString(), "--hidden-size", "8",
        "--length", "8", "--batch", "4", "--validate-every", "3"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  private static String[] cmd(String[] head, String[] tail) {
    List<String> a = new ArrayList<>(List.of(head));
    a.addAll(List.of(tail));
    return a.toArray(String[]::new);
  }

  private static Path text(Path tmp) throws Exception {
    Path text = tmp.resolve("abc.txt");
    Files.writeString(text, "abcabcabd ".repeat(200));
    return text;
  }

  /** The values of one column of a metrics.csv. */
  private static List<String> column(Path csv, String name) throws Exception {
    List<String> lines = Files.readAllLines(csv);
    int at = List.of(lines.get(0).split(",", -1)).indexOf(name);
    List<String> values = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      values.add(l.split(",", -1)[at]);
    }
    return values;
  }

  @Test
  void aFormulaCellsCheckpointSamplesResumesAndReplaysAfterItsFileIsGone(@TempDir Path tmp) throws Exception {
    Path text = text(tmp);
    Path cell = tmp.resolve("my.cell");
    Files.writeString(cell, ELMAN);
    Path ck = tmp.resolve("runs/charlm");
    CliRunner t = CliRunner.run(cmd(new String[] {"train", "--cell", cell.toString(), "--checkpoint", ck.toString()},
        charlm(text, "--steps", "6")));
    assertEquals(0, t.status(), t.err());
    JsonObject config = JsonParser.parseString(Files.readString(ck.resolve("config.json"))).getAsJsonObject();
    assertEquals(ELMAN, config.getAsJsonObject("cell").get("formula").getAsString());
    assertEquals("6", config.getAsJsonObject("options").get("steps").getAsString());
    Files.delete(cell);

    CliRunner s = CliRunner.run("sample", "--checkpoint", ck.toString(), "--length", "20", "--prime", "ab");
    assertEquals(0, s.status(), s.err());
    assertEquals(22 + 1, s.out().length(), "the prime, 20 characters and a newline: " + s.out());

    // the directory alone resumes it: the checkpoint holds the formulas and the options
    CliRunner r = CliRunner.run("train", "--resume", "--checkpoint", ck.toString(), "--steps", "9");
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("my: resuming at step 6 of 9"), r.out());
    assertEquals(9, Checkpoint.load(ck).step());
    assertEquals(9, Files.readAllLines(ck.resolve("metrics.csv")).size() - 1, "the whole history, resumed or not");

    // a replay of the first 6 steps (config.json says 9 now, as resumed; the schedule spans the steps)
    // gives the same numbers bit for bit in a fresh directory
    Path again = tmp.resolve("runs/again");
    CliRunner replay = CliRunner.run("train", "--config", ck.resolve("config.json").toString(), "--checkpoint",
        again.toString(), "--steps", "6");
    assertEquals(0, replay.status(), replay.err());
    for (String c : List.of("loss", "grad_norm", "lr", "validation_loss")) {
      assertEquals(column(ck.resolve("metrics.csv"), c).subList(0, 6), column(again.resolve("metrics.csv"), c), c);
    }

    CliRunner refused = CliRunner.run("train", "--config", ck.resolve("config.json").toString());
    assertEquals(2, refused.status());
    assertEquals("cellgraph train: " + ck + " already holds a checkpoint; pass --resume to continue it, or choose "
        + "another directory\n", refused.err());
  }

  /** A cell with a named size and a constant, both with defaults that a rebuilt cell must not fall back to. */
  private static final String PROJECTED = "size P = 64\nbeta = 1\nstate r : [P]\noutput r\n"
      + "f = sigmoid(W_f x + U_f r + b_f - beta)\nc' = f * c + (1 - f) * tanh(W_c x + U_c r + b_c)\nr' = R tanh(c')\n";

  @Test
  void theSizesAndConstantsOfARunAreRecordedSoResumeAndSampleRebuildTheSameCell(@TempDir Path tmp) throws Exception {
    Path text = text(tmp);
    Path cell = tmp.resolve("proj.cell");
    Files.writeString(cell, PROJECTED);
    // a constant rate, so that the run of 3 steps takes the same first steps as the run of 6
    String[] given = {"--size", "P=3", "--set", "\\beta=2.5", "--lr-schedule", "constant"};
    Path straight = tmp.resolve("straight");
    CliRunner s6 = CliRunner.run(cmd(cmd(new String[] {"train", "--cell", cell.toString(), "--checkpoint",
        straight.toString()}, given), charlm(text, "--steps", "6")));
    assertEquals(0, s6.status(), s6.err());
    Path ck = tmp.resolve("ck");
    CliRunner t = CliRunner.run(cmd(cmd(new String[] {"train", "--cell", cell.toString(), "--checkpoint",
        ck.toString()}, given), charlm(text, "--steps", "3")));
    assertEquals(0, t.status(), t.err());
    JsonObject config = JsonParser.parseString(Files.readString(ck.resolve("config.json"))).getAsJsonObject();
    assertEquals("{\"P\":3}", config.getAsJsonObject("cell").get("sizes").toString());
    assertEquals("{\"beta\":2.5}", config.getAsJsonObject("cell").get("constants").toString());
    assertFalse(config.getAsJsonObject("options").has("size"), "the cell holds them: " + config);
    assertFalse(config.getAsJsonObject("options").has("set"), "the cell holds them: " + config);
    Files.delete(cell);

    // the directory alone resumes it with P = 3 and beta = 2.5 (P = 64 would not fit the parameters, and
    // beta = 1 would change every step after the third): the same numbers as the run that never stopped
    CliRunner r = CliRunner.run("train", "--resume", "--checkpoint", ck.toString(), "--steps", "6");
    assertEquals(0, r.status(), r.err());
    for (String c : List.of("loss", "grad_norm", "validation_loss")) {
      assertEquals(column(straight.resolve("metrics.csv"), c), column(ck.resolve("metrics.csv"), c), c);
    }
    CellRef rebuilt = RunRecipe.cell(Checkpoint.load(ck).meta().getAsJsonObject("recipe"), "the checkpoint",
        Map.of(), Map.of());
    assertEquals(Map.of("P", 3), rebuilt.spec().namedSizes());
    assertEquals(Map.of("beta", 2.5), rebuilt.spec().constants());
    assertEquals("set from outside the cell (--set)", rebuilt.spec().whyConstant("beta"));
    CliRunner sample = CliRunner.run("sample", "--checkpoint", ck.toString(), "--length", "5", "--prime", "a");
    assertEquals(0, sample.status(), sample.err());

    // giving the values it has is fine; another value would be another cell, which a resume does not make
    CliRunner same = CliRunner.run("train", "--resume", "--checkpoint", ck.toString(), "--size", "P=3", "--set",
        "β=2.5");
    assertEquals(0, same.status(), same.err());
    assertTrue(same.out().contains("the checkpoint is already at step 6 of 6; nothing to do"), same.out());
    CliRunner other = CliRunner.run("train", "--resume", "--checkpoint", ck.toString(), "--steps", "9", "--set",
        "beta=3");
    assertEquals(2, other.status(), other.out());
    assertEquals("cellgraph train: --set beta=3: the checkpoint in " + ck + " was trained with beta = 2.5, and a"
        + " resumed run continues the same cell; to train with another value, start a new run in another"
        + " --checkpoint DIR\n", other.err());
    CliRunner size = CliRunner.run("train", "--resume", "--checkpoint", ck.toString(), "--size", "P=4");
    assertEquals("cellgraph train: --size P=4: the checkpoint in " + ck + " was trained with P = 3, and a"
        + " resumed run continues the same cell; to train with another value, start a new run in another"
        + " --checkpoint DIR\n", size.err());

    // a replay is a new run: its --set wins over the recorded value, and the sizes stay
    Path replayed = tmp.resolve("replayed");
    CliRunner replay = CliRunner.run("train", "--config", ck.resolve("config.json").toString(), "--checkpoint",
        replayed.toString(), "--steps", "1", "--set", "beta=3");
    assertEquals(0, replay.status(), replay.err());
    JsonObject again = JsonParser.parseString(Files.readString(replayed.resolve("config.json"))).getAsJsonObject();
    assertEquals("{\"P\":3}", again.getAsJsonObject("cell").get("sizes").toString());
    assertEquals("{\"beta\":3.0}", again.getAsJsonObject("cell").get("constants").toString());
  }

  @Test
  void aStackedCharacterModelSamplesFromItsCheckpoint(@TempDir Path tmp) throws Exception {
    Path ck = tmp.resolve("lm");
    CliRunner t = CliRunner.run(cmd(new String[] {"train", "--cell", "mgu", "--layers", "2", "--checkpoint",
        ck.toString()}, charlm(text(tmp), "--steps", "2")));
    assertEquals(0, t.status(), t.err());
    CliRunner s = CliRunner.run("sample", "--checkpoint", ck.toString(), "--length", "10", "--prime", "a");
    assertEquals(0, s.status(), s.err());
    assertEquals(1 + 10 + 1, s.out().length(), s.out());
  }

  @Test
  void metricsFilesHoldEveryStepInBothUnitsAndTheValidations(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    CliRunner t = CliRunner.run(cmd(new String[] {"train", "--cell", "gru", "--out", out.toString()},
        charlm(text(tmp), "--steps", "7")));
    assertEquals(0, t.status(), t.err());
    List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
    assertEquals("step,loss,grad_norm,lr,seconds,elapsed_seconds,validation_loss,train_bits_per_char,"
        + "validation_bits_per_char", csv.get(0));
    assertEquals(8, csv.size());
    List<String> validations = column(out.resolve("metrics.csv"), "validation_loss");
    assertEquals(List.of("", "", "x", "", "", "x", "x"),
        validations.stream().map(v -> v.isEmpty() ? "" : "x").toList(), "validated at steps 3, 6 and the last");
    for (String line : csv.subList(1, csv.size())) {
      String[] f = line.split(",", -1);
      assertEquals(Double.parseDouble(f[1]) / Math.log(2), Double.parseDouble(f[7]), 1e-12);
    }
    List<String> jsonl = Files.readAllLines(out.resolve("metrics.jsonl"));
    assertEquals(7, jsonl.size());
    JsonObject third = JsonParser.parseString(jsonl.get(2)).getAsJsonObject();
    assertEquals(3, third.get("step").getAsInt());
    assertEquals(Double.parseDouble(validations.get(2)), third.get("validation_loss").getAsDouble());
    assertFalse(JsonParser.parseString(jsonl.get(0)).getAsJsonObject().has("validation_loss"));
    assertTrue(Files.size(out.resolve("loss.png")) > 1000);
    assertTrue(Files.readString(out.resolve("loss.svg")).contains("<svg"));
    assertTrue(t.out().contains("replay with: cellgraph train --config " + out.resolve("config.json")), t.out());
    JsonObject results = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
    assertEquals("bits/char", results.get("metric").getAsString());
    assertEquals(7, results.get("steps").getAsInt());
    assertEquals(Double.parseDouble(validations.get(6)) / Math.log(2), results.get("validation_metric").getAsDouble(),
        1e-12);
  }

  @Test
  void resumeWithoutACheckpointStartsFreshAndTheSecondRunContinues(@TempDir Path tmp) throws Exception {
    Path ck = tmp.resolve("ck");
    String[] line = {"train", "--cell", "gru", "--task", "copy", "--hidden-size", "6", "--length", "2", "--batch", "4",
        "--validate-every", "0", "--resume", "--checkpoint", ck.toString(), "--steps"};
    CliRunner first = CliRunner.run(cmd(line, new String[] {"3"}));
    assertEquals(0, first.status(), first.err());
    assertTrue(first.out().startsWith("no checkpoint in " + ck + " yet: starting a fresh run\n"), first.out());
    CliRunner second = CliRunner.run(cmd(line, new String[] {"5"}));
    assertEquals(0, second.status(), second.err());
    assertTrue(second.out().contains("gru: resuming at step 3 of 5"), second.out());
    assertFalse(second.out().contains("fresh run"), second.out());
  }

  @Test
  void resumeWithoutACheckpointOrACellSaysBoth(@TempDir Path tmp) throws Exception {
    CliRunner r = CliRunner.run("train", "--resume", "--checkpoint", tmp.toString(), "--task", "copy");
    assertEquals(2, r.status());
    assertEquals("cellgraph train: no checkpoint in " + tmp + " yet, so this is a fresh run, and a fresh run needs"
        + " --cell CELL (with the task's options)\n", r.err());
  }

  @Test
  void quietPrintsOnlyTheResultsAndVerboseTheKernelsAndCompiler(@TempDir Path tmp) throws Exception {
    String[] run = {"train", "--cell", "gru", "--task", "copy", "--hidden-size", "6", "--length", "2", "--batch", "4",
        "--steps", "3", "--out", tmp.toString()};
    CliRunner quiet = CliRunner.run(cmd(new String[] {"--quiet"}, run));
    assertEquals(0, quiet.status(), quiet.err());
    assertTrue(quiet.out().startsWith("done: gru copy final training nats/symbol "), quiet.out());
    assertEquals(1, quiet.out().lines().count(), quiet.out());
    CliRunner verbose = CliRunner.run(cmd(run, new String[] {"--verbose"}));
    assertEquals(0, verbose.status(), verbose.err());
    assertTrue(verbose.out().contains("\nkernels: "), verbose.out());
    assertTrue(verbose.out().contains("\nscan compiler: 0 scans declined (run step by step)\n"), verbose.out());
    CliRunner both = CliRunner.run(cmd(new String[] {"-q", "--verbose"}, run));
    assertEquals(2, both.status());
    assertEquals("cellgraph: --quiet and --verbose contradict each other; give one\n", both.err());
  }

  @Test
  void aCheckpointWrittenBeforeRecipesAsksForItsCellAndOptions(@TempDir Path tmp) throws Exception {
    for (String f : List.of(Checkpoint.TENSORS, Checkpoint.JSON)) {
      try (java.io.InputStream in = Checkpoint.class.getResourceAsStream("checkpoint-format-1/" + f)) {
        Files.copy(in, tmp.resolve(f));
      }
    }
    CliRunner r = CliRunner.run("train", "--resume", "--checkpoint", tmp.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph train: the checkpoint in " + tmp + " was written before checkpoints recorded their cell "
        + "and options; give them again (--cell CELL --task TASK and the options of the first run)\n", r.err());
  }

  @Test
  void badConfigFilesAreUsageErrorsNamingThem(@TempDir Path tmp) throws Exception {
    Path missing = tmp.resolve("none.json");
    CliRunner r = CliRunner.run("train", "--config", missing.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph train: --config " + missing + " does not exist or is not a file\n", r.err());
    Path garbage = tmp.resolve("garbage.json");
    Files.writeString(garbage, "[1, 2]");
    r = CliRunner.run("train", "--config", garbage.toString());
    assertEquals("cellgraph train: " + garbage + " is not a cellgraph config.json (not a JSON object)\n", r.err());
    Path cellFile = tmp.resolve("my.cell");
    Files.writeString(cellFile, "h' = tanh(W x + U h + b)\n");
    r = CliRunner.run("train", "--config", cellFile.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph train: " + cellFile + " is not a cellgraph config.json: malformed JSON at line 1, column 5"
        + " (--config replays the config.json a train run wrote; a formula cell file goes to --cell)\n", r.err());
    Path odd = tmp.resolve("odd.json");
    Files.writeString(odd, "{\"command\": \"train\", \"cell\": {\"name\": \"gru\", \"builtin\": \"gru\"}, "
        + "\"options\": {\"task\": \"copy\", \"hiden-size\": \"3\"}}");
    r = CliRunner.run("train", "--config", odd.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph train: " + odd + ": unknown option 'hiden-size' with a value\n", r.err());
    Path sizes = tmp.resolve("sizes.json");
    Files.writeString(sizes, "{\"command\": \"train\", \"cell\": {\"name\": \"lstm-projected\", \"formula\": \"h' = h\","
        + " \"sizes\": {\"P\": 0}}, \"options\": {\"task\": \"copy\"}}");
    r = CliRunner.run("train", "--config", sizes.toString());
    assertEquals(2, r.status());
    assertEquals("cellgraph train: " + sizes + ": the cell's \"sizes\" must map names to whole numbers from 1 to"
        + " 999999999, not \"P\": 0\n", r.err());
    Path constants = tmp.resolve("constants.json");
    Files.writeString(constants, "{\"command\": \"train\", \"cell\": {\"name\": \"janet\", \"formula\": \"h' = h\","
        + " \"constants\": {\"beta\": \"two\"}}, \"options\": {\"task\": \"copy\"}}");
    r = CliRunner.run("train", "--config", constants.toString());
    assertEquals("cellgraph train: " + constants + ": the cell's \"constants\" must map names to numbers, not"
        + " \"beta\": \"two\"\n", r.err());
  }

  @Test
  void earlyStoppingEndsTheRunAfterPatienceValidationsWithoutImprovement(@TempDir Path tmp) throws Exception {
    Path ck = tmp.resolve("ck");
    String[] run = {"train", "--cell", "gru", "--task", "copy", "--hidden-size", "6", "--length", "2", "--batch", "4",
        "--steps", "50", "--validate-every", "1", "--early-stop", "2", "--min-delta", "1000", "--checkpoint",
        ck.toString()};
    CliRunner r = CliRunner.run(run);
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("\nstopped at step 3 of 50: early stop: 2 validations without an improvement of "
        + "more than 1000.0 on the best loss "), r.out());
    assertEquals(3, Checkpoint.load(ck).step());
    CliRunner again = CliRunner.run(cmd(run, new String[] {"--resume"}));
    assertEquals(0, again.status(), again.err());
    assertTrue(again.out().contains("the checkpoint is already at step 3 of 50 (early stop: "), again.out());

    CliRunner never = CliRunner.run("train", "--cell", "gru", "--task", "copy", "--early-stop", "2",
        "--validate-every", "0");
    assertEquals(2, never.status());
    assertEquals("cellgraph train: --early-stop counts validations, so it needs --validate-every N (N > 0), not 0\n",
        never.err());
  }

  @Test
  void thePlateauScheduleHalvesTheRateAfterPatienceValidations(@TempDir Path tmp) throws Exception {
    CliRunner r = CliRunner.run("train", "--cell", "gru", "--task", "copy", "--hidden-size", "6", "--length", "2",
        "--batch", "4", "--steps", "4", "--validate-every", "1", "--lr", "0.01", "--lr-schedule", "plateau",
        "--lr-patience", "1", "--min-delta", "1000", "--warmup", "0", "--out", tmp.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals(List.of("0.01", "0.01", "0.005", "0.0025"), column(tmp.resolve("metrics.csv"), "lr"));
    assertTrue(r.out().contains("gru: validation loss on a plateau for 1 validations; learning rate now 0.5 times the "
        + "schedule"), r.out());

    CliRunner wrong = CliRunner.run("train", "--cell", "gru", "--task", "copy", "--lr-patience", "3");
    assertEquals(2, wrong.status());
    assertEquals("cellgraph train: --lr-patience applies to --lr-schedule plateau\n", wrong.err());
  }

  @Test
  void stackedBidirectionalModelsTrainAndResumeAndCharlmRefusesThem(@TempDir Path tmp) throws Exception {
    Path ck = tmp.resolve("ck");
    String[] run = {"train", "--cell", "gru", "--task", "adding", "--length", "4", "--hidden-size", "4", "--batch", "4",
        "--steps", "2", "--validate-every", "0", "--layers", "2", "--bidirectional", "--checkpoint", ck.toString()};
    CliRunner r = CliRunner.run(run);
    assertEquals(0, r.status(), r.err());
    // per direction, layer 0: 3H(I + H) + 6H = 96; layer 1 reads both directions: 3H(2H + H) + 6H = 168; head 2H + 1
    assertTrue(r.out().contains(": 537 parameters, 2 steps"), r.out());
    assertTrue(Checkpoint.load(ck).parameters().containsKey("rnn.weight_hh_l1_reverse"));
    CliRunner more = CliRunner.run("train", "--resume", "--checkpoint", ck.toString(), "--steps", "3");
    assertEquals(0, more.status(), more.err());
    assertTrue(more.out().contains("resuming at step 2 of 3"), more.out());
    CliRunner flat = CliRunner.run("train", "--resume", "--checkpoint", ck.toString(), "--layers", "1");
    assertEquals(2, flat.status());
    assertTrue(flat.err().endsWith("was written by a different run, so it cannot be resumed: layers is 2 there, "
        + "absent here\n"), flat.err());

    CliRunner lm = CliRunner.run("train", "--cell", "gru", "--task", "charlm", "--bidirectional");
    assertEquals(2, lm.status());
    assertEquals("cellgraph train: --bidirectional does not fit --task charlm: the model predicts each character "
        + "from the ones before it, and the reverse direction would read the very characters it is to predict\n",
        lm.err());
  }

  @Test
  void trainAndCompareReadTheUsersSequencesFromASafetensorsFile(@TempDir Path tmp) throws Exception {
    double[] x = new double[30 * 4 * 3];
    double[] y = new double[30 * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.sin(i);
    }
    for (int i = 0; i < y.length; i++) {
      y[i] = Math.cos(i);
    }
    Path data = tmp.resolve("mine.safetensors");
    dev.cellgraph.core.io.SafeTensors.write(data, java.util.Map.of(
        "inputs", dev.cellgraph.core.Tensor.of(dev.cellgraph.core.DType.FLOAT32, x, dev.cellgraph.core.Shape.of(30, 4, 3)),
        "targets", dev.cellgraph.core.Tensor.of(dev.cellgraph.core.DType.FLOAT32, y, dev.cellgraph.core.Shape.of(30, 2))));
    CliRunner r = CliRunner.run("train", "--cell", "lstm", "--task", "file", "--data", data.toString(), "--batch", "8",
        "--hidden-size", "5", "--steps", "4", "--bidirectional", "--out", tmp.resolve("run").toString());
    assertEquals(0, r.status(), r.err());
    assertTrue(r.out().contains("training lstm on the sequences of mine.safetensors (30 of T = 4, 3 features; "
        + "values per sequence, 2 outputs; 27 training, 3 validation; batch 8)"), r.out());
    assertTrue(r.out().contains("done: lstm file final training MSE "), r.out());
    CliRunner c = CliRunner.run("compare", "--cells", "rnn,gru", "--task", "file", "--data", data.toString(),
        "--batch", "8", "--hidden-size", "5", "--steps", "3", "--layers", "2", "--bidirectional", "--out",
        tmp.resolve("cmp").toString());
    assertEquals(0, c.status(), c.err());
    List<String> curves = Files.readAllLines(tmp.resolve("cmp/file-loss.csv"));
    assertEquals("run,step,loss,grad_norm,lr,seconds,elapsed_seconds,validation_loss,train_mse,validation_mse",
        curves.get(0));
    assertEquals(1 + 2 * 3, curves.size());
    assertTrue(curves.get(4).startsWith("gru,1,"), curves.get(4));
    // two bidirectional GRU layers of 5 on 3 features: 2 * (15 * 3 + 15 * 5 + 30) + 2 * (15 * 10 + 15 * 5 + 30)
    // + a head of 2 * 10 + 2
    assertTrue(Files.readString(tmp.resolve("cmp/file-compare.md")).contains("| gru | 832 |"),
        Files.readString(tmp.resolve("cmp/file-compare.md")));

    Path garbage = tmp.resolve("garbage.safetensors");
    Files.writeString(garbage, "not tensors");
    CliRunner bad = CliRunner.run("train", "--cell", "gru", "--task", "file", "--data", garbage.toString());
    assertEquals(2, bad.status());
    assertTrue(bad.err().startsWith("cellgraph train: garbage.safetensors: not a safetensors file: "), bad.err());
    CliRunner none = CliRunner.run("train", "--cell", "gru", "--task", "file");
    assertEquals(2, none.status());
    assertEquals("cellgraph train: option --data is required\n", none.err());
  }

  @Test
  void theThreadCountNeverChangesTheNumbers(@TempDir Path tmp) throws Exception {
    List<List<String>> losses = new ArrayList<>();
    for (String threads : List.of("1", "2")) {
      Path out = tmp.resolve("t" + threads);
      CliRunner r = CliRunner.run("train", "--cell", "lstm", "--task", "adding", "--length", "20", "--hidden-size", "64",
          "--batch", "64", "--steps", "3", "--threads", threads, "--out", out.toString());
      assertEquals(0, r.status(), r.err());
      losses.add(column(out.resolve("metrics.csv"), "loss"));
    }
    assertEquals(losses.get(0), losses.get(1));
  }
}
