import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * Times Kernels.gemm (float32) of two builds of cellgraph-core alternately in one JVM, each
 * build in its own class loader, so that a change to the GEMM is compared on a shared machine
 * without separate runs (a core can run at half speed for seconds). Checks that both give the
 * same bits.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -Dcellgraph.threads=2 tools/bench/GemmAB.java \
 *     OLD-core.jar NEW-core.jar cli/target/lib M N K TRANS_A TRANS_B ROUNDS
 * </pre>
 *
 * The lib directory supplies core's dependencies (Guava, Commons Math, Gson). Each round times
 * 10 products per build, the order of the two swapped every round; the first ROUNDS rounds
 * warm up.
 */
public class GemmAB {
  public static void main(String[] x) throws Exception {
    if (x.length != 9) {
      System.err.println("usage: GemmAB OLD-core.jar NEW-core.jar LIB-DIR M N K TRANS_A TRANS_B ROUNDS");
      System.exit(2);
    }
    Path lib = Path.of(x[2]);
    String[] deps = {"guava-33.3.1-jre.jar", "failureaccess-1.0.2.jar", "commons-math3-3.6.1.jar", "gson-2.11.0.jar"};
    Method[] gemm = new Method[2];
    for (int i = 0; i < 2; i++) {
      URL[] urls = new URL[deps.length + 1];
      urls[0] = Path.of(x[i]).toUri().toURL();
      for (int d = 0; d < deps.length; d++) {
        urls[d + 1] = lib.resolve(deps[d]).toUri().toURL();
      }
      Class<?> k = Class.forName("dev.cellgraph.core.kernel.Kernels", true,
          new URLClassLoader(urls, ClassLoader.getPlatformClassLoader()));
      gemm[i] = k.getMethod("gemm", boolean.class, boolean.class, int.class, int.class, int.class, float[].class,
          int.class, int.class, float[].class, int.class, int.class, float[].class, int.class, int.class, boolean.class);
    }
    int m = Integer.parseInt(x[3]);
    int n = Integer.parseInt(x[4]);
    int k = Integer.parseInt(x[5]);
    boolean ta = Boolean.parseBoolean(x[6]);
    boolean tb = Boolean.parseBoolean(x[7]);
    int rounds = Integer.parseInt(x[8]);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    Random r = new Random(1);
    for (int i = 0; i < a.length; i++) {
      a[i] = r.nextFloat();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = r.nextFloat();
    }
    float[][] c = {new float[m * n], new float[m * n]};
    int lda = ta ? m : k;
    int ldb = tb ? k : n;
    int reps = 10;
    double[][] ms = new double[2][rounds];
    for (int round = -rounds; round < rounds; round++) {
      for (int s = 0; s < 2; s++) {
        int side = (round & 1) == 0 ? s : 1 - s;
        long t0 = System.nanoTime();
        for (int q = 0; q < reps; q++) {
          gemm[side].invoke(null, ta, tb, m, n, k, a, 0, lda, b, 0, ldb, c[side], 0, n, false);
        }
        if (round >= 0) {
          ms[side][round] = (System.nanoTime() - t0) / 1e6 / reps;
        }
      }
    }
    if (!Arrays.equals(c[0], c[1])) {
      System.out.println("the two builds' results differ");
    }
    Arrays.sort(ms[0]);
    Arrays.sort(ms[1]);
    System.out.printf("m=%d n=%d k=%d transA=%s transB=%s: old median %.3f ms (best %.3f), new median %.3f ms"
        + " (best %.3f), new/old %.3f%n", m, n, k, ta, tb, ms[0][rounds / 2], ms[0][0], ms[1][rounds / 2], ms[1][0],
        ms[1][rounds / 2] / ms[0][rounds / 2]);
  }
}
