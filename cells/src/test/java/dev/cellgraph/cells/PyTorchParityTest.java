package dev.cellgraph.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cellgraph.autodiff.Scan;
import dev.cellgraph.core.DType;
import dev.cellgraph.core.Tensor;
import dev.cellgraph.core.io.SafeTensors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The built-in cells against PyTorch's nn.RNN / nn.LSTM / nn.GRU (with proj_size too: the
 * {@code lstm-proj*} cases of tools/golden/proj_cases.py): outputs, states, every gradient.
 */
class PyTorchParityTest {
  static Path golden(String kind) throws Exception {
    return Paths.get(PyTorchParityTest.class.getResource("/golden/" + kind).toURI());
  }

  static Stream<String> cases() throws Exception {
    try (Stream<Path> s = Files.list(golden("pytorch"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void builtinMatchesPyTorch(String name) throws Exception {
    Path dir = golden("pytorch").resolve(name);
    JsonObject c = JsonParser.parseString(Files.readString(dir.resolve("case.json"))).getAsJsonObject();
    Map<String, Tensor> weights = SafeTensors.read(dir.resolve("weights.safetensors"));
    Map<String, Tensor> inputs = SafeTensors.read(dir.resolve("input.safetensors"));
    Map<String, Tensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
    Interop.Request req = new Interop.Request(c.get("num_layers").getAsInt(),
        c.get("bidirectional").getAsBoolean(),
        c.get("cell").getAsString().equals("rnn") ? c.get("nonlinearity").getAsString() : null);
    Interop.Configured conf = Interop.configure(c.get("cell").getAsString(), null, weights, inputs.get("input"), req);
    assertEquals(c.get("hidden_size").getAsInt(), conf.layer().hiddenSize());
    if (conf.layer().cell() instanceof BuiltinCell b) {
      assertEquals(c.has("proj_size") ? c.get("proj_size").getAsInt() : 0, b.projSize(), "proj_size");
    }
    long declines = Scan.declineCount();
    Map<String, Tensor> got = Interop.run(conf, weights, inputs);
    assertEquals(declines, Scan.declineCount(), () -> name + " ran interpreted: " + Scan.lastDecline());
    boolean f32 = conf.dtype() == DType.FLOAT32;
    double rtol = f32 ? 1e-4 : 1e-9;
    double atol = f32 ? 1e-5 : 1e-12;
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      Tensor g = got.get(e.getKey());
      assertNotNull(g, "missing " + e.getKey() + "; got " + got.keySet());
      assertTrue(g.allClose(e.getValue(), rtol, atol),
          e.getKey() + ": max difference " + g.maxAbsDiff(e.getValue()));
    }
    assertEquals(expected.keySet(), got.keySet());
  }

  static Stream<String> packedCases() throws Exception {
    try (Stream<Path> s = Files.list(golden("lengths"))) {
      return s.map(p -> p.getFileName().toString()).sorted().toList().stream();
    }
  }

  /**
   * Packed batches ({@code pack_padded_sequence(enforce_sorted=False)}, unsorted lengths, padded
   * back to T) and {@code batch_first}: outputs, final states and every gradient within 1e-9.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("packedCases")
  void lengthsAndBatchFirstMatchPyTorch(String name) throws Exception {
    Path dir = golden("lengths").resolve(name);
    JsonObject c = JsonParser.parseString(Files.readString(dir.resolve("case.json"))).getAsJsonObject();
    Map<String, Tensor> weights = SafeTensors.read(dir.resolve("weights.safetensors"));
    Map<String, Tensor> inputs = SafeTensors.read(dir.resolve("input.safetensors"));
    Map<String, Tensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
    Interop.Request req = new Interop.Request(c.get("num_layers").getAsInt(),
        c.get("bidirectional").getAsBoolean(),
        c.get("cell").getAsString().equals("rnn") ? c.get("nonlinearity").getAsString() : null);
    Interop.Configured conf = Interop.configure(c.get("cell").getAsString(), null, weights, inputs.get("input"), req);
    SequenceLayout layout = c.get("batch_first").getAsBoolean() ? SequenceLayout.BATCH_FIRST : SequenceLayout.TIME_MAJOR;
    Map<String, Tensor> got = Interop.run(conf, weights, inputs, layout);
    for (Map.Entry<String, Tensor> e : expected.entrySet()) {
      Tensor g = got.get(e.getKey());
      assertNotNull(g, "missing " + e.getKey() + "; got " + got.keySet());
      assertEquals(e.getValue().shape(), g.shape(), e.getKey());
      assertTrue(g.allClose(e.getValue(), 1e-9, 1e-12), e.getKey() + ": max difference " + g.maxAbsDiff(e.getValue()));
    }
    assertEquals(expected.keySet(), got.keySet());
  }
}
