package dev.cellgraph.cli;

import dev.cellgraph.cells.Interop;
import dev.cellgraph.cells.SequenceLayout;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Set;

/** {@code cellgraph run}: the interop contract with PyTorch, file in, file out. */
final class RunCommand implements Command {
  @Override
  public String name() {
    return "run";
  }

  @Override
  public String summary() {
    return "run a recurrent layer on safetensors weights and inputs (PyTorch interop)";
  }

  @Override
  public String usage() {
    return String.join("\n",
        "usage: cellgraph run --cell CELL --weights W.safetensors --input IN.safetensors --out OUT.safetensors",
        CellRef.OPTIONS_USAGE,
        "                     [--layers N] [--bidirectional] [--nonlinearity tanh|relu]",
        "                     [--batch-first | --time-major]",
        "",
        "CELL is rnn, lstm or gru (PyTorch's nn.RNN/LSTM/GRU, PyTorch parameter names), another zoo",
        "name or a .cell file (canonical parameter names). Sizes, layer count, direction and bias",
        "come from the weights; flags that disagree with them are an error. An lstm with",
        "'weight_hr_l0' [P, H] is PyTorch's LSTM with proj_size P: h0/h_n are then [layers*directions, B, P],",
        "c0/c_n [layers*directions, B, H] and the output [T, B, directions*P].",
        "IN holds 'input' [T, B, I], optional initial states (h0, c0 as [layers*directions, B, H] for",
        "the built-ins; <state>0 as [B, H] for formula cells), optional 'lengths' and an optional",
        "'grad_output' shaped like the output.",
        "lengths (int64 [B], each 1 to T) runs sequences of different lengths as PyTorch runs",
        "pack_padded_sequence(input, lengths, enforce_sorted=False): outputs are zero past each",
        "length (pad_packed_sequence with total_length=T), h_n/c_n are each sequence's state at its",
        "own last step, the reverse direction starts there, and input values past a length are",
        "never read (their gradient is zero).",
        "--batch-first reads input and grad_output as [B, T, I] and writes output and grad.input",
        "as [B, T, D*H] and [B, T, I], as batch_first=True does; states stay [layers*directions, B, H].",
        "Without either flag the input is read as [T, B, I] only when an initial state or lengths",
        "say that its axis 1 is the batch; an input they do not settle (none given, or T = B) or that",
        "they show to be [B, T, I] is refused with a message: pass --time-major or --batch-first.",
        "OUT gets 'output', the final states (h_n, c_n; <state>_n) and, with grad_output, the",
        "gradients of sum(output * grad_output): grad.input, grad.<state>0, grad.<parameter>.",
        "Computation runs in the dtype of the weights. --out - writes the safetensors bytes to standard",
        "output (and the message to stderr); an --out that is the input or weights file is refused.");
  }

  @Override
  public int run(String[] argv, PrintStream out, PrintStream err) throws Exception {
    Args a = Args.parse(argv,
        Set.of("cell", "weights", "input", "out", "layers", "nonlinearity", CellRef.SIZE, CellRef.SET),
        Set.of("bidirectional", "batch-first", "time-major"));
    a.noPositionals();
    String cellArg = a.require("cell");
    Path weightsPath = existing(a.require("weights"), "weights");
    Path inputPath = existing(a.require("input"), "input");
    String outArg = a.require("out");
    boolean toStdout = outArg.equals("-");
    Path outPath = toStdout ? null : Paths.get(outArg);
    if (!toStdout) {
      Args.checkNamesAFile(outArg);
      notAnInput(outPath, weightsPath, "weights");
      notAnInput(outPath, inputPath, "input");
    }
    Integer layers = a.intOrNull("layers", 1, 64);
    Boolean bidi = a.flag("bidirectional") ? Boolean.TRUE : null;
    String nl = a.has("nonlinearity") ? a.choice("nonlinearity", null, "tanh", "relu") : null;
    if (a.flag("batch-first") && a.flag("time-major")) {
      throw new UsageException("--batch-first and --time-major exclude each other");
    }
    SequenceLayout layout = a.flag("batch-first") ? SequenceLayout.BATCH_FIRST
        : a.flag("time-major") ? SequenceLayout.TIME_MAJOR : null;

    CellRef ref = CellRef.resolve(cellArg, a);
    Map<String, Tensor> weights = SafeTensors.read(weightsPath);
    Map<String, Tensor> inputs = SafeTensors.read(inputPath);
    Tensor input = inputs.get("input");
    if (input == null) {
      throw new UsageException(inputPath + ": no tensor named 'input' (expected [T, B, I]); it holds "
          + inputs.keySet());
    }
    if (input.rank() != 3) {
      throw new UsageException(inputPath + ": input must be " + (layout != null ? layout.description()
          : "time-major [T, B, I] or, with --batch-first, [B, T, I]") + "; got " + input.shape());
    }
    Interop.Configured conf;
    Map<String, Tensor> result;
    try {
      // rnn/lstm/gru take PyTorch's names and layouts; every other cell its canonical names
      String builtin = ref.builtinName() == null ? null : ref.builtinName().equals("rnn-relu") ? "rnn" : ref.builtinName();
      if ("rnn-relu".equals(ref.builtinName()) && nl == null) {
        nl = "relu";
      }
      conf = Interop.configure(builtin, builtin == null ? ref.formulaCell() : null, weights, input,
          new Interop.Request(layers, bidi, nl));
    } catch (IllegalArgumentException e) {
      throw new UsageException(weightsPath + ": " + e.getMessage());
    }
    try {
      if (layout == null) {
        layout = SequenceLayout.decide(input, inputs, conf.layer().cell().stateNames());
      }
      result = Interop.run(conf, weights, inputs, layout);
    } catch (IllegalArgumentException e) {
      throw new UsageException(inputPath + ": " + e.getMessage());
    }
    if (toStdout) {
      out.write(SafeTensors.toBytes(result, Map.of()));
      out.flush();
      err.println("wrote standard output: " + String.join(", ", result.keySet()));
    } else {
      SafeTensors.write(outPath, result);
      out.println("wrote " + outPath + ": " + String.join(", ", result.keySet()));
    }
    return 0;
  }

  /** Writing the result over an input would destroy it: the same file by any name (symlink, hard link) is refused. */
  static void notAnInput(Path out, Path in, String what) throws java.io.IOException {
    if (Files.exists(out) && Files.isSameFile(out, in)) {
      throw new UsageException("--out " + out + " is the --" + what + " file" + (out.equals(in) ? "" : " " + in)
          + "; writing the result there would destroy it, choose another file");
    }
  }

    static Path existing(String p, String what) {
    Path path = Paths.get(p);
    if (!Files.isRegularFile(path)) {
      throw new UsageException("the " + what + " file " + p + " does not exist or is not a file");
    }
    return path;
  }
}
