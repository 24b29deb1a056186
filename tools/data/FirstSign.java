// Run from the repository root after a build: java -cp "cli/target/cellgraph-cli.jar:cli/target/lib/*" tools/data/FirstSign.java
import dev.cellgraph.core.*;
import dev.cellgraph.core.io.SafeTensors;
import java.nio.file.Path;
import java.util.*;
/** Writes first-sign.safetensors, the data of the --task file measurement in docs/training.md. */
public class FirstSign {
  public static void main(String[] a) throws Exception {
    int n = 2000, t = 20, f = 4;
    Random r = new Random(1);
    double[] x = new double[n * t * f];
    double[] y = new double[n];
    double[] len = new double[n];
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < t * f; i++) x[s * t * f + i] = r.nextGaussian();
      y[s] = x[s * t * f] > 0 ? 1 : 0; // the first step's first feature: remembered over the whole sequence
      len[s] = 10 + r.nextInt(11);
    }
    SafeTensors.write(Path.of("first-sign.safetensors"), Map.of(
        "inputs", Tensor.of(DType.FLOAT32, x, Shape.of(n, t, f)),
        "targets", Tensor.of(DType.INT64, y, Shape.of(n)),
        "lengths", Tensor.of(DType.INT64, len, Shape.of(n))));
  }
}
