import dev.cellgraph.core.kernel.Kernels;
import dev.cellgraph.core.kernel.PackedMatrix;
import java.util.Arrays;
import java.util.Random;

/**
 * Times the products of one streaming step: one row times a packed B, 1 x K x N, float32, on the
 * calling thread, median of R products after 2 s of warm-up each. Run it alternately with
 * {@code -Dcellgraph.gemm.onerowtiles=false} (the one-row loop) and {@code =true} (the tiles):
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Dcellgraph.gemm.onerowtiles=false \
 *     -cp "cli/target/cellgraph-cli.jar:cli/target/lib/*" tools/bench/OneRowGemm.java [R] [KxN ...]
 * </pre>
 *
 * The default shapes are the medium LSTM's (128 x 1024, 256 x 1024) and the small one's
 * (32 x 256, 64 x 256). One line per shape: {@code K N median_us best_us}.
 */
public class OneRowGemm {
  public static void main(String[] args) {
    int reps = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
    String[] shapes = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
        : new String[] {"128x1024", "256x1024", "32x256", "64x256"};
    Random r = new Random(1);
    for (String s : shapes) {
      int k = Integer.parseInt(s.split("x")[0]);
      int n = Integer.parseInt(s.split("x")[1]);
      float[] a = new float[k];
      float[] b = new float[k * n];
      for (int i = 0; i < k; i++) {
        a[i] = (float) r.nextGaussian();
      }
      for (int i = 0; i < b.length; i++) {
        b[i] = (float) r.nextGaussian();
      }
      PackedMatrix p = Kernels.pack(false, k, n, b, 0, n);
      float[] c = new float[n];
      long start = System.nanoTime();
      while (System.nanoTime() - start < 2_000_000_000L) {
        Kernels.gemm(false, 1, n, k, a, 0, k, p, c, 0, n, false);
      }
      double[] t = new double[reps];
      for (int i = 0; i < reps; i++) {
        long t0 = System.nanoTime();
        Kernels.gemm(false, 1, n, k, a, 0, k, p, c, 0, n, false);
        t[i] = (System.nanoTime() - t0) / 1e3;
      }
      Arrays.sort(t);
      System.out.printf("%d %d %.2f %.2f%n", k, n, t[reps / 2], t[0]);
    }
  }
}
