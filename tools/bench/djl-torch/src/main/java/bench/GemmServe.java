package bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Worker for ../gemm_interleaved.py --against djl: reads lines {@code "DTYPE THREADS"} from stdin
 * and answers each with the seconds of one N x N x N {@code a.matMul(b)} (torch::matmul, then
 * MKL sgemm/dgemm), so that the driver can alternate single products of PyTorch 2.7.1 and
 * cellgraph, and the slow phases of a shared machine fall on both alike.
 *
 * <pre>
 * java -cp ... bench.Bench gemm-serve --threads T [--size N]
 * </pre>
 *
 * The torch thread count is fixed for the process (set by Bench before the engine loads, as for
 * every mode), so a request for another thread count is an error: the driver keeps one worker per
 * thread count.
 */
final class GemmServe {
    private GemmServe() {}

    static void serve(Map<String, String> opt, int threads) throws IOException {
        int n = Integer.parseInt(opt.getOrDefault("size", "1024"));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray af = m.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            NDArray bf = m.randomNormal(0, 1, new Shape(n, n), DataType.FLOAT32);
            NDArray ad = af.toType(DataType.FLOAT64, true);
            NDArray bd = bf.toType(DataType.FLOAT64, true);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null; ) {
                String[] f = line.trim().split("\\s+");
                if (f.length != 2 || Integer.parseInt(f[1]) != threads) {
                    throw new IllegalArgumentException(
                            "request '" + line + "': expected 'float32|float64 " + threads + "'");
                }
                boolean single = f[0].equals("float32");
                if (!single && !f[0].equals("float64")) {
                    throw new IllegalArgumentException("unknown dtype '" + f[0] + "'");
                }
                NDArray a = single ? af : ad;
                NDArray b = single ? bf : bd;
                long t0 = System.nanoTime();
                try (NDArray c = a.matMul(b)) { // computed synchronously on the CPU
                    System.out.println((System.nanoTime() - t0) / 1e9);
                }
                System.out.flush();
            }
        }
    }
}
