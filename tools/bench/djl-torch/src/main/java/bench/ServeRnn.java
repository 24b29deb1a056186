package bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The {@code serve} mode: one RNN training step kept warm, run in bursts on request, with the
 * protocol of {@code cellgraph bench --serve}, so that ../table.py can alternate it with the
 * other workers.
 *
 * <pre>
 * java -cp ... bench.Bench serve --cell lstm --config small [--dtype float32|float64]
 *                                [--threads N] [--warmup W] [--warmup-seconds S]
 * </pre>
 *
 * Warms up (at least W steps, default 2, and at least S seconds, default 3), prints {@code ready},
 * then for each line {@code IMPL [N]} of standard input (IMPL must be {@code builtin}) runs N
 * steps (default 1) and prints their seconds on one line. Weight gradients only, as torch_rnn.py
 * and {@code cellgraph bench} time it ({@code --no-input-grad} of the rnn mode).
 */
final class ServeRnn {

    private ServeRnn() {}

    static void run(Engine engine, Map<String, String> opt) throws IOException {
        String cellName = opt.getOrDefault("cell", "lstm");
        String config = opt.getOrDefault("config", "small");
        String dtype = opt.getOrDefault("dtype", "float32");
        int warmup = Integer.parseInt(opt.getOrDefault("warmup", "2"));
        double warmupSeconds = Double.parseDouble(opt.getOrDefault("warmup-seconds", "3"));
        int[] c = Bench.CONFIGS.get(config);
        if (c == null) {
            throw new IllegalArgumentException("--config: unknown config " + config + ", expected one of " + Bench.CONFIGS.keySet());
        }
        DataType dt;
        switch (dtype) {
            case "float32":
                dt = DataType.FLOAT32;
                break;
            case "float64":
                dt = DataType.FLOAT64;
                break;
            default:
                throw new IllegalArgumentException("--dtype: expected float32 or float64, got " + dtype);
        }
        Bench.Cell.gates(cellName); // rejects an unknown cell before anything is allocated
        int in = c[0], h = c[1], b = c[2], t = c[3];
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.randomNormal(new Shape(t, b, in)).toType(dt, false);
            NDList params = new NDList();
            for (NDArray p : Bench.Cell.randomParams(m, cellName, in, h)) {
                params.add(p.toType(dt, false)); // fresh leaves of the wanted type
            }
            try (Bench.Cell cell = new Bench.Cell(engine, cellName, m, x, params, h, false)) {
                // Cell makes float32 zero states; torch::lstm wants them in the input's type.
                for (int i = 0; i < cell.hx.size(); i++) {
                    cell.hx.set(i, m.zeros(new Shape(1, b, h), dt));
                }
                long until = System.nanoTime() + (long) (warmupSeconds * 1e9);
                for (int i = 0; i < warmup || System.nanoTime() < until; i++) {
                    cell.step();
                }
                System.out.println("ready");
                System.out.flush();
                BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String line; (line = r.readLine()) != null; ) {
                    String[] w = line.trim().split("\\s+");
                    if (w.length == 0 || w[0].isEmpty()) {
                        continue;
                    }
                    if (!"builtin".equals(w[0])) {
                        throw new IllegalArgumentException("serve: unknown impl " + w[0] + " (only builtin)");
                    }
                    int n = w.length > 1 ? Integer.parseInt(w[1]) : 1;
                    StringJoiner out = new StringJoiner(" ");
                    for (int i = 0; i < n; i++) {
                        long t0 = System.nanoTime();
                        cell.step();
                        out.add(String.valueOf((System.nanoTime() - t0) * 1e-9));
                    }
                    System.out.println(out);
                    System.out.flush();
                }
            }
        }
    }
}
